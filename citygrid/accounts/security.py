"""Login lock-out: too many failures lock the account for a while (等保 level 3)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone

from citygrid.accounts.models import User
from citygrid.core import records
from citygrid.core.models import AccessLog


class LoginLocked(Exception):
    def __init__(self, until):
        super().__init__(until)
        self.until = until


def login_attempt(request, username: str, password: str, ip: str) -> User | None:
    """Authenticate; count failures, lock after too many, log both outcomes."""
    account = User.objects.filter(username=username).first()
    now = timezone.now()
    if account and account.locked_until and account.locked_until > now:
        raise LoginLocked(account.locked_until)
    user = authenticate(request, username=username, password=password)
    if user is None:
        if account:
            account.failed_logins += 1
            counters = {"failed_logins": account.failed_logins}
            if account.failed_logins >= settings.LOGIN_MAX_FAILURES:
                account.locked_until = now + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
                account.failed_logins = 0
                counters = {"failed_logins": 0, "locked_until": account.locked_until}
            _touch(account, **counters)
        AccessLog.objects.create(
            user=account, user_name=username[:150], action=AccessLog.Action.LOGIN_FAILED, ip=ip
        )
        if account and account.locked_until and account.locked_until > now:
            raise LoginLocked(account.locked_until)
        return None
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
        _touch(user, failed_logins=0, locked_until=None)
    AccessLog.objects.create(
        user=user, user_name=user.get_username(), action=AccessLog.Action.LOGIN, ip=ip
    )
    return user


def _touch(user: User, **values) -> None:
    # Lock-out counters and login times are bookkeeping kept out of the change log; the
    # access log records each attempt instead.
    records.touch(User.objects.filter(pk=user.pk), **values)


def record_last_login(sender, user: User, **kwargs) -> None:
    """Replaces Django's `update_last_login`, whose `save()` would bypass the write path."""
    user.last_login = timezone.now()
    _touch(user, last_login=user.last_login)
