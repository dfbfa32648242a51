"""Two-factor login (等保 level 3): enrolment, the second login step, wrong codes counted like
wrong passwords, the API token, and devices required for administrators."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from citygrid.accounts.models import Role, User
from citygrid.accounts.roles import SYSTEM_ADMIN
from citygrid.accounts.twofactor import HOLD_KEY
from citygrid.core.models import AccessLog

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "Test@2026pw"
NO_DEVICE_DELAY = override_settings(OTP_TOTP_THROTTLE_FACTOR=0)


def code_for(device: TOTPDevice) -> str:
    """The code the user's phone shows now; a device takes each time step once, so a test
    that logs in twice forgets the last one."""
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="动态验证码", confirmed=True)


def password_step(client, username="user1", password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- enrolment from one's own account -----------------------------------------------------


@NO_DEVICE_DELAY
def test_a_user_enrols_a_device_confirmed_by_a_code(client, make_user):
    user = make_user()
    client.force_login(user)
    assert 'href="/accounts/2fa/"' in client.get("/accounts/password/").content.decode()
    page = client.get("/accounts/2fa/").content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    # The QR code is drawn into the page (no outside service) next to the secret as text.
    assert "<svg" in page and "otpauth" not in page
    secret = device.config_url.split("secret=")[1].split("&")[0]
    assert secret in page.replace(" ", "")
    # Reloading keeps the secret the phone has already scanned.
    client.get("/accounts/2fa/")
    assert TOTPDevice.objects.get(user=user).key == device.key

    response = client.post("/accounts/2fa/", {"code": wrong(code_for(device))})
    assert "动态验证码错误" in response.content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed

    response = client.post("/accounts/2fa/", {"code": code_for(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    assert "已启用" in client.get("/accounts/2fa/").content.decode()


@NO_DEVICE_DELAY
def test_removing_a_device_needs_a_code(client, make_user):
    user = make_user()
    device = enrolled(user)
    client.force_login(user)
    response = client.post("/accounts/2fa/", {"code": wrong(code_for(device))})
    assert "动态验证码错误" in response.content.decode()
    assert TOTPDevice.objects.filter(user=user).count() == 1
    response = client.post("/accounts/2fa/", {"code": code_for(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_the_enrolment_page_needs_a_login(client):
    assert client.get("/accounts/2fa/")["Location"].startswith("/accounts/login/")


# --- login ----------------------------------------------------------------------------------


def test_without_a_device_the_password_alone_logs_in(client, make_user):
    make_user()
    response = password_step(client)
    assert response["Location"] == "/" and logged_in(client)


@NO_DEVICE_DELAY
def test_with_a_device_the_password_leads_to_a_code_step(client, make_user):
    user = make_user()
    device = enrolled(user)
    response = client.post(
        "/accounts/login/?next=/regions/", {"username": "user1", "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/login/code/"
    # Held, not logged in: every other page still sends them to the login.
    assert not logged_in(client)
    assert client.get("/")["Location"].startswith("/accounts/login/")
    assert not AccessLog.objects.filter(action="login").exists()
    assert "动态验证码" in client.get("/accounts/login/code/").content.decode()

    response = client.post("/accounts/login/code/", {"code": wrong(code_for(device))})
    assert "动态验证码错误" in response.content.decode() and not logged_in(client)
    assert User.objects.get(pk=user.pk).failed_logins == 1
    assert AccessLog.objects.filter(user_name="user1", action="login_failed").count() == 1

    response = client.post("/accounts/login/code/", {"code": code_for(device)})
    assert response["Location"] == "/regions/" and logged_in(client)
    assert User.objects.get(pk=user.pk).failed_logins == 0
    assert AccessLog.objects.filter(user_name="user1", action="login").count() == 1


def test_the_code_step_needs_a_recent_password(client, make_user):
    device = enrolled(make_user())
    assert client.get("/accounts/login/code/")["Location"] == "/accounts/login/"
    password_step(client)
    session = client.session
    session[HOLD_KEY]["until"] = int(time.time()) - 1
    session.save()
    response = client.post("/accounts/login/code/", {"code": code_for(device)})
    assert response["Location"] == "/accounts/login/" and not logged_in(client)


@NO_DEVICE_DELAY
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_MINUTES=15)
def test_wrong_codes_lock_the_account_like_wrong_passwords(client, make_user):
    user = make_user()
    device = enrolled(user)
    # Knowing the password does not wipe the wrong codes: each retry adds to the same count.
    for _ in range(2):
        password_step(client)
        client.post("/accounts/login/code/", {"code": wrong(code_for(device))})
    password_step(client)
    response = client.post("/accounts/login/code/", {"code": wrong(code_for(device))})
    assert "账号已锁定" in response.content.decode()
    # The hold is gone, and the password is refused while locked.
    response = client.post("/accounts/login/code/", {"code": code_for(device)})
    assert response["Location"] == "/accounts/login/" and not logged_in(client)
    assert "账号已锁定" in password_step(client).content.decode()
    assert User.objects.get(pk=user.pk).locked_until is not None


# --- the API token --------------------------------------------------------------------------


@NO_DEVICE_DELAY
def test_the_token_endpoint_needs_a_code_from_users_with_a_device(api_client, make_user):
    device = enrolled(make_user())
    body = {"username": "user1", "password": PASSWORD}
    response = api_client.post("/api/auth/token/", body)
    assert response.status_code == 400
    assert response.json() == {"code": "otp_required", "message": "请输入动态验证码", "errors": {}}
    response = api_client.post("/api/auth/token/", {**body, "otp": wrong(code_for(device))})
    assert response.status_code == 400 and response.json()["code"] == "otp_invalid"
    assert User.objects.get(username="user1").failed_logins == 1
    response = api_client.post("/api/auth/token/", {**body, "otp": code_for(device)})
    assert response.status_code == 200 and response.json()["token"]
    assert User.objects.get(username="user1").failed_logins == 0


# --- required for administrators ------------------------------------------------------------


def required_in(**env) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CITYGRID_")}
    environment.update(env)
    code = "from citygrid import settings; print(settings.REQUIRE_2FA_FOR_ADMINS)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_requirement_is_on_in_production_only():
    production = {
        "CITYGRID_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "CITYGRID_FIELD_KEY": "ab" * 16,
        "CITYGRID_INDEX_KEY": "cd" * 16,
    }
    assert required_in(**production) == "True"
    assert required_in(**production, CITYGRID_REQUIRE_2FA_FOR_ADMINS="0") == "False"
    assert required_in(CITYGRID_ENV="development") == "False"


@override_settings(REQUIRE_2FA_FOR_ADMINS=True)
@pytest.mark.parametrize("kind", ["superuser", "system_admin"])
def test_an_administrator_without_a_device_must_enrol_before_anything_else(
    client, api_client, make_user, kind
):
    user = make_user(superuser=kind == "superuser")
    if kind == "system_admin":
        user.roles.add(Role.objects.create(name=SYSTEM_ADMIN))
    response = password_step(client)
    assert response["Location"] == "/accounts/2fa/"
    assert not logged_in(client)
    assert client.get("/")["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/users/")["Location"].startswith("/accounts/login/")
    page = client.get("/accounts/2fa/").content.decode()
    assert "<svg" in page and "管理员须先启用双因素认证" in page
    response = api_client.post("/api/auth/token/", {"username": "user1", "password": PASSWORD})
    assert response.status_code == 403 and response.json()["code"] == "otp_enrolment_required"

    device = TOTPDevice.objects.get(user=user)
    response = client.post("/accounts/2fa/", {"code": code_for(device)})
    assert response["Location"] == "/" and logged_in(client)
    assert AccessLog.objects.filter(user_name="user1", action="login").count() == 1
    # Enrolled, they cannot take the device away again.
    response = client.post("/accounts/2fa/", {"code": code_for(device)})
    assert "管理员必须启用双因素认证" in response.content.decode()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1


@override_settings(REQUIRE_2FA_FOR_ADMINS=True)
def test_ordinary_users_are_not_required_to_enrol(client, make_user):
    make_user()
    assert password_step(client)["Location"] == "/" and logged_in(client)


def test_a_code_works_once(client, make_user):
    device = enrolled(make_user())
    code = code_for(device)
    password_step(client)
    client.post("/accounts/login/code/", {"code": code})
    client.post("/accounts/logout/")
    password_step(client)
    response = client.post("/accounts/login/code/", {"code": code})
    assert "动态验证码错误" in response.content.decode() and not logged_in(client)
