"""Units, periods, indicators and methodologies: what values and dossiers refer to."""

from __future__ import annotations

from typing import Literal

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from dxscore.periods import kind_of as period_kind
from dxscore.web.api import schemas as s
from dxscore.web.api.common import MAX_ID, Limit, Offset, not_found, page, visible_unit
from dxscore.web.data.collect import inputs
from dxscore.web.data.models import Indicator, Methodology, Period
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit

router = Router(tags=["reference data"])


def _flow(change, other: Unit) -> dict:
    return {
        "key": other.key,
        "code": other.code,
        "name": other.name,
        "date": change.date,
        "kind": change.kind,
        "share": change.share,
    }


def unit_out(u: Unit) -> dict:
    inflows = sorted(u.inflows.all(), key=lambda c: (c.date, c.source.key))
    outflows = sorted(
        (c for c in u.outflows.all() if c.target_id), key=lambda c: (c.date, c.target.key)
    )
    return {
        "code": u.code,
        "key": u.key,
        "name": u.name,
        "level": u.level.name,
        "parent": u.parent.code if u.parent_id else None,
        "parent_key": u.parent.key if u.parent_id else None,
        "depth": u.depth,
        "valid_from": u.valid_from,
        "valid_to": u.valid_to,
        "predecessors": list(dict.fromkeys(c.source.code for c in inflows)),
        "successors": list(dict.fromkeys(c.target.code for c in outflows)),
        "came_from": [_flow(c, c.source) for c in inflows],
        "went_to": [_flow(c, c.target) for c in outflows],
    }


UNITS = Unit.objects.select_related("level", "parent").prefetch_related(
    "inflows__source", "outflows__target"
)


@router.get("/units", response=s.UnitPage, summary="Units in your viewing scope")
def list_units(
    request,
    under: str | None = Query(
        None, max_length=52, description="A unit code (or key): it and below."
    ),
    level: str | None = Query(None, max_length=60, description="Level name, e.g. district."),
    q: str | None = Query(None, max_length=100, description="Part of the code or name."),
    valid_on: s.Day | None = Query(None, description="Units that existed on this day."),
    limit: int = Limit,
    offset: int = Offset,
):
    units = scope.restrict(UNITS.all(), request.user, scope.VIEW, via="")
    if under:
        units = units.filter(
            path__startswith=visible_unit(request.user, under, "query", "under", valid_on).path
        )
    if level:
        units = units.filter(level__name=level)
    if q:
        units = units.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if valid_on:
        units = units.valid_between(valid_on, valid_on)
    return page(request, units.order_by("path"), limit, offset, unit_out)


@router.get("/units/{code}", response=s.UnitOut, summary="One unit")
def get_unit(
    request,
    code: str = Path(
        ...,
        max_length=52,
        description=(
            "A code (the unit it denotes today, else the latest) or a key "
            "(15@2025-07-01: any unit, old ones too)."
        ),
    ),
    on: s.Day | None = Query(None, description="The unit the code denotes on this day."),
):
    found = visible_unit(request.user, code, day=on)
    return unit_out(UNITS.get(pk=found.pk))


def period_out(p: Period) -> dict:
    return {
        "code": p.code,
        "kind": period_kind(p.code),
        "start": p.start,
        "end": p.end,
        "deadline": p.deadline,
    }


@router.get("/periods", response=s.PeriodPage, summary="Reporting periods")
def list_periods(
    request,
    kind: Literal["year", "quarter", "month"] | None = None,
    limit: int = Limit,
    offset: int = Offset,
):
    periods = Period.objects.order_by("-start", "code")
    if kind == "year":
        periods = periods.filter(code__regex=r"^\d{4}$")
    elif kind == "quarter":
        periods = periods.filter(code__contains="Q")
    elif kind == "month":
        periods = periods.filter(code__contains="-")
    return page(request, periods, limit, offset, period_out)


@router.get("/periods/{code}", response=s.PeriodOut, summary="One period")
def get_period(request, code: str = Path(..., max_length=10)):
    period = Period.objects.filter(code=code).first()
    if period is None:
        raise not_found(_("No period '%(code)s'.") % {"code": code})
    return period_out(period)


@router.get("/indicators", response=s.IndicatorPage, summary="Indicators")
def list_indicators(
    request,
    q: str | None = Query(None, max_length=100, description="Part of the code or name."),
    limit: int = Limit,
    offset: int = Offset,
):
    indicators = Indicator.objects.order_by("code")
    if q:
        indicators = indicators.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return page(
        request,
        indicators,
        limit,
        offset,
        lambda i: {"code": i.code, "name": i.label, "measure": i.measure, "source": i.source},
    )


def methodology_out(m: Methodology) -> dict:
    return {
        "id": m.pk,
        "code": m.code,
        "version": m.version,
        "title": m.heading,
        "purpose": m.purpose,
        "active": m.active,
        "builtin": m.builtin,
        "digest": m.digest,
        "reporting_level": m.reporting_level.name if m.reporting_level_id else None,
        "uploaded_at": m.uploaded_at,
    }


@router.get("/methodologies", response=s.MethodologyPage, summary="Methodology versions")
def list_methodologies(
    request,
    code: str | None = Query(None, max_length=80),
    purpose: str | None = Query(None, max_length=80),
    active: bool | None = None,
    limit: int = Limit,
    offset: int = Offset,
):
    rows = Methodology.objects.select_related("reporting_level").order_by("code", "-uploaded_at")
    if code:
        rows = rows.filter(code=code)
    if purpose:
        rows = rows.filter(purpose=purpose)
    if active is not None:
        rows = rows.filter(active=active)
    return page(request, rows, limit, offset, methodology_out)


@router.get(
    "/methodologies/{id}",
    response=s.MethodologyDetail,
    summary="One methodology version, with its inputs and file",
)
def get_methodology(request, id: int = Path(..., ge=1, le=MAX_ID)):
    m = Methodology.objects.select_related("reporting_level").filter(pk=id).first()
    if m is None:
        raise not_found(_("No methodology %(id)d.") % {"id": id})
    return {
        **methodology_out(m),
        "inputs": [
            {
                "code": i.code,
                "name": i.name,
                "measure": i.measure,
                "low": i.low,
                "high": i.high,
                "required": i.required,
                "kind": i.kind,
            }
            for i in inputs(m)
        ],
        "text": m.text,
    }
