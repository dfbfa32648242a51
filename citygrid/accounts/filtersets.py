from citygrid.accounts.models import Role, User
from citygrid.core.filtersets import BaseFilterSet


class UserFilterSet(BaseFilterSet):
    search_fields = ("username", "full_name")

    class Meta:
        model = User
        fields = ["is_active", "roles"]


class RoleFilterSet(BaseFilterSet):
    search_fields = ("name", "description")

    class Meta:
        model = Role
        fields = ["view_sensitive"]
