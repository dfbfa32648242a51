"""Roles and scopes are managed in the UI, and they decide what a user sees."""

import pytest
from django.contrib.auth.models import Permission

from citygrid.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_admin_creates_a_role_and_a_scoped_user(client, tree, make_user):
    client.force_login(make_user(superuser=True))
    perm = Permission.objects.get(codename="view_region")
    response = client.post("/accounts/roles/add/", {"name": "只读", "permissions": [perm.pk]})
    assert response.status_code == 302
    role = Role.objects.get(name="只读")
    response = client.post(
        "/accounts/users/add/",
        {
            "username": "reader",
            "full_name": "读者",
            "password": "Lesen@2026x",
            "is_active": "on",
            "roles": [role.pk],
            "scope_regions": [tree.county_b.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    reader = User.objects.get(username="reader")
    client.force_login(reader)
    assert client.get(f"/territory/regions/{tree.grid_b1.pk}/").status_code == 200
    assert client.get(f"/territory/regions/{tree.grid_a1.pk}/").status_code == 404
    assert client.get(f"/territory/regions/{tree.grid_b1.pk}/edit/").status_code == 403


def test_user_pages_need_permission(client, make_user):
    client.force_login(make_user())
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/accounts/roles/").status_code == 403


def test_nested_scope_codes_are_minimal(tree, make_user):
    user = make_user(scope=[tree.county_a, tree.grid_a1, tree.county_b])
    assert user.scope_codes() == ["330101", "330102"]


def test_user_without_scope_sees_nothing(client, tree, make_user):
    client.force_login(make_user(perms=["regions.view_region"]))
    table = client.get("/territory/regions/").context["table"]
    assert list(table.page.object_list) == []


def test_menu_shows_only_permitted_items(client, tree, make_user):
    client.force_login(make_user(perms=["regions.view_region"], scope=[tree.city]))
    page = client.get("/").content.decode()
    assert "网格地图" in page and "区域网格" in page
    assert "/accounts/users/" not in page
    # Built modules show up with their permission; modules still under construction only for
    # roles that will use them (core/tests/test_navigation.py).
    for built in ("实有人口", "房屋管理", "重点人员"):
        assert built not in page
    assert "/people/persons/" not in page and "/housing/houses/" not in page
    for module in [
        "机构队伍",
        "两新组织",
        "社会治安",
        "矛盾纠纷",
        "综治台账",
        "视频监控",
        "护路护线",
        "校园安全",
        "社情民意",
    ]:
        assert module not in page


def test_granting_roles_and_scope_is_in_the_history(client, tree, make_user):
    from citygrid.core.models import ObjectChange

    admin = make_user(superuser=True)
    client.force_login(admin)
    role = Role.objects.create(name="调度")
    target = make_user(username="target")
    response = client.post(
        f"/accounts/users/{target.pk}/edit/",
        {
            "username": "target",
            "is_active": "on",
            "roles": [role.pk],
            "scope_regions": [tree.county_a.pk],
        },
    )
    assert response.status_code == 302
    changes = ObjectChange.objects.filter(
        object_id=target.pk, content_type__model="user", user=admin
    )
    diffs = {f: (b, a) for c in changes for f, b, a in c.diff()}
    assert diffs["roles"] == ([], [role.pk])
    assert diffs["scope_regions"] == ([], [tree.county_a.pk])
    assert all("password" not in (c.postchange_data or {}) for c in changes)


def test_role_form_offers_every_apps_permissions(client, make_user):
    client.force_login(make_user(superuser=True))
    form = client.get("/accounts/roles/add/").context["form"]
    offered = {
        f"{p.content_type.app_label}.{p.codename}" for p in form.fields["permissions"].queryset
    }
    assert {
        "regions.view_region",
        "cases.dispatch_case",
        "cases.answer_supervisionorder",
        "notify.view_smsmessage",
    } <= offered
    assert not any(p.startswith(("auth.", "sessions.", "contenttypes.")) for p in offered)
    labels = {
        form.fields["permissions"].label_from_instance(p)
        for p in form.fields["permissions"].queryset.filter(codename="dispatch_case")
    }
    assert labels == {"事件：派遣"}


def test_resetting_the_default_roles_is_in_their_history():
    from citygrid.accounts import roles
    from citygrid.core.models import ObjectChange

    grid_worker = roles.ensure_default_roles()[roles.GRID_WORKER]
    granted = sorted(grid_worker.permissions.values_list("pk", flat=True))
    created = ObjectChange.objects.get(
        content_type__model="role", object_id=grid_worker.pk, action="create"
    )
    assert (created.user_name, created.postchange_data["permissions"]) == ("system", granted)
    extra = Permission.objects.get(codename="delete_region")
    grid_worker.permissions.add(extra)
    Role.objects.filter(pk=grid_worker.pk).update(view_sensitive=True)

    assert roles.ensure_default_roles()[roles.GRID_WORKER].pk == grid_worker.pk
    reset = ObjectChange.objects.get(
        content_type__model="role", object_id=grid_worker.pk, action="update"
    )
    assert {f: (b, a) for f, b, a in reset.diff()} == {
        "permissions": (sorted([*granted, extra.pk]), granted),
        "view_sensitive": (True, False),
    }
    assert Role.objects.count() == len(roles.DEFAULT_ROLES)


def test_role_form_lists_each_permission_as_its_own_checkbox(client, make_user):
    # The widget's class once styled the options' wrapper as one empty checkbox: none showed.
    client.force_login(make_user(superuser=True))
    response = client.get("/accounts/roles/add/")
    html = response.content.decode()
    offered = response.context["form"].fields["permissions"].queryset.count()
    assert html.count('type="checkbox" name="permissions"') == offered > 100
    assert '<div id="id_permissions" class="form-check-input"' not in html
    assert '<span class="form-check-label">事件：派遣</span>' in html


def test_role_form_labels_are_distinct(client, make_user):
    client.force_login(make_user(superuser=True))
    field = client.get("/accounts/roles/add/").context["form"].fields["permissions"]
    labels = [field.label_from_instance(p) for p in field.queryset]
    assert len(labels) == len(set(labels))
    assert "事件：查看匿名上报人" in labels
    assert "出租屋：核实申报" in labels
