"""Analyses of a stored run for the scorecard: rank intervals (uncertainty analysis) and
levers, computed by the engine from the run's stored inputs and stored once
(``RunAnalysis``), and the staff what-if simulator (computed on each request, never
stored). Every rank a lever reports has been checked by the engine with a full
recomputation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from django.db import IntegrityError, transaction

from dxscore.index.methods import Uncertainty, WeightNoise
from dxscore.index.uncertainty import sensitivity
from dxscore.index.whatif import levers, whatif
from dxscore.web.dashboards.models import RunAnalysis
from dxscore.web.scores import runs as score_runs
from dxscore.web.scores.models import ScoreRun

REPLICATIONS = 1000
SEED = 0
DEFAULT_WEIGHT_NOISE = 0.25  # when a methodology declares no uncertain choice
TOP = 10


def _clean(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _stored(run: ScoreRun, key: str, compute) -> dict:
    found = RunAnalysis.objects.filter(run=run, key=key, input_hash=run.input_hash).first()
    if found is not None:
        return found.payload
    payload = compute()
    try:
        with transaction.atomic():
            RunAnalysis.objects.update_or_create(
                run=run, key=key, defaults={"payload": payload, "input_hash": run.input_hash}
            )
    except IntegrityError:  # another request stored the same analysis first
        pass
    return payload


def declares_uncertainty(unc: Uncertainty) -> bool:
    return bool(
        unc.weights.noise
        or unc.normalisation
        or unc.aggregation
        or unc.imputation
        or unc.drop_indicators
    )


def rank_intervals(run: ScoreRun) -> dict:
    """Per unit: nominal and median rank, the 5%-95% rank interval and P(top 10) over
    ``REPLICATIONS`` replications of the methodology's uncertain choices (or, when it
    declares none, of its weights varied by ±25%)."""

    def compute() -> dict:
        result = score_runs.recompute_from_inputs(run)
        m = result.methodology
        declared = declares_uncertainty(m.uncertainty)
        unc = (
            m.uncertainty
            if declared
            else Uncertainty(weights=WeightNoise(noise=DEFAULT_WEIGHT_NOISE))
        )
        s = sensitivity(
            m, result.data, run.period.code, runs=REPLICATIONS, seed=SEED, uncertainty=unc, top=TOP
        )
        units = {}
        for row in s.table.to_dict("records"):
            units[str(row["unit"])] = {
                "nominal": _clean(row["nominal_rank"]),
                "median": _clean(row["median_rank"]),
                "p05": _clean(row["rank_p05"]),
                "p95": _clean(row["rank_p95"]),
                "top": _clean(row[f"prob_top_{TOP}"]),
            }
        return {
            "runs": REPLICATIONS,
            "seed": SEED,
            "declared": declared,
            "noise": None if declared else DEFAULT_WEIGHT_NOISE,
            "mean_abs_shift": _clean(s.mean_abs_shift),
            "units": units,
        }

    return _stored(run, "sensitivity", compute)


def unit_levers(run: ScoreRun, unit: str) -> dict:
    """Per indicator: the smallest raw improvement that gains a rank (verified), and the
    rank reached at the median of the units ranked above."""

    def compute() -> dict:
        result = score_runs.recompute_from_inputs(run)
        m = result.methodology
        found = levers(m, result.data, unit, run.period.code)
        rows = []
        for r in found.table.to_dict("records"):
            spec = m.nodes[r["indicator"]].spec
            span = None
            if spec.range is not None and None not in spec.range:
                span = spec.range[1] - spec.range[0]
            current, required = _clean(r["current"]), _clean(r["required"])
            step = None if current is None or required is None else required - current
            rows.append(
                {
                    "indicator": r["indicator"],
                    "name": r["name"],
                    "current": current,
                    "required": required,
                    "step": step,
                    "effort": (abs(step) / span) if step is not None and span else None,
                    "new_rank": _clean(r["new_rank"]),
                    "median_above": _clean(r["median_above"]),
                    "rank_at_median": _clean(r["rank_at_median"]),
                    "note": r["note"],
                }
            )
        return {"rank": found.current_rank, "rows": rows}

    return _stored(run, f"levers:{unit}", compute)


def best_levers(payload: dict, n: int = 3) -> list[dict]:
    """The ``n`` indicators that gain a rank with the smallest step (relative to the
    valid range when it is declared), then those that gain the most at the median of
    the units above."""
    gaining = [r for r in payload["rows"] if r["new_rank"] is not None]
    gaining.sort(
        key=lambda r: (
            r["effort"] if r["effort"] is not None else float("inf"),
            r["new_rank"],
            r["indicator"],
        )
    )
    return gaining[:n]


def simulate(run: ScoreRun, unit: str, changes: dict[str, float]) -> pd.DataFrame:
    """Every node's score and rank for ``unit`` before and after ``changes`` to its raw
    values (the engine's ``whatif`` on the run's stored inputs)."""
    result = score_runs.recompute_from_inputs(run)
    return whatif(result.methodology, result.data, unit, run.period.code, changes)
