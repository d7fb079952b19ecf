"""Run a methodology over a dataset: indicators through their steps, then aggregation up
the graph, ranking and rank change. The result keeps every stage for explanations.

The two halves are separate functions so that uncertainty analysis can re-run
aggregation with other weights without repeating the indicator steps.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np

from dxscore.index import steps
from dxscore.index.arrays import Bools, Floats, Ints
from dxscore.index.data import Dataset
from dxscore.index.errors import DataError, EngineError
from dxscore.index.methodology import CompiledMethodology, IndicatorSpec, node_path
from dxscore.index.methods import Rounding
from dxscore.index.result import Result
from dxscore.index.rounding import round_scores
from dxscore.index.stages import Aggregation, IndicatorStages


def prepare_indicators(methodology: CompiledMethodology, data: Dataset) -> IndicatorStages:
    """Denominate, impute, treat outliers and normalise every indicator."""
    st = IndicatorStages({}, {}, {}, {}, {}, {}, {})
    for code in methodology.indicators:
        raw = data.values[code]
        x, imputed, mask, treated, treatment, normalised = indicator_steps(
            methodology, code, raw, data
        )
        st.raw[code], st.denominated[code] = raw, x
        st.imputed[code], st.imputed_mask[code] = imputed, mask
        st.treated[code], st.treatment[code] = treated, treatment
        st.normalised[code] = normalised
    return st


def indicator_steps(
    methodology: CompiledMethodology,
    code: str,
    raw: Floats,
    data: Dataset,
    spec: IndicatorSpec | None = None,
) -> tuple[Floats, Floats, Bools, Floats, list[steps.Treatment], Floats]:
    """One indicator through denomination, imputation, outlier treatment and
    normalisation. ``raw`` is ``(..., P, U)``: leading axes (what-if candidates) are
    computed independently. Returns ``(denominated, imputed, imputed_mask, treated,
    treatment, normalised)``; ``treatment`` lists what treatment did per period (for the
    first leading index when there are leading axes). ``spec`` overrides the indicator's
    own settings (alternative normalisations in uncertainty analysis)."""
    spec = spec if spec is not None else methodology.nodes[code].indicator_spec
    x = raw
    if spec.denominator is not None:
        x = steps.denominate(raw, data.values[spec.denominator], spec.per)
    labels = data.groups.get(spec.imputation.group) if spec.imputation.group else None
    reference = data.reference if data.reference is not None and data.reference.any() else None
    scale_unit = None
    if spec.imputation.unit is not None:
        if spec.imputation.unit not in data.units:
            raise DataError(
                "data",
                [
                    (
                        node_path(methodology, code),
                        f"imputation 'locf_scaled' scales by unit '{spec.imputation.unit}', "
                        "which has no rows in the data",
                    )
                ],
            )
        scale_unit = data.units.index(spec.imputation.unit)
    imputed, mask = steps.impute(
        x, data.present, spec.imputation, labels, reference=reference, scale_unit=scale_unit
    )
    treated = imputed.copy()
    treatment: list[steps.Treatment] = []
    for idx in np.ndindex(imputed.shape[:-1]):
        treated[idx], info = steps.treat_outliers(imputed[idx], spec.outliers, reference)
        if len(idx) == 1 or not any(idx[:-1]):
            treatment.append(info)
    normalised = steps.normalise(
        treated, spec.normalisation, methodology.scale, spec.direction, spec.target, reference
    )
    normalised = np.where(data.present, normalised, np.nan)
    return x, imputed, mask, treated, treatment, normalised


def child_weights(methodology: CompiledMethodology, code: str) -> Floats:
    """The declared weights of an aggregate's children (``max_points`` when summing points)."""
    node = methodology.nodes[code]
    points = node.aggregate_spec.aggregation.method == "points"
    return np.array(
        [
            (methodology.nodes[c].spec.max_points if points else methodology.nodes[c].spec.weight)
            for c in node.children
        ],
        dtype=float,
    )


def _rounded(score: Floats, rounding: Rounding | None) -> Floats:
    return score if rounding is None else round_scores(score, rounding.digits, rounding.rule)


def aggregate_all(
    methodology: CompiledMethodology,
    normalised: dict[str, Floats],
    units: list[str] | None = None,
    periods: list[str] | None = None,
    reference: Bools | None = None,
) -> Aggregation:
    """Aggregate from the indicators' normalised scores up to the index and side nodes.

    A node with ``round`` is rounded before its parent takes it (indicators: their
    normalised score). ``reference`` marks units left out of ``rescale`` statistics."""
    scores = {
        code: _rounded(values, methodology.nodes[code].spec.round)
        if code in methodology.nodes
        else values
        for code, values in normalised.items()
    }
    points: dict[str, Floats] = {}
    shares: dict[str, Floats] = {}
    contributions: dict[str, Floats] = {}
    lo, hi = methodology.scale
    for code in methodology.aggregates:
        node = methodology.nodes[code]
        spec = node.aggregate_spec
        x = np.stack([scores[c] for c in node.children], axis=-1)
        w = child_weights(methodology, code)
        bad = steps.negative_inputs(x, spec.aggregation)
        if bad.any():
            where = ", ".join(_describe(np.argwhere(bad)[:5], units, periods))
            raise EngineError(
                f"node '{code}': a {spec.aggregation.method} mean needs scores >= 0; "
                f"negative child scores at {where}. Use a bounded normalisation "
                "(minmax, goalposts) or arithmetic aggregation."
            )
        score, pts = steps.aggregate(
            x, w, spec.aggregation, methodology.scale, spec.min_coverage, spec.max_points
        )
        if spec.rescale == "minmax":
            score = steps.rescale_minmax(score, methodology.scale, reference)
        if spec.zero_if is not None:  # gate: the low end when the named child is there
            gate = x[..., node.children.index(spec.zero_if)]
            closed = gate == lo
            score = np.where(closed, lo, score)
            pts = np.where(closed & ~np.isnan(pts), 0.0, pts)
        if spec.missing_if is not None:  # gate: no score without the named child
            score = np.where(np.isnan(x[..., node.children.index(spec.missing_if)]), np.nan, score)
            pts = np.where(np.isnan(score), np.nan, pts)
        score = _rounded(score, spec.round)
        avail = ~np.isnan(x)
        if spec.aggregation.method == "points":
            total = spec.max_points if spec.max_points is not None else w.sum()
            share = np.broadcast_to(w / total if total else w * 0, x.shape).copy()
            parts = np.where(avail, w * (x - lo) / (hi - lo), 0.0)
            for i, child in enumerate(node.children):
                points[child] = np.where(np.isnan(score), np.nan, parts[..., i])
            points[code] = pts  # a points-summing parent later sets the same, capped, value
        else:
            wa = np.where(avail, w, 0.0)
            den = wa.sum(axis=-1, keepdims=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(den > 0, wa / den, 0.0)
            parts = share * np.where(avail, x, 0.0)
        contributions[code] = _proportional(score, parts, share)
        shares[code] = np.where(np.isnan(score)[..., None], np.nan, share)
        scores[code] = score
    for code in methodology.nodes:
        points.setdefault(code, np.full(scores[code].shape, np.nan))
    return Aggregation(scores, points, shares, contributions)


def _proportional(score: Floats, parts: Floats, share: Floats) -> Floats:
    """Split each score among the children in proportion to ``parts`` (their weighted
    scores or points); exact for arithmetic means and point sums, and the documented
    attribution for the other aggregations. Falls back to the shares when parts sum to 0
    (rescaled to add up to 1: a point sum's shares need not; equal parts if all are 0)."""
    total = parts.sum(axis=-1, keepdims=True)
    s = score[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        share_sum = share.sum(axis=-1, keepdims=True)
        fallback = np.where(share_sum > 0, share / share_sum, 1.0 / share.shape[-1])
        out = np.where(total != 0, s * parts / total, s * fallback)
    return np.where(np.isnan(s), np.nan, out)


def _describe(idx: Ints, units: list[str] | None, periods: list[str] | None) -> list[str]:
    out = []
    for row in idx:
        p, u = int(row[0]), int(row[1])
        unit = units[u] if units else str(u)
        period = periods[p] if periods else str(p)
        out.append(f"unit '{unit}' period '{period}'")
    return out


def reference_mask(
    methodology: CompiledMethodology, data: Dataset, extra: Iterable[str] = ()
) -> Bools:
    """The units shown but not ranked (``(U,)``): marked in the data (``reference``
    column), listed by the methodology (``reference: units / groups``), or given here
    (``--reference``). A unit given here that is not in the data is an error."""
    mask = np.zeros(len(data.units), dtype=bool)
    if data.reference is not None:
        mask |= data.reference
    position = {u: i for i, u in enumerate(data.units)}
    for unit in methodology.reference_units:
        if unit in position:
            mask[position[unit]] = True
    for group, labels in methodology.reference_groups.items():
        if group in data.groups:
            mask |= np.isin(data.groups[group], labels)
    unknown = [u for u in extra if u not in position]
    if unknown:
        raise DataError(
            "--reference", [(f"unit '{u}'", "not in the data: no unit to show") for u in unknown]
        )
    for unit in extra:
        mask[position[unit]] = True
    return mask


def compute(
    methodology: CompiledMethodology, data: Dataset, reference: Iterable[str] = ()
) -> Result:
    """Compute every node's score, rank and rank change for every unit and period.

    ``reference`` adds units shown but not ranked (``reference_mask``): they are scored
    and explained, but never ranked and left out of every statistic across units."""
    mask = reference_mask(methodology, data, reference)
    if mask.any() or data.reference is not None:
        data = dataclasses.replace(data, reference=mask)
    stages = prepare_indicators(methodology, data)
    agg = aggregate_all(methodology, stages.normalised, data.units, data.periods, data.reference)
    return Result(methodology, data, stages, agg)
