"""Two-factor login (等保 level 3: two kinds of authentication combined). Devices are
django-otp's TOTP devices (RFC 6238: its own table, replay and brute-force throttling built in).

A user whose password passed but who still owes a code is *held* in the session, not logged in:
so every page stays closed to them without any middleware. An administrator without a device
(when CITYGRID_REQUIRE_2FA_FOR_ADMINS) is held the same way until they have enrolled one."""

import time
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import login
from django_otp.plugins.otp_totp.models import TOTPDevice

from citygrid.accounts.models import User
from citygrid.accounts.roles import SYSTEM_ADMIN
from citygrid.accounts.security import check_not_refused, login_failed, login_succeeded
from citygrid.core.errors import ActionError

HOLD_KEY = "_citygrid_2fa_hold"
# The second step must follow the password soon; a stale hold needs the password again.
HOLD_SECONDS = 300


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_required(user: User) -> bool:
    """An administrator may not log in without a device where the setting requires one."""
    return _must_have_device(user) and confirmed_device(user) is None


def _must_have_device(user: User) -> bool:
    if not settings.REQUIRE_2FA_FOR_ADMINS:
        return False
    return user.is_superuser or user.roles.filter(name=SYSTEM_ADMIN).exists()


def unconfirmed_device(user: User) -> TOTPDevice:
    """The device being enrolled: kept across page loads so the scanned secret stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="动态验证码", confirmed=False)


def confirm_device(device: TOTPDevice, code: str) -> None:
    if not device.verify_token(code):
        raise ActionError("otp_invalid", "动态验证码错误", 400)
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def remove_device(user: User, code: str) -> None:
    if _must_have_device(user):
        raise ActionError("otp_required_for_admins", "管理员必须启用双因素认证，不能解除", 403)
    device = confirmed_device(user)
    if device is None or not device.verify_token(code):
        raise ActionError("otp_invalid", "动态验证码错误", 400)
    TOTPDevice.objects.filter(user=user).delete()


def verify_login_code(user: User, code: str, ip: str) -> None:
    """The second step of a login. A wrong code counts like a wrong password (account lock-out
    and per-address throttling), on top of the device's own growing delay."""
    check_not_refused(ip, user)
    device = confirmed_device(user)
    if device is not None and device.verify_token(code):
        return
    login_failed(user, user.get_username(), ip)
    raise ActionError("otp_invalid", "动态验证码错误", 400)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth URL as an inline SVG, drawn here: the secret never goes to a QR service."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def secret_text(device: TOTPDevice) -> str:
    """The secret as typed into an app by hand (base32, in groups of four)."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def hold(request, user: User, next_url: str) -> None:
    request.session[HOLD_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "until": int(time.time()) + HOLD_SECONDS,
    }


def held_user(request) -> User | None:
    data = request.session.get(HOLD_KEY)
    if not data or data["until"] < time.time():
        request.session.pop(HOLD_KEY, None)
        return None
    return User.objects.filter(pk=data["user"], is_active=True).first()


def release(request) -> None:
    request.session.pop(HOLD_KEY, None)


def finish_login(request, user: User, ip: str) -> str:
    """Log the held user in; returns where they were going."""
    data = request.session.pop(HOLD_KEY)
    login(request, user, backend=data["backend"])
    login_succeeded(user, ip)
    return data["next"]
