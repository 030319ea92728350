"""Idle sessions end: a session unused for SESSION_IDLE_MINUTES is signed out, and any session
SESSION_COOKIE_AGE after its password was given, however busy.

The time a session was last used is kept in the session itself and written at most once a
minute (SESSION_TOUCH_SECONDS), so an ordinary page costs no extra write. The next request after
the idle time goes to the sign-in page, which comes back to the page asked for. Pages warn before
the time runs out (static/js/timeout-warning.js); the warning's requests for the time left do not
count as use.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from hscb.lib.tokens import lifetime_in_words
from hscb.lib.twofactor import LAST_SEEN_KEY, SIGNED_IN_AT_KEY

# A session's last use is written when it is older than this: within a minute is close enough.
SESSION_TOUCH_SECONDS = 60


def idle_seconds() -> int:
    return settings.SESSION_IDLE_MINUTES * 60


def seconds_left(session) -> int:
    """Seconds before the session ends if it is not used again: when it has been idle too long,
    or has lasted as long as any may. A session that never recorded either has ended."""
    seen, started = session.get(LAST_SEEN_KEY), session.get(SIGNED_IN_AT_KEY)
    if seen is None or started is None:
        return 0
    ends = min(int(seen) + idle_seconds(), int(started) + settings.SESSION_COOKIE_AGE)
    return max(0, ends - int(time.time()))


def lasted_too_long(session) -> bool:
    started = session.get(SIGNED_IN_AT_KEY)
    return started is not None and time.time() >= int(started) + settings.SESSION_COOKIE_AGE


def touch(session) -> None:
    session[LAST_SEEN_KEY] = int(time.time())


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._paths: dict[str, str] = {}

    def paths(self) -> dict[str, str]:
        if not self._paths:
            self._paths = {name: reverse(name) for name in ("session_status", "logout")}
        return self._paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get_response(request)
        session = request.session
        checking = request.path == self.paths()["session_status"]
        if seconds_left(session) <= 0:
            too_long = lasted_too_long(session)
            logout(request)
            if checking:
                return JsonResponse({"signed_in": False, "seconds_left": 0})
            if too_long:
                hours = lifetime_in_words(settings.SESSION_COOKIE_AGE)
                reason = f"you had been signed in for {hours}"
            else:
                reason = f"you had not used the service for {settings.SESSION_IDLE_MINUTES} minutes"
            messages.info(
                request, f"You were signed out because {reason}. Sign in again to carry on."
            )
            if request.path == self.paths()["logout"]:
                return redirect("login")  # signing out was what they came for
            return redirect_to_login(request.get_full_path())
        now = int(time.time())
        if not checking and now - int(session[LAST_SEEN_KEY]) >= SESSION_TOUCH_SECONDS:
            touch(session)
        return self.get_response(request)
