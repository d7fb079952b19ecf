"""Rate limits of the public survey pages: at most N requests that send or check a
code, or start a sheet, per client address and per e-mail address in a window
(``DXSCORE_SURVEY_RATE``), counted with the cache's atomic increment."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from dxscore.web.api.auth import parse_rate
from dxscore.web.proxy import client_address


def _hit(key: str, limit: int, window: int) -> bool:
    slot = int(time.time() // window)
    name = f"dxscore-survey:{hashlib.sha256(key.encode()).hexdigest()[:32]}:{window}:{slot}"
    cache.add(name, 0, timeout=window + 1)
    try:
        count = cache.incr(name)
    except ValueError:
        cache.set(name, 1, timeout=window + 1)
        count = 1
    return count <= limit


def allowed(request, action: str, email: str = "") -> bool:
    """Count one ``action`` of this client (and e-mail); False once over the limit."""
    limit, window = parse_rate(settings.DXSCORE_SURVEY_RATE)
    ok = _hit(f"{action}:ip:{client_address(request) or '-'}", limit, window)
    if email:
        ok = _hit(f"{action}:mail:{email.lower()}", limit, window) and ok
    return ok
