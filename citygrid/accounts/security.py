"""Login lock-out (等保 level 3): too many failures lock the account for a while, and too many
failures from one address, whichever usernames it tries, refuse that address for a while."""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone

from citygrid.accounts.models import User
from citygrid.core import ratelimit, records
from citygrid.core.errors import ActionError
from citygrid.core.models import AccessLog


class LoginLocked(ActionError):
    def __init__(self, until):
        # People read the time on their own clock (TIME_ZONE), not in UTC.
        local = timezone.localtime(until)
        super().__init__("account_locked", f"登录失败次数过多，账号已锁定至 {local:%H:%M}", 403)
        self.until = until


class LoginThrottled(ActionError):
    def __init__(self):
        minutes = math.ceil(settings.LOGIN_IP_WINDOW_SECONDS / 60)
        super().__init__("login_throttled", f"登录失败次数过多，请 {minutes} 分钟后再试", 429)


def login_attempt(request, username: str, password: str, ip: str) -> User | None:
    """Check a password; count failures per account and per address, refuse after too many,
    log failures. A refused address is not counted against the accounts it names, so one
    client cannot lock out every account it can guess. Success is not recorded here: the
    caller calls `login_succeeded` once every factor has passed, so a known password alone
    never resets the counters that wrong codes add to."""
    account = User.objects.filter(username=username).first()
    check_not_refused(ip, account)
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_failed(account, username, ip)
        return None
    return user


def check_not_refused(ip: str, account: User | None) -> None:
    # A refused address is not counted further, so its window ends and it may try again.
    if ratelimit.count("login_ip", ip) >= settings.LOGIN_IP_MAX_FAILURES:
        raise LoginThrottled
    if account and account.locked_until and account.locked_until > timezone.now():
        raise LoginLocked(account.locked_until)


def login_failed(account: User | None, username: str, ip: str) -> None:
    """Count one failed attempt (a wrong password or a wrong second-factor code) against the
    account and the address; raises LoginLocked when this one locks the account."""
    now = timezone.now()
    if account:
        account.failed_logins += 1
        counters = {"failed_logins": account.failed_logins}
        if account.failed_logins >= settings.LOGIN_MAX_FAILURES:
            account.locked_until = now + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
            account.failed_logins = 0
            counters = {"failed_logins": 0, "locked_until": account.locked_until}
        _touch(account, **counters)
    ratelimit.hit("login_ip", ip, settings.LOGIN_IP_WINDOW_SECONDS)
    AccessLog.objects.create(
        user=account, user_name=username[:150], action=AccessLog.Action.LOGIN_FAILED, ip=ip
    )
    if account and account.locked_until and account.locked_until > now:
        raise LoginLocked(account.locked_until)


def login_succeeded(user: User, ip: str) -> None:
    """Every factor passed: clear the failure counters and log the login."""
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
        _touch(user, failed_logins=0, locked_until=None)
    AccessLog.objects.create(
        user=user, user_name=user.get_username(), action=AccessLog.Action.LOGIN, ip=ip
    )


def _touch(user: User, **values) -> None:
    # Lock-out counters and login times are bookkeeping kept out of the change log; the
    # access log records each attempt instead.
    records.touch(User.objects.filter(pk=user.pk), **values)


def record_last_login(sender, user: User, **kwargs) -> None:
    """Replaces Django's `update_last_login`, whose `save()` would bypass the write path."""
    user.last_login = timezone.now()
    _touch(user, last_login=user.last_login)
