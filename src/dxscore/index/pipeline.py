"""Run a methodology over a dataset: indicators through their steps, then aggregation up
the graph, ranking and rank change. The result keeps every stage for explanations.

The two halves are separate functions so that uncertainty analysis can re-run
aggregation with other weights without repeating the indicator steps.
"""

from __future__ import annotations

import numpy as np

from dxscore.index import steps
from dxscore.index.arrays import Bools, Floats, Ints
from dxscore.index.data import Dataset
from dxscore.index.errors import EngineError
from dxscore.index.methodology import CompiledMethodology, IndicatorSpec
from dxscore.index.result import Result
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
    imputed, mask = steps.impute(x, data.present, spec.imputation, labels)
    treated = imputed.copy()
    treatment: list[steps.Treatment] = []
    for idx in np.ndindex(imputed.shape[:-1]):
        treated[idx], info = steps.treat_outliers(imputed[idx], spec.outliers)
        if len(idx) == 1 or not any(idx[:-1]):
            treatment.append(info)
    normalised = steps.normalise(
        treated, spec.normalisation, methodology.scale, spec.direction, spec.target
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


def aggregate_all(
    methodology: CompiledMethodology,
    normalised: dict[str, Floats],
    units: list[str] | None = None,
    periods: list[str] | None = None,
) -> Aggregation:
    """Aggregate from the indicators' normalised scores up to the index and side nodes."""
    scores = dict(normalised)
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
            score = steps.rescale_minmax(score, methodology.scale)
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


def compute(methodology: CompiledMethodology, data: Dataset) -> Result:
    """Compute every node's score, rank and rank change for every unit and period."""

    stages = prepare_indicators(methodology, data)
    agg = aggregate_all(methodology, stages.normalised, data.units, data.periods)
    return Result(methodology, data, stages, agg)
