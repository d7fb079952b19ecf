"""Staff page: the public-service dashboard from the stored dossier measures. Decision 766
points per group per unit (the engine, built-in ``vn-766``), trends over months,
quarters or years, and drill-down down the unit tree (a unit and its children), within
the person's viewing scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dxscore.web.dashboards import charts, services
from dxscore.web.dossierdata.models import DossierMeasure
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit

TREND_MEASURES = ("online_share", "timeliness_rate", "digitised_share", "paid_online_share")


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
    layout = charts._layout(
        _("%(u)s: shares and 766 points by period") % {"u": unit.name},
        yaxis={"title": _("share"), "range": [0, 1], "tickformat": ".0%"},
        yaxis2={"title": _("points"), "overlaying": "y", "side": "right", "rangemode": "tozero"},
    )
    return charts.figure(data, layout)


@login_required
@require_GET
def services_dashboard(request):
    if scope.role_of(request.user) is None:
        raise PermissionDenied
    visible = scope.restrict(Unit.objects.all(), request.user, scope.VIEW, via="")
    grain = request.GET.get("grain", "year")
    if grain not in services.GRAINS:
        grain = "year"
    code = request.GET.get("unit")
    unit = visible.filter(code=code).first() if code else _start(request.user, visible)
    if code and unit is None:
        raise Http404
    context = {"grain": grain, "grains": services.GRAINS, "unit": unit, "rows": []}
    if unit is None:
        return render(request, "dashboards/services.html", context)
    children = list(visible.filter(parent=unit).order_by("name"))
    ids = [unit.pk] + [c.pk for c in children]
    periods = sorted(
        set(
            DossierMeasure.objects.filter(unit_id__in=ids, grain=grain).values_list(
                "period", flat=True
            )
        )
    )
    period = request.GET.get("period")
    if period not in periods:
        period = periods[-1] if periods else None
    frame = services.measures(ids, grain)
    now = frame[frame["period"] == period]
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
            }
        )
    lacking = sorted({(c.code, c.name) for r in rows for c in r["cells"] if c.points is None})
    own = frame[frame["unit"] == unit.code]
    trend_points = services.points_766(own)
    totals = {p: services.total(c)[0] for (_u, p), c in trend_points.items()}
    context.update(
        {
            "period": period,
            "periods": periods,
            "rows": rows,
            "measures": services.SHOWN_MEASURES,
            "groups": services.groups(),
            "lacking": lacking,
            "ancestors": [a for a in unit.ancestors() if visible.filter(pk=a.pk).exists()],
            "trend_json": _trend_figure(unit, own, totals) if not own.empty else None,
            "trend": [(p, totals.get(p)) for p in periods],
        }
    )
    return render(request, "dashboards/services.html", context)
