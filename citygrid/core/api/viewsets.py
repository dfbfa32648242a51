from django.db import transaction
from rest_framework import viewsets

from citygrid.core import context
from citygrid.core.api.errors import ApiError
from citygrid.core.api.permissions import request_action


class ScopedViewSetMixin:
    """Reads through `restrict(user, action)`: out of scope answers 404."""

    # Set per @action (e.g. "view" for a read-only POST) to override the method's action.
    required_action: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        ctx = context.current()
        if ctx is not None:
            # Token users are only known after DRF authenticates; attribute changes to them.
            ctx.user = request.user

    def get_queryset(self):
        return (
            super().get_queryset().restrict(self.request.user, request_action(self.request, self))
        )


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """CRUD through `restrict(user, action)`; a write that leaves the scope is rolled back."""

    def _save_in_scope(self, serializer, action: str) -> None:
        with transaction.atomic():
            obj = serializer.save()
            model = type(obj)
            if not model.objects.restrict(self.request.user, action).filter(pk=obj.pk).exists():
                transaction.set_rollback(True)
                raise ApiError("out_of_scope", "保存后的记录不在您的管辖范围内，未保存", 403)

    def perform_create(self, serializer):
        self._save_in_scope(serializer, "add")

    def perform_update(self, serializer):
        serializer.instance.snapshot()
        self._save_in_scope(serializer, "change")

    def perform_destroy(self, instance):
        from django.db.models import ProtectedError

        try:
            with transaction.atomic():
                instance.delete()
        except ProtectedError as exc:
            raise ApiError("protected", f"无法删除“{instance}”：仍有关联记录", 409) from exc
