"""Reading stored score runs for the dashboards. Every number a page shows comes from
here, and here only from the stored run (its node scores, ranks and inputs): nothing is
recomputed for display.

A *board* is one run seen through its methodology: the columns a ranking shows (the
index and the pillars), the previous period's published run for changes, and the unit
labels (name, groups) stored with the run.
"""

from __future__ import annotations

import statistics
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q
from django.http import Http404

from dxscore import index as ix
from dxscore.index.methodology import ROOT
from dxscore.web.data.models import Methodology, Period
from dxscore.web.orgs.models import Unit, UnitGroup
from dxscore.web.scores import maps
from dxscore.web.scores.models import NodeScore, RunCarry, RunInput, ScoreRun, in_force_q
from dxscore.web.scores.runs import widest_first


def published_runs():
    """The runs public pages show: published and not withdrawn."""
    return ScoreRun.objects.in_force().select_related("methodology", "period", "coverage")


MAP_OWN = "own"  # ``?map=own``: the runs on their period's own map


def map_key(run: ScoreRun) -> str:
    """How an address names a run's map: its ``as_of`` day, or ``own``."""
    return run.as_of.isoformat() if run.as_of else MAP_OWN


def _depth(run: ScoreRun) -> int:
    return len(run.coverage.path) if run.coverage_id else 0


def map_runs(code: str, period: str) -> list[ScoreRun]:
    """Per map, the published run a page shows for methodology ``code`` and ``period``
    (``widest_first`` within the widest coverage published), newest map first: the map
    of the latest day (``as_of``, else the period's last day)."""
    runs = list(widest_first(published_runs().filter(methodology__code=code, period__code=period)))
    if not runs:
        return []
    widest = _depth(runs[0])
    shown: dict[str, ScoreRun] = {}
    for run in runs:
        if _depth(run) == widest:
            shown.setdefault(map_key(run), run)
    return sorted(
        shown.values(), key=lambda r: (maps.map_day(r), r.as_of is not None), reverse=True
    )


def find_run(
    code: str, period: str, number: str | int | None = None, on_map: str | None = None
) -> ScoreRun:
    """The published run of methodology ``code`` for ``period``: run ``number`` if given,
    else the one that covers the most (``widest_first``: a ranking within one province,
    published by its steering office, never takes the place of the national one) on the
    map ``on_map`` (``own`` or an ``as_of`` day), by default the newest map published.
    A map the period has no run on falls back to the default. 404 when there is none."""
    runs = published_runs().filter(methodology__code=code, period__code=period)
    if number not in (None, ""):
        try:
            runs = runs.filter(number=int(number))
        except (TypeError, ValueError):
            raise Http404 from None
        run = widest_first(runs).first()
    else:
        by_map = map_runs(code, period)
        run = next((r for r in by_map if map_key(r) == on_map), None)
        run = run or (by_map[0] if by_map else None)
    if run is None:
        raise Http404
    return run


def latest_edition(unit: Unit) -> ScoreRun | None:
    """The latest published edition that ranks ``unit``: in the latest period it is ranked
    in, the run a public page would show (``widest_first``: the widest coverage, the
    latest published, its methodology), on the newest map that ranks it. None when no
    published run ranks it."""
    from dxscore.web.scores.selectors import published_runs_scoring

    runs = list(widest_first(published_runs_scoring(unit)))
    if not runs:
        return None
    latest = max((r.period.start, r.period.code) for r in runs)
    runs = [r for r in runs if (r.period.start, r.period.code) == latest]
    first = runs[0]
    same = [
        r for r in runs if _depth(r) == _depth(first) and r.methodology_id == first.methodology_id
    ]
    shown: dict[str, ScoreRun] = {}
    for run in same:
        shown.setdefault(map_key(run), run)
    return max(shown.values(), key=lambda r: (maps.map_day(r), r.as_of is not None))


def series_codes(run: ScoreRun) -> list[str]:
    """The methodology codes of ``run``'s series (``series:`` in the methodology file,
    default its id): the published runs of all of them form one history."""
    series = run.methodology.compiled().series
    ids = published_runs().order_by().values_list("methodology_id", flat=True).distinct()
    published = Methodology.objects.filter(pk__in=ids)
    codes = {m.code for m in published if m.compiled().series == series}
    return sorted(codes | {run.methodology.code})


def _on_same_map(run: ScoreRun, others, days) -> list[ScoreRun]:
    here = maps.map_day(run)
    return [r for r in others if maps.same_map(here, maps.map_day(r), days)]


def previous_run(run: ScoreRun) -> ScoreRun | None:
    """The latest published run of the same methodology series for the previous period
    on the same map (no change of units took effect between the two runs' map days): a
    rank change across the reform compares two rankings of the same units, never a
    ranking of the 34 provinces with one of the 63. None when the previous period has no
    published run on this map."""
    before = run.period.previous()
    if before is None:
        return None
    candidates = (
        published_runs()
        .filter(methodology__code__in=series_codes(run), period=before, coverage=run.coverage)
        .order_by("-published_at")
    )
    found = _on_same_map(run, candidates, maps.change_days())
    return found[0] if found else None


def history_runs(run: ScoreRun) -> list[ScoreRun]:
    """One published run per period of the same methodology series and coverage, oldest
    first, up to and including ``run``'s period (``run`` itself for its own period): the
    latest on ``run``'s map (earlier periods carried onto it), else the latest."""
    days = maps.change_days()
    latest: dict[str, ScoreRun] = {}
    same: dict[str, ScoreRun] = {}
    for r in (
        published_runs()
        .filter(
            methodology__code__in=series_codes(run),
            period__start__lte=run.period.start,
            coverage=run.coverage,
        )
        .order_by("period__start", "published_at")
    ):
        latest[r.period.code] = r
        if _on_same_map(run, [r], days):
            same[r.period.code] = r
    latest |= same
    latest[run.period.code] = run
    return sorted(latest.values(), key=lambda r: r.period.start)


def decimals(m: ix.CompiledMethodology) -> int:
    """Digits a page shows: the methodology's rank rounding, else 4 on a [0, 1] scale
    and 2 otherwise."""
    if m.rank_rounding is not None:
        return m.rank_rounding
    return 4 if m.scale[1] <= 1 else 2


def fold(text: str) -> str:
    """Lower case without diacritics, so 'bac ninh' finds 'Bắc Ninh'."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


@dataclass
class Cell:
    score: float | None
    rank: int | None
    points: float | None = None


@dataclass
class UnitRow:
    code: str
    name: str
    groups: dict[str, str]
    cells: dict[str, Cell] = field(default_factory=dict)
    previous: Cell | None = None  # the index in the previous period

    @property
    def index(self) -> Cell:
        return self.cells.get(ROOT) or Cell(None, None)

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous period (positive is better)."""
        if self.previous is None or self.previous.rank is None or self.index.rank is None:
            return None
        return self.previous.rank - self.index.rank

    @property
    def score_change(self) -> float | None:
        if self.previous is None or self.previous.score is None or self.index.score is None:
            return None
        return self.index.score - self.previous.score


class Board:
    """One published run, ready for pages: columns, rows per unit, the previous run."""

    def __init__(self, run: ScoreRun):
        self.run = run
        self.m: ix.CompiledMethodology = run.methodology.compiled()
        self.decimals = decimals(self.m)

    # --- the methodology's shape ---------------------------------------------------------

    @cached_property
    def pillars(self) -> list[str]:
        """The nodes a ranking shows next to the index: side views (the DTI pillars) if
        the methodology has them, else the index's children."""
        return list(self.m.side_nodes) or list(self.m.nodes[ROOT].children)

    @cached_property
    def columns(self) -> list[str]:
        return [ROOT, *self.pillars]

    @property
    def indicators(self) -> list[str]:
        return list(self.m.indicators)

    def name(self, node: str) -> str:
        return self.m.nodes[node].name

    # --- units ---------------------------------------------------------------------------

    @cached_property
    def unit_table(self) -> dict[str, dict]:
        return {row["unit"]: row for row in self.run.unit_table}

    @cached_property
    def group_labels(self) -> dict[str, dict[str, str]]:
        """unit -> {kind: group name}: the groups stored with the run (the methodology's
        group columns), then the units' current groups of other kinds (regions)."""
        labels: dict[str, dict[str, str]] = {u: {} for u in self.unit_table}
        for row in self.run.unit_table:
            for kind in self.m.groups:
                if row.get(kind):
                    labels[row["unit"]][kind] = row[kind]
        names = {}
        for kind, code, name, unit in UnitGroup.objects.filter(
            units__code__in=list(self.unit_table)
        ).values_list("kind", "code", "name", "units__code"):
            names[(kind, code)] = name or code
            labels.setdefault(unit, {}).setdefault(kind, name or code)
        return labels

    @cached_property
    def group_choices(self) -> list[tuple[str, list[str]]]:
        """[(kind, [group, ...]), ...] for the filter."""
        kinds: dict[str, set[str]] = {}
        for groups in self.group_labels.values():
            for kind, label in groups.items():
                kinds.setdefault(kind, set()).add(label)
        return [(k, sorted(v, key=fold)) for k, v in sorted(kinds.items())]

    def unit_name(self, code: str) -> str:
        row = self.unit_table.get(code)
        return row["name"] if row else code

    # --- scores --------------------------------------------------------------------------

    def cells(self, nodes: list[str], units: list[str] | None = None) -> dict[str, dict]:
        """unit -> node -> Cell for ``nodes`` (and ``units``, else all)."""
        qs = NodeScore.objects.filter(run=self.run, node__in=nodes)
        if units is not None:
            qs = qs.filter(unit__code__in=units)
        out: dict[str, dict[str, Cell]] = {}
        for unit, node, score, rank, points in qs.values_list(
            "unit__code", "node", "score", "rank", "points"
        ):
            out.setdefault(unit, {})[node] = Cell(score, rank, points)
        return out

    @cached_property
    def previous(self) -> ScoreRun | None:
        return previous_run(self.run)

    def rows(self) -> list[UnitRow]:
        """Every unit of the run with the index and the pillars, best first."""
        cells = self.cells(self.columns)
        before = {}
        if self.previous is not None:
            before = {
                u: Cell(s, r)
                for u, s, r in NodeScore.objects.filter(run=self.previous, node=ROOT).values_list(
                    "unit__code", "score", "rank"
                )
            }
        rows = [
            UnitRow(
                code=u,
                name=self.unit_name(u),
                groups=self.group_labels.get(u, {}),
                cells=c,
                previous=before.get(u),
            )
            for u, c in cells.items()
        ]
        return sorted(rows, key=lambda r: (_rank_key(r.index.rank), r.code))

    def unit_cells(self, unit: str) -> dict[str, Cell]:
        """Every node of one unit."""
        return self.cells(list(self.m.nodes), [unit]).get(unit, {})

    def has_unit(self, unit: str) -> bool:
        return (
            unit in self.unit_table
            and NodeScore.objects.filter(run=self.run, unit__code=unit, node=ROOT).exists()
        )

    @cached_property
    def map_units(self) -> dict[str, Unit]:
        """code -> the unit it denotes in this run (the units of the run's map)."""
        scores = NodeScore.objects.filter(run=self.run, node=ROOT).select_related("unit")
        return {s.unit.code: s.unit for s in scores}

    @cached_property
    def map_inputs(self) -> dict[str, dict[str, float]]:
        """code -> indicator -> raw value of the run's period on the run's map: a unit's
        own input, or, for a unit whose values were carried, the carried value."""
        ids = {u.pk: code for code, u in self.map_units.items()}
        out: dict[str, dict[str, float]] = {}
        for unit_id, indicator, value in RunInput.objects.filter(
            run=self.run, period_id=self.run.period_id, unit_id__in=list(ids)
        ).values_list("unit_id", "indicator", "value"):
            out.setdefault(ids[unit_id], {})[indicator] = value
        if self.run.as_of is not None:
            for unit_id, indicator, value in RunCarry.objects.filter(
                run=self.run, period_id=self.run.period_id, value__isnull=False
            ).values_list("unit_id", "indicator", "value"):
                if unit_id in ids:
                    out.setdefault(ids[unit_id], {})[indicator] = value
        return out

    def raw_values(self, indicator: str) -> dict[str, float]:
        return {
            code: values[indicator]
            for code, values in self.map_inputs.items()
            if indicator in values
        }

    def unit_inputs(self, unit: str) -> dict[str, float]:
        return dict(self.map_inputs.get(unit, {}))

    @cached_property
    def carried(self) -> dict[str, list[Unit]]:
        """code -> the units its values in this run were carried from."""
        from dxscore.web.scores.runs import carried_from

        found = carried_from(self.run)
        return {code: found[u.pk] for code, u in self.map_units.items() if u.pk in found}

    @cached_property
    def map_label(self) -> str:
        from dxscore.web.scores.runs import map_label

        return map_label(self.run)

    def count(self) -> int:
        return len(self.unit_table)

    def history(self, units: list[str], nodes: list[str]) -> list[dict]:
        """Per period (oldest first): the run and, per unit and node, its Cell. A unit is
        the unit its code denotes in this run (another unit may have had the code in an
        earlier period: Yên Bái was 15 before the new Lào Cai); ``carried`` per unit: the
        units its values in that period's run were carried from."""
        runs = history_runs(self.run)
        ids = {self.map_units[u].pk: u for u in units if u in self.map_units}
        by_run: dict[int, dict] = {r.pk: {} for r in runs}
        for run_id, unit_id, node, score, rank in NodeScore.objects.filter(
            run__in=[r.pk for r in runs], unit_id__in=list(ids), node__in=nodes
        ).values_list("run_id", "unit_id", "node", "score", "rank"):
            by_run[run_id].setdefault(ids[unit_id], {})[node] = Cell(score, rank)
        carried: dict[int, dict[str, dict[int, Unit]]] = {r.pk: {} for r in runs}
        for c in RunCarry.objects.filter(
            run__in=[r.pk for r in runs], unit_id__in=list(ids)
        ).select_related("source", "run"):
            if c.period_id == c.run.period_id:
                carried[c.run_id].setdefault(ids[c.unit_id], {})[c.source_id] = c.source
        sizes = _run_sizes(runs)
        return [
            {
                "run": r,
                "period": r.period.code,
                "units": by_run[r.pk],
                "size": sizes.get(r.pk, 0),
                "carried": {
                    u: sorted(found.values(), key=lambda x: x.name)
                    for u, found in carried[r.pk].items()
                },
            }
            for r in runs
        ]

    def node_history(self, node: str) -> list[dict]:
        """Per period (oldest first): median, minimum and maximum of ``node`` over units."""
        runs = history_runs(self.run)
        values: dict[int, list[float]] = {r.pk: [] for r in runs}
        for run_id, score in NodeScore.objects.filter(
            run__in=[r.pk for r in runs], node=node, score__isnull=False
        ).values_list("run_id", "score"):
            values[run_id].append(score)
        out = []
        for r in runs:
            v = values[r.pk]
            out.append(
                {
                    "run": r,
                    "period": r.period.code,
                    "median": statistics.median(v) if v else None,
                    "min": min(v) if v else None,
                    "max": max(v) if v else None,
                    "count": len(v),
                }
            )
        return out


def _run_sizes(runs: list[ScoreRun]) -> dict[int, int]:
    from django.db.models import Count

    return dict(
        NodeScore.objects.filter(run__in=[r.pk for r in runs], node=ROOT)
        .values("run_id")
        .annotate(n=Count("id"))
        .values_list("run_id", "n")
    )


def _rank_key(rank: int | None) -> int:
    return rank if rank is not None else 10**9


def periods_with_runs(code: str) -> list[Period]:
    return list(
        Period.objects.filter(Q(runs__methodology__code=code) & in_force_q("runs__"))
        .distinct()
        .order_by("start")
    )
