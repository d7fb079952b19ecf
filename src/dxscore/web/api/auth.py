"""Who is calling: a bearer token stands for its person (``request.user``), and each
token has its own rate limit."""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from dxscore.web import ratelimit
from dxscore.web.api import tokens
from dxscore.web.orgs import scope


class TokenAuth(HttpBearer):
    """``Authorization: Bearer dxs_...``. The request then runs as the token's person,
    with exactly their role and scopes; a person without a role gets nothing."""

    def authenticate(self, request, token: str):
        found = tokens.verify(token)
        if found is None or scope.role_of(found.user) is None:
            return None
        request.user = found.user
        return found


class TokenThrottle(BaseThrottle):
    """At most N requests per token in each window of the configured length
    (``DXSCORE_API_RATE``, e.g. ``1200/min``), counted by ``web/ratelimit.py`` with the
    cache's atomic increment, so concurrent requests of one token never slip past it."""

    def __init__(self):
        self._local = threading.local()

    def allow_request(self, request) -> bool:
        token = getattr(request, "auth", None)
        if token is None:
            return True
        rate, now = settings.DXSCORE_API_RATE, time.time()
        allowed = ratelimit.hit("api", str(token.pk), rate, now)
        self._local.wait = ratelimit.retry_after(rate, now)
        return allowed

    def wait(self) -> float | None:
        return max(1.0, math.ceil(getattr(self._local, "wait", 1.0)))
