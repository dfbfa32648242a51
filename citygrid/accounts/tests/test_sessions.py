"""Sessions, tokens and passwords (等保 level 3): what ends a session or a token, who may try
to log in how often, and which passwords are refused."""

import time
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token

from citygrid.accounts.middleware import IDLE_KEY
from citygrid.accounts.models import User
from citygrid.core.models import AccessLog

pytestmark = pytest.mark.django_db


def token_for(api_client, username="user1", password="Test@2026pw"):
    response = api_client.post("/api/auth/token/", {"username": username, "password": password})
    assert response.status_code == 200
    return response.json()["token"]


# --- API tokens end with the password ---------------------------------------------------------


def test_changing_ones_own_password_revokes_ones_api_tokens(client, api_client, make_user):
    user = make_user()
    other = make_user()
    key = token_for(api_client)
    other_key = token_for(api_client, other.username)
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "Test@2026pw",
            "new_password1": "New@2026pass",
            "new_password2": "New@2026pass",
        },
    )
    assert response.status_code == 302
    assert not Token.objects.filter(key=key).exists()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/regions/").status_code == 401
    # Only the changed account's tokens go.
    assert list(Token.objects.values_list("key", flat=True)) == [other_key]


def test_an_admin_password_reset_revokes_the_users_api_tokens(client, api_client, make_user):
    admin = make_user(superuser=True)
    user = make_user()
    key = token_for(api_client, user.username)
    client.force_login(admin)
    response = client.post(
        f"/accounts/users/{user.pk}/edit/",
        {"username": user.username, "is_active": "on", "password": "Reset@2026pw"},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert not Token.objects.filter(key=key).exists()
    assert User.objects.get(pk=user.pk).check_password("Reset@2026pw")


def test_an_edit_without_a_new_password_keeps_the_tokens(client, api_client, make_user):
    admin = make_user(superuser=True)
    user = make_user()
    key = token_for(api_client, user.username)
    client.force_login(admin)
    response = client.post(
        f"/accounts/users/{user.pk}/edit/",
        {"username": user.username, "full_name": "张三", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Token.objects.filter(key=key).exists()


# --- Idle timeout beside the absolute one -----------------------------------------------------


def idle_for(client, seconds):
    session = client.session
    session[IDLE_KEY] = int(time.time()) - seconds
    session.save()


@override_settings(SESSION_IDLE_SECONDS=1800)
def test_a_session_idle_too_long_is_logged_out(client, make_user):
    client.force_login(make_user())
    idle_for(client, 1801)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.get(response["Location"])
    assert "长时间未操作，已自动退出" in response.content.decode()
    assert client.get("/").status_code == 302


@override_settings(SESSION_IDLE_SECONDS=1800)
def test_activity_keeps_a_session_alive_but_not_past_its_absolute_age(client, make_user):
    client.force_login(make_user())
    expiry = client.session.get_expiry_date()
    idle_for(client, 1700)
    assert client.get("/").status_code == 200
    # The request counted as activity ...
    assert int(time.time()) - client.session[IDLE_KEY] < 5
    idle_for(client, 1700)
    assert client.get("/").status_code == 200
    # ... yet the absolute end stays where login put it (SESSION_COOKIE_AGE).
    assert client.session.get_expiry_date() == expiry


def test_api_tokens_have_no_idle_timeout(api_client, tree, make_user):
    make_user(perms=["regions.view_region"], scope=[tree.county_a])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(api_client)}")
    with override_settings(SESSION_IDLE_SECONDS=-1):  # every session would be stale
        assert api_client.get("/api/regions/").status_code == 200
        assert api_client.get("/api/regions/").status_code == 200


# --- Per-IP throttling across usernames -------------------------------------------------------


@override_settings(LOGIN_IP_MAX_FAILURES=3, LOGIN_IP_WINDOW_SECONDS=600)
def test_failures_from_one_ip_across_usernames_throttle_that_ip(client, make_user):
    make_user()
    for name in ("alice", "bob", "carol"):
        response = client.post("/accounts/login/", {"username": name, "password": "x"})
        assert "用户名或密码错误" in response.content.decode()
    failures = AccessLog.objects.filter(action="login_failed").count()
    # Even the right password is refused from that address, and nothing is counted or logged.
    response = client.post("/accounts/login/", {"username": "user1", "password": "Test@2026pw"})
    assert response.status_code == 200
    assert "登录失败次数过多，请 10 分钟后再试" in response.content.decode()
    assert AccessLog.objects.filter(action="login_failed").count() == failures
    assert not AccessLog.objects.filter(action="login").exists()
    assert User.objects.get(username="user1").failed_logins == 0
    # Another address is not affected.
    response = client.post(
        "/accounts/login/",
        {"username": "user1", "password": "Test@2026pw"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 302


@override_settings(LOGIN_IP_MAX_FAILURES=2, LOGIN_IP_WINDOW_SECONDS=600)
def test_the_token_endpoint_shares_the_ip_throttle(client, api_client, make_user):
    make_user()
    for name in ("alice", "bob"):
        client.post("/accounts/login/", {"username": name, "password": "x"})
    response = api_client.post("/api/auth/token/", {"username": "user1", "password": "Test@2026pw"})
    assert response.status_code == 429
    assert response.json() == {
        "code": "login_throttled",
        "message": "登录失败次数过多，请 10 分钟后再试",
        "errors": {},
    }


# --- Password policy --------------------------------------------------------------------------


def test_a_password_containing_the_username_is_refused(client, make_user):
    client.force_login(make_user(superuser=True))
    response = client.post(
        "/accounts/users/add/",
        {"username": "zhangsan", "is_active": "on", "password": "ZhangSan@2026"},
    )
    assert "密码不能包含用户名" in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()


def test_ones_own_new_password_may_not_contain_the_username(client, make_user):
    user = make_user(username="lisi")
    client.force_login(user)
    new = "x+LISI2026"
    response = client.post(
        "/accounts/password/",
        {"old_password": "Test@2026pw", "new_password1": new, "new_password2": new},
    )
    assert "密码不能包含用户名" in response.content.decode()
    assert User.objects.get(pk=user.pk).check_password("Test@2026pw")


# --- Messages in local time and in Chinese ----------------------------------------------------


@override_settings(LOGIN_MAX_FAILURES=1, TIME_ZONE="Asia/Shanghai")
def test_the_lockout_message_gives_the_unlock_time_in_local_time(client, make_user):
    make_user()
    response = client.post("/accounts/login/", {"username": "user1", "password": "x"})
    until = User.objects.get(username="user1").locked_until
    local = until.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"账号已锁定至 {local:%H:%M}" in response.content.decode()


def test_form_errors_are_chinese_whatever_the_browser_asks_for(client):
    response = client.post("/accounts/login/", {"username": "user1"}, HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    assert "该字段是必填项。" in content
    assert "This field is required" not in content
