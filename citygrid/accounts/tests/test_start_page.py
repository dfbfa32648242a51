"""Start where the work is: each role lands on its own page after login (issue 12, item 1)."""

import pytest
from django.contrib.auth.models import Permission

from citygrid.accounts import roles
from citygrid.accounts.choices import StartPage
from citygrid.accounts.models import Role, User
from citygrid.accounts.start import derived_start_page, start_page
from citygrid.core.models import ObjectChange

pytestmark = pytest.mark.django_db

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)
IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
DESKTOP_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)
PASSWORD = "Test@2026pw"


@pytest.fixture
def default_roles():
    return roles.ensure_default_roles()


@pytest.fixture
def user_with(tree, default_roles):
    def make(*role_names, username="someone"):
        user = User.objects.create_user(username=username, password=PASSWORD)
        user.roles.set([default_roles[name] for name in role_names])
        user.scope_regions.set([tree.county_a])
        return user

    return make


def log_in(client, username, agent=DESKTOP_UA, next_url=""):
    query = f"?next={next_url}" if next_url else ""
    return client.post(
        f"/accounts/login/{query}",
        {"username": username, "password": PASSWORD},
        HTTP_USER_AGENT=agent,
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (roles.GRID_WORKER, StartPage.MOBILE),
        (roles.INSPECTOR, StartPage.MOBILE),
        (roles.COUNTY_DISPATCHER, StartPage.DESK),
        (roles.STREET_STAFF, StartPage.DESK),
        (roles.DEPARTMENT_HANDLER, StartPage.DESK),
        (roles.CITY_LEADER, StartPage.DASHBOARD),
        (roles.POLITICAL_LEGAL_OFFICER, StartPage.WORKBENCH),
        (roles.SYSTEM_ADMIN, StartPage.WORKBENCH),
    ],
)
def test_each_default_role_derives_its_start_page(role, expected):
    spec = next(s for s in roles.DEFAULT_ROLES if s.name == role)
    assert derived_start_page(set(spec.permissions)) == expected


@pytest.mark.parametrize(
    ("role", "agent", "location"),
    [
        (roles.GRID_WORKER, PHONE_UA, "/m/"),
        (roles.GRID_WORKER, IPHONE_UA, "/m/"),
        (roles.GRID_WORKER, DESKTOP_UA, "/"),  # the 工作台, with a link to the phone app
        (roles.INSPECTOR, PHONE_UA, "/m/"),
        (roles.COUNTY_DISPATCHER, DESKTOP_UA, "/cases/desk/"),
        (roles.COUNTY_DISPATCHER, PHONE_UA, "/cases/desk/"),
        (roles.DEPARTMENT_HANDLER, DESKTOP_UA, "/cases/desk/"),
        (roles.CITY_LEADER, DESKTOP_UA, "/statistics/"),
        (roles.SYSTEM_ADMIN, DESKTOP_UA, "/"),
    ],
)
def test_login_lands_on_the_roles_start_page(client, user_with, role, agent, location):
    user_with(role)
    response = log_in(client, "someone", agent)
    assert response.status_code == 302 and response["Location"] == location


def test_next_comes_first(client, user_with):
    user_with(roles.GRID_WORKER)
    response = log_in(client, "someone", PHONE_UA, next_url="/people/persons/")
    assert response["Location"] == "/people/persons/"


def test_an_explicit_start_page_overrides_the_permissions(client, user_with, default_roles):
    leader = default_roles[roles.CITY_LEADER]
    leader.start_page = StartPage.WORKBENCH
    leader.save()
    user_with(roles.CITY_LEADER)
    assert log_in(client, "someone")["Location"] == "/"


def test_several_roles_land_where_the_most_pressing_work_is(client, user_with):
    # A grid worker who also dispatches: the app on the phone, the desk at a desktop.
    user = user_with(roles.GRID_WORKER, roles.COUNTY_DISPATCHER)
    assert start_page(user, phone=True) == StartPage.MOBILE
    assert start_page(user, phone=False) == StartPage.DESK
    assert log_in(client, "someone", DESKTOP_UA)["Location"] == "/cases/desk/"


def test_a_start_page_whose_permission_is_gone_falls_back_to_the_workbench(tree):
    role = Role.objects.create(name="看板", start_page=StartPage.DASHBOARD)
    user = User.objects.create_user(username="viewer", password=PASSWORD)
    user.roles.add(role)
    assert start_page(user, phone=False) == StartPage.WORKBENCH


def test_no_role_and_superusers_land_on_the_workbench(client, make_user):
    make_user(superuser=True, username="chief")
    assert log_in(client, "chief", PHONE_UA)["Location"] == "/"
    make_user(username="nobody")
    assert log_in(client, "nobody")["Location"] == "/"


def test_the_role_form_sets_the_start_page_and_logs_it(client, make_user):
    client.force_login(make_user(superuser=True))
    perm = Permission.objects.get(codename="view_case")
    response = client.post(
        "/accounts/roles/add/",
        {"name": "值班领导", "permissions": [perm.pk], "start_page": "dashboard"},
    )
    assert response.status_code == 302
    role = Role.objects.get(name="值班领导")
    assert role.start_page == StartPage.DASHBOARD
    change = ObjectChange.objects.get(content_type__model="role", object_id=role.pk)
    assert change.postchange_data["start_page"] == "dashboard"

    form = client.get(f"/accounts/roles/{role.pk}/edit/").content.decode()
    assert "登录后首页" in form and "事件指标（领导看板）" in form

    response = client.post(
        f"/accounts/roles/{role.pk}/edit/",
        {"name": "值班领导", "permissions": [perm.pk], "start_page": "nowhere"},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    role.refresh_from_db()
    assert role.start_page == StartPage.DASHBOARD


def test_the_role_page_says_which_page_auto_means(client, make_user, default_roles):
    client.force_login(make_user(superuser=True))
    role = default_roles[roles.GRID_WORKER]
    page = client.get(f"/accounts/roles/{role.pk}/").content.decode()
    assert "按权限自动选择（当前为“网格员手机端（电脑登录时进入工作台）”）" in page
