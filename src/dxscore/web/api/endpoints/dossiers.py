"""Dossier records: push batches from one-stop-shop systems, read them back."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Path, Query, Router, Schema

from dxscore import periods
from dxscore.web.api import dossier_batches as batches
from dxscore.web.api import schemas as s
from dxscore.web.api.common import Limit, Offset, not_found, visible_unit
from dxscore.web.api.problems import INVALID, ApiProblem, FieldProblem
from dxscore.web.dossierdata.models import DossierQuality
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit

router = Router(tags=["dossiers"])


@router.post(
    "/dossiers",
    response=s.DossierStoreResult,
    summary="Store a batch of dossier records (idempotent)",
    description=(
        "1 to 10,000 records in the dossier record format (docs/dossiers.md). A dossier "
        "is identified by unit and dossier_id; the version with the latest updated_at "
        "is kept, so sending a batch again changes nothing. Every record's unit must be "
        "in your entry scope. Any problem stores nothing and is listed with the record's "
        "index and field."
    ),
)
def post_dossiers(request, payload: batches.DossierBatch):
    return batches.store_batch(request.user, payload.records)


def _codes(user, under: str | None) -> list[str] | None:
    """Unit codes the person may read dossiers of (None: all), within ``under``."""
    root = scope.scope_root(user, scope.VIEW)
    if under:
        unit = visible_unit(user, under, "query", "unit")
        return list(Unit.objects.filter(path__startswith=unit.path).values_list("code", flat=True))
    if root == scope.EVERYWHERE:
        return None
    return list(
        scope.restrict(Unit.objects.all(), user, scope.VIEW, via="").values_list("code", flat=True)
    )


@router.get("/dossiers", response=s.DossierPage, summary="Dossier records in your viewing scope")
def list_dossiers(
    request,
    unit: str | None = Query(None, max_length=40, description="A unit code: it and below."),
    procedure: str | None = Query(None, max_length=200),
    status: Literal["in_progress", "finished", "returned", "withdrawn"] | None = None,
    received_from: s.Moment | None = Query(None, description="Received at or after."),
    received_before: s.Moment | None = Query(None, description="Received before."),
    limit: int = Limit,
    offset: int = Offset,
):
    filters = {
        "procedure": procedure,
        "status": status,
        "received_from": _aware(received_from),
        "received_before": _aware(received_before),
    }
    count, rows = batches.query(_codes(request.user, unit), filters, limit, offset)
    following = None
    if offset + limit < count:
        query = request.GET.copy()
        query["offset"] = str(offset + limit)
        query["limit"] = str(limit)
        following = f"{request.path}?{query.urlencode()}"
    return {"count": count, "limit": limit, "offset": offset, "next": following, "items": rows}


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A time without an offset is the workspace's local time, as in dossier files."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


@router.get("/dossiers/{unit}/{dossier_id}", response=s.DossierOut, summary="One dossier record")
def get_dossier(
    request,
    unit: str = Path(..., max_length=40),
    dossier_id: str = Path(..., max_length=200),
):
    visible_unit(request.user, unit, "path")
    count, rows = batches.query([unit], {"dossier_id": dossier_id}, 1, 0)
    if not rows:
        raise not_found(_("No dossier '%(d)s' of unit %(u)s.") % {"d": dossier_id, "u": unit})
    return rows[0]


# --- data quality and reconciliation with the portal -------------------------------------


class QualityOut(Schema):
    unit: str
    period: str
    kind: str
    records: int = Field(description="Dossiers received in the period (withdrawn left out).")
    with_warnings: int
    with_warnings_share: float | None
    warnings: dict[str, int] = Field(description="Records per warning code.")
    withdrawn: int = Field(description="Withdrawn dossiers received in the period.")
    at_period_edges: int = Field(description="Records received on the period's first or last day.")


@router.get(
    "/dossiers/quality",
    response=list[QualityOut],
    summary="Data quality of the dossier records per unit and period",
    description=(
        "As the worker last computed it: per unit (its subtree rolled up) and period, "
        "the records received, how many carry a warning and how many each warning "
        "(docs/dossiers.md, errors and warnings). Units in your viewing scope."
    ),
)
def list_quality(
    request,
    unit: str | None = Query(None, max_length=40, description="A unit code: that unit only."),
    kind: Literal["month", "quarter", "year"] | None = None,
    period: str | None = Query(None, max_length=10),
):
    rows = DossierQuality.objects.select_related("unit")
    rows = scope.restrict(rows, request.user, scope.VIEW)
    if unit:
        rows = rows.filter(unit=visible_unit(request.user, unit, "query", "unit"))
    if kind:
        rows = rows.filter(kind=kind)
    if period:
        rows = rows.filter(period=period)
    return [
        {
            "unit": q.unit.code,
            "period": q.period,
            "kind": q.kind,
            "records": q.records,
            "with_warnings": q.with_warnings,
            "with_warnings_share": q.share,
            "warnings": q.warnings,
            "withdrawn": q.withdrawn,
            "at_period_edges": q.at_period_edges,
        }
        for q in rows.order_by("unit__code", "kind", "period")[:5000]
    ]


PortalMeasure = Literal[
    "received", "received_online", "finished", "finished_on_time", "open_at_end", "open_overdue"
]


class PortalCountIn(s.Strict):
    unit: str = Field(max_length=40)
    period: str = Field(max_length=10, description="2024, 2024Q3 or 2024-07.")
    measure: PortalMeasure
    value: int = Field(ge=0)
    source: str = Field("", max_length=200)


class PortalCountBatch(s.Strict):
    counts: list[PortalCountIn] = Field(min_length=1, max_length=1000)


class PortalCountsResult(Schema):
    stored: int


class LineOut(Schema):
    measure: str
    portal: int | None
    dxscore: float | None
    difference: float | None = Field(description="dxscore minus the portal.")
    source: str


class CauseOut(Schema):
    cause: str = Field(description="rejected, warnings, withdrawn, edges or stale.")
    count: int
    text: str


class ReconciliationOut(Schema):
    unit: str
    period: str
    differs: bool
    lines: list[LineOut]
    causes: list[CauseOut]


@router.post(
    "/dossiers/portal-counts",
    response=PortalCountsResult,
    summary="Store counts the portal published (all or nothing)",
    description=(
        "The counts the National Public Service Portal published for units and periods, "
        "to reconcile with dxscore's measures. Every unit must be in your entry scope; "
        "any problem stores nothing. A count entered again replaces the earlier one."
    ),
)
def post_portal_counts(request, payload: PortalCountBatch):
    from dxscore.web.dossierdata.reconcile import check_period, save_counts

    errors, rows = [], []
    for i, count in enumerate(payload.counts):
        period = check_period(count.period)
        if period is None:
            errors.append(FieldProblem(_("not a period"), "period", i, "counts"))
            continue
        found = Unit.objects.all().lookup(count.unit, periods.parse(period).end)
        if found is None or not scope.allows(request.user, scope.ENTER, found):
            errors.append(
                FieldProblem(
                    _("No unit '%(u)s' in your entry scope.") % {"u": count.unit},
                    "unit",
                    i,
                    "counts",
                )
            )
            continue
        rows.append(
            {
                "unit": found.code,
                "unit_id": found.pk,
                "period": period,
                "measure": count.measure,
                "value": count.value,
                "source": count.source,
            }
        )
    if errors:
        raise ApiProblem(
            422,
            _("The batch is not valid"),
            ngettext(
                "Nothing was stored: %(n)d problem, listed in errors.",
                "Nothing was stored: %(n)d problems, listed in errors.",
                len(errors),
            )
            % {"n": len(errors)},
            INVALID,
            errors,
        )
    return {"stored": save_counts(rows, request.user)}


@router.get(
    "/dossiers/reconciliation/{unit}/{period}",
    response=ReconciliationOut,
    summary="The portal's published counts beside dxscore's measures",
    description=(
        "For one unit and period: each published count, dxscore's measure of the same "
        "name, the difference, and the likely causes of differences."
    ),
)
def get_reconciliation(
    request, unit: str = Path(..., max_length=40), period: str = Path(..., max_length=10)
):
    from dxscore.web.dossierdata.reconcile import check_period, reconcile

    code = check_period(period)
    if code is None:
        raise not_found(_("No period '%(p)s'.") % {"p": period})
    found = visible_unit(request.user, unit, "path", day=periods.parse(code).end)
    result = reconcile(found, code)
    return {
        "unit": found.code,
        "period": code,
        "differs": result.differs,
        "lines": [
            {
                "measure": line.measure,
                "portal": line.portal,
                "dxscore": line.dxscore,
                "difference": line.difference,
                "source": line.source,
            }
            for line in result.lines
        ],
        "causes": [{"cause": c, "count": n, "text": t} for c, n, t in result.causes],
    }
