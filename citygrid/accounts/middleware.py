"""Session time-outs (等保 level 3, 登录连接超时自动退出): a session ends SESSION_COOKIE_AGE
after login, or after SESSION_IDLE_SECONDS without a request, whichever comes first.

API tokens carry no session, so neither applies to them."""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.utils import timezone

IDLE_KEY = "_citygrid_seen"
# The last-seen stamp is rewritten at most this often (seconds), so a busy user's session is not
# saved on every request.
STAMP_EVERY = 60


def start_session(sender, request, user, **kwargs) -> None:
    """On login: pin the absolute end (by default every session save would push it back by
    SESSION_COOKIE_AGE, and the idle stamp saves it often) and start the idle clock."""
    request.session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
    request.session[IDLE_KEY] = int(time.time())


class IdleTimeoutMiddleware:
    """Logs out a session that has seen no request for SESSION_IDLE_SECONDS. After the session
    and message middleware; checks the session, not `request.user`, so no user is loaded here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            seen = session.get(IDLE_KEY)
            if seen is not None and now - seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, "长时间未操作，已自动退出，请重新登录")
            elif seen is None or now - seen >= STAMP_EVERY:
                session[IDLE_KEY] = now
        return self.get_response(request)
