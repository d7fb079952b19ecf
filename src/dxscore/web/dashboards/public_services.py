"""The public-service dashboard's numbers: stored dossier measures (``dossierdata``) and
the Decision 766 points the engine computes from them with the built-in ``vn-766``
methodology. Nothing here reads dossier records: the worker computed the measures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dxscore import index as ix
from dxscore import periods, texts
from dxscore.web.dashboards.queries import fold
from dxscore.web.dashboards.tables import Column as TableColumn
from dxscore.web.dashboards.tables import Table
from dxscore.web.dossierdata.models import DossierMeasure, Procedure, ProcedureMeasure

KINDS = tuple(reversed(periods.KINDS))  # coarsest first, as the page offers them
SHOWN_MEASURES = (
    "received",
    "online_share",
    "timeliness_rate",
    "paid_online_share",
    "digitised_share",
    "electronic_result_share",
    "reuse_share",
)


@lru_cache(maxsize=1)
def methodology() -> ix.CompiledMethodology:
    return ix.load("vn-766")


def groups() -> list[tuple[str, str, float, list[str]]]:
    """(code, name, max points, indicator codes) of each 766 group."""
    m = methodology()
    out = []
    for code in m.nodes["index"].children:
        node = m.nodes[code]
        out.append((code, node.name, node.spec.max_points, list(node.children)))
    return out


@dataclass
class GroupPoints:
    code: str
    name: str
    max_points: float
    points: float | None  # None: no input of the group was computed from dossiers
    missing: list[str] = field(default_factory=list)  # the group's indicators without input


def measures(units: list[int], kind: str, periods: list[str] | None = None) -> pd.DataFrame:
    """Long table ``unit_id, unit, period, measure, value`` of stored measures."""
    rows = DossierMeasure.objects.filter(unit_id__in=units, kind=kind, value__isnull=False)
    if periods is not None:
        rows = rows.filter(period__in=periods)
    frame = pd.DataFrame(
        list(rows.values_list("unit_id", "unit__code", "period", "measure", "value")),
        columns=["unit_id", "unit", "period", "measure", "value"],
    )
    return frame


def points_766(frame: pd.DataFrame) -> dict[tuple[str, str], list[GroupPoints]]:
    """766 points per group for every (unit code, period) in ``frame`` (long measures)."""
    m = methodology()
    inputs = frame[frame["measure"].isin(m.indicators)].rename(columns={"measure": "indicator"})
    if inputs.empty:
        return {}
    data = ix.dataset_from_frame(
        inputs[["unit", "period", "indicator", "value"]],
        m,
        source="dossier measures",
        partial=True,
    )
    table = ix.compute(m, data).to_frame()
    points = {(r.unit, r.period, r.node): r.points for r in table.itertuples()}
    present = inputs.groupby(["unit", "period"])["indicator"].agg(set).to_dict()
    out = {}
    for key, have in present.items():
        cells = []
        for code, name, max_points, children in groups():
            missing = [c for c in children if c not in have]
            value = None if len(missing) == len(children) else points.get((*key, code))
            cells.append(GroupPoints(code, name, max_points, value, missing))
        out[key] = cells
    return out


def total(cells: list[GroupPoints]) -> tuple[float, float]:
    """Points of the groups that have inputs, and the maximum of those groups."""
    shown = [c for c in cells if c.points is not None]
    return sum(c.points for c in shown), sum(c.max_points for c in shown)


# --- procedures -----------------------------------------------------------------------------

# (key, label, shape): shares are rates in [0, 1] (shown 96.8%), counts grouped integers,
# days and the rating with one decimal (the table kinds of ``tables.FIGURES``).
PROCEDURE_COLUMNS = (
    ("procedure", gettext_lazy("Procedure"), "text"),
    ("name", gettext_lazy("Name"), "text"),
    ("received", gettext_lazy("Received"), "count"),
    ("online_share", gettext_lazy("Received online"), "share"),
    ("finished", gettext_lazy("Finished"), "count"),
    ("on_time_rate", gettext_lazy("Finished on time"), "share"),
    ("open_at_end", gettext_lazy("Open at the end"), "count"),
    ("open_overdue", gettext_lazy("Open and overdue"), "count"),
    ("late", gettext_lazy("Late"), "count"),
    ("timeliness_rate", gettext_lazy("Timeliness rate"), "share"),
    ("points_lost", gettext_lazy("Timeliness points lost"), "points"),
    ("avg_processing_days", gettext_lazy("Average days"), "days"),
    ("paid_online_share", gettext_lazy("Paid online"), "share"),
    ("digitised_share", gettext_lazy("Digitised"), "share"),
    ("electronic_result_share", gettext_lazy("Electronic result"), "share"),
    ("satisfaction", gettext_lazy("Satisfaction (1-5)"), "days"),
)
PROCEDURE_KEYS = tuple(c[0] for c in PROCEDURE_COLUMNS)
TIMELINESS_POINTS = 20  # the timeliness group of vn-766: 20 x timeliness_rate


@dataclass
class ProcedureQuery:
    q: str = ""
    sort: str = "points_lost"
    desc: bool = True

    @classmethod
    def from_request(cls, get) -> ProcedureQuery:
        sort = get.get("sort", "points_lost")
        return cls(
            q=get.get("q", "").strip()[:100],
            sort=sort if sort in PROCEDURE_KEYS else "points_lost",
            desc=get.get("dir", "desc" if "sort" not in get else "asc") == "desc",
        )


def procedure_names(codes) -> dict[str, str]:
    """Procedure code -> name in the reader's language (else as the catalogue gives it)."""
    rows = Procedure.objects.filter(code__in=list(codes)).values_list(
        "code", "name", "translations"
    )
    return {code: texts.translated(name, tr) for code, name, tr in rows}


def procedure_rows(unit_ids: list[int], kind: str, period: str) -> list[dict]:
    """One dict per stored (unit, procedure) of the period: the measures, ``late`` and
    ``points_lost``, the Decision 766 timeliness points the procedure costs its unit:
    20 x its late dossiers / the unit's finished and open dossiers. A unit's procedures'
    points lost add up to 20 x (1 - the unit's timeliness rate)."""
    fields = ("unit_id", "procedure", *ProcedureMeasure.COUNTS, *ProcedureMeasure.RATES)
    rows = list(
        ProcedureMeasure.objects.filter(unit_id__in=unit_ids, kind=kind, period=period).values(
            *fields
        )
    )
    counted: dict[int, int] = {}
    for r in rows:
        counted[r["unit_id"]] = counted.get(r["unit_id"], 0) + r["finished"] + r["open_at_end"]
    for r in rows:
        add_points_lost(r, counted[r["unit_id"]])
    return rows


def add_points_lost(row: dict, counted: int) -> None:
    """``late`` (finished late, or open and overdue) and ``points_lost`` of a procedure's
    row, given its unit's finished and open dossiers of every procedure (``counted``)."""
    row["late"] = ProcedureMeasure.late_of(row)
    row["points_lost"] = TIMELINESS_POINTS * row["late"] / counted if counted else None


def procedure_table(unit, kind: str, period: str, query: ProcedureQuery) -> Table:
    """The unit's procedures in a period, searched and sorted as asked: what the
    procedures page shows and its downloads carry."""
    rows = procedure_rows([unit.pk], kind, period)
    names = procedure_names(r["procedure"] for r in rows)
    for r in rows:
        r["name"] = names.get(r["procedure"], "")
    if query.q:
        wanted = fold(query.q)
        rows = [r for r in rows if wanted in fold(f"{r['procedure']} {r['name']}")]

    # ties by procedure code; empty values last in either direction (a stable sort)
    rows.sort(key=lambda r: r["procedure"])
    text = query.sort in ("procedure", "name")
    present = [r for r in rows if r.get(query.sort) not in (None, "")]
    present.sort(key=lambda r: fold(r[query.sort]) if text else r[query.sort], reverse=query.desc)
    rows = present + [r for r in rows if r.get(query.sort) in (None, "")]
    columns = [TableColumn(k, str(label), shape) for k, label, shape in PROCEDURE_COLUMNS]
    return Table(
        name=f"procedures-{unit.code}-{period}",
        title=_("Procedures of %(u)s, %(p)s") % {"u": unit.name, "p": period},
        columns=columns,
        rows=rows,
        meta={
            "unit": unit.code,
            "unit_name": unit.name,
            "kind": kind,
            "period": period,
            "search": query.q,
            "sort": query.sort,
            "descending": query.desc,
            "source": "dossier measures per procedure (dxscore.dossiers, latest measures job)",
        },
    )


def unit_points(unit, kind: str) -> dict[str, list[GroupPoints]]:
    """Decision 766 points per group of ``unit`` alone in every period of ``kind`` that
    has measures: the dashboard's trend of the unit (period -> groups)."""
    return {period: cells for (_u, period), cells in points_766(measures([unit.pk], kind)).items()}


# --- downloads of the dashboard and of a procedure's page ----------------------------------

MEASURE_LABELS = {
    "received": gettext_lazy("Received"),
    "online_share": gettext_lazy("Received online"),
    "timeliness_rate": gettext_lazy("Timeliness rate"),
    "paid_online_share": gettext_lazy("Paid online"),
    "digitised_share": gettext_lazy("Digitised"),
    "electronic_result_share": gettext_lazy("Electronic result"),
    "reuse_share": gettext_lazy("Received with reused data"),
}


def measure_label(code: str) -> str:
    return str(MEASURE_LABELS.get(code, code))


def dashboard_table(unit, kind: str, period: str, rows: list[dict]) -> Table:
    """The dashboard's units (the unit asked for, all of it, then each unit directly
    under it, as the page lists them): 766 points per group and their total, the share of
    records with warnings, and the measures of the period."""
    columns = [
        TableColumn("unit", _("Code")),
        TableColumn("name", _("Unit")),
        TableColumn("row", _("Row")),
    ]
    for code, name, max_points, _children in groups():
        columns.append(TableColumn(f"points_{code}", f"{name} (/ {max_points:g})", "points"))
    columns += [
        TableColumn("points_total", _("Points from dossier inputs"), "points"),
        TableColumn("points_max", _("Maximum of the groups with inputs"), "points"),
        TableColumn("records", _("Records"), "count"),
        TableColumn("with_warnings", _("With warnings"), "count"),
        TableColumn("warning_share", _("Records with warnings"), "share"),
    ]
    columns += [
        TableColumn(m, measure_label(m), "count" if m == "received" else "share")
        for m in SHOWN_MEASURES
    ]
    out = []
    for r in rows:
        q = r.get("quality")
        row = {
            "unit": r["unit"].code,
            "name": r["unit"].name,
            "row": _("all of it") if r["self"] else _("directly under"),
            "points_total": r["total"],
            "points_max": r["out_of"],
            "records": q.records if q else None,
            "with_warnings": q.with_warnings if q else None,
            "warning_share": q.share if q else None,
        }
        row |= {f"points_{c.code}": c.points for c in r["cells"]}
        row |= dict(r["values"])
        if isinstance(row.get("received"), float) and row["received"].is_integer():
            row["received"] = int(row["received"])  # a count, as the page shows it
        out.append(row)
    return Table(
        name=f"services-{unit.code}-{period}",
        title=_("Public-service dashboard") + f" · {unit.name} · {period}",
        columns=columns,
        rows=out,
        meta={
            "unit": unit.code,
            "unit_name": unit.name,
            "kind": kind,
            "period": period,
            "methodology": "vn-766",
            "source": "dossier measures (dxscore.dossiers, latest measures job)",
        },
    )


def procedure_page_table(
    unit, procedure: str, name: str, kind: str, period: str, history: list[dict], children
) -> Table:
    """A procedure's page: its figures at ``unit`` in every period of the kind, then in
    ``period`` at each unit directly under ``unit`` (most late dossiers first; a unit
    without dossiers of it has empty figures)."""
    figures = [c for c in PROCEDURE_COLUMNS if c[0] not in ("procedure", "name")]
    columns = [
        TableColumn("unit", _("Code")),
        TableColumn("unit_name", _("Unit")),
        TableColumn("period", _("Period")),
    ] + [TableColumn(k, str(label), shape) for k, label, shape in figures]
    keys = [k for k, _label, _shape in figures]
    rows = [
        {"unit": unit.code, "unit_name": unit.name} | {k: r.get(k) for k in ("period", *keys)}
        for r in history
    ]
    for child in children:
        found = child["row"] or {}
        rows.append(
            {"unit": child["unit"].code, "unit_name": child["unit"].name, "period": period}
            | {k: found.get(k) for k in keys}
        )
    return Table(
        name=re.sub(r"[^\w.-]", "_", f"procedure-{procedure}-{unit.code}-{period}", flags=re.A),
        title=f"{procedure} {name}".strip() + f" · {unit.name} · {period}",
        columns=columns,
        rows=rows,
        meta={
            "procedure": procedure,
            "procedure_name": name,
            "unit": unit.code,
            "unit_name": unit.name,
            "kind": kind,
            "period": period,
            "source": "dossier measures per procedure (dxscore.dossiers, latest measures job)",
        },
    )
