"""Who is calling: a bearer token stands for its person (``request.user``), and each
token has its own rate limit."""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

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


def parse_rate(rate: str) -> tuple[int, int]:
    """``'1200/min'`` -> (1200, 60). Units: s, sec, m, min, h, hour, d, day."""
    count, _slash, unit = rate.strip().partition("/")
    seconds = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400}
    seconds["day"] = 86400
    return int(count), seconds[unit.strip() or "s"]


class TokenThrottle(BaseThrottle):
    """At most N requests per token in each window of the configured length
    (``DXSCORE_API_RATE``, e.g. ``1200/min``), counted with the cache's atomic
    increment, so concurrent requests of one token never slip past the limit."""

    def __init__(self):
        self._local = threading.local()

    def allow_request(self, request) -> bool:
        token = getattr(request, "auth", None)
        if token is None:
            return True
        limit, window = parse_rate(settings.DXSCORE_API_RATE)
        now = time.time()
        slot = int(now // window)
        key = f"dxscore-api-rate:{token.pk}:{window}:{slot}"
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: start the window again
            cache.set(key, 1, timeout=window + 1)
            count = 1
        self._local.wait = (slot + 1) * window - now
        return count <= limit

    def wait(self) -> float | None:
        return max(1.0, math.ceil(getattr(self._local, "wait", 1.0)))
