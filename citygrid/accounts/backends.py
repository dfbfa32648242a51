from django.contrib.auth.backends import ModelBackend


class RoleBackend(ModelBackend):
    """Permissions come from the user's roles (and Django's own user/group grants)."""

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            from django.contrib.auth.models import Permission

            perms = Permission.objects.filter(roles__users=user_obj).values_list(
                "content_type__app_label", "codename"
            )
            user_obj._role_perm_cache = {f"{app}.{code}" for app, code in perms}
        return user_obj._role_perm_cache | super().get_group_permissions(user_obj, obj)
