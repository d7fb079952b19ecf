"""A unit's scorecard, once for the page and the PDF: its history, pillars against the median
and the top ten, strengths and weaknesses, rank interval, levers and resolution targets;
and the state its cached rendering depends on (read in one SQL statement per request)."""

from __future__ import annotations

from django.db.models import Count, Max
from django.http import Http404
from django.urls import reverse

from dxscore.index.methodology import ROOT
from dxscore.web.dashboards import analysis, charts, queries, tables
from dxscore.web.dashboards.pages import board_context
from dxscore.web.dashboards.queries import Board
from dxscore.web.scores.models import NodeScore, in_force_q


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
            "carried": h["carried"].get(unit, []),
            "map": queries.map_key(h["run"]),
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
        # stored once for every language: the names are the reader's, from the methodology
        levers=[
            {**r, "name": board.name(r["indicator"])} for r in analysis.best_levers(levers_payload)
        ],
        levers_rank=levers_payload["rank"],
        targets=unit_targets(unit),
        **lineage_context(board, unit),
    )


def lineage_context(board: Board, unit: str) -> dict:
    """Across a change of the map: a unit that ended says when and what it is now part
    of (with a link to that unit's scorecard); a unit that began shows its predecessors'
    own history (links to their scorecards on the map they were ranked on)."""
    found = board.map_units.get(unit)
    if found is None:
        return {}
    series = queries.series_codes(board.run)
    out: dict = {"unit_obj": found, "successors": [], "predecessors": []}
    if found.valid_to is not None:
        for successor in found.successor_units():
            out["successors"].append(
                {"unit": successor, "link": _card_link(series, successor, board.run)}
            )
    for predecessor in found.predecessor_units().order_by("name"):
        history = []
        for s in _own_scores(series, predecessor):
            url = reverse(
                "dash_scorecard",
                args=[s.run.methodology.code, s.run.period.code, predecessor.code],
            )
            history.append(
                {
                    "period": s.run.period.code,
                    "score": s.score,
                    "rank": s.rank,
                    "url": f"{url}?map={queries.map_key(s.run)}",
                }
            )
        out["predecessors"].append({"unit": predecessor, "history": history})
    return out


def _own_scores(series: list[str], unit) -> list:
    """A unit's index score per period (oldest first), one published run each: the
    latest, preferring a run on the period's own map."""
    best: dict[str, object] = {}
    for s in (
        NodeScore.objects.filter(
            in_force_q("run__"),
            unit=unit,
            node=ROOT,
            run__methodology__code__in=series,
        )
        .select_related("run__period", "run__methodology")
        .order_by("run__period__start", "run__published_at")
    ):
        code = s.run.period.code
        if code not in best or s.run.as_of is None or best[code].run.as_of is not None:
            best[code] = s
    return list(best.values())


def _card_link(series: list[str], unit, run) -> str | None:
    """The scorecard of ``unit``: in ``run``'s period when it is ranked then (on the map
    it is on), else in the latest period it is ranked in."""
    scores = list(
        NodeScore.objects.filter(
            in_force_q("run__"),
            unit=unit,
            node=ROOT,
            run__methodology__code__in=series,
        )
        .select_related("run__period", "run__methodology")
        .order_by("-run__period__start", "-run__published_at")
    )
    if not scores:
        return None
    chosen = next((s for s in scores if s.run.period_id == run.period_id), scores[0])
    url = reverse(
        "dash_scorecard", args=[chosen.run.methodology.code, chosen.run.period.code, unit.code]
    )
    return f"{url}?map={queries.map_key(chosen.run)}"


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
