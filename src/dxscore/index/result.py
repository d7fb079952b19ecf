"""The result of a computation: tidy scores and ranks, and explanations.

``Result.to_frame()`` is the published table (one row per unit, period and node);
``Result.explain(unit, period)`` traces one unit's score down to its raw values.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from dxscore.index import steps
from dxscore.index.arrays import Bools, Floats
from dxscore.index.data import Dataset
from dxscore.index.methodology import ROOT, CompiledMethodology
from dxscore.index.stages import Aggregation, IndicatorStages

FRAME_COLUMNS = ["unit", "period", "node", "kind", "score", "rank", "rank_change", "points"]


class Result:
    def __init__(
        self,
        methodology: CompiledMethodology,
        data: Dataset,
        stages: IndicatorStages,
        aggregation: Aggregation,
    ):
        self.methodology = methodology
        self.data = data
        self.stages = stages
        self.aggregation = aggregation
        # values carried across unit changes (dxscore.lineage.compute sets it): one row per
        # period, unit, input and predecessor (dxscore.lineage.carry.TRAIL_COLUMNS)
        self.carried: pd.DataFrame | None = None

    # --- arrays ---------------------------------------------------------------------

    @property
    def scores(self) -> dict[str, Floats]:
        return self.aggregation.scores

    @property
    def reference(self) -> Bools:
        """``(U,)``: the units shown but not ranked (``reference``)."""
        if self.data.reference is None:
            return np.zeros(len(self.data.units), dtype=bool)
        return self.data.reference

    @cached_property
    def ranks(self) -> dict[str, Floats]:
        """Per node ``(P, U)``: ranks of the scores rounded by each period's rank rounding
        (its edition's, else the file's); reference units have none."""
        roundings = [self.methodology.rank_rounding_for(p) for p in self.data.periods]
        ranked = ~self.reference
        return {c: steps.rank_periods(s, roundings, ranked) for c, s in self.scores.items()}

    @cached_property
    def rank_changes(self) -> dict[str, Floats]:
        """Places gained since the previous edition declared in the methodology
        (``editions``; none for a period that is not an edition or whose previous edition
        has no data), or, without editions, since the previous period in the data."""
        previous = None
        if self.methodology.editions:
            periods = self.data.periods
            before = [self.methodology.previous_edition(p) for p in periods]
            previous = [periods.index(b) if b in periods else -1 for b in before]
        return {c: steps.rank_change(r, previous) for c, r in self.ranks.items()}

    @cached_property
    def node_order(self) -> list[str]:
        """Nodes top-down: the index tree in pre-order, then the side nodes."""
        order: list[str] = []
        nodes = self.methodology.nodes

        def visit(code: str) -> None:
            order.append(code)
            for child in nodes[code].children:
                if nodes[child].parent == code:
                    visit(child)

        visit(ROOT)
        for code in self.methodology.side_nodes:
            visit(code)
        return order

    # --- tables ---------------------------------------------------------------------

    def to_frame(self, period: str | None = None) -> pd.DataFrame:
        """Tidy table: ``unit, period, node, kind, score, rank, rank_change, points``."""
        periods = self._period_slice(period)
        units = np.asarray(self.data.units, dtype=object)
        frames = []
        for code in self.node_order:
            kind = "index" if code == ROOT else self.methodology.nodes[code].kind
            for p in periods:
                present = self.data.present[p]
                frames.append(
                    pd.DataFrame(
                        {
                            "unit": units[present],
                            "period": self.data.periods[p],
                            "node": code,
                            "kind": kind,
                            "score": self.scores[code][p][present],
                            "rank": self.ranks[code][p][present],
                            "rank_change": self.rank_changes[code][p][present],
                            "points": self.aggregation.points[code][p][present],
                        }
                    )
                )
        frame = pd.concat(frames, ignore_index=True)
        for col in ("rank", "rank_change"):
            frame[col] = frame[col].astype("Int64")
        if frame["points"].isna().all():
            frame = frame.drop(columns="points")
        if self.reference.any():  # shown but not ranked: no rank, marked
            marked = {u for u, r in zip(self.data.units, self.reference, strict=True) if r}
            frame["reference"] = frame["unit"].isin(marked)
        if self.carried is not None:
            frame["carried_from"] = self._carried_from(frame)
        return frame

    def _carried_from(self, frame: pd.DataFrame) -> pd.Series:
        """Per row of ``to_frame``: the units its values were carried from ("" if none)."""
        trail = self.carried if self.carried is not None else pd.DataFrame()
        if trail.empty:
            return pd.Series("", index=frame.index, dtype=object)
        sources = (
            trail.groupby(["unit", "period"], sort=False)["from_unit"]
            .agg(lambda s: ",".join(dict.fromkeys(s)))
            .to_dict()
        )
        keys = zip(frame["unit"], frame["period"], strict=True)
        return pd.Series([sources.get(k, "") for k in keys], index=frame.index, dtype=object)

    def ranking(self, period: str | None = None, nodes: list[str] | None = None) -> pd.DataFrame:
        """One row per unit for a period, best first: rank, unit, name, index and ``nodes``.

        Reference units (no rank; column ``reference``, present when there are any) are
        listed where their score places them among the ranked units."""
        p = self._period_slice(period)[-1]
        present: Bools = self.data.present[p]  # numpy types an indexed row as Any
        cols = nodes if nodes is not None else self.top_nodes()
        ranks = self.ranks[ROOT][p]
        index = self.scores[ROOT][p]
        table = pd.DataFrame(
            {
                "rank": ranks,
                "unit": self.data.units,
                "name": [self.data.names.get(u, "") for u in self.data.units],
                "index": index,
                "rank_change": self.rank_changes[ROOT][p],
            }
        )
        for code in cols:
            table[code] = self.scores[code][p]
        reference = self.reference
        # where a reference unit goes: just above the first ranked unit it does not beat
        ranked_scores = index[~reference & present & ~np.isnan(ranks)]
        above = (ranked_scores[None, :] > index[:, None]).sum(axis=1)
        position = np.where(reference & ~np.isnan(index), above + 0.5, ranks)
        table["_position"] = position
        table["reference"] = reference
        table = table[present].sort_values(["_position", "unit"], na_position="last")
        table = table.drop(columns="_position" if reference.any() else ["_position", "reference"])
        table["rank"] = table["rank"].astype("Int64")
        table["rank_change"] = table["rank_change"].astype("Int64")
        return table.reset_index(drop=True)

    def top_nodes(self) -> list[str]:
        """The nodes a ranking shows next to the index: side nodes (pillar views) if the
        methodology has them, else the index's children."""
        if self.methodology.side_nodes:
            return list(self.methodology.side_nodes)
        return list(self.methodology.nodes[ROOT].children)

    def _period_slice(self, period: str | None) -> list[int]:
        if period is None:
            return list(range(len(self.data.periods)))
        return [self.data.period_index(period)]

    # --- explanation ----------------------------------------------------------------

    def _with_predecessors(
        self, rows: list[dict[str, Any]], unit: str, period: str
    ) -> list[dict[str, Any]]:
        """After each indicator row of a carried value, one row per predecessor (kind
        ``predecessor``): its code, name and raw value, its share in the unit and the carry
        rule; the indicator row gets ``carried_from``."""
        trail = self.carried if self.carried is not None else pd.DataFrame()
        mine = trail[(trail["unit"] == unit) & (trail["period"] == period)] if len(trail) else trail
        if mine.empty:
            return rows
        out: list[dict[str, Any]] = []
        for row in rows:
            out.append(row)
            if (
                row["kind"] != "indicator"
                or row["parent"] != self.methodology.nodes[row["node"]].parent
            ):
                continue  # under the indicator's place in the tree, not under each view
            parts = mine[mine["indicator"] == row["node"]]
            row["carried_from"] = ",".join(dict.fromkeys(parts["from_unit"]))
            for part in parts.itertuples(index=False):
                out.append(
                    {
                        "node": row["node"],
                        "name": part.from_name,
                        "kind": "predecessor",
                        "parent": row["node"],
                        "depth": row["depth"] + 1,
                        "raw": part.from_value,
                        "weight": np.nan,
                        "share": part.share,
                        "from_unit": part.from_unit,
                        "carry": part.carry,
                    }
                )
        return out

    def explain(self, unit: str, period: str) -> pd.DataFrame:
        """Every node of one unit and period, top-down, with its parent.

        Columns: ``node, name, kind, parent, depth, raw, denominator, denominated,
        imputed, treatment, normalised, score, rank, points, max_points, weight,
        share, weight_in_index, contribution``. ``share`` is the node's effective weight
        within that parent; ``contribution`` its part of the parent's score (the
        contributions of a parent's children add up to the parent's score). A node that
        belongs to several parents (a side view) has a row per parent. On a result of
        ``dxscore.lineage.compute``, an indicator whose value was carried from other units
        is followed by one ``predecessor`` row per unit it came from (``from_unit``, its
        raw value, its ``share`` in this unit and the ``carry`` rule).
        """
        u = self.data.unit_index(unit)
        p = self.data.period_index(period)
        if not self.data.present[p, u]:
            raise KeyError(f"unit '{unit}' has no data in period '{period}'")
        m = self.methodology
        st = self.stages
        agg = self.aggregation
        rows = []
        global_weight = {ROOT: 1.0}

        def row(code: str, parent: str | None, depth: int) -> dict[str, Any]:
            node = m.nodes[code]
            spec = node.spec
            out = {
                "node": code,
                "name": node.name,
                "kind": "index" if code == ROOT else node.kind,
                "parent": parent,
                "depth": depth,
                "raw": np.nan,
                "denominator": np.nan,
                "denominated": np.nan,
                "imputed": False,
                "treatment": "",
                "normalised": np.nan,
                "score": agg.scores[code][p, u],
                "rank": self.ranks[code][p, u],
                "points": agg.points[code][p, u],
                "max_points": spec.max_points,
                "weight": spec.weight,
                "share": np.nan,
                "weight_in_index": np.nan,
                "contribution": np.nan,
            }
            if node.is_indicator:
                out["raw"] = st.raw[code][p, u]
                denominator = node.indicator_spec.denominator
                if denominator:
                    out["denominator"] = self.data.values[denominator][p, u]
                out["denominated"] = st.denominated[code][p, u]
                out["imputed"] = bool(st.imputed_mask[code][p, u])
                out["treatment"] = st.treatment[code][p].describe()
                out["normalised"] = st.normalised[code][p, u]
            if parent is not None:
                i = m.nodes[parent].children.index(code)
                out["share"] = agg.shares[parent][p, u, i]
                out["contribution"] = agg.contributions[parent][p, u, i]
                if parent in global_weight and node.parent == parent:
                    global_weight[code] = global_weight[parent] * out["share"]
            out["weight_in_index"] = global_weight.get(code, np.nan)
            return out

        def visit(code: str, parent: str | None, depth: int) -> None:
            rows.append(row(code, parent, depth))
            for child in m.nodes[code].children:
                if m.nodes[child].parent == code:
                    visit(child, code, depth + 1)
                else:  # a reference: list it under this node without descending again
                    rows.append(row(child, code, depth + 1))

        visit(ROOT, None, 0)
        for code in m.side_nodes:
            visit(code, None, 0)
        if self.carried is not None:
            rows = self._with_predecessors(rows, unit, period)
        table = pd.DataFrame(rows)
        if self.reference[u]:  # shown but not ranked
            table["reference"] = True
        table["rank"] = table["rank"].astype("Int64")
        return table
