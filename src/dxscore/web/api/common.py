"""Helpers every endpoint shares: pages, lookups that respect scope, and the problems
they raise."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Query

from dxscore.web.api.problems import INVALID, ApiProblem, FieldProblem
from dxscore.web.data.models import Methodology, Period
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit

MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000
MAX_ID = 2**62

Limit = Query(100, ge=1, le=MAX_LIMIT, description="Items per page (at most 1000).")
Offset = Query(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


def page(request, rows: QuerySet | list, limit: int, offset: int, convert: Callable) -> dict:
    """One page of ``rows`` as ``{count, limit, offset, next, items}``."""
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    chunk: Iterable = rows[offset : offset + limit]
    following = None
    if offset + limit < count:
        query = request.GET.copy()
        query["offset"] = str(offset + limit)
        query["limit"] = str(limit)
        following = f"{request.path}?{query.urlencode()}"
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": following,
        "items": [convert(row) for row in chunk],
    }


def invalid(detail: str, field: str | None = None, location: str = "body") -> ApiProblem:
    """A 422 about one field of the request."""
    return ApiProblem(
        422,
        _("The request is not valid"),
        detail,
        INVALID,
        [FieldProblem(detail, field=field, location=location)],
    )


def not_found(detail: str) -> ApiProblem:
    from dxscore.web.api.problems import NOT_FOUND

    return ApiProblem(404, _("Not found"), detail, NOT_FOUND)


def visible_unit(user, code: str, location: str = "path", field: str = "code", day=None) -> Unit:
    """The unit ``code`` denotes (on ``day``; else the one in force today, else the
    latest; a key such as ``15@2025-07-01`` names any unit) if the person may see it. An
    unseen unit is 'not found' in a path (its existence is not revealed) and a field
    error in a filter."""
    visible = scope.restrict(Unit.objects.select_related("level"), user, scope.VIEW, via="")
    unit = visible.lookup(code, day)
    if unit is None:
        message = _("No unit '%(code)s' in your viewing scope.") % {"code": code}
        if location == "path":
            raise not_found(message)
        raise invalid(message, field, location)
    return unit


def methodology_by(code: str, version: str | None, field: str = "methodology") -> Methodology:
    """The version asked for; else the active version of ``code``; else its newest."""
    versions = Methodology.objects.select_related("reporting_level").filter(code=code)
    if version:
        found = versions.filter(version=version).first()
    else:
        found = versions.filter(active=True).first() or versions.order_by("-uploaded_at").first()
    if found is None:
        raise invalid(
            _("No methodology '%(code)s'%(v)s.")
            % {"code": code, "v": f" version {version}" if version else ""},
            field,
        )
    return found


def period_by(code: str, field: str = "period", location: str = "body") -> Period:
    found = Period.objects.filter(code=code).first()
    if found is None:
        raise invalid(
            _("No period '%(code)s' (periods are set up in the site).") % {"code": code},
            field,
            location,
        )
    return found


def username(user) -> str | None:
    return user.get_username() if user is not None else None
