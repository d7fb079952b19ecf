"""A unit's scorecard, once for the page and the PDF: its history, pillars against the median
and the top ten, strengths and weaknesses, rank interval, levers and resolution targets;
and the state its cached rendering depends on (read in one SQL statement per request)."""

from __future__ import annotations

from django.db.models import Count, Max
from django.http import Http404

from dxscore.index.methodology import ROOT
from dxscore.web.dashboards import analysis, charts, tables
from dxscore.web.dashboards.pages import board_context
from dxscore.web.dashboards.queries import Board


def scorecard_context(request, board: Board, unit: str) -> dict:
    """Everything a scorecard shows (the page and the PDF use the same)."""
    if not board.has_unit(unit):
        raise Http404
    table = tables.scorecard(board, unit)
    cells = {r["node"]: r for r in table.rows}
    history = [
        {
            "period": h["period"],
            "score": getattr(h["units"].get(unit, {}).get(ROOT), "score", None),
            "rank": getattr(h["units"].get(unit, {}).get(ROOT), "rank", None),
            "size": h["size"],
            "run": h["run"],
        }
        for h in board.history([unit], [ROOT])
    ]
    profile = tables.pillar_profile(board, unit)
    standing = tables.indicator_standing(board, unit)
    k = min(3, len(standing) // 2) if len(standing) > 1 else len(standing)
    strengths = standing[:k]
    weaknesses = list(reversed(standing[-k:])) if k else []
    intervals = analysis.rank_intervals(board.run)
    interval = intervals["units"].get(unit)
    levers_payload = analysis.unit_levers(board.run, unit)
    index_cell = cells.get(ROOT, {})
    row = next((r for r in board.rows() if r.code == unit), None)
    return board_context(
        request,
        board,
        unit=unit,
        unit_name=board.unit_name(unit),
        table=table,
        index=index_cell,
        size=board.count(),
        change=row.rank_change if row else None,
        score_change=row.score_change if row else None,
        history=history,
        history_methodologies=sorted({h["run"].methodology.code for h in history}),
        history_json=charts.history_figure(history, board.name(ROOT)),
        profile=profile,
        profile_json=charts.pillars_figure(profile, board.unit_name(unit)),
        strengths=strengths,
        weaknesses=weaknesses,
        interval=interval,
        interval_x=_interval_x(interval, board.count()),
        intervals=intervals,
        levers=analysis.best_levers(levers_payload),
        levers_rank=levers_payload["rank"],
        targets=unit_targets(unit),
    )


def unit_targets(unit: str) -> dict:
    """The unit's resolution targets with their computed statuses and "N of M met"."""
    from dxscore.web.plans.assessing import assess_targets, summary
    from dxscore.web.plans.models import Target

    found = Target.objects.filter(unit__code=unit).select_related("resolution", "indicator")
    items = assess_targets(found.order_by("resolution__code", "number"))
    return {"items": items, "summary": summary(items)}


def targets_state(unit: str) -> tuple:
    """What the unit's targets section depends on: its targets (count and latest change:
    adding, editing or deleting one, or editing its resolution, moves them), the values
    of their indicators for the unit (count and latest ``updated_at``, which entering,
    submitting, approving, returning and reopening a value move), and today's date.

    One statement of four index lookups over the unit's own rows (targets by unit, values
    by unit and indicator), so its cost does not grow with the number of values stored.
    In the database, so every server process sees the same state. It can miss a change
    committed after a later-stamped one was read; ``PAGE_SECONDS`` bounds that.
    Plain SQL: it runs on every request for a scorecard, and building the same query
    with the ORM cost 1-2 ms of Python per request, more than the database's work."""
    from django.db import connection
    from django.utils import timezone

    from dxscore.web.data.models import Value
    from dxscore.web.orgs.models import Unit
    from dxscore.web.plans.models import Target

    targets, values = Target._meta.db_table, Value._meta.db_table
    own_targets = f"FROM {targets} t WHERE t.unit_id = u.id"
    own_values = (
        f"FROM {values} v WHERE v.unit_id = u.id"
        f" AND v.indicator_id IN (SELECT t.indicator_id {own_targets})"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) {own_targets}), (SELECT MAX(t.updated_at) {own_targets}),"
            f" (SELECT COUNT(*) {own_values}), (SELECT MAX(v.updated_at) {own_values})"
            f" FROM {Unit._meta.db_table} u WHERE u.code = %s",
            [unit],
        )
        found = cursor.fetchone()
    return (*(found or ()), timezone.localdate())


def all_targets_state() -> tuple:
    """What every unit's targets section depends on (for the zip of all scorecards): the
    targets' count and latest change, the latest change of any value, and today."""
    from django.utils import timezone

    from dxscore.web.data.models import Value
    from dxscore.web.plans.models import Target

    t = Target.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    v = Value.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (t["n"], t["last"], v["n"], v["last"], timezone.localdate())


def _interval_x(interval: dict | None, n: int) -> tuple[float, float, float] | None:
    """x, width and median position of the rank interval on a 10-390 axis of ranks 1-n."""
    if not interval or interval.get("p05") is None:
        return None

    def x(rank: float) -> float:
        return round(10 + 380 * (rank - 1) / max(n - 1, 1), 1)

    left, right = x(interval["p05"]), x(interval["p95"])
    return left - 3, max(right - left, 0) + 6, x(interval["median"])
