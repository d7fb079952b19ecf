"""The public-service dashboard's numbers: stored dossier measures (``dossierdata``) and
the Decision 766 points the engine computes from them with the built-in ``vn-766``
methodology. Nothing here reads dossier records: the worker computed the measures."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from dxscore import index as ix
from dxscore.web.dossierdata.models import DossierMeasure

GRAINS = ("year", "quarter", "month")
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
def methodology() -> ix.Methodology:
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


def measures(units: list[int], grain: str, periods: list[str] | None = None) -> pd.DataFrame:
    """Long table ``unit_id, unit, period, measure, value`` of stored measures."""
    rows = DossierMeasure.objects.filter(unit_id__in=units, grain=grain, value__isnull=False)
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
