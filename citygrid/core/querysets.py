"""The one place where permissions become a queryset filter.

`Model.objects.restrict(user, action)` returns what the user may act on: nothing without the
(object type, action) permission from a role, otherwise the records whose region code starts with
one of the user's scope codes. Views, API, exports, maps, search and statistics all go through it,
so a forgotten filter cannot leak another district's records.
"""

from django.db import models
from django.db.models import Q

from citygrid.core import writeguard


def permission_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def scope_q(field: str, codes: list[str]) -> Q:
    q = Q(pk__in=[])
    for code in codes:
        q |= Q(**{f"{field}__within": code})
    return q


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "RestrictedQuerySet":
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        if not user.has_perm(permission_name(self.model, action)):
            return self.none()
        return self.in_scope(user)

    def in_scope(self, user) -> "RestrictedQuerySet":
        """Records inside the user's territory, whatever their permissions (for pickers)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        field = getattr(self.model, "scope_field", None)
        if user.is_superuser or field is None:
            # Unscoped record types (code tables, roles) are visible to whoever holds the perm.
            return self
        return self.filter(scope_q(field, user.scope_codes()))

    # Writes that bypass `save()`: change-logged records take them only inside `core.records`.
    def _guard(self) -> None:
        if getattr(self.model, "change_logged", False):
            writeguard.check(self.model)

    def update(self, **kwargs):
        self._guard()
        return super().update(**kwargs)

    def delete(self):
        self._guard()
        return super().delete()

    def bulk_create(self, *args, **kwargs):
        self._guard()
        return super().bulk_create(*args, **kwargs)

    def bulk_update(self, *args, **kwargs):
        self._guard()
        return super().bulk_update(*args, **kwargs)


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):
    pass
