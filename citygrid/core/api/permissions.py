from rest_framework.permissions import BasePermission

from citygrid.core.querysets import permission_name

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def request_action(request, view) -> str:
    return getattr(view, "required_action", None) or METHOD_ACTIONS.get(request.method, "view")


class RestrictedPermission(BasePermission):
    """Object-type permission from the user's roles; scope is applied by the queryset (→ 404)."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        model = getattr(getattr(view, "queryset", None), "model", None)
        if model is None:
            return True
        return user.has_perm(permission_name(model, request_action(request, view)))
