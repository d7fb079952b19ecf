"""The tables that pages show and downloads carry: one builder per page, so a CSV, XLSX
or JSON download is the same rows, columns and order as the page (the page rounds
numbers for reading; downloads keep the stored precision)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dxscore import figures
from dxscore.index.methodology import ROOT
from dxscore.web.dashboards.queries import Board, Cell, UnitRow, fold
from dxscore.web.l10n import raw_kind

SCORE, RANK, CHANGE, TEXT, NUMBER, DELTA = "score", "rank", "change", "text", "number", "delta"
RATE, POINTS, COUNT, DAYS = "rate", "points", "count", "days"
DATETIME = "datetime"  # a moment: the workspace's local time, to the minute

# the kind of figure (``dxscore.figures``) a column's cells are shown and formatted as;
# "share" is the services pages' word for a rate, and "number" there a count
FIGURES = {
    SCORE: figures.SCORE,
    DELTA: figures.SCORE,
    RATE: figures.RATE,
    "share": figures.RATE,
    POINTS: figures.POINTS,
    COUNT: figures.COUNT,
    NUMBER: figures.NUMBER,
    DAYS: figures.NUMBER,
    RANK: figures.COUNT,
}


def figure_kind(kind: str | None) -> str | None:
    """The kind of figure of a column kind; ``None`` for text, ranks' changes."""
    return FIGURES.get(kind or "")


@dataclass
class Column:
    key: str
    label: str
    kind: str = TEXT
    node: str | None = None

    @property
    def detail(self) -> bool:
        """A pillar's score or rank, or a group: left out of the leaderboard on a phone
        (the unit's scorecard has them), so that a unit takes a line or two."""
        return (self.node is not None and self.node != ROOT) or self.key.startswith("group_")


@dataclass
class Table:
    name: str  # file name stem of downloads
    title: str
    columns: list[Column]
    rows: list[dict]
    meta: dict = field(default_factory=dict)

    def values(self, row: dict) -> list:
        return [row.get(c.key) for c in self.columns]


def run_meta(board: Board) -> dict:
    return {**score_run_meta(board.run), "units": board.count()}


def score_run_meta(run) -> dict:
    """What a download says of the run it comes from (the about sheet, JSON's meta)."""
    return {
        "methodology": run.methodology.code,
        "methodology_version": run.methodology.version,
        "methodology_title": run.methodology.heading,
        "methodology_digest": run.methodology_digest,
        "period": run.period.code,
        "run": run.number,
        "run_id": run.pk,
        "input_hash": run.input_hash,
        "published_at": run.published_at.isoformat() if run.published_at else None,
    }


# --- leaderboard --------------------------------------------------------------------------


@dataclass
class LeaderboardQuery:
    q: str = ""
    group: str = ""  # "kind:label"
    sort: str = "rank"
    desc: bool = False

    @classmethod
    def from_request(cls, get) -> LeaderboardQuery:
        return cls(
            q=get.get("q", "").strip()[:100],
            group=get.get("group", "").strip()[:200],
            sort=get.get("sort", "rank").strip()[:80] or "rank",
            desc=get.get("dir") == "desc",
        )


def group_kind_label(kind: str) -> str:
    """The heading of a column of unit groups: a known kind in the reader's language."""
    known = {"region": _("Region")}
    return str(known.get(kind, kind.replace("_", " ").capitalize()))


def leaderboard_columns(board: Board) -> list[Column]:
    cols = [
        Column("rank", _("Rank"), RANK),
        Column("rank_change", _("Change in rank"), CHANGE),
        Column("unit", _("Code")),
        Column("name", _("Unit")),
    ]
    cols += [Column(f"group_{kind}", group_kind_label(kind)) for kind, _g in board.group_choices]
    cols += [
        Column(ROOT, board.name(ROOT), SCORE, ROOT),
        Column("score_change", _("Change in score"), DELTA),
    ]
    for node in board.pillars:
        cols += [
            Column(node, board.name(node), SCORE, node),
            Column(f"{node}_rank", _("%(pillar)s rank") % {"pillar": board.name(node)}, RANK, node),
        ]
    return cols


def header_rows(board: Board, columns: list[Column]) -> tuple[list[dict], list[Column]]:
    """Two header rows for a page: a pillar spans its score and rank columns."""
    top, sub = [], []
    pillar_of = {}
    for node in board.pillars:
        pillar_of[node] = node
        pillar_of[f"{node}_rank"] = node
    for col in columns:
        node = pillar_of.get(col.key)
        if node is None:
            top.append({"col": col, "span": 1, "rows": 2})
            continue
        if col.key == node:
            top.append({"label": board.name(node), "span": 2, "rows": 1})
        sub.append(Column(col.key, _("score") if col.key == node else _("rank"), col.kind, node))
    return top, sub


def _leaderboard_row(board: Board, row: UnitRow) -> dict:
    out = {
        "rank": row.index.rank,
        "rank_change": row.rank_change,
        "unit": row.code,
        "name": row.name,
        ROOT: row.index.score,
        "score_change": row.score_change,
    }
    for kind, _g in board.group_choices:
        out[f"group_{kind}"] = row.groups.get(kind, "")
    for node in board.pillars:
        cell = row.cells.get(node) or Cell(None, None)
        out[node], out[f"{node}_rank"] = cell.score, cell.rank
    return out


def leaderboard(board: Board, query: LeaderboardQuery) -> Table:
    columns = leaderboard_columns(board)
    rows = [_leaderboard_row(board, r) for r in board.rows()]
    if query.group and ":" in query.group:
        kind, label = query.group.split(":", 1)
        rows = [r for r in rows if r.get(f"group_{kind}") == label]
    if query.q:
        needle = fold(query.q)
        rows = [r for r in rows if needle in fold(r["name"]) or needle in fold(r["unit"])]
    keys = {c.key: c for c in columns}
    if query.sort in keys and query.sort != "rank":
        col = keys[query.sort]
        present = [r for r in rows if r.get(col.key) is not None]
        missing = [r for r in rows if r.get(col.key) is None]
        if col.kind == TEXT or col.kind not in (SCORE, RANK, CHANGE, DELTA):
            present.sort(key=lambda r: fold(str(r[col.key])), reverse=query.desc)
        else:
            present.sort(key=lambda r: r[col.key], reverse=query.desc)
        rows = present + missing
    elif query.desc:
        rows = list(reversed(rows))
    return Table(
        name=f"leaderboard-{board.run.methodology.code}-{board.run.period.code}",
        title=f"{board.run.methodology.heading} · {board.run.period.code}",
        columns=columns,
        rows=rows,
        meta=run_meta(board)
        | {
            "filters": {
                "q": query.q,
                "group": query.group,
                "sort": query.sort,
                "dir": "desc" if query.desc else "asc",
            }
        },
    )


# --- scorecard ----------------------------------------------------------------------------


def pillar_profile(board: Board, unit: str) -> list[dict]:
    """Per column (index, pillars): the unit's score and rank, the median over all units
    and the mean of the ten units ranked best in the index."""
    cells = board.cells(board.columns)
    ranked = sorted(
        (c[ROOT].rank, u) for u, c in cells.items() if ROOT in c and c[ROOT].rank is not None
    )
    top = [u for _r, u in ranked[:10]]
    out = []
    for node in board.columns:
        values = [c[node].score for c in cells.values() if node in c and c[node].score is not None]
        top_values = [
            cells[u][node].score
            for u in top
            if node in cells[u] and cells[u][node].score is not None
        ]
        mine = cells.get(unit, {}).get(node) or Cell(None, None)
        out.append(
            {
                "node": node,
                "name": board.name(node),
                "score": mine.score,
                "rank": mine.rank,
                "median": statistics.median(values) if values else None,
                "top10": statistics.fmean(top_values) if top_values else None,
                "count": len(values),
            }
        )
    return out


def indicator_standing(board: Board, unit: str) -> list[dict]:
    """The unit's scored indicators with score, rank and raw value, best standing first
    (rank among the units that have a score for it)."""
    cells = board.unit_cells(unit)
    raw = board.unit_inputs(unit)
    counts = _indicator_counts(board)
    rows = []
    for code in board.indicators:
        spec = board.m.nodes[code].spec
        if spec.weight == 0 or spec.max_points == 0:
            continue
        cell = cells.get(code)
        if cell is None or cell.rank is None:
            continue
        n = counts.get(code, 0)
        rows.append(
            {
                "node": code,
                "name": board.name(code),
                "raw": raw.get(code),
                "score": cell.score,
                "rank": cell.rank,
                "of": n,
                "standing": (cell.rank - 1) / (n - 1) if n > 1 else 0.0,
            }
        )
    rows.sort(key=lambda r: (r["standing"], r["node"]))
    return rows


def _indicator_counts(board: Board) -> dict[str, int]:
    from django.db.models import Count

    from dxscore.web.scores.models import NodeScore

    return dict(
        NodeScore.objects.filter(run=board.run, node__in=board.indicators, rank__isnull=False)
        .values("node")
        .annotate(n=Count("id"))
        .values_list("node", "n")
    )


def scorecard(board: Board, unit: str) -> Table:
    """Every node of one unit: score, rank, raw value, and the median over all units."""
    cells = board.unit_cells(unit)
    raw = board.unit_inputs(unit)
    all_scores: dict[str, list[float]] = {}
    for node, score in board.run.scores.filter(score__isnull=False).values_list("node", "score"):
        all_scores.setdefault(node, []).append(score)
    columns = [
        Column("node", _("Code")),
        Column("name", _("Name")),
        Column("kind", _("Kind")),
        Column("raw", _("Raw value"), NUMBER),
        Column("score", _("Score"), SCORE),
        Column("rank", _("Rank"), RANK),
        Column("median", _("Median of all units"), SCORE),
    ]
    rows = []
    for node in _node_order(board):
        cell = cells.get(node)
        if cell is None:
            continue
        values = all_scores.get(node, [])
        rows.append(
            {
                "node": node,
                "name": board.name(node),
                "kind": node_kind_label("index" if node == ROOT else board.m.nodes[node].kind),
                "raw": raw.get(node),
                "raw_kind": raw_kind(board.m, node),
                "score": cell.score,
                "rank": cell.rank,
                "median": statistics.median(values) if values else None,
            }
        )
    return Table(
        name=f"scorecard-{board.run.methodology.code}-{board.run.period.code}-{unit}",
        title=" · ".join(
            (board.unit_name(unit), board.run.methodology.heading, board.run.period.code)
        ),
        columns=columns,
        rows=rows,
        meta=run_meta(board) | {"unit": unit, "unit_name": board.unit_name(unit)},
    )


def node_kind_label(kind: str) -> str:
    """A node's kind in the reader's language (the methodology's ``index``, an
    ``aggregate`` of other nodes, an ``indicator``)."""
    labels = {
        "index": pgettext("node kind", "index"),
        "aggregate": pgettext("node kind", "aggregate"),
        "indicator": pgettext("node kind", "indicator"),
    }
    return labels.get(kind, kind)


def _node_order(board: Board) -> list[str]:
    order = [ROOT, *board.pillars]
    seen = set(order)
    for code in board.m.nodes:
        if code not in seen:
            order.append(code)
            seen.add(code)
    return order


# --- indicator page -----------------------------------------------------------------------


def node_values(board: Board, node: str) -> Table:
    """One node across all units: raw value (indicators), score and rank, best first."""
    cells = board.cells([node])
    raw = board.raw_values(node) if node in board.m.indicators else {}
    columns = [
        Column("rank", _("Rank"), RANK),
        Column("unit", _("Code")),
        Column("name", _("Unit")),
    ]
    if node in board.m.indicators:
        columns.append(Column("raw", _("Raw value"), raw_kind(board.m, node)))
    columns.append(Column("score", _("Score"), SCORE, node))
    rows = []
    for unit, c in cells.items():
        cell = c.get(node)
        rows.append(
            {
                "rank": cell.rank,
                "unit": unit,
                "name": board.unit_name(unit),
                "raw": raw.get(unit),
                "score": cell.score,
            }
        )
    rows.sort(key=lambda r: (r["rank"] if r["rank"] is not None else 10**9, r["unit"]))
    return Table(
        name=f"node-{board.run.methodology.code}-{board.run.period.code}-{node}",
        title=f"{board.name(node)} · {board.run.period.code}",
        columns=columns,
        rows=rows,
        meta=run_meta(board) | {"node": node},
    )


# --- comparison ---------------------------------------------------------------------------


def comparison(board: Board, units: list[str]) -> Table:
    """Every node (rows) for two to four units (columns: score and rank of each)."""
    cells = board.cells(list(board.m.nodes), units)
    columns = [Column("node", _("Code")), Column("name", _("Name"))]
    for u in units:
        columns += [
            Column(f"{u}_score", board.unit_name(u), SCORE),
            Column(f"{u}_rank", _("%(unit)s rank") % {"unit": board.unit_name(u)}, RANK),
        ]
    rows = []
    for node in _node_order(board):
        row = {"node": node, "name": board.name(node)}
        for u in units:
            cell = cells.get(u, {}).get(node) or Cell(None, None)
            row[f"{u}_score"], row[f"{u}_rank"] = cell.score, cell.rank
        rows.append(row)
    return Table(
        name=f"compare-{board.run.methodology.code}-{board.run.period.code}-{'-'.join(units)}",
        title=_("Comparison") + f" · {board.run.period.code}",
        columns=columns,
        rows=rows,
        meta=run_meta(board) | {"compared": units},
    )


# --- map ----------------------------------------------------------------------------------


def map_units(board: Board, node: str) -> list[dict]:
    """Every unit the map colours by ``node``: code, name, score and rank, by code (the
    order of the page's table)."""
    cells = board.cells([node])
    return sorted(
        (
            {
                "code": u,
                "name": board.unit_name(u),
                "score": c[node].score,
                "rank": c[node].rank,
            }
            for u, c in cells.items()
        ),
        key=lambda u: u["code"],
    )


def map_values(board: Board, node: str) -> Table:
    """What the map shows: each unit with the score and rank it is coloured by."""
    columns = [
        Column("unit", _("Code")),
        Column("name", _("Unit")),
        Column("score", board.name(node), SCORE, node),
        Column("rank", _("Rank"), RANK),
    ]
    rows = [
        {"unit": u["code"], "name": u["name"], "score": u["score"], "rank": u["rank"]}
        for u in map_units(board, node)
    ]
    return Table(
        name=f"map-{board.run.methodology.code}-{board.run.period.code}-{node}",
        title=_("%(node)s by unit, %(period)s")
        % {"node": board.name(node), "period": board.run.period.code},
        columns=columns,
        rows=rows,
        meta=run_meta(board) | {"node": node, "node_name": board.name(node)},
    )


# --- what-if ------------------------------------------------------------------------------


def whatif(board: Board, unit: str, rows: list[dict], changes: dict[str, float]) -> Table:
    """The what-if page's table (every node's score and rank now and after the changes)
    with each indicator's raw value now and as simulated."""
    current = board.unit_inputs(unit)
    columns = [
        Column("node", _("Code")),
        Column("name", _("Node")),
        Column("kind", _("Kind")),
        Column("raw_now", _("Raw value now"), NUMBER),
        Column("raw_after", _("Raw value simulated"), NUMBER),
        Column("score_before", _("Score now"), SCORE),
        Column("score_after", _("Score after"), SCORE),
        Column("rank_before", _("Rank now"), RANK),
        Column("rank_after", _("Rank after"), RANK),
        Column("gain", _("Places gained"), CHANGE),
    ]
    out = []
    for r in rows:
        code = r["node"]
        indicator = code in board.m.indicators
        out.append(
            {
                **r,
                "raw_now": current.get(code) if indicator else None,
                "raw_after": changes.get(code, current.get(code)) if indicator else None,
            }
        )
    return Table(
        name=f"whatif-{board.run.methodology.code}-{board.run.period.code}-{unit}",
        title=_("What-if simulator")
        + f" · {board.unit_name(unit)} · {board.run.methodology.title} · {board.run.period.code}",
        columns=columns,
        rows=out,
        meta=run_meta(board)
        | {"unit": unit, "unit_name": board.unit_name(unit), "changes": changes},
    )


def indicators(methodology, m) -> Table:
    """A methodology version's indicators as its pages list them (the staff page and the
    public page of a run's version): code, name, unit of measure, valid range, which way
    is better, the node it is part of and its help."""
    from dxscore.web.data.methodologies import indicator_rows

    columns = [
        Column("code", _("Code")),
        Column("name", _("Indicator")),
        Column("measure", _("Unit of measure")),
        Column("low", _("Valid from"), NUMBER),
        Column("high", _("Valid to"), NUMBER),
        Column("better", _("Better")),
        Column("parent", _("Part of")),
        Column("help", _("Description")),
    ]
    rows = []
    for r in indicator_rows(m):
        low, high = r["range"] if r["range"] else (None, None)
        rows.append(
            {
                **r,
                "low": low,
                "high": high,
                "better": str(_("higher") if r["direction"] == 1 else _("lower")),
            }
        )
    return Table(
        name=f"indicators-{methodology.code}-{methodology.version}",
        title=f"{methodology.heading} · {methodology.code} v{methodology.version}",
        columns=columns,
        rows=rows,
        meta={
            "methodology": methodology.code,
            "version": methodology.version,
            "digest": m.digest,
        },
    )
