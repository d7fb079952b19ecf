"""Uncertainty analysis: intervals, repeatability, Sobol on a known function."""

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dxscore import index as ix
from dxscore.index.methods import Uncertainty
from dxscore.index.uncertainty import Replicator, sensitivity, sobol_indices

ASEM = Path(__file__).parents[2] / "examples" / "asem"


@pytest.fixture(scope="module")
def asem():
    m = ix.load(ASEM / "methodology.yaml")
    return m, ix.load_dataset(ASEM / "data.csv", m)


ALTERNATIVES = Uncertainty.model_validate(
    {
        "weights": {"noise": 0.3},
        "normalisation": [{"method": "minmax", "range": [1, 100]}, "percentile_rank"],
        "aggregation": ["geometric"],
        "imputation": ["median"],
        "drop_indicators": True,
    }
)


def test_no_noise_and_no_alternatives_collapse_every_interval_to_the_nominal_rank(asem):
    m, data = asem
    result = sensitivity(m, data, "2018", runs=50, uncertainty=Uncertainty())
    table = result.table
    assert result.factors == []
    assert (table.rank_p05 == table.nominal_rank).all()
    assert (table.rank_p95 == table.nominal_rank).all()
    assert (table.median_rank == table.nominal_rank).all()
    assert result.mean_abs_shift == 0.0


def test_nominal_replication_equals_the_published_computation(asem):
    m, data = asem
    nominal = ix.compute(m, data)
    rep = Replicator(m, data, "2018", ALTERNATIVES)
    np.testing.assert_allclose(rep.nominal(), nominal.scores["index"][0], rtol=1e-12)
    # a replication at the nominal point of every factor is the nominal index too
    U = np.zeros((1, len(rep.factors)))
    U[0, [k for k, f in enumerate(rep.factors) if f.kind == "weight"]] = 0.5
    np.testing.assert_allclose(rep.evaluate(U)[0], nominal.scores["index"][0], rtol=1e-12)


def test_same_seed_gives_identical_output_and_another_seed_close_intervals(asem):
    m, data = asem
    one = sensitivity(m, data, "2018", runs=400, seed=7, uncertainty=ALTERNATIVES)
    two = sensitivity(m, data, "2018", runs=400, seed=7, uncertainty=ALTERNATIVES)
    pd.testing.assert_frame_equal(one.table, two.table)
    other = sensitivity(m, data, "2018", runs=400, seed=8, uncertainty=ALTERNATIVES)
    assert not one.table.equals(other.table)
    assert np.abs(one.table.median_rank - other.table.median_rank).mean() < 2.0
    assert abs(one.mean_abs_shift - other.mean_abs_shift) < 0.1 * one.mean_abs_shift


def test_intervals_contain_the_median_and_probabilities_are_shares(asem):
    m, data = asem
    table = sensitivity(m, data, "2018", runs=300, uncertainty=ALTERNATIVES, top=5).table
    assert (table.rank_p05 <= table.median_rank).all()
    assert (table.median_rank <= table.rank_p95).all()
    assert table.prob_top_5.between(0, 1).all()
    assert table.prob_top_5.sum() >= 5 - 1e-9  # at least five units share the top five


def test_weight_noise_only_moves_ranks_a_little_on_the_asem_index(asem):
    m, data = asem
    noise = Uncertainty.model_validate({"weights": {"noise": 0.1}})
    result = sensitivity(m, data, "2018", runs=300, uncertainty=noise)
    assert 0 < result.mean_abs_shift < 1.0
    assert set(result.factors) == {f"weights:{c}" for c in m.aggregates}


def test_dirichlet_weights_keep_each_aggregate_total(asem):
    m, data = asem
    unc = Uncertainty.model_validate(
        {"weights": {"distribution": "dirichlet", "concentration": 20}}
    )
    rep = Replicator(m, data, "2018", unc)
    rng = np.random.default_rng(0)
    U = rng.random((10, len(rep.factors)))
    w = rep._weights(U, "Conn", np.zeros(10, dtype=int), nominal_weights=False)
    np.testing.assert_allclose(w.sum(axis=-1), 5.0)  # five pillars of weight 1
    assert w.std() > 0


def test_dropping_an_indicator_sets_its_weight_to_zero(asem):
    m, data = asem
    unc = Uncertainty.model_validate({"drop_indicators": True})
    rep = Replicator(m, data, "2018", unc)
    options = rep.factors[0].options
    assert options == len(m.indicators) + 1
    lpi = m.indicators.index("LPI") + 1  # option 0 drops nothing
    U = np.array([[(lpi + 0.5) / options]])
    dropped = np.array([lpi])
    assert rep._weights(U, "Physical", dropped, False)[0, 0, 0] == 0.0
    changed = rep.evaluate(U)[0]
    without = m.nodes["Physical"].children[1:]
    by_hand = ix.compute(m, data)
    phys = np.mean([by_hand.scores[c][0] for c in without], axis=0)
    assert not np.allclose(changed, by_hand.scores["index"][0])
    u = data.unit_index("AUT")
    conn = np.mean([phys[u], *(by_hand.scores[c][0, u] for c in m.nodes["Conn"].children[1:])])
    expected = (conn + by_hand.scores["Sust"][0, u]) / 2
    assert changed[u] == pytest.approx(expected)


def _ishigami(U: np.ndarray) -> np.ndarray:
    x = -np.pi + 2 * np.pi * U
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_the_ishigami_function_match_the_analytic_values():
    a, b = 7.0, 0.1
    var = a**2 / 8 + b * np.pi**4 / 5 + b**2 * np.pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    s1 = np.array([v1, v2, 0.0]) / var
    st = np.array([v1 + v13, v2, v13]) / var
    table = sobol_indices(["x1", "x2", "x3"], _ishigami, 4096, seed=3)
    assert list(table.input) == ["x1", "x2", "x3"]
    for k in range(3):
        assert abs(table.first_order[k] - s1[k]) <= max(table.first_order_conf[k], 0.01)
        assert abs(table.total[k] - st[k]) <= max(table.total_conf[k], 0.01)


def test_sobol_groups_columns_and_ranks_normalisation_first_on_asem(asem):
    m, data = asem
    unc = Uncertainty.model_validate(
        {
            "weights": {"noise": 0.1},
            "normalisation": [{"method": "minmax", "range": [1, 100]}, "percentile_rank"],
        }
    )
    result = sensitivity(m, data, "2018", runs=50, uncertainty=unc, sobol_runs=64)
    sobol = result.sobol.set_index("input")
    assert "normalisation" in sobol.index and "weights:Conn" in sobol.index
    assert sobol.total.idxmax() == "normalisation"


def test_uncertainty_section_in_a_methodology_file_is_validated():
    with pytest.raises(ix.MethodologyError) as info:
        ix.loads(
            "id: u\nversion: 1\ntitle: U\ntree: {children: [{code: a}]}\n"
            "uncertainty: {weights: {noise: 2}, aggregation: [cubic]}\n",
            source="u.yaml",
        )
    paths = [p for p, _ in info.value.problems]
    assert "uncertainty.weights.noise" in paths
    assert any(p.startswith("uncertainty.aggregation") for p in paths)


PUBLICATION_RULES = """
    id: rules
    version: "1"
    title: Rounding, gates and a reference unit
    scale: [0, 1]
    rank_rounding: 2
    defaults: {indicator: {normalisation: minmax, required: false}}
    tree:
      round: 3
      children:
        - code: health
          zero_if: access
          round: 2
          children: [{code: access, round: 1}, {code: quality}]
        - code: water
          missing_if: supply
          rescale: minmax
          children: [{code: supply}, {code: safety}]
"""


def test_replications_follow_rounding_gates_and_reference_units_as_the_run_does():
    """The nominal replication is the run itself, to the digit: a node's ``round``
    before its parent takes it, ``zero_if`` and ``missing_if`` gates, reference units
    left out of rescaling and of every rank, and the rank rounding."""
    m = ix.loads(PUBLICATION_RULES)
    rng = np.random.default_rng(3)
    rows = [
        {
            "unit": f"U{i}",
            "period": "2024",
            "access": 0.0 if i == 2 else rng.random(),
            "quality": rng.random(),
            "supply": np.nan if i == 4 else rng.random(),
            "safety": rng.random(),
        }
        for i in range(12)
    ]
    rows.append({"unit": "AVG", "period": "2024", "access": 2.0, "quality": 2.0,
                 "supply": 2.0, "safety": 2.0})  # fmt: skip
    data = ix.dataset_from_frame(pd.DataFrame(rows), m)
    run = ix.compute(m, data, reference=["AVG"])
    rep = Replicator(m, dataclasses.replace(data, reference=run.reference), "2024", ALTERNATIVES)
    for node in ("index", "health", "water"):
        np.testing.assert_array_equal(rep.nominal(node), run.scores[node][0])
    np.testing.assert_array_equal(rep.ranks(rep.nominal()), run.ranks["index"][0])
    assert np.isnan(rep.ranks(rep.nominal())[-1])  # the reference unit is never ranked
    assert rep.nominal("health")[2] == 0.0 and np.isnan(rep.nominal("water")[4])
    # every replication under weight noise keeps the gates and the roundings
    noisy = Replicator(m, data, "2024", Uncertainty.model_validate({"weights": {"noise": 0.3}}))
    scores = noisy.evaluate(np.random.default_rng(5).random((64, len(noisy.factors))), "health")
    assert (scores[:, 2] == 0.0).all()
    np.testing.assert_array_equal(scores, np.round(scores, 2))
