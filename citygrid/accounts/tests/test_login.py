import pytest
from django.test import override_settings

from citygrid.accounts.models import User
from citygrid.core.models import AccessLog, ObjectChange

pytestmark = pytest.mark.django_db


def login(client, password):
    return client.post("/accounts/login/", {"username": "user1", "password": password})


def test_login_success_is_logged_and_redirects_home(client, make_user):
    make_user()
    response = login(client, "Test@2026pw")
    assert response.status_code == 302 and response["Location"] == "/"
    assert AccessLog.objects.filter(user_name="user1", action="login").count() == 1
    # Login bookkeeping is stamped on the account, not written into its history.
    assert User.objects.get(username="user1").last_login is not None
    assert not ObjectChange.objects.filter(content_type__model="user").exists()


def test_login_never_redirects_off_site(client, make_user):
    make_user()
    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"username": "user1", "password": "Test@2026pw"},
    )
    assert response["Location"] == "/"


def test_wrong_password_shows_a_chinese_error(client, make_user):
    make_user()
    response = login(client, "wrong")
    assert "用户名或密码错误" in response.content.decode()
    assert AccessLog.objects.filter(user_name="user1", action="login_failed").count() == 1


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_MINUTES=15)
def test_repeated_failures_lock_the_account(client, make_user):
    make_user()
    for _ in range(2):
        assert "用户名或密码错误" in login(client, "wrong").content.decode()
    assert "账号已锁定" in login(client, "wrong").content.decode()
    # Even the right password is refused while locked.
    response = login(client, "Test@2026pw")
    assert response.status_code == 200 and "账号已锁定" in response.content.decode()
    account = User.objects.get(username="user1")
    assert account.locked_until is not None and account.failed_logins == 0
    assert not ObjectChange.objects.filter(content_type__model="user").exists()


def test_logout_requires_post(client, make_user):
    client.force_login(make_user())
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_token_login(api_client, tree, make_user):
    make_user(perms=["regions.view_region"], scope=[tree.county_a])
    response = api_client.post("/api/auth/token/", {"username": "user1", "password": "Test@2026pw"})
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    codes = {r["code"] for r in api_client.get("/api/regions/").json()["results"]}
    assert tree.grid_a1.code in codes and tree.grid_b1.code not in codes


def test_token_login_bad_credentials(api_client, make_user):
    make_user()
    response = api_client.post("/api/auth/token/", {"username": "user1", "password": "x"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "用户名或密码错误",
        "errors": {},
    }


def test_password_policy_requires_three_classes(client, make_user):
    client.force_login(make_user(superuser=True))
    response = client.post("/accounts/users/add/", {"username": "weak", "password": "abcdefgh1"})
    assert "密码须包含大写字母、小写字母、数字、符号中的至少三类" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_users_change_their_own_password(client, make_user):
    client.force_login(make_user())
    assert 'href="/accounts/password/"' in client.get("/").content.decode()
    url = "/accounts/password/"
    response = client.post(
        url,
        {"old_password": "wrong", "new_password1": "New@2026pass", "new_password2": "New@2026pass"},
    )
    assert "旧密码不正确" in response.content.decode().replace(" ", "")
    response = client.post(
        url,
        {"old_password": "Test@2026pw", "new_password1": "abcdefgh1", "new_password2": "abcdefgh1"},
    )
    assert "密码须包含大写字母、小写字母、数字、符号中的至少三类" in response.content.decode()
    response = client.post(
        url,
        {
            "old_password": "Test@2026pw",
            "new_password1": "New@2026pass",
            "new_password2": "New@2026pass",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="user1").check_password("New@2026pass")
    assert not ObjectChange.objects.filter(content_type__model="user").exists()
    # The session survives the change (Django rotates its hash).
    assert client.get("/").status_code == 200


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
)
def test_an_outdated_password_hash_is_upgraded_at_login(client, make_user):
    from django.contrib.auth.hashers import make_password

    user = make_user()
    User.objects.filter(pk=user.pk).update(password=make_password("Test@2026pw", hasher="md5"))
    assert login(client, "Test@2026pw").status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$") and user.check_password("Test@2026pw")
