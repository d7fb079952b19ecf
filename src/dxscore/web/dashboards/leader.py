"""A leader's view of one unit, once for the page and the PDF: the latest published
edition's score, rank and change with the pillars (public), and, for people whose scope
lets them read them, the unit's resolution targets by status, its overdue tasks, its
Decision 766 points with their trend, and the data quality of its dossier records.

Every figure is read through the selectors of the app that owns it and is the figure of
the detail page each block links to: the scorecard (``tables.pillar_profile``, the
previous published run of ``queries.previous_run``), the resolution page
(``assessing.assess_targets``), the task list (``selectors.unit_tasks``), the
public-service dashboard (``public_services.unit_points``, ``DossierQuality``). A block
the person may not read is left out, never shown empty."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dxscore.index.methodology import ROOT
from dxscore.web.dashboards import public_services, queries, tables
from dxscore.web.dashboards.queries import Board
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit
from dxscore.web.provenance.notices import run_notice

POINTS_KIND = "year"  # the 766 points and the data quality: the latest year measured
TREND_KIND = "quarter"  # the small trend of the 766 points
SPARK_W, SPARK_H, SPARK_PAD = 160, 40, 4
SHOWN_STATUSES = ("met", "on_track", "at_risk", "missed")  # "no data" is said apart
HIDDEN_NAMES = {
    "targets": gettext_lazy("resolution targets"),
    "tasks": gettext_lazy("tasks"),
    "services": gettext_lazy("public services and data quality"),
}


@dataclass
class Spark:
    """A small line of values over periods, drawn as SVG (coordinates in the viewBox)."""

    points: list[tuple[str, float | None, float, float]]  # period, value, x, y

    @property
    def polyline(self) -> list[tuple[float, float]]:
        return [(x, y) for _p, v, x, y in self.points if v is not None]

    @property
    def first(self):
        return next((p for p in self.points if p[1] is not None), None)

    @property
    def last(self):
        return next((p for p in reversed(self.points) if p[1] is not None), None)


def spark(values: list[tuple[str, float | None]]) -> Spark | None:
    """``values`` (period, value) on a ``SPARK_W`` x ``SPARK_H`` box, scaled to their
    range (a flat line in the middle when they are all equal)."""
    present = [v for _p, v in values if v is not None]
    if not present:
        return None
    low, high = min(present), max(present)
    n = len(values)
    inner_w, inner_h = SPARK_W - 2 * SPARK_PAD, SPARK_H - 2 * SPARK_PAD
    out = []
    for i, (period, value) in enumerate(values):
        x = SPARK_PAD + (inner_w * i / (n - 1) if n > 1 else inner_w / 2)
        if value is None or high == low:
            y = SPARK_H / 2
        else:
            y = SPARK_PAD + inner_h * (high - value) / (high - low)
        out.append((period, value, round(x, 1), round(y, 1)))
    return Spark(out)


def score_block(unit: Unit) -> dict | None:
    """The latest published edition that ranks the unit, as its scorecard shows it."""
    run = queries.latest_edition(unit)
    if run is None:
        return None
    board = Board(run)
    code = unit.code
    profile = tables.pillar_profile(board, code)
    index = next(p for p in profile if p["node"] == ROOT)
    row = next((r for r in board.rows() if r.code == code), None)  # as the scorecard
    url = reverse("dash_scorecard", args=[run.methodology.code, run.period.code, code])
    return {
        "run": run,
        "board": board,
        "decimals": board.decimals,
        "index_name": board.name(ROOT),
        "score": index["score"],
        "rank": index["rank"],
        "size": board.count(),
        "change": row.rank_change if row else None,
        "score_change": row.score_change if row else None,
        "previous": board.previous,
        "pillars": [p for p in profile if p["node"] != ROOT],
        "url": f"{url}?run={run.number}",
        "notice": run_notice(run),
    }


def targets_block(user, unit: Unit) -> dict | None:
    """The visible targets measured on the unit or below, by status as of today."""
    from dxscore.web.plans import assessing, selectors

    if not selectors.reads_unit(user, unit):
        return None
    targets = list(selectors.unit_targets(user, unit))
    items = assessing.assess_targets(targets)
    resolutions = sorted({t.resolution_id for t in targets})
    if len(resolutions) == 1:
        url = reverse("plans:resolution", args=[resolutions[0]])
    else:
        url = reverse("plans:resolutions")
    summary = assessing.summary(items)
    return {
        "summary": summary,
        "counts": [(s, assessing.STATUS_LABELS[s], summary[s]) for s in SHOWN_STATUSES],
        "url": url,
    }


def tasks_block(user, unit: Unit) -> dict | None:
    """The visible tasks of the unit and the units below it that are overdue today."""
    from dxscore.web.plans import selectors
    from dxscore.web.plans.models import TaskStatus

    if not selectors.reads_unit(user, unit):
        return None
    today = timezone.localdate()
    overdue = selectors.unit_tasks(user, unit, TaskStatus.OVERDUE, today)
    url = reverse("plans:tasks") + f"?unit={unit.key}&status={TaskStatus.OVERDUE}"
    return {"overdue": len(overdue), "url": url}


def services_block(user, unit: Unit) -> dict | None:
    """The unit's Decision 766 points per group in the latest year measured, their
    quarterly trend and the data quality of that year, as the public-service dashboard
    computes them; None outside the person's viewing scope."""
    from dxscore.web.dossierdata import selectors
    from dxscore.web.dossierdata.access import may_view_measures

    if not may_view_measures(user, unit):
        return None
    base = reverse("dash_services") + f"?unit={unit.code}"
    years = selectors.measured_periods(user, unit, POINTS_KIND)
    if not years:
        return {"period": None, "url": base}
    year = years[-1]
    cells = public_services.unit_points(unit, POINTS_KIND).get(year, [])
    got, out_of = public_services.total(cells) if cells else (None, None)
    quarters = selectors.measured_periods(user, unit, TREND_KIND)
    by_quarter = public_services.unit_points(unit, TREND_KIND)
    trend = [
        (q, public_services.total(by_quarter[q])[0] if q in by_quarter else None) for q in quarters
    ]
    quality = selectors.quality(user, unit, POINTS_KIND, year)
    return {
        "period": year,
        "cells": cells,
        "total": got,
        "out_of": out_of,
        "trend": trend,
        "spark": spark(trend),
        "trend_kind": TREND_KIND,
        "url": f"{base}&kind={POINTS_KIND}&period={year}",
        "trend_url": f"{base}&kind={TREND_KIND}",
        "quality": quality,
        "quality_url": f"{base}&kind={POINTS_KIND}&period={year}#quality",
    }


def leader_context(request, unit: Unit) -> dict:
    """Everything the leader's page and its PDF show for ``unit`` to this person."""
    user = request.user
    blocks = {
        "score": score_block(unit),
        "targets": targets_block(user, unit),
        "tasks": tasks_block(user, unit),
        "services": services_block(user, unit),
    }
    staff_blocks = ("targets", "tasks", "services")
    return {
        "unit": unit,
        **blocks,
        "anything": any(blocks.values()),
        "hidden": [HIDDEN_NAMES[b] for b in staff_blocks if blocks[b] is None],
        "anonymous": not user.is_authenticated,
        "today": timezone.localdate(),
        "has_role": scope.role_of(user) is not None,
        "pdf_url": reverse("dash_leader_pdf", args=[unit.key]),
        "permalink": request.build_absolute_uri(reverse("dash_leader", args=[unit.key])),
    }
