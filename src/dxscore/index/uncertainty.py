"""Uncertainty and sensitivity analysis: how solid is each unit's rank?

The uncertain choices (``methods.Uncertainty``: weight noise, alternative normalisations,
aggregations and imputations, dropping each indicator in turn) become the columns of a
matrix ``U`` of numbers in [0, 1), one row per replication. ``Replicator.evaluate(U)``
computes the index for every row at once, as array operations (replications are a
leading array axis, processed in chunks to bound memory): indicator variants are
computed once per alternative and selected per replication; aggregation runs with a
weight array per replication. Monte Carlo draws ``U`` from a seeded generator; Sobol
analysis takes ``U`` from SALib's sampler, through the same code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import gamma

from dxscore.index import steps
from dxscore.index.arrays import Floats, Ints
from dxscore.index.data import Dataset
from dxscore.index.methodology import ROOT, AggregateSpec, CompiledMethodology
from dxscore.index.methods import Aggregation, Imputation, Normalisation, Uncertainty
from dxscore.index.pipeline import _rounded, child_weights, indicator_steps, reference_mask

CHUNK_VALUES = 4_000_000  # replications x units x indicators per chunk (~32 MB of floats)


@dataclass(frozen=True)
class Factor:
    """One uncertain input: a column of ``U`` (``group`` names it for Sobol)."""

    group: str
    kind: str  # "weight", "normalisation", "aggregation", "imputation", "drop"
    node: str | None = None  # the aggregate whose child weight this is
    child: int = 0
    options: int = 1  # for discrete choices: how many (option 0 is the nominal choice)


@dataclass
class Replicator:
    """Evaluates the index of one period for many replications of the uncertain choices.

    Each replication is computed as ``pipeline.compute`` computes the nominal index: a
    node's ``round`` before its parent takes it, the gates (``zero_if``, ``missing_if``),
    reference units left out of rescaling and of the ranks, and the period's rank
    rounding; with every factor at its nominal value the scores and ranks are the run's."""

    methodology: CompiledMethodology
    data: Dataset
    period: str
    uncertainty: Uncertainty
    factors: list[Factor] = field(init=False)
    units: list[str] = field(init=False)

    def __post_init__(self) -> None:
        m, u = self.methodology, self.uncertainty
        mask = reference_mask(m, self.data)
        if mask.any() or self.data.reference is not None:
            self.data = dataclasses.replace(self.data, reference=mask)
        self._p = self.data.period_index(self.period)
        present = self.data.present[self._p]
        self._present = present
        self.units = [x for x, ok in zip(self.data.units, present, strict=True) if ok]
        self._reference = mask[present]
        self._rescale_reference = self._reference if self._reference.any() else None
        self._rank_rounding = m.rank_rounding_for(self.period)
        self._indicator_ix = {c: i for i, c in enumerate(m.indicators)}
        self._imputations = [None, *u.imputation]
        self._normalisations = [None, *u.normalisation]
        self._aggregations = [None, *u.aggregation]
        self._variants = self._indicator_variants()  # (A_imp, B_norm, U, I)
        factors: list[Factor] = []
        if u.weights.noise > 0 or u.weights.distribution == "dirichlet":
            for code in m.aggregates:
                for j in range(len(m.nodes[code].children)):
                    factors.append(Factor(f"weights:{code}", "weight", code, j))
        if len(self._normalisations) > 1:
            n_norm = len(self._normalisations)
            factors.append(Factor("normalisation", "normalisation", options=n_norm))
        if len(self._aggregations) > 1:
            factors.append(Factor("aggregation", "aggregation", options=len(self._aggregations)))
        if len(self._imputations) > 1:
            factors.append(Factor("imputation", "imputation", options=len(self._imputations)))
        if u.drop_indicators:
            factors.append(Factor("drop", "drop", options=len(m.indicators) + 1))
        self.factors = factors
        self._weight_cols = {
            code: [k for k, f in enumerate(factors) if f.kind == "weight" and f.node == code]
            for code in m.aggregates
        }
        self._nominal_weights = {code: child_weights(m, code) for code in m.aggregates}

    # --- indicator variants -----------------------------------------------------------

    def _indicator_variants(self) -> Floats:
        m = self.methodology
        out = np.empty(
            (len(self._imputations), len(self._normalisations), len(self.units), len(m.indicators))
        )
        for a, imputation in enumerate(self._imputations):
            for b, normalisation in enumerate(self._normalisations):
                for i, code in enumerate(m.indicators):
                    spec = m.nodes[code].indicator_spec
                    update: dict[str, Imputation | Normalisation] = {}
                    if imputation is not None:
                        update["imputation"] = imputation
                    if normalisation is not None:
                        update["normalisation"] = normalisation
                    if update:
                        spec = spec.model_copy(update=update)
                    *_, normalised = indicator_steps(
                        m, code, self.data.values[code], self.data, spec=spec
                    )
                    out[a, b, :, i] = _rounded(
                        normalised[self._p][self._present], m.nodes[code].spec.round
                    )
        return out

    # --- evaluation --------------------------------------------------------------------

    def _choice(self, U: Floats, kind: str) -> Ints:
        for k, f in enumerate(self.factors):
            if f.kind == kind:
                choice: Ints = np.minimum((U[:, k] * f.options).astype(int), f.options - 1)
                return choice  # (numpy types the expression as Any)
        return np.zeros(len(U), dtype=int)

    def _weights(self, U: Floats, code: str, dropped: Ints, nominal_weights: bool) -> Floats:
        """Weights of ``code``'s children per replication, ``(R, 1, C)``."""
        m = self.methodology
        nominal = self._nominal_weights[code]
        cols = self._weight_cols[code]
        noise = self.uncertainty.weights
        if not cols or nominal_weights:
            w = np.broadcast_to(nominal, (len(U), len(nominal))).copy()
        elif noise.distribution == "uniform":
            w = nominal * (1.0 + noise.noise * (2.0 * U[:, cols] - 1.0))
        else:  # Dirichlet around the nominal shares, by inverse CDF of independent gammas
            total = nominal.sum()
            shape = noise.concentration * nominal / total if total else nominal
            g = np.where(shape > 0, gamma.ppf(U[:, cols], np.where(shape > 0, shape, 1.0)), 0.0)
            sums = g.sum(axis=1, keepdims=True)
            w = np.where(sums > 0, g / np.where(sums > 0, sums, 1.0) * total, nominal)
        children = m.nodes[code].children
        for j, child in enumerate(children):
            if child in self._indicator_ix:
                w[dropped == self._indicator_ix[child] + 1, j] = 0.0
        return w[:, None, :]

    def evaluate(self, U: Floats, node: str = ROOT, nominal_weights: bool = False) -> Floats:
        """Scores of ``node`` for each replication: ``(R, units)``."""
        U = np.atleast_2d(np.asarray(U, dtype=float))
        m = self.methodology
        widest = max((len(m.nodes[c].children) for c in m.aggregates), default=1)
        per_rep = max(1, len(self.units) * (len(m.aggregates) + 4 * widest))
        chunk = max(1, CHUNK_VALUES // per_rep)
        return np.concatenate(
            [
                self._evaluate_chunk(U[s : s + chunk], node, nominal_weights)
                for s in range(0, len(U), chunk)
            ]
        )

    def _evaluate_chunk(self, U: Floats, node: str, nominal_weights: bool) -> Floats:
        """Replications grouped by their indicator variant (imputation x normalisation):
        within a group every indicator's scores are one ``(U,)`` row shared by all
        replications, so an aggregate of indicators is a matrix product of the group's
        weight sets with those rows, not an ``(R, U, C)`` array per replication."""
        imp, norm = self._choice(U, "imputation"), self._choice(U, "normalisation")
        variant = imp * len(self._normalisations) + norm
        out = np.empty((len(U), len(self.units)))
        for v in np.unique(variant):
            rows = np.flatnonzero(variant == v)
            a, b = divmod(int(v), len(self._normalisations))
            out[rows] = self._evaluate_variant(U[rows], self._variants[a, b], node, nominal_weights)
        return out

    def _evaluate_variant(self, U: Floats, X: Floats, node: str, nominal_weights: bool) -> Floats:
        """Scores of ``node`` for replications that share the indicator scores ``X``
        ``(U, I)``."""
        m = self.methodology
        agg_choice, dropped = self._choice(U, "aggregation"), self._choice(U, "drop")
        shared: dict[str, Floats] = {code: X[:, i] for code, i in self._indicator_ix.items()}
        scores: dict[str, Floats] = {}  # per replication: (R, U)
        weight_factors = {f.node for f in self.factors if f.kind == "weight"}
        for code in m.aggregates:
            spec = m.nodes[code].aggregate_spec
            children = m.nodes[code].children
            w = self._weights(U, code, dropped, nominal_weights)[:, 0, :]  # (R, C)
            inverse: Ints | None = None
            if nominal_weights or code not in weight_factors:  # few distinct weight sets
                w, inverse = np.unique(w, axis=0, return_inverse=True)
                inverse = inverse.reshape(-1)
            options = [spec.aggregation]
            if spec.aggregation.method != "points":
                options += [a for a in self._aggregations[1:] if a is not None]
            if all(c in shared for c in children):
                x = np.stack([shared[c] for c in children], axis=-1)  # (U, C)
            else:
                if inverse is not None:  # per-replication children need every weight row
                    w, inverse = w[inverse], None
                rows = (len(U), len(self.units))
                x = np.stack(
                    [
                        scores[c] if c in scores else np.broadcast_to(shared[c], rows)
                        for c in children
                    ],
                    axis=-1,
                )  # (R, U, C)
            outs = [_aggregate_rows(x, w, method, spec, m.scale) for method in options]
            if inverse is not None:
                outs = [o[inverse] for o in outs]
            score = outs[0]
            for k, other in enumerate(outs[1:], start=1):
                score = np.where((agg_choice == k)[:, None], other, score)
            if spec.rescale == "minmax":
                score = steps.rescale_minmax(score, m.scale, self._rescale_reference)
            score = self._gated(code, score, x)
            scores[code] = _rounded(score, spec.round)
        if node in scores:
            return scores[node]
        return np.broadcast_to(shared[node], (len(U), len(self.units))).copy()

    def _gated(self, code: str, score: Floats, x: Floats) -> Floats:
        """The gates of ``code`` (as ``pipeline.aggregate_all``) on scores ``(R, U)`` from
        children ``x`` (``(U, C)`` shared or ``(R, U, C)``)."""
        node = self.methodology.nodes[code]
        spec = node.aggregate_spec
        if spec.zero_if is not None:  # the low end when the named child is at it
            gate = x[..., node.children.index(spec.zero_if)]
            score = np.where(gate == self.methodology.scale[0], self.methodology.scale[0], score)
        if spec.missing_if is not None:  # no score without the named child
            score = np.where(np.isnan(x[..., node.children.index(spec.missing_if)]), np.nan, score)
        return score

    def ranks(self, scores: Floats) -> Floats:
        """Ranks as the run ranks: the period's rank rounding, reference units unranked."""
        r = self._rank_rounding
        digits, rule = (r.digits, r.rule) if r is not None else (None, "half_up")
        return steps.competition_rank(scores, digits, rule, ~self._reference)

    def nominal(self, node: str = ROOT) -> Floats:
        """The nominal scores (every factor at its nominal value)."""
        scores = self.evaluate(np.zeros((1, len(self.factors))), node, nominal_weights=True)
        first: Floats = scores[0]  # numpy types a row as Any
        return first


def _aggregate(
    x: Floats, w: Floats, method: Aggregation, spec: AggregateSpec, scale: tuple[float, float]
) -> Floats:
    if steps.negative_inputs(x, method).any():
        from dxscore.index.errors import EngineError

        raise EngineError(
            f"a {method.method} mean needs scores >= 0; an alternative normalisation gives "
            "negative scores. Combine geometric or harmonic means with bounded normalisations."
        )
    score, _ = steps.aggregate(x, w, method, scale, spec.min_coverage, spec.max_points)
    return score


def _weighted_sum(w: Floats, v: Floats) -> Floats:
    """``sum_c w[r, c] * v[..., u, c]`` as ``(R, U)``, for ``v`` shared ``(U, C)`` or per
    replication ``(R, U, C)``: a matrix product, by ``einsum``'s own loops rather than
    BLAS, so that each element's sum runs in the same order whatever the other rows and
    columns are (equal units stay tied; a replication's score does not depend on its
    chunk)."""
    out: Floats = np.einsum("rc,uc->ru" if v.ndim == 2 else "rc,ruc->ru", w, v)
    return out


def _aggregate_rows(
    x: Floats, w: Floats, method: Aggregation, spec: AggregateSpec, scale: tuple[float, float]
) -> Floats:
    """``_aggregate`` of children's scores ``x`` (``(U, C)`` shared by every replication,
    or ``(R, U, C)``) with one weight set per replication ``w`` ``(R, C)``: ``(R, U)``.
    The means that are linear in the weights (arithmetic; geometric and harmonic on logs
    and inverses; point sums) are matrix products; the others broadcast ``x`` to
    ``(R, U, C)`` and take ``steps.aggregate``. Same formulas as ``steps.aggregate``."""
    if method.method not in ("arithmetic", "geometric", "harmonic", "points"):
        full = np.broadcast_to(x, (len(w), *x.shape[-2:]))
        return _aggregate(full, w[:, None, :], method, spec, scale)
    if steps.negative_inputs(x, method).any():
        return _aggregate(x, w[:, None, :], method, spec, scale)  # raises the error
    avail = ~np.isnan(x)
    x0 = np.where(avail, x, 0.0)
    if avail.all():  # the weights of the children present: all of them
        den = np.broadcast_to(w.sum(axis=-1)[:, None], (len(w), x.shape[-2]))
    else:
        den = _weighted_sum(w, avail.astype(float))  # (R, U)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method.method == "arithmetic":
            out = _weighted_sum(w, x0) / den
        elif method.method in ("geometric", "harmonic"):
            positive = avail & (x0 > 0)
            safe = np.where(x0 > 0, x0, 1.0)
            zeros = (avail & (x0 == 0)).astype(float)
            zero = _weighted_sum((w > 0).astype(float), zeros) > 0
            if method.method == "geometric":
                out = np.exp(_weighted_sum(w, np.where(positive, np.log(safe), 0.0)) / den)
            else:
                out = den / _weighted_sum(w, np.where(positive, 1.0 / safe, 0.0))
            out = np.where(zero, 0.0, out)
        else:  # points
            lo, hi = scale
            points = _weighted_sum(w, np.where(avail, (x0 - lo) / (hi - lo), 0.0))
            total = spec.max_points if spec.max_points is not None else w.sum(axis=-1)[:, None]
            points = np.minimum(points, total)
            out = np.where(total > 0, lo + (hi - lo) * points / total, lo)
            den = np.broadcast_to(avail.any(axis=-1).astype(float), out.shape)
    out = np.where(den > 0, out, np.nan)
    if spec.min_coverage is not None:
        coverage = avail.sum(axis=-1) / x.shape[-1]
        out = np.where(coverage + 1e-12 >= spec.min_coverage, out, np.nan)
    result: Floats = out
    return result


# --- Monte Carlo --------------------------------------------------------------------------


@dataclass
class Sensitivity:
    """The outcome of an uncertainty analysis of one period."""

    table: pd.DataFrame  # one row per unit
    mean_abs_shift: float  # mean over units and replications of |rank - nominal rank|
    runs: int
    seed: int | None
    factors: list[str]
    sobol: pd.DataFrame | None = None


def sensitivity(
    methodology: CompiledMethodology,
    data: Dataset,
    period: str,
    runs: int = 1000,
    seed: int | None = 0,
    uncertainty: Uncertainty | None = None,
    top: int = 10,
    node: str = ROOT,
    sobol_runs: int = 0,
) -> Sensitivity:
    """Rank intervals per unit from ``runs`` Monte Carlo replications; with
    ``sobol_runs`` (a power of 2), also Sobol first-order and total indices of the mean
    absolute rank shift for each uncertain input."""
    unc = uncertainty if uncertainty is not None else methodology.uncertainty
    rep = Replicator(methodology, data, period, unc)
    nominal_scores = rep.nominal(node)
    nominal = rep.ranks(nominal_scores)
    rng = np.random.default_rng(seed)
    U = rng.random((runs, len(rep.factors)))
    scores = rep.evaluate(U, node)
    ranks = rep.ranks(scores)
    shift = np.abs(ranks - nominal)
    names = [data.names.get(u, "") for u in rep.units]
    with np.errstate(invalid="ignore"):
        table = pd.DataFrame(
            {
                "unit": rep.units,
                "name": names,
                "nominal_score": nominal_scores,
                "nominal_rank": nominal,
                "median_rank": np.nanmedian(ranks, axis=0),
                "rank_p05": np.nanpercentile(ranks, 5, axis=0),
                "rank_p95": np.nanpercentile(ranks, 95, axis=0),
                f"prob_top_{top}": np.mean(ranks <= top, axis=0),
                "mean_abs_shift": np.nanmean(shift, axis=0),
                "score_p05": np.nanpercentile(scores, 5, axis=0),
                "score_p95": np.nanpercentile(scores, 95, axis=0),
            }
        )
    table = table.sort_values(["nominal_rank", "unit"]).reset_index(drop=True)
    groups = list(dict.fromkeys(f.group for f in rep.factors))
    result = Sensitivity(table, float(np.nanmean(shift)), runs, seed, groups)
    if sobol_runs and rep.factors:

        def model(Us: Floats) -> Floats:
            ranks = rep.ranks(rep.evaluate(Us, node))
            mean_shift: Floats = np.nanmean(np.abs(ranks - nominal), axis=1)
            return mean_shift

        result.sobol = sobol_indices([f.group for f in rep.factors], model, sobol_runs, seed)
    return result


# --- Sobol --------------------------------------------------------------------------------


def sobol_indices(
    groups: list[str],
    model: Callable[[Floats], Floats],
    n: int,
    seed: int | None = 0,
) -> pd.DataFrame:
    """First-order and total Sobol indices with 95% confidence intervals (SALib).

    ``groups[k]`` names the input that column ``k`` of the sample belongs to (columns
    sharing a name are analysed as one input); ``model`` maps a ``(R, len(groups))``
    sample of [0, 1) to ``R`` outputs. Takes ``n * (inputs + 2)`` model evaluations.
    """
    from SALib.analyze import sobol
    from SALib.sample import sobol as sobol_sample

    problem = {
        "num_vars": len(groups),
        "names": [f"x{k}" for k in range(len(groups))],
        "bounds": [[0.0, 1.0]] * len(groups),
    }
    distinct = list(dict.fromkeys(groups))
    if len(distinct) < len(groups):
        problem["groups"] = groups
    X = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    X = np.minimum(X, np.nextafter(1.0, 0.0))
    Y = np.asarray(model(X), dtype=float)
    Si = sobol.analyze(problem, Y, calc_second_order=False, seed=seed)
    return pd.DataFrame(
        {
            "input": distinct,
            "first_order": Si["S1"],
            "first_order_conf": Si["S1_conf"],
            "total": Si["ST"],
            "total_conf": Si["ST_conf"],
        }
    )
