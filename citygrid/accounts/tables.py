import django_tables2 as tables

from citygrid.accounts.models import Role, User
from citygrid.core.tables import BaseTable


class UserTable(BaseTable):
    username = tables.Column(linkify=True)
    roles = tables.ManyToManyColumn(verbose_name="角色")
    scope_regions = tables.ManyToManyColumn(verbose_name="管辖区域")

    class Meta(BaseTable.Meta):
        model = User
        fields = (
            "username",
            "full_name",
            "is_active",
            "is_superuser",
            "roles",
            "scope_regions",
            "last_login",
        )


class RoleTable(BaseTable):
    name = tables.Column(linkify=True)
    users = tables.Column(verbose_name="用户数", accessor="users__count", orderable=False)

    class Meta(BaseTable.Meta):
        model = Role
        fields = ("name", "description", "view_sensitive", "start_page")

    def render_users(self, record):
        return record.users.count()
