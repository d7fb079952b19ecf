"""Rate limits of the public contest pages, per network address and per identity
(phone or e-mail), counted in the cache with its atomic increment as the API's token
limit is (``api/auth.py``): ``DXSCORE_CONTEST_IP_RATE`` for every participant request
from one address, ``DXSCORE_CONTEST_CODE_RATE`` for one-time codes sent to one identity
or from one address."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from dxscore.web.api.auth import parse_rate


def hit(kind: str, key: str, rate: str) -> bool:
    """Count one request of ``kind`` by ``key``; False once the rate is exceeded."""
    limit, window = parse_rate(rate)
    slot = int(time.time() // window)
    name = f"dxscore-contest:{kind}:{key}:{window}:{slot}"
    cache.add(name, 0, timeout=window + 1)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window + 1)
        count = 1
    return count <= limit


def address_allowed(address: str | None) -> bool:
    return hit("ip", address or "-", settings.DXSCORE_CONTEST_IP_RATE)


def code_allowed(identity: str, address: str | None) -> bool:
    rate = settings.DXSCORE_CONTEST_CODE_RATE
    return hit("code-id", identity, rate) and hit("code-ip", address or "-", rate)
