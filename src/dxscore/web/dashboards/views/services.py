"""Staff pages: the public-service dashboard from the stored dossier measures. Decision 766
points per group per unit (the engine, built-in ``vn-766``), trends over months,
quarters or years, drill-down down the unit tree (a unit and its children), and on to
the procedures: a unit's procedures ranked by the timeliness points they cost it, and a
procedure's trend and its figures at each child unit. All within the person's viewing
scope; nothing here reads dossier records (the worker stored the measures)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dxscore.dossiers.schema import WARNING_CODES
from dxscore.web.dashboards import charts, exports
from dxscore.web.dashboards import public_services as services
from dxscore.web.dossierdata.models import DossierMeasure, DossierQuality, ProcedureMeasure
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit

TREND_MEASURES = ("online_share", "timeliness_rate", "digitised_share", "paid_online_share")
TWO_AXES = {"l": 60, "r": 60, "t": 50, "b": 50}  # room for the right axis' labels
PERIOD_AXIS = {"type": "category"}  # period codes, not numbers (2023 is not 2023.0)
PROCEDURES_SHOWN = 10  # on the dashboard; the procedures page lists them all


def _start(user, visible) -> Unit | None:
    root = scope.scope_root(user, scope.VIEW)
    if isinstance(root, Unit):
        return root
    measured = visible.filter(pk__in=DossierMeasure.objects.values("unit_id")).order_by("path")
    return measured.first()


def _trend_figure(unit: Unit, frame, totals: dict[str, float]) -> str:
    data = []
    periods = sorted(set(frame["period"]))
    for name in TREND_MEASURES:
        rows = frame[frame["measure"] == name].set_index("period")["value"]
        if rows.empty:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": periods,
                "y": [float(rows[p]) if p in rows else None for p in periods],
            }
        )
    if totals:
        data.append(
            {
                "type": "bar",
                "name": _("766 points (groups with inputs)"),
                "yaxis": "y2",
                "x": periods,
                "y": [totals.get(p) for p in periods],
                "marker": {"color": charts.GREY},
                "opacity": 0.5,
            }
        )
    layout = charts.base_layout(
        _("%(u)s: shares and 766 points by period") % {"u": unit.name},
        xaxis=PERIOD_AXIS,
        margin=TWO_AXES,
        yaxis={"title": _("share"), "range": [0, 1], "tickformat": ".0%"},
        yaxis2={"title": _("points"), "overlaying": "y", "side": "right", "rangemode": "tozero"},
    )
    return charts.figure(data, layout)


def _where(request):
    """The units the person may view, the unit asked for (or their starting unit) and the
    period kind (``kind``; ``grain``, its former name, in links made before). An unknown
    or out-of-scope unit is a 404."""
    if scope.role_of(request.user) is None:
        raise PermissionDenied
    visible = scope.restrict(Unit.objects.all(), request.user, scope.VIEW, via="")
    kind = request.GET.get("kind") or request.GET.get("grain", "year")
    if kind not in services.KINDS:
        kind = "year"
    code = request.GET.get("unit")
    unit = visible.filter(code=code).first() if code else _start(request.user, visible)
    if code and unit is None:
        raise Http404
    return visible, unit, kind


def _pick(request, periods: list[str]) -> str | None:
    period = request.GET.get("period")
    return period if period in periods else (periods[-1] if periods else None)


def _ancestors(unit: Unit, visible) -> list[Unit]:
    return [a for a in unit.ancestors() if visible.filter(pk=a.pk).exists()]


@login_required
@require_GET
def services_dashboard(request):
    return render(request, "dashboards/services.html", _dashboard(request))


@login_required
@require_GET
def services_download(request, fmt: str):
    """The dashboard's unit table (same unit, kind and period): each unit's 766 points
    per group and in total, its data quality and its measures, as CSV, XLSX or JSON."""
    context = _dashboard(request)
    if context["unit"] is None or not context.get("period"):
        raise Http404
    table = services.dashboard_table(
        context["unit"], context["kind"], context["period"], context["rows"]
    )
    return exports.download(table, fmt, notes=[str(_DOWNLOAD_NOTE)])


_DOWNLOAD_NOTE = gettext_lazy(
    "Rates are shares from 0 to 1; points are Decision 766 points computed by vn-766 from the "
    "dossier measures; an empty group has no input from dossiers."
)


def _dashboard(request) -> dict:
    visible, unit, kind = _where(request)
    context = {"kind": kind, "kinds": services.KINDS, "unit": unit, "rows": []}
    if unit is None:
        return context
    children = list(visible.filter(parent=unit).order_by("name"))
    ids = [unit.pk] + [c.pk for c in children]
    periods = sorted(
        set(
            DossierMeasure.objects.filter(unit_id__in=ids, kind=kind).values_list(
                "period", flat=True
            )
        )
    )
    period = _pick(request, periods)
    frame = services.measures(ids, kind)
    now = frame[frame["period"] == period]
    with_procedures = set(
        ProcedureMeasure.objects.filter(unit_id__in=ids, kind=kind, period=period)
        .values_list("unit_id", flat=True)
        .distinct()
    )
    points = services.points_766(now)
    rows = []
    for u in [unit, *children]:
        values = now[now["unit"] == u.code].set_index("measure")["value"].to_dict()
        cells = points.get((u.code, period), [])
        got, out_of = services.total(cells) if cells else (None, None)
        rows.append(
            {
                "unit": u,
                "values": [(m, values.get(m)) for m in services.SHOWN_MEASURES],
                "cells": cells,
                "total": got,
                "out_of": out_of,
                "self": u == unit,
                "has_children": u != unit and u.children.exists(),
                "has_procedures": u.pk in with_procedures,
            }
        )
    # data quality beside the points: records with warnings (DossierQuality, the worker's)
    quality = DossierQuality.objects.filter(unit_id__in=ids, kind=kind, period=period)
    by_unit = {q.unit_id: q for q in quality}
    for r in rows:
        r["quality"] = by_unit.get(r["unit"].pk)
    lacking = sorted({(c.code, c.name) for r in rows for c in r["cells"] if c.points is None})
    own = frame[frame["unit"] == unit.code]
    trend_points = services.points_766(own)
    totals = {p: services.total(c)[0] for (_u, p), c in trend_points.items()}
    costly = services.procedure_table(unit, kind, period, services.ProcedureQuery())
    context.update(
        {
            "period": period,
            "periods": periods,
            "rows": rows,
            "measures": services.SHOWN_MEASURES,
            "groups": services.groups(),
            "lacking": lacking,
            "ancestors": _ancestors(unit, visible),
            "costly": costly.rows[:PROCEDURES_SHOWN],
            "procedure_count": len(costly.rows),
            "trend_json": _trend_figure(unit, own, totals) if not own.empty else None,
            "trend": [(p, totals.get(p)) for p in periods],
            "warning_codes": WARNING_CODES,
            "any_quality": bool(by_unit),
            "formats": exports.FORMATS,
            "querystring": request.GET.urlencode(),
        }
    )
    return context


def _procedure_periods(unit_ids: list[int], kind: str) -> list[str]:
    rows = ProcedureMeasure.objects.filter(unit_id__in=unit_ids, kind=kind)
    return sorted(set(rows.values_list("period", flat=True)))


def _procedures_context(request):
    visible, unit, kind = _where(request)
    if unit is None:
        raise Http404
    periods = _procedure_periods([unit.pk], kind)
    period = _pick(request, periods)
    query = services.ProcedureQuery.from_request(request.GET)
    table = services.procedure_table(unit, kind, period, query)
    return visible, unit, kind, periods, period, query, table


@login_required
@require_GET
def services_procedures(request):
    """A unit's procedures in a period, ranked by the timeliness points they cost it."""
    visible, unit, kind, periods, period, query, table = _procedures_context(request)
    lost = sum(r["points_lost"] or 0 for r in table.rows)
    return render(
        request,
        "dashboards/services_procedures.html",
        {
            "unit": unit,
            "kind": kind,
            "kinds": services.KINDS,
            "periods": periods,
            "period": period,
            "query": query,
            "table": table,
            "columns": services.PROCEDURE_COLUMNS,
            "lost": lost if query.q == "" else None,
            "ancestors": _ancestors(unit, visible),
            "formats": exports.FORMATS,
        },
    )


@login_required
@require_GET
def services_procedures_download(request, fmt: str):
    """Exactly the procedures page's table (same search and order) as CSV, XLSX or JSON."""
    table = _procedures_context(request)[-1]
    note = _("Rates are shares from 0 to 1; timeliness points lost are out of 20 (vn-766).")
    return exports.download(table, fmt, notes=[note])


def _procedure_trend(unit: Unit, procedure: str, name: str, rows: list[dict]) -> str:
    periods = [r["period"] for r in rows]
    data = [
        {
            "type": "bar",
            "name": _("received"),
            "x": periods,
            "y": [r["received"] for r in rows],
            "marker": {"color": charts.GREY},
            "opacity": 0.5,
            "yaxis": "y2",
        }
    ]
    for key, label in (
        ("timeliness_rate", _("timeliness rate")),
        ("online_share", _("received online")),
        ("digitised_share", _("digitised")),
    ):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": label,
                "x": periods,
                "y": [r[key] for r in rows],
            }
        )
    layout = charts.base_layout(
        _("%(p)s at %(u)s by period") % {"p": f"{procedure} {name}".strip(), "u": unit.name},
        xaxis=PERIOD_AXIS,
        margin=TWO_AXES,
        yaxis={"title": _("share"), "range": [0, 1], "tickformat": ".0%"},
        yaxis2={"title": _("dossiers"), "overlaying": "y", "side": "right", "rangemode": "tozero"},
    )
    return charts.figure(data, layout)


@login_required
@require_GET
def services_procedure(request, procedure: str):
    """One procedure at a unit: its measures over the periods of the kind asked, and in the
    period asked for, its figures at each child unit (drill-down continues there)."""
    context = _procedure(request, procedure)
    unit, name, history = context["unit"], context["name"], context["history"]
    context["trend_json"] = _procedure_trend(unit, procedure, name, history)
    return render(request, "dashboards/services_procedure.html", context)


@login_required
@require_GET
def services_procedure_download(request, procedure: str, fmt: str):
    """The procedure page's two tables in one: the unit's figures over the periods, then
    each unit directly under it in the period (same unit, kind and period)."""
    context = _procedure(request, procedure)
    table = services.procedure_page_table(
        context["unit"],
        procedure,
        context["name"],
        context["kind"],
        context["period"],
        context["history"],
        context["children"],
    )
    note = _("Rates are shares from 0 to 1; timeliness points lost are out of 20 (vn-766).")
    return exports.download(table, fmt, notes=[note])


def _procedure(request, procedure: str) -> dict:
    visible, unit, kind = _where(request)
    if unit is None:
        raise Http404
    mine = ProcedureMeasure.objects.filter(unit=unit, procedure=procedure, kind=kind)
    if not mine.exists():
        raise Http404
    # the unit's finished and open dossiers of every procedure, per period: the
    # denominator of its timeliness rate, so of the points each procedure costs it
    totals = {
        r["period"]: r["f"] + r["o"]
        for r in ProcedureMeasure.objects.filter(unit=unit, kind=kind)
        .values("period")
        .annotate(f=Sum("finished"), o=Sum("open_at_end"))
    }
    fields = ("period", *ProcedureMeasure.COUNTS, *ProcedureMeasure.RATES)
    history = list(mine.order_by("period").values(*fields))
    for r in history:
        services.add_points_lost(r, totals.get(r["period"], 0))
    periods = [r["period"] for r in history]
    period = _pick(request, periods)
    name = services.procedure_names([procedure]).get(procedure, "")
    children = list(visible.filter(parent=unit).order_by("name"))
    at_children = {
        r["unit_id"]: r
        for r in services.procedure_rows([c.pk for c in children], kind, period)
        if r["procedure"] == procedure
    }
    child_rows = [{"unit": c, "row": at_children.get(c.pk)} for c in children]
    child_rows.sort(key=lambda r: -(r["row"]["late"] if r["row"] else -1))
    return {
        "unit": unit,
        "procedure": procedure,
        "name": name,
        "kind": kind,
        "kinds": services.KINDS,
        "period": period,
        "periods": periods,
        "current": next(r for r in history if r["period"] == period),
        "history": history,
        "children": child_rows,
        "ancestors": _ancestors(unit, visible),
        "formats": exports.FORMATS,
        "querystring": request.GET.urlencode(),
    }
