from django.db.models import ProtectedError
from rest_framework import viewsets

from citygrid.core import context, records
from citygrid.core.api.errors import ApiError
from citygrid.core.api.permissions import request_action
from citygrid.core.errors import ActionError


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
    """CRUD through the one write path (`core.records`): a write that leaves the scope is
    rolled back and answered 403, a refused delete 409."""

    def perform_create(self, serializer):
        self._write(serializer)

    def perform_update(self, serializer):
        self._write(serializer)

    def _write(self, serializer):
        try:
            serializer.save()
        except ActionError as exc:
            raise ApiError(exc.code, exc.message, exc.status) from exc

    def perform_destroy(self, instance):
        try:
            records.delete_record(instance, actor=self.request.user)
        except ProtectedError as exc:
            raise ApiError("protected", f"无法删除“{instance}”：仍有关联记录", 409) from exc
        except ActionError as exc:
            raise ApiError(exc.code, exc.message, exc.status) from exc
