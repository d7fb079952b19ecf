"""The site's request counters: at most N requests of one kind by one key in each window
of a rate such as ``'20/hour'``, counted with the cache's atomic increment, so that
concurrent requests never slip past the limit. The API's per-token limit, the contest
pages' per-address limit, the surveys' ratings and the one-time codes (``web/confirm.py``)
count here. Keys (addresses, e-mails) reach the cache only as a keyed digest. The default
cache is per process: behind several server processes, configure a shared cache
(``docs/security.md``)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils.crypto import salted_hmac

UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``'1200/min'`` -> (1200, 60). Units: s, sec, m, min, h, hour, d, day."""
    count, _slash, unit = rate.strip().partition("/")
    return int(count), UNITS[unit.strip() or "s"]


def hit(kind: str, key: str, rate: str, now: float | None = None) -> bool:
    """Count one request of ``kind`` by ``key``; False once ``rate`` is exceeded in the
    current window."""
    limit, window = parse_rate(rate)
    slot = int((time.time() if now is None else now) // window)
    digest = salted_hmac("dxscore.ratelimit", key, algorithm="sha256").hexdigest()[:32]
    name = f"dxscore-rate:{kind}:{digest}:{window}:{slot}"
    cache.add(name, 0, timeout=window + 1)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr: the window starts again
        cache.set(name, 1, timeout=window + 1)
        count = 1
    return count <= limit


def retry_after(rate: str, now: float) -> float:
    """Seconds until the window of ``rate`` that holds ``now`` ends."""
    _limit, window = parse_rate(rate)
    return (int(now // window) + 1) * window - now
