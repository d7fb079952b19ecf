"""The pipeline steps, each a small vectorised function over NumPy arrays.

Conventions: an indicator's values for all periods and units are a ``(..., P, U)`` array
(periods by units, with optional leading axes such as what-if candidates) with NaN for
missing; ``present`` marks the units that exist in each period. Statistics are taken
along the unit axis (per period) unless ``pooled`` (over periods and units).
Aggregation works on ``(..., C)`` arrays of children's scores so that extra leading
axes (periods, Monte Carlo replications) cost nothing. Formulas: ``docs/methodology.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import rankdata

from dxscore.index import methods as m
from dxscore.index.arrays import Bools, Floats, Ints, Texts
from dxscore.index.rounding import round_scores

# --- denomination -----------------------------------------------------------------------


def denominate(x: Floats, denominator: Floats, per: float = 1.0) -> Floats:
    """``x / denominator * per``; a zero or missing denominator gives a missing value."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x / denominator * per
    out[~np.isfinite(out)] = np.nan
    return out


# --- imputation ------------------------------------------------------------------------


def _without(x: Floats, reference: Bools | None) -> Floats:
    """``x`` with the reference units' values left out (NaN) of statistics."""
    return x if reference is None or not reference.any() else np.where(reference, np.nan, x)


def impute(
    x: Floats,
    present: Bools,
    spec: m.Imputation,
    group_labels: Texts | None = None,
    reference: Bools | None = None,
    scale_unit: int | None = None,
) -> tuple[Floats, Bools]:
    """Fill missing values of present units; returns ``(values, imputed_mask)``.

    ``reference`` (``(U,)``) marks units shown but not ranked: they take no part in the
    means and medians that fill the others. ``scale_unit`` is the column of the unit
    whose growth scales ``locf_scaled`` (``spec.unit``)."""
    missing = np.isnan(x) & present
    if spec.method == "none" or not missing.any():
        return x.copy(), np.zeros_like(missing)
    if spec.method in ("zero", "constant"):
        fill = np.full_like(x, 0.0 if spec.method == "zero" else spec.value)
    elif spec.method in ("mean", "median"):
        fill = _group_statistic(_without(x, reference), spec.method, group_labels)
    elif spec.method == "locf":
        fill = _carry_forward(x)
    elif spec.method == "locf_scaled":
        if scale_unit is not None:
            level = np.broadcast_to(x[..., scale_unit : scale_unit + 1], x.shape)
        else:
            level = _group_statistic(_without(x, reference), "mean", group_labels)
        fill = _carry_forward_scaled(x, level)
    else:  # linear
        fill = _interpolate_in_time(x)
    out = np.where(missing, fill, x)
    return out, missing & ~np.isnan(out)


def _group_statistic(x: Floats, stat: str, labels: Texts | None) -> Floats:
    """Per-period mean or median over all units, or over each unit's group."""
    reduce = np.nanmean if stat == "mean" else np.nanmedian
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing group stays missing
        if labels is None:
            return np.broadcast_to(reduce(x, axis=-1, keepdims=True), x.shape)
        out = np.full_like(x, np.nan)
        for label in np.unique(labels):
            cols = labels == label
            out[..., cols] = reduce(x[..., cols], axis=-1, keepdims=True)
    return out


def _last_index(valid: Bools, reverse: bool = False) -> Ints:
    """For each (period, unit), the period index of the nearest valid value at or before
    it (or at or after it with ``reverse``); -1 where there is none."""
    p = valid.shape[-2]
    idx = np.where(valid, np.arange(p)[:, None], -1 if not reverse else p)
    if reverse:
        idx = np.flip(np.minimum.accumulate(np.flip(idx, -2), axis=-2), -2)
        return np.where(idx == p, -1, idx)
    return np.maximum.accumulate(idx, axis=-2)


def _carry_forward(x: Floats) -> Floats:
    prev = _last_index(~np.isnan(x))
    out = np.take_along_axis(x, np.clip(prev, 0, None), axis=-2)
    return np.where(prev >= 0, out, np.nan)


def _carry_forward_scaled(x: Floats, level: Floats) -> Floats:
    """``x[t0] * level[t] / level[t0]``, ``t0`` the unit's last earlier observation: the
    last value grown as the reference level grew since (missing where either level is
    missing or the earlier level is 0)."""
    prev = _last_index(~np.isnan(x))
    at = np.clip(prev, 0, None)
    x_prev = np.take_along_axis(x, at, axis=-2)
    level_prev = np.take_along_axis(np.asarray(level, dtype=np.float64), at, axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x_prev * level / level_prev
    return np.where((prev >= 0) & (level_prev != 0) & np.isfinite(out), out, np.nan)


def _interpolate_in_time(x: Floats) -> Floats:
    """Linear between the unit's previous and next observations (equally spaced periods)."""
    valid = ~np.isnan(x)
    prev, nxt = _last_index(valid), _last_index(valid, reverse=True)
    t = np.arange(x.shape[-2])[:, None].astype(float)
    x_prev = np.take_along_axis(x, np.clip(prev, 0, None), axis=-2)
    x_next = np.take_along_axis(x, np.clip(nxt, 0, None), axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (t - prev) / (nxt - prev)
    out = x_prev + (x_next - x_prev) * frac
    return np.where((prev >= 0) & (nxt >= 0) & (nxt > prev), out, np.nan)


# --- outlier treatment -----------------------------------------------------------------


def sample_skew(x: Floats) -> float:
    """Adjusted Fisher-Pearson skewness (Excel ``SKEW``)."""
    n = x.size
    if n < 3:
        return 0.0
    sd = x.std(ddof=1)
    if sd == 0:
        return 0.0
    return float(n / ((n - 1) * (n - 2)) * np.sum(((x - x.mean()) / sd) ** 3))


def sample_kurtosis(x: Floats) -> float:
    """Sample excess kurtosis (Excel ``KURT``)."""
    n = x.size
    if n < 4:
        return 0.0
    sd = x.std(ddof=1)
    if sd == 0:
        return 0.0
    z4 = np.sum(((x - x.mean()) / sd) ** 4)
    return float(
        n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * z4 - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))
    )


@dataclass(frozen=True)
class Treatment:
    """What outlier treatment did to one indicator in one period."""

    winsorised: int = 0  # number of values moved
    log: bool = False
    skew: float = 0.0
    kurtosis: float = 0.0

    def describe(self) -> str:
        if self.log:
            return "log-transformed"
        if self.winsorised:
            return f"winsorised ({self.winsorised} value(s) moved)"
        return ""


def _fails(x: Floats, spec: m.Outliers) -> bool:
    return abs(sample_skew(x)) >= spec.skew and sample_kurtosis(x) >= spec.kurtosis


def log_transform(x: Floats, skew: float) -> Floats:
    """``log(x - min + 0.01 (max - min))``; mirrored for negative skew to keep the order."""
    lo, hi = np.nanmin(x), np.nanmax(x)
    shift = 0.01 * (hi - lo)
    if skew >= 0:
        return np.log(x - lo + shift)
    return -np.log(hi - x + shift)


def treat_outliers(
    x: Floats, spec: m.Outliers, reference: Bools | None = None
) -> tuple[Floats, Treatment]:
    """Treat one period's values of one indicator (1-D, NaN for missing).

    Reference units (``reference``) take no part in the test and the treatment; their
    values then go through what was done to the others: clipped to the winsorised range,
    or log-transformed with the others' minimum and maximum."""
    if spec.method == "none":
        return x, Treatment()
    if reference is not None and reference.any():
        return _treat_around_reference(x, spec, reference)
    ok = ~np.isnan(x)
    v = x[ok]
    if v.size < 4 or not _fails(v, spec):
        return x, Treatment(skew=sample_skew(v), kurtosis=sample_kurtosis(v))
    skew0 = sample_skew(v)
    if spec.method == "winsorise":
        w = v.copy()
        order = np.argsort(v, kind="stable")  # ascending; the top values are at the end
        n_high = n_low = 0
        limit = min(spec.max_winsorised, v.size - 2)
        while _fails(w, spec) and n_high + n_low < limit:
            if sample_skew(w) > 0:  # the k highest values take the (k+1)-th highest
                n_high += 1
                w[order[v.size - n_high :]] = v[order[v.size - n_high - 1]]
            else:
                n_low += 1
                w[order[:n_low]] = v[order[n_low]]
        moved = n_high + n_low
        if not _fails(w, spec) or not spec.log_fallback:
            out = x.copy()
            out[ok] = w
            return out, Treatment(moved, False, sample_skew(w), sample_kurtosis(w))
    out = x.copy()
    out[ok] = log_transform(v, skew0)
    return out, Treatment(0, True, sample_skew(out[ok]), sample_kurtosis(out[ok]))


def _treat_around_reference(
    x: Floats, spec: m.Outliers, reference: Bools
) -> tuple[Floats, Treatment]:
    others = np.where(reference, np.nan, x)
    treated, info = treat_outliers(others, spec)
    refs = reference & ~np.isnan(x)
    if not refs.any():
        return treated, info
    v = others[~np.isnan(others)]
    if info.log and v.size:
        lo, hi = float(v.min()), float(v.max())
        shift = 0.01 * (hi - lo)
        with np.errstate(divide="ignore", invalid="ignore"):
            if sample_skew(v) >= 0:
                moved = np.log(np.maximum(x - lo, 0.0) + shift)
            else:
                moved = -np.log(np.maximum(hi - x, 0.0) + shift)
    elif info.winsorised:
        w = treated[~np.isnan(treated)]
        moved = np.clip(x, w.min(), w.max())
    else:
        moved = x
    treated = treated.copy()
    treated[refs] = moved[refs]
    return treated, info


# --- normalisation ---------------------------------------------------------------------


def _stat(fn: Callable[..., Any], v: Floats, pooled: bool) -> Floats:
    """``fn`` (a NumPy reduction such as ``np.nanmin``) per period, or pooled, keeping
    the reduced axes; numpy's stubs type the reductions' results as Any."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out: Floats = fn(v, axis=(-2, -1) if pooled else -1, keepdims=True)
    return out


def normalise(
    x: Floats,
    spec: m.Normalisation,
    scale: tuple[float, float],
    direction: int = 1,
    indicator_target: float | None = None,
    reference: Bools | None = None,
) -> Floats:
    """Normalise a ``(P, U)`` array of one indicator; bounded methods map to the range
    (default: the output scale). Direction -1 turns lower-is-better around.

    Statistics (minimum, maximum, mean, sd, ranks) are taken over the units that are not
    ``reference`` (``(U,)``); reference units are then scored with them, so that they
    change nobody else's score."""
    lo, hi = spec.range or scale
    # branches test ``spec.method`` itself, which narrows ``spec`` to its method's model
    if spec.method == "identity":
        return x.copy()
    v = x * direction
    vs = _without(v, reference)  # the values statistics are taken over
    xs = _without(x, reference)
    share: Floats
    if spec.method == "zscore":
        mean = _stat(np.nanmean, vs, spec.pooled)
        sd = _stat(lambda a, **k: np.nanstd(a, ddof=1, **k), vs, spec.pooled)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(sd > 0, (v - mean) / sd, 0.0)
        return np.where(np.isnan(v), np.nan, z * spec.sd + spec.mean)
    if spec.method == "rank":
        return _ranks_among(v, vs, spec.pooled, reference)
    if spec.method == "percentile_rank":
        r = _ranks_among(v, vs, spec.pooled, reference)
        axis = (-2, -1) if spec.pooled else -1
        n = np.sum(~np.isnan(vs), axis=axis, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.clip(np.where(n > 1, (r - 1) / (n - 1), 1.0), 0.0, 1.0)
    elif spec.method == "minmax":
        mn, mx = _stat(np.nanmin, vs, spec.pooled), _stat(np.nanmax, vs, spec.pooled)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(mx > mn, (v - mn) / (mx - mn), 1.0)
    elif spec.method == "goalposts":
        share = (x - spec.lower) / (spec.upper - spec.lower)
        if direction == -1:
            share = 1.0 - share
        if spec.truncate:
            share = np.clip(share, 0.0, 1.0)
    elif spec.method == "target":
        target = spec.target if spec.target is not None else indicator_target
        if target is None:  # a checked methodology's indicators have one
            raise TypeError("normalisation 'target' needs a target")
        base: Floats | float
        if spec.baseline == "observed":
            base = _stat(np.nanmin if direction == 1 else np.nanmax, xs, spec.pooled)
        else:
            base = spec.baseline
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(base != target, (x - base) / (target - base), 1.0)
        share = np.clip(share, 0.0, 1.0 if spec.cap else None)
    elif spec.method == "distance_to_max":
        with np.errstate(divide="ignore", invalid="ignore"):
            if direction == 1:
                mx = _stat(np.nanmax, xs, spec.pooled)
                share = np.where(x == mx, 1.0, x / mx)  # the best unit scores 1, even at 0
            else:
                mn = _stat(np.nanmin, xs, spec.pooled)
                share = np.where(x == mn, 1.0, mn / x)
    elif spec.method == "bands":
        share = _bands(x, spec, direction)
    else:  # pragma: no cover - the methodology model admits no other method
        raise ValueError(f"unknown normalisation {spec.method}")
    return np.where(np.isnan(x), np.nan, lo + share * (hi - lo))


def _ranks_ascending(v: Floats, pooled: bool) -> Floats:
    """Average ranks, 1 for the lowest (after direction), NaN kept."""
    if pooled:
        flat = v.reshape(*v.shape[:-2], -1)
        ranks = rankdata(flat, axis=-1, nan_policy="omit").reshape(v.shape)
    else:
        ranks = rankdata(v, axis=-1, nan_policy="omit")
    # average ranks are float64 already (scipy-stubs say integer or floating): no copy
    return np.asarray(ranks, dtype=np.float64)


def _ranks_among(v: Floats, vs: Floats, pooled: bool, reference: Bools | None) -> Floats:
    """Average ranks (1 for the lowest) among the non-reference values ``vs``; a reference
    unit gets ``0.5 + (number below it) + (number equal to it) / 2``: the rank of the
    units it equals, halfway between the two it lies between (0.5 below all, n + 0.5
    above all)."""
    ranks = _ranks_ascending(vs, pooled)
    if reference is None or not reference.any():
        return ranks
    for j in np.flatnonzero(reference):
        mine = v[..., :, j : j + 1]
        if pooled:
            flat = vs.reshape(*vs.shape[:-2], 1, -1)
            below = np.sum(flat < mine, axis=-1, keepdims=True)
            equal = np.sum(flat == mine, axis=-1, keepdims=True)
        else:
            below = np.sum(vs < mine, axis=-1, keepdims=True)
            equal = np.sum(vs == mine, axis=-1, keepdims=True)
        ranks[..., :, j : j + 1] = np.where(np.isnan(mine), np.nan, 0.5 + below + equal / 2.0)
    return ranks


def _bands(x: Floats, spec: m.Bands, direction: int) -> Floats:
    """Share of the best band reached: x >= threshold (or x <= threshold if lower is better)."""
    share = np.full_like(x, spec.below)
    best = np.full_like(x, -np.inf)
    for band in spec.bands:
        reached = x >= band.threshold if direction == 1 else x <= band.threshold
        better = reached & (band.share > best)
        share = np.where(better, band.share, share)
        best = np.where(better, band.share, best)
    return share


# --- aggregation -----------------------------------------------------------------------


def aggregate(
    scores: Floats,
    weights: Floats,
    spec: m.Aggregation,
    scale: tuple[float, float],
    min_coverage: float | None = None,
    max_points: float | None = None,
) -> tuple[Floats, Floats]:
    """Combine children's scores ``(..., C)`` with ``weights`` (``(C,)`` or ``(..., C)``).

    Missing children are skipped (their weight is shared among the others), except in
    ``points``, where a missing child earns no points. Returns ``(score, points)``;
    ``points`` is NaN unless the method is ``points``.
    """
    avail = ~np.isnan(scores)
    n_children = scores.shape[-1]
    w = np.broadcast_to(weights, scores.shape)
    wa = np.where(avail, w, 0.0)
    den = wa.sum(axis=-1)
    x = np.where(avail, scores, 0.0)
    points = np.full(scores.shape[:-1], np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        method = spec.method
        if method == "generalised" and spec.p == 0:
            method = "geometric"
        if method == "arithmetic":
            out = (wa * x).sum(axis=-1) / den
        elif method == "geometric":
            logs = np.where(avail & (x > 0), np.log(np.where(x > 0, x, 1.0)), 0.0)
            out = np.exp((wa * logs).sum(axis=-1) / den)
            out = np.where((avail & (x == 0) & (wa > 0)).any(axis=-1), 0.0, out)
        elif method == "harmonic":
            inv = np.where(avail & (x > 0), 1.0 / np.where(x > 0, x, 1.0), 0.0)
            out = den / (wa * inv).sum(axis=-1)
            out = np.where((avail & (x == 0) & (wa > 0)).any(axis=-1), 0.0, out)
        elif method == "generalised":
            p = spec.p
            assert p is not None  # the model requires the exponent of a generalised mean
            # skip absent and zero-weight children: for p < 0 their 0 ** p is infinite
            terms = np.where(wa > 0, wa * x**p, 0.0)
            out = (terms.sum(axis=-1) / den) ** (1.0 / p)
        elif method == "minimum":
            out = np.where(avail & (w > 0), scores, np.inf).min(axis=-1)
            out = np.where(np.isinf(out), np.nan, out)
        elif method == "points":
            lo, hi = scale
            child_points = w * (x - lo) / (hi - lo)
            points = np.where(avail, child_points, 0.0).sum(axis=-1)
            total = max_points if max_points is not None else w.sum(axis=-1)
            points = np.minimum(points, total)
            out = np.where(total > 0, lo + (hi - lo) * points / total, lo)
            den = np.where(avail.any(axis=-1), 1.0, 0.0)
        else:  # pragma: no cover
            raise ValueError(f"unknown aggregation {method}")
    out = np.where(den > 0, out, np.nan)
    if min_coverage is not None:
        coverage = avail.sum(axis=-1) / n_children
        out = np.where(coverage + 1e-12 >= min_coverage, out, np.nan)
    points = np.where(np.isnan(out), np.nan, points)
    return out, points


def negative_inputs(scores: Floats, spec: m.Aggregation) -> Bools:
    """Mask of the rows that a geometric, harmonic or generalised mean cannot take."""
    if spec.method not in ("geometric", "harmonic", "generalised"):
        return np.zeros(scores.shape[:-1], dtype=bool)
    bad: Bools = np.nan_to_num(scores, nan=0.0).min(axis=-1) < 0  # numpy: Any
    return bad


def rescale_minmax(x: Floats, scale: tuple[float, float], reference: Bools | None = None) -> Floats:
    """Min-max across units in each period onto the output scale (the minimum and
    maximum of the units that are not ``reference``)."""
    lo, hi = scale
    mn = _stat(np.nanmin, _without(x, reference), False)
    mx = _stat(np.nanmax, _without(x, reference), False)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(mx > mn, (x - mn) / (mx - mn), 1.0)
    return np.where(np.isnan(x), np.nan, lo + share * (hi - lo))


# --- ranking ---------------------------------------------------------------------------


def competition_rank(
    scores: Floats,
    decimals: int | None = None,
    rule: m.RoundingRule = "half_up",
    ranked: Bools | None = None,
) -> Floats:
    """Rank along the last axis, highest first; ties share the smallest rank (1, 2, 2, 4).

    Scores are rounded to ``decimals`` first when given, by ``rule``
    (``dxscore.index.rounding``), as official indices do. Missing scores get no rank
    (NaN), and so do units outside ``ranked`` (a mask along the last axis: reference
    units, shown but never counted in anyone's rank).
    """
    s = round_scores(scores, decimals, rule) if decimals is not None else scores
    if ranked is not None:
        s = np.where(ranked, s, np.nan)
    key = np.where(np.isnan(s), np.inf, -s)
    ranks = rankdata(key, method="min", axis=-1).astype(float)
    return np.where(np.isnan(s), np.nan, ranks)


def rank_periods(
    scores: Floats, roundings: list[m.Rounding | None], ranked: Bools | None = None
) -> Floats:
    """``competition_rank`` of a ``(P, U)`` array, period ``p`` rounded by
    ``roundings[p]`` (editions may publish different decimals)."""
    out = np.full(scores.shape, np.nan)
    for rounding in dict.fromkeys(roundings):
        rows = np.array([r == rounding for r in roundings], dtype=bool)
        digits, rule = (rounding.digits, rounding.rule) if rounding else (None, "half_up")
        out[rows] = competition_rank(scores[rows], digits, rule, ranked)
    return out


def rank_change(ranks: Floats, previous: list[int] | None = None) -> Floats:
    """Places gained since the previous period along axis 0 (positive = climbed), or
    since period ``previous[p]`` (the previous edition; -1 for none)."""
    out = np.full_like(ranks, np.nan)
    if previous is None:
        out[1:] = ranks[:-1] - ranks[1:]
        return out
    for p, before in enumerate(previous):
        if before >= 0:
            out[p] = ranks[before] - ranks[p]
    return out
