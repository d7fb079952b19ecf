"""Public-service measures as the background worker stored them (``DossierMeasure`` per
unit and period, ``ProcedureMeasure`` per unit, procedure and period), read in the
viewing scope. Read-only: the measures are recomputed from the dossier records by
``dxscore worker``, never written through the API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router

from dxscore import texts
from dxscore.web.api import schemas as s
from dxscore.web.api.common import Limit, Offset, invalid, page, visible_unit
from dxscore.web.dossierdata.models import DossierMeasure, Procedure, ProcedureMeasure
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit

router = Router(tags=["measures"])

UNIT = "A unit code: it and below (each unit's measures already roll up its subtree)."
PERIOD = "A period code: 2024, 2024Q3 or 2024-07."
KIND = "The period's kind: month, quarter or year."
GRAIN = "Deprecated: the former name of kind, still accepted."


def measure_out(m: DossierMeasure) -> dict:
    return {
        "unit": m.unit.code,
        "period": m.period,
        "kind": m.kind,
        "measure": m.measure,
        "value": m.value,
    }


def procedure_measure_out(m: ProcedureMeasure, names: dict[str, str]) -> dict:
    return {
        "unit": m.unit.code,
        "procedure": m.procedure,
        "procedure_name": names.get(m.procedure, ""),
        "period": m.period,
        "kind": m.kind,
        **{f: getattr(m, f) for f in (*ProcedureMeasure.COUNTS, *ProcedureMeasure.RATES)},
        "late": m.late,
    }


def _kind(kind: str | None, grain: str | None) -> str | None:
    """The period kind asked for: ``kind``, or the deprecated ``grain`` (the same)."""
    if kind and grain and kind != grain:
        raise invalid(
            _("Give the period's kind once, as kind (grain is its former name)."),
            "grain",
            "query",
        )
    return kind or grain


def _in_scope(request, rows, unit: str | None):
    """``rows`` of units in the viewing scope, within ``unit`` (it and below) if given; an
    unseen unit is a field error of the query, as for values and dossiers. The units are
    named by id (``unit_id IN (...)``), so each filter below is a search of a composite
    index that starts with the unit: (unit, period, measure), (unit, kind, period) or
    (unit, procedure, period)."""
    units = scope.restrict(Unit.objects.all(), request.user, scope.VIEW, via="")
    if unit:
        root = visible_unit(request.user, unit, "query", "unit")
        units = units.filter(path__startswith=root.path)
    elif scope.scope_root(request.user, scope.VIEW) == scope.EVERYWHERE:
        return rows
    return rows.filter(unit_id__in=units.values("pk"))


@router.get(
    "/measures",
    response=s.MeasurePage,
    summary="Public-service measures in your viewing scope",
    description=(
        "One item per unit, period and measure, as the latest measures job computed them "
        "from the dossier records (a unit's measures roll up its subtree). Ordered by "
        "unit code, period and measure."
    ),
)
def list_measures(
    request,
    unit: str | None = Query(None, max_length=40, description=UNIT),
    kind: s.Kind | None = Query(None, description=KIND),
    grain: s.Kind | None = Query(None, description=GRAIN, deprecated=True),
    period: str | None = Query(None, max_length=10, description=PERIOD),
    measure: str | None = Query(None, max_length=40, description="A measure, e.g. received."),
    limit: int = Limit,
    offset: int = Offset,
):
    rows = _in_scope(request, DossierMeasure.objects.select_related("unit"), unit)
    if period_kind := _kind(kind, grain):
        rows = rows.filter(kind=period_kind)
    if period:
        rows = rows.filter(period=period)
    if measure:
        rows = rows.filter(measure=measure)
    rows = rows.order_by("unit__code", "period", "measure")
    return page(request, rows, limit, offset, measure_out)


@router.get(
    "/measures/procedures",
    response=s.ProcedureMeasurePage,
    summary="Public-service measures per procedure in your viewing scope",
    description=(
        "One item per unit, procedure and period in which the procedure had dossiers "
        "(received, finished or open), with the counts, the rates (null when their "
        "denominator is zero) and late = finished - finished_on_time + open_overdue. "
        "Ordered by unit code, procedure and period."
    ),
)
def list_procedure_measures(
    request,
    unit: str | None = Query(None, max_length=40, description=UNIT),
    kind: s.Kind | None = Query(None, description=KIND),
    grain: s.Kind | None = Query(None, description=GRAIN, deprecated=True),
    period: str | None = Query(None, max_length=10, description=PERIOD),
    procedure: str | None = Query(None, max_length=64, description="A procedure code."),
    limit: int = Limit,
    offset: int = Offset,
):
    rows = _in_scope(request, ProcedureMeasure.objects.select_related("unit"), unit)
    if period_kind := _kind(kind, grain):
        rows = rows.filter(kind=period_kind)
    if period:
        rows = rows.filter(period=period)
    if procedure:
        rows = rows.filter(procedure=procedure)
    rows = rows.order_by("unit__code", "procedure", "period")
    found = page(request, rows, limit, offset, lambda m: m)
    # the page's procedure names in one query (codes without a catalogue entry: "")
    codes = {m.procedure for m in found["items"]}
    names = {
        code: texts.translated(name, tr)  # in the answer's language (lang, Accept-Language)
        for code, name, tr in Procedure.objects.filter(code__in=codes).values_list(
            "code", "name", "translations"
        )
    }
    found["items"] = [procedure_measure_out(m, names) for m in found["items"]]
    return found
