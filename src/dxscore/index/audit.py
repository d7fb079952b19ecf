"""The statistical audit of an index before it is published (JRC/COINr practice).

For one period: data availability per unit and per indicator, screened by a threshold;
Pearson and Spearman correlations between the children of each aggregate and of every
node with the aggregates above it, with flags; Cronbach's alpha of each aggregate's
children; a principal component analysis of each aggregate's children; and the
remove-one-indicator test (the index recomputed without each indicator, its siblings
reweighted as the methodology's aggregation does, and the rank shifts it causes).
Formulas and the COINr correspondence: ``docs/methodology.md`` ("Statistical audit").

Pure: a methodology and a dataset in, tables (pandas) out.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from dxscore import texts
from dxscore.index.arrays import Floats
from dxscore.index.data import Dataset
from dxscore.index.methodology import ROOT, CompiledMethodology
from dxscore.index.methods import Uncertainty
from dxscore.index.pipeline import compute
from dxscore.index.uncertainty import Replicator

THRESHOLD = 0.66  # data availability below which a unit or an indicator is flagged
COLLINEAR = 0.9  # a correlation above which two children of an aggregate are flagged


@dataclass
class Audit:
    """The audit of one period; every table has one row per item and plain columns."""

    methodology: str  # label (id and version)
    period: str
    threshold: float
    collinear: float
    units: pd.DataFrame  # data availability per unit
    indicators: pd.DataFrame  # data availability per indicator
    correlations: pd.DataFrame
    cronbach: pd.DataFrame
    pca: pd.DataFrame
    remove_one: pd.DataFrame

    SECTIONS = ("units", "indicators", "correlations", "cronbach", "pca", "remove_one")

    def sections(self) -> dict[str, pd.DataFrame]:
        """The tables in reading order, by section name."""
        return {name: getattr(self, name) for name in self.SECTIONS}

    def to_json(self) -> dict[str, Any]:
        """Everything as JSON-ready values (NaN as None)."""
        out: dict[str, Any] = {
            "methodology": self.methodology,
            "period": self.period,
            "threshold": self.threshold,
            "collinear": self.collinear,
        }
        for name, frame in self.sections().items():
            out[name] = [
                {k: _json_value(v) for k, v in row.items()} for row in frame.to_dict("records")
            ]
        return out


def _json_value(value: Any) -> Any:
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    return value


def audit(
    methodology: CompiledMethodology,
    data: Dataset,
    period: str | None = None,
    threshold: float = THRESHOLD,
    collinear: float = COLLINEAR,
) -> Audit:
    """The audit of ``period`` (default: the latest) of ``methodology`` over ``data``."""
    if not 0 <= threshold <= 1:
        raise ValueError("the data availability threshold is a share between 0 and 1")
    if not 0 < collinear <= 1:
        raise ValueError("the collinearity threshold is a correlation between 0 and 1")
    period = period if period is not None else data.periods[-1]
    p = data.period_index(period)
    present = data.present[p]
    result = compute(methodology, data)
    scores = {code: result.scores[code][p][present] for code in methodology.nodes}
    return Audit(
        methodology=methodology.label,
        period=period,
        threshold=threshold,
        collinear=collinear,
        units=_unit_availability(methodology, data, p, threshold),
        indicators=_indicator_availability(methodology, data, p, threshold),
        correlations=_correlations(methodology, scores, collinear),
        cronbach=_per_aggregate(methodology, scores, _cronbach_row),
        pca=_per_aggregate(methodology, scores, _pca_row),
        remove_one=_remove_one(methodology, data, period),
    )


# --- data availability -----------------------------------------------------------------


def _raw(methodology: CompiledMethodology, data: Dataset, p: int) -> Floats:
    """Raw values of the present units, ``(units, indicators)``."""
    present = data.present[p]
    return np.stack([data.values[c][p][present] for c in methodology.indicators], axis=-1)


def _unit_availability(
    methodology: CompiledMethodology, data: Dataset, p: int, threshold: float
) -> pd.DataFrame:
    raw = _raw(methodology, data, p)
    units = [u for u, ok in zip(data.units, data.present[p], strict=True) if ok]
    available = (~np.isnan(raw)).sum(axis=1)
    n = raw.shape[1]
    share = available / n if n else np.zeros(len(units))
    return pd.DataFrame(
        {
            "unit": units,
            "name": [data.names.get(u, "") for u in units],
            "available": available,
            "indicators": n,
            "share": share,
            "zeros": (raw == 0).sum(axis=1),
            "below_threshold": share < threshold,
        }
    )


def _indicator_availability(
    methodology: CompiledMethodology, data: Dataset, p: int, threshold: float
) -> pd.DataFrame:
    raw = _raw(methodology, data, p)
    n = raw.shape[0]
    available = (~np.isnan(raw)).sum(axis=0)
    share = available / n if n else np.zeros(raw.shape[1])
    codes = methodology.indicators
    return pd.DataFrame(
        {
            "indicator": codes,
            "name": [texts.pick(methodology.nodes[c].spec.name) for c in codes],
            "parent": [methodology.nodes[c].parent or "" for c in codes],
            "available": available,
            "units": n,
            "share": share,
            "zeros": (raw == 0).sum(axis=0),
            "below_threshold": share < threshold,
        }
    )


# --- correlations ----------------------------------------------------------------------


def correlation(x: Floats, y: Floats) -> tuple[float, float, int]:
    """Pearson and Spearman correlations over the units where both have a value, and how
    many units that is; NaN with fewer than 3 units or a constant series."""
    ok = ~np.isnan(x) & ~np.isnan(y)
    n = int(ok.sum())
    a, b = x[ok], y[ok]
    if n < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan"), float("nan"), n
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pearson = float(stats.pearsonr(a, b).statistic)
        spearman = float(stats.spearmanr(a, b).statistic)
    return pearson, spearman, n


def _correlations(
    methodology: CompiledMethodology, scores: dict[str, Floats], collinear: float
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []

    def add(kind: str, group: str, a: str, b: str) -> None:
        pearson, spearman, n = correlation(scores[a], scores[b])
        flags = []
        if pearson < 0:
            flags.append("negative")
        if kind == "within" and pearson > collinear:
            flags.append("collinear")
        rows.append(
            {
                "kind": kind,
                "aggregate": group,
                "a": a,
                "b": b,
                "pearson": pearson,
                "spearman": spearman,
                "units": n,
                "flag": ", ".join(flags),
            }
        )

    for code in methodology.aggregates:  # children of each aggregate, pair by pair
        children = methodology.nodes[code].children
        for i, a in enumerate(children):
            for b in children[i + 1 :]:
                add("within", code, a, b)
    for code in methodology.aggregates:  # each child with its aggregate and those above
        for child in methodology.nodes[code].children:
            above = [code]
            if methodology.nodes[child].parent == code:  # tree ancestors above the parent
                above = methodology.path_to_root(code)
            for ancestor in above:
                add("across", ancestor, child, ancestor)
    columns = ["kind", "aggregate", "a", "b", "pearson", "spearman", "units", "flag"]
    return pd.DataFrame(rows, columns=columns)


# --- Cronbach's alpha and principal components ---------------------------------------------


def _complete(methodology: CompiledMethodology, scores: dict[str, Floats], code: str) -> Floats:
    """Children's scores of the units that have all of them, ``(units, children)``."""
    x = np.stack([scores[c] for c in methodology.nodes[code].children], axis=-1)
    complete: Floats = x[~np.isnan(x).any(axis=1)]
    return complete


def cronbach_alpha(x: Floats) -> float:
    """``k / (k - 1) * (1 - sum of the items' variances / variance of their sum)`` over
    complete rows of ``x`` ``(units, items)``, sample variances; NaN when undefined."""
    n, k = x.shape
    if k < 2 or n < 2:
        return float("nan")
    total = x.sum(axis=1).var(ddof=1)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total))


def principal_components(x: Floats) -> Floats:
    """Eigenvalues, largest first, of the correlation matrix of the columns of ``x``
    (PCA of standardised variables, as ``prcomp(scale. = TRUE)``); NaN when a column
    is constant or there are fewer than 3 rows."""
    n, k = x.shape
    if n < 3 or k < 2 or (np.ptp(x, axis=0) == 0).any():
        return np.full(k, np.nan)
    eigenvalues = np.linalg.eigvalsh(np.corrcoef(x, rowvar=False))[::-1]
    return np.asarray(eigenvalues, dtype=np.float64)


def _cronbach_row(code: str, x: Floats) -> dict[str, Any]:
    return {"alpha": cronbach_alpha(x)}


def _pca_row(code: str, x: Floats) -> dict[str, Any]:
    ev = principal_components(x)
    defined = not np.isnan(ev).any()
    above = int((ev > 1).sum()) if defined else None
    return {
        "first_share": float(ev[0] / ev.sum()) if defined else float("nan"),
        "eigenvalues_above_1": above,
        "eigenvalues": ", ".join(f"{v:.3f}" for v in ev) if defined else "",
        "flag": "several eigenvalues > 1" if above is not None and above > 1 else "",
    }


def _per_aggregate(methodology: CompiledMethodology, scores: dict[str, Floats], fn: Any) -> Any:
    rows = []
    for code in methodology.aggregates:
        children = methodology.nodes[code].children
        if len(children) < 2:
            continue
        x = _complete(methodology, scores, code)
        rows.append({"aggregate": code, "children": len(children), "units": len(x), **fn(code, x)})
    return pd.DataFrame(rows)


# --- remove one indicator ------------------------------------------------------------------


def _remove_one(methodology: CompiledMethodology, data: Dataset, period: str) -> pd.DataFrame:
    """Per indicator: the index without it (its weight 0, so each aggregate above shares
    the weight among the other children as its aggregation does for a missing child) and
    the absolute rank shifts of the units against the nominal ranks."""
    rep = Replicator(methodology, data, period, Uncertainty(drop_indicators=True))
    options = len(methodology.indicators) + 1  # option 0 drops nothing
    U = ((np.arange(1, options) + 0.5) / options)[:, None]
    nominal = rep.ranks(rep.nominal(ROOT))
    ranks = rep.ranks(rep.evaluate(U, ROOT, nominal_weights=True))
    shift = np.abs(ranks - nominal)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a unit without a rank either way
        frame = pd.DataFrame(
            {
                "indicator": methodology.indicators,
                "parent": [methodology.nodes[c].parent or "" for c in methodology.indicators],
                "median_abs_shift": np.nanmedian(shift, axis=1),
                "mean_abs_shift": np.nanmean(shift, axis=1),
                "max_abs_shift": np.nanmax(shift, axis=1),
                "units_moved": (shift > 0).sum(axis=1),
            }
        )
    return frame
