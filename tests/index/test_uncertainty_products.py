"""The replicator's matrix products give what the ordinary pipeline gives, replication by
replication, for every aggregation (arithmetic, geometric, harmonic, points, minimum,
generalised), with missing values, coverage rules, rescaling, alternatives, imputation
and dropped indicators."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from dxscore import index as ix
from dxscore.index.methods import Uncertainty
from dxscore.index.uncertainty import Replicator

METHODOLOGY = """
id: products
version: 1
title: Every aggregation
scale: [0, 100]
tree:
  min_coverage: 0.5
  children:
    - code: A
      children: [{code: a1, required: false}, {code: a2, weight: 2}, {code: a3}]
    - code: G
      aggregation: geometric
      children: [{code: g1}, {code: g2, weight: 3}]
    - code: H
      aggregation: harmonic
      rescale: minmax
      children: [{code: h1}, {code: h2, weight: 0.5}]
    - code: P
      aggregation: points
      max_points: 35
      children: [{code: p1, max_points: 10}, {code: p2, max_points: 30, required: false}]
    - code: M
      aggregation: minimum
      children: [{code: m1}, {code: m2}]
    - code: Q
      aggregation: {method: generalised, p: -1}
      children:
        - {code: q1}
        - {code: S, children: [{code: s1}, {code: s2, weight: 2}]}
"""

UNCERTAINTY = Uncertainty.model_validate(
    {
        "weights": {"noise": 0.3},
        "normalisation": [{"method": "minmax", "range": [1, 100]}, "percentile_rank"],
        "aggregation": ["geometric"],
        "imputation": ["mean"],
        "drop_indicators": True,
    }
)


@pytest.fixture(scope="module")
def case():
    m = ix.loads(METHODOLOGY, source="products.yaml")
    rng = np.random.default_rng(5)
    units = [f"u{k}" for k in range(9)]
    frame = pd.DataFrame(rng.gamma(2.0, 10.0, (9, len(m.indicators))), columns=m.indicators)
    frame.insert(0, "period", "2024")
    frame.insert(0, "unit", units)
    frame.loc[2, "a1"] = np.nan
    frame.loc[[4, 6], "p2"] = np.nan
    frame.loc[3, "m2"] = frame["m2"].min()  # ties at the minimum
    return m, ix.dataset_from_frame(frame, m, source="products.csv")


def _one_by_one(m, data, rep: Replicator, row: np.ndarray) -> np.ndarray:
    """The replication as an ordinary methodology run through ``compute``."""
    U = row[None, :]
    options = {
        "imputation": [None, *UNCERTAINTY.imputation],
        "normalisation": [None, *UNCERTAINTY.normalisation],
        "aggregation": [None, *UNCERTAINTY.aggregation],
    }
    chosen = {kind: opts[int(rep._choice(U, kind)[0])] for kind, opts in options.items()}
    dropped = rep._choice(U, "drop")
    nodes = dict(m.nodes)
    for code, node in m.nodes.items():
        update = {}
        if node.is_indicator:
            for kind in ("imputation", "normalisation"):
                if chosen[kind] is not None:
                    update[kind] = chosen[kind]
        elif chosen["aggregation"] is not None and node.spec.aggregation.method != "points":
            update["aggregation"] = chosen["aggregation"]
        nodes[code] = dataclasses.replace(node, spec=node.spec.model_copy(update=update))
    for code in m.aggregates:
        points = m.nodes[code].spec.aggregation.method == "points"
        weights = rep._weights(U, code, dropped, nominal_weights=False)[0, 0]
        for child, w in zip(m.nodes[code].children, weights, strict=True):
            key = "max_points" if points else "weight"
            spec = nodes[child].spec.model_copy(update={key: float(w)})
            nodes[child] = dataclasses.replace(nodes[child], spec=spec)
    run = dataclasses.replace(m, nodes=nodes)
    run.__dict__.pop("aggregates", None)
    return ix.compute(run, data).scores["index"][0]


def test_every_replication_equals_the_pipeline_run_with_its_choices(case):
    m, data = case
    rep = Replicator(m, data, "2024", UNCERTAINTY)
    U = np.random.default_rng(11).random((60, len(rep.factors)))
    fast = rep.evaluate(U)
    for r in range(len(U)):
        np.testing.assert_allclose(fast[r], _one_by_one(m, data, rep, U[r]), rtol=1e-10)
    kinds = {f.kind for f in rep.factors}
    assert kinds == {"weight", "normalisation", "aggregation", "imputation", "drop"}


def test_replications_in_small_chunks_give_the_same_scores(case, monkeypatch):
    m, data = case
    rep = Replicator(m, data, "2024", UNCERTAINTY)
    U = np.random.default_rng(3).random((40, len(rep.factors)))
    whole = rep.evaluate(U)
    monkeypatch.setattr("dxscore.index.uncertainty.CHUNK_VALUES", 1)
    np.testing.assert_allclose(rep.evaluate(U), whole, rtol=1e-13)


def test_units_with_equal_values_stay_tied_in_every_replication():
    m = ix.loads(METHODOLOGY, source="products.yaml")
    rng = np.random.default_rng(8)
    values = rng.gamma(2.0, 10.0, (23, len(m.indicators)))
    values[[4, 9, 17, 22]] = values[0]  # five equal units, at various places in the row
    frame = pd.DataFrame(values, columns=m.indicators)
    frame.insert(0, "period", "2024")
    frame.insert(0, "unit", [f"u{k:02d}" for k in range(23)])
    data = ix.dataset_from_frame(frame, m, source="ties.csv")
    rep = Replicator(m, data, "2024", UNCERTAINTY)
    U = np.random.default_rng(4).random((500, len(rep.factors)))
    scores = rep.evaluate(U)
    for k in (4, 9, 17, 22):
        np.testing.assert_array_equal(scores[:, k], scores[:, 0])
    ranks = rep.ranks(scores)
    assert (ranks[:, [4, 9, 17, 22]] == ranks[:, [0]]).all()


def test_without_weight_noise_equal_choices_give_identical_scores(case):
    m, data = case
    unc = Uncertainty.model_validate({"normalisation": ["percentile_rank"]})
    rep = Replicator(m, data, "2024", unc)
    U = np.random.default_rng(1).random((30, len(rep.factors)))
    scores = rep.evaluate(U)
    nominal = rep.nominal()
    for r in np.flatnonzero(rep._choice(U, "normalisation") == 0):
        np.testing.assert_array_equal(scores[r], nominal)
