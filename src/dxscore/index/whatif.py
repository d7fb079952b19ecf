"""What-if analysis: what would move one unit's rank?

``whatif`` changes raw values of one unit and recomputes every node. ``levers`` finds,
for each indicator, the smallest raw improvement that gains at least one rank, the rank
reached by bringing it to the median of the units ranked above, and (with a target rank)
the least total normalised effort that reaches that rank (a linear programme).

Searches evaluate many candidate values at once: the changed indicator goes through its
steps with a leading candidate axis and the tree is aggregated for all candidates in one
pass. Every reported claim is then checked by recomputing the full index with
``compute``, and a claim that does not hold is not reported.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from dxscore.index import steps
from dxscore.index.arrays import Bools, Floats
from dxscore.index.data import Dataset
from dxscore.index.errors import DataError
from dxscore.index.methodology import ROOT, CompiledMethodology, IndicatorSpec
from dxscore.index.pipeline import aggregate_all, compute, indicator_steps, prepare_indicators

GRID = 33  # candidates per refinement round
ROUNDS = 4  # refinement rounds: resolution span / 32**4, about a millionth of the span


def with_changes(data: Dataset, unit: str, period: str, changes: dict[str, float]) -> Dataset:
    """A copy of ``data`` with some raw values of one unit and period replaced."""
    u, p = data.unit_index(unit), data.period_index(period)
    values = dict(data.values)
    for code, value in changes.items():
        if code not in values:
            raise KeyError(f"unknown indicator '{code}'")
        arr = values[code].copy()
        arr[p, u] = value
        values[code] = arr
    new = copy.copy(data)
    new.values = values
    return new


def _check_changes(m: CompiledMethodology, changes: dict[str, float]) -> None:
    problems = []
    for code, value in changes.items():
        if code not in m.nodes or not m.nodes[code].is_indicator:
            problems.append((code, f"not an indicator of {m.label}"))
            continue
        rng = m.nodes[code].indicator_spec.range
        if rng is not None and (
            (rng[0] is not None and value < rng[0]) or (rng[1] is not None and value > rng[1])
        ):
            problems.append((code, f"{value:g} is outside the valid range {list(rng)}"))
    if problems:
        raise DataError("--set", problems)


def whatif(
    m: CompiledMethodology, data: Dataset, unit: str, period: str, changes: dict[str, float]
) -> pd.DataFrame:
    """Every node's score and rank for ``unit`` in ``period`` before and after ``changes``
    (raw values in the indicators' own units)."""
    _check_changes(m, changes)
    before = compute(m, data)
    after = compute(m, with_changes(data, unit, period, changes))
    u, p = data.unit_index(unit), data.period_index(period)
    rows = []
    for code in before.node_order:
        rows.append(
            {
                "node": code,
                "name": m.nodes[code].name,
                "kind": "index" if code == ROOT else m.nodes[code].kind,
                "raw_before": data.values[code][p, u] if code in data.values else np.nan,
                "raw_after": changes.get(code, data.values[code][p, u])
                if code in data.values
                else np.nan,
                "score_before": before.scores[code][p, u],
                "score_after": after.scores[code][p, u],
                "rank_before": before.ranks[code][p, u],
                "rank_after": after.ranks[code][p, u],
            }
        )
    table = pd.DataFrame(rows)
    table["rank_gain"] = table["rank_before"] - table["rank_after"]
    for col in ("rank_before", "rank_after", "rank_gain"):
        table[col] = table[col].astype("Int64")
    return table


# --- levers --------------------------------------------------------------------------


@dataclass
class Levers:
    table: pd.DataFrame  # one row per indicator
    current_rank: int
    target_rank: int | None = None
    path_rank: int | None = None  # the rank the path reaches, verified
    path_effort: float | None = None


class _Probe:
    """Index ranks of one unit when one indicator's raw value takes many candidates."""

    def __init__(self, m: CompiledMethodology, data: Dataset, unit: str, period: str, node: str):
        self.m, self.data, self.node = m, data, node
        self.u, self.p = data.unit_index(unit), data.period_index(period)
        self.stages = prepare_indicators(m, data)
        self.base = {c: v[self.p] for c, v in self.stages.normalised.items()}

    def _rank_of(self, normalised: dict[str, Floats]) -> tuple[Floats, Floats]:
        shape = np.broadcast_shapes(*(v.shape for v in normalised.values()))
        full = {c: np.broadcast_to(v, shape) for c, v in normalised.items()}
        reference = self.data.reference
        scores = aggregate_all(self.m, full, reference=reference).scores[self.node]
        rounding = self.m.rank_rounding_for(self.data.periods[self.p])
        ranks = steps.competition_rank(
            scores,
            rounding.digits if rounding else None,
            rounding.rule if rounding else "half_up",
            None if reference is None else ~reference,
        )
        return ranks[..., self.u], scores[..., self.u]

    def _normalised(self, code: str, candidates: Floats) -> Floats:
        """``code``'s normalised values in the period, ``(K, U)``, for each candidate raw
        value of the unit (all other units keep theirs)."""
        shape = (len(candidates), *self.data.present.shape)
        raw = np.broadcast_to(self.data.values[code], shape).copy()
        raw[:, self.p, self.u] = candidates
        *_, normalised = indicator_steps(self.m, code, raw, self.data)
        return normalised[:, self.p, :]

    def ranks(self, code: str, candidates: Floats) -> tuple[Floats, Floats]:
        """Rank and score of the unit for each candidate raw value of ``code``."""
        changed = dict(self.base)
        changed[code] = self._normalised(code, candidates)
        return self._rank_of(changed)

    def normalised_of(self, code: str, candidates: Floats) -> Floats:
        return self._normalised(code, candidates)[:, self.u]


def _declared_bound(spec: IndicatorSpec) -> bool:
    if spec.range is None:
        return False
    return spec.range[1 if spec.direction == 1 else 0] is not None


def _search_bounds(
    m: CompiledMethodology, data: Dataset, code: str, p: int, current: float
) -> float | None:
    """The raw value the search goes to: the valid range's end on the better side, else
    one observed span beyond the best observed value."""
    spec = m.nodes[code].indicator_spec
    observed = data.values[code][p][data.present[p]]
    observed = observed[~np.isnan(observed)]
    lo, hi = (np.nanmin(observed), np.nanmax(observed)) if observed.size else (0.0, 1.0)
    span = max(hi - lo, abs(hi), 1.0)
    if spec.direction == 1:
        bound = spec.range[1] if spec.range and spec.range[1] is not None else hi + span
        return bound if bound > current else None
    bound = spec.range[0] if spec.range and spec.range[0] is not None else min(lo - span, 0.0)
    return bound if bound < current else None


def _smallest_gain(
    probe: _Probe, code: str, current: float, bound: float, rank: float
) -> float | None:
    """The value nearest ``current`` on the way to ``bound`` whose rank beats ``rank``
    (grid refinement; assumes the rank does not get worse as the value improves)."""
    lo, hi = 0.0, 1.0  # fractions of the way from current to bound
    ranks, _ = probe.ranks(code, current + np.linspace(lo, hi, GRID)[1:] * (bound - current))
    if not (ranks < rank).any():
        return None
    for _ in range(ROUNDS):
        t = np.linspace(lo, hi, GRID)
        ranks, _ = probe.ranks(code, current + t * (bound - current))
        first = int(np.argmax(ranks < rank))
        if first == 0:
            return current
        lo, hi = t[first - 1], t[first]
    return current + hi * (bound - current)


def levers(
    m: CompiledMethodology,
    data: Dataset,
    unit: str,
    period: str,
    target_rank: int | None = None,
    node: str = ROOT,
) -> Levers:
    """Per indicator: the smallest raw value that gains at least one rank (checked by a
    full recomputation), the rank reached by bringing it to the median of the units
    ranked above; with ``target_rank``, the least-effort path to that rank."""
    probe = _Probe(m, data, unit, period, node)
    u, p = probe.u, probe.p
    nominal = compute(m, data)
    rank = nominal.ranks[node][p, u]
    if np.isnan(rank):
        raise KeyError(f"unit '{unit}' has no score for '{node}' in period '{period}'")
    better = (nominal.ranks[node][p] < rank) & data.present[p]
    rows = []
    for code in m.indicators:
        spec = m.nodes[code].indicator_spec
        current = data.values[code][p, u]
        start = current
        if np.isnan(current) and spec.denominator is None:  # search from the imputed value
            start = probe.stages.imputed[code][p, u]
        row = {
            "indicator": code,
            "name": m.nodes[code].name,
            "direction": spec.direction,
            "current": current,
            "required": np.nan,
            "new_rank": pd.NA,
            "note": "",
        }
        bound = _search_bounds(m, data, code, p, start) if not np.isnan(start) else None
        if rank == 1:
            row["note"] = "already first"
        elif np.isnan(start):
            row["note"] = "no value"
        elif bound is None:
            row["note"] = "already at the best end of the valid range"
        else:
            found = _smallest_gain(probe, code, start, bound, rank)
            checked = (
                _verify(m, data, unit, period, node, {code: found}) if found is not None else None
            )
            if checked is not None and checked < rank:
                row["required"], row["new_rank"] = found, int(checked)
            else:
                end = "the valid range" if _declared_bound(spec) else f"{bound:g}"
                row["note"] = f"no value up to {end} gains a rank"
        median = _median_above(probe, code, better)
        row["median_above"] = median
        if not np.isnan(median) and not np.isnan(start) and (median - start) * spec.direction > 0:
            checked = _verify(m, data, unit, period, node, {code: median})
            row["rank_at_median"] = int(checked) if checked is not None else pd.NA
        else:
            row["rank_at_median"] = int(rank)
        rows.append(row)
    table = pd.DataFrame(rows)
    table["rank_at_median"] = table["rank_at_median"].astype("Int64")
    table["new_rank"] = table["new_rank"].astype("Int64")
    new_rank = table.columns.get_loc("new_rank")
    assert isinstance(new_rank, int)  # the column names are unique: one position
    table.insert(new_rank + 1, "gain", int(rank) - table["new_rank"])
    result = Levers(table, int(rank), target_rank)
    if target_rank is not None and target_rank < rank:
        _path(probe, m, data, unit, period, node, target_rank, result)
    return result


def _median_above(probe: _Probe, code: str, better: Bools) -> float:
    """The median of the units ranked above, compared after denomination (a total
    is compared per capita, per GDP, ...) and returned as this unit's raw value."""
    values = probe.stages.denominated[code][probe.p][better]
    values = values[~np.isnan(values)]
    if not values.size:
        return np.nan
    median = float(np.median(values))
    spec = probe.m.nodes[code].indicator_spec
    if spec.denominator is None:
        return median
    denominator = float(probe.data.values[spec.denominator][probe.p, probe.u])
    return median * denominator / spec.per


def _verify(
    m: CompiledMethodology,
    data: Dataset,
    unit: str,
    period: str,
    node: str,
    changes: dict[str, float],
) -> float | None:
    """The unit's rank after ``changes``, by a full recomputation."""
    result = compute(m, with_changes(data, unit, period, changes))
    r = result.ranks[node][data.period_index(period), data.unit_index(unit)]
    return None if np.isnan(r) else float(r)


def _path(
    probe: _Probe,
    m: CompiledMethodology,
    data: Dataset,
    unit: str,
    period: str,
    node: str,
    target: int,
    result: Levers,
) -> None:
    """Least total normalised effort to reach ``target``: a linear programme on the
    index's local gradient in normalised values, solved with scipy, then checked by
    recomputation and repeated with a larger gap if non-linear effects fall short."""
    u = probe.u
    codes = list(m.indicators)
    lo, hi = m.scale
    current_n = np.array([probe.base[c][u] for c in codes])
    scores = aggregate_all(m, probe.base).scores[node]
    order = np.sort(scores[~np.isnan(scores)])[::-1]
    goal = order[target - 1]
    h = (hi - lo) * 1e-3
    bumped = {c: np.broadcast_to(v, (len(codes), *v.shape)).copy() for c, v in probe.base.items()}
    for i, c in enumerate(codes):
        bumped[c][i, u] = np.nan_to_num(current_n[i]) + h
    bumped_scores = aggregate_all(m, bumped).scores[node][:, u]
    gradient = np.maximum((bumped_scores - scores[u]) / h, 0.0)
    room = np.where(np.isnan(current_n), hi - lo, hi - np.nan_to_num(current_n))
    room = np.where(
        [m.nodes[c].indicator_spec.normalisation.method in ("zscore", "rank") for c in codes],
        0.0,
        np.maximum(room, 0.0),
    )
    gap = goal - scores[u] + (hi - lo) * 1e-9
    for _ in range(6):
        lp = linprog(
            c=np.ones(len(codes)),
            A_ub=-gradient[None, :],
            b_ub=[-gap],
            bounds=list(zip(np.zeros(len(codes)), room, strict=True)),
            method="highs",
        )
        delta = lp.x
        if lp.status != 0 or delta is None:  # solved (status 0) means a solution x
            return
        changes: dict[str, float] = {}
        for i, c in enumerate(codes):
            if delta[i] > 1e-12:
                raw = _raw_for(probe, c, np.nan_to_num(current_n[i]) + delta[i])
                if raw is None:  # no raw value reaches it
                    return
                changes[c] = raw
        reached = _verify(m, data, unit, period, node, changes)
        if reached is not None and reached <= target:
            table = result.table
            table["path_value"] = [changes.get(c, np.nan) for c in codes]
            table["path_effort"] = delta
            result.path_rank, result.path_effort = int(reached), float(delta.sum())
            return
        gap *= 1.25


def _raw_for(probe: _Probe, code: str, target_n: float) -> float | None:
    """The raw value whose normalised value for the unit reaches ``target_n``."""
    m, data, p = probe.m, probe.data, probe.p
    current = data.values[code][p, probe.u]
    current = probe.stages.imputed[code][p, probe.u] if np.isnan(current) else current
    bound = _search_bounds(m, data, code, p, current)
    if bound is None:
        return None
    lo, hi = 0.0, 1.0
    t = np.linspace(lo, hi, GRID)
    values = probe.normalised_of(code, current + t * (bound - current))
    if not (values >= target_n - 1e-12).any():
        return None
    for _ in range(ROUNDS):
        t = np.linspace(lo, hi, GRID)
        values = probe.normalised_of(code, current + t * (bound - current))
        first = int(np.argmax(values >= target_n - 1e-12))
        if first == 0:
            return float(current + t[0] * (bound - current))
        lo, hi = t[first - 1], t[first]
    return float(current + hi * (bound - current))
