"""A full disk, said as such: not "busy", not a bare server error.

``is_disk_full`` recognises the error wherever it comes from: SQLite ("database or disk is
full", SQLITE_FULL), PostgreSQL (SQLSTATE 53100 ``disk_full``, or an I/O error naming "No
space left on device"), and writing files (``OSError`` ENOSPC or EDQUOT: uploads, the
dossier store, report files; DuckDB and Arrow say it in their messages). The API answers
with a 507 problem (``dxscore.web.api.problems``); ``DiskFullMiddleware`` does the same
for pages, with a short page. Both log it as an error, for the administrator.
"""

from __future__ import annotations

import errno
import logging
import sqlite3

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

DISK_FULL_SQLSTATE = "53100"
MESSAGES = ("database or disk is full", "no space left on device", "disk quota exceeded")


def is_disk_full(exc: BaseException | None) -> bool:
    """True if ``exc`` or an exception it was raised from says the disk is full."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            return True
        if getattr(exc, "sqlstate", None) == DISK_FULL_SQLSTATE:
            return True
        text = str(exc).lower()
        if any(m in text for m in MESSAGES):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def log_disk_full(request: HttpRequest, exc: BaseException) -> None:
    log.error(
        "disk full on %s %s: %s (free space on the server's disk)",
        request.method,
        request.path,
        exc,
        exc_info=exc,
    )


def title() -> str:
    return _("The server's disk is full")


def detail() -> str:
    return _(
        "Nothing was stored: the server has no space left. Tell the administrator; "
        "try again once space has been freed."
    )


class DiskFullMiddleware:
    """Pages whose view meets a full disk answer 507 with a page saying so. The page
    stands alone (no database query: the disk is full)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not is_disk_full(exc):
            return None
        log_disk_full(request, exc)
        from dxscore.web.api import problems

        if request.path.startswith(problems.API_PREFIX):
            return problems.response(request, 507, title(), detail(), problems.DISK_FULL)
        body = render_to_string("dxscore/disk_full.html", {"title": title(), "detail": detail()})
        return HttpResponse(body, status=507)
