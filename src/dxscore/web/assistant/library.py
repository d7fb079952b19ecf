"""The workspace's assistant library (a store folder on disk, ``DXSCORE_ASSISTANT_STORE``)
and who may read which of its texts.

The library is opened once per process and again when its manifest changes (an upload
committed by another process). Procedures and public documents (scope "") are for every
member of staff; an internal document's scope is a unit code, readable by the people whose
viewing scope covers that unit (``orgs.scope.allows``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from dxscore.assistant import Library
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit

_lock = threading.Lock()
_cached: dict[str, tuple[float, Library]] = {}


def folder() -> Path:
    return Path(settings.DXSCORE_ASSISTANT_STORE)


def library() -> Library:
    """The library (an empty one if nothing was imported yet)."""
    path = folder()
    manifest = path / "manifest.json"
    stamp = manifest.stat().st_mtime if manifest.exists() else 0.0
    with _lock:
        hit = _cached.get(str(path))
        if hit is not None and hit[0] == stamp:
            return hit[1]
        lib = Library.open(path, create=True)
        _cached[str(path)] = (stamp, lib)
        return lib


def forget() -> None:
    with _lock:
        _cached.clear()


def may_ask(user) -> bool:
    return user.is_authenticated and scope.role_of(user) is not None


def may_manage(user) -> bool:
    return scope.can_manage(user)


def can_see(user) -> Callable[[str], bool]:
    """Whether ``user`` may read a text of a scope (a unit code; "" is everyone's)."""
    memo: dict[str, bool] = {}

    def check(code: str) -> bool:
        if code == "":
            return True
        if code not in memo:
            unit = Unit.objects.filter(code=code).first()
            memo[code] = unit is not None and scope.allows(user, scope.VIEW, unit)
        return memo[code]

    return check
