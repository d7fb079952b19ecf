"""End-to-end behaviour of ``compute`` on tiny hand-made methodologies and data."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from dxscore import index as ix

HEAD = """
id: test
version: 1
title: Test
"""


def run(yaml_body: str, rows: list[dict]) -> ix.Result:
    methodology = ix.loads(HEAD + yaml_body)
    return ix.compute(methodology, ix.dataset_from_frame(pd.DataFrame(rows), methodology))


def scores_of(result: ix.Result, node: str, period: str) -> dict[str, float]:
    p = result.data.period_index(period)
    return dict(zip(result.data.units, result.scores[node][p].tolist(), strict=True))


# --- pooled normalisation ------------------------------------------------------------------

POOLED = """
scale: [0, 100]
tree:
  code: index
  children:
    - code: x
      normalisation: {method: minmax, pooled: %s}
"""
GROWTH = [
    {"unit": "A", "period": 2020, "x": 0},
    {"unit": "B", "period": 2020, "x": 5},
    {"unit": "C", "period": 2020, "x": 10},
    {"unit": "A", "period": 2021, "x": 10},
    {"unit": "B", "period": 2021, "x": 15},
    {"unit": "C", "period": 2021, "x": 20},
]


def test_pooled_minmax_makes_scores_comparable_across_periods():
    per_period = run(POOLED % "false", GROWTH)
    # every unit grew by 10, but per-period min-max hides it: 0, 50, 100 both years
    assert scores_of(per_period, "index", "2020") == {"A": 0, "B": 50, "C": 100}
    assert scores_of(per_period, "index", "2021") == {"A": 0, "B": 50, "C": 100}
    pooled = run(POOLED % "true", GROWTH)
    # pooled over both years: min 0, max 20 -> x * 5
    assert scores_of(pooled, "index", "2020") == {"A": 0, "B": 25, "C": 50}
    assert scores_of(pooled, "index", "2021") == {"A": 50, "B": 75, "C": 100}
    # A in 2021 scores what C scored in 2020: both had 10
    assert scores_of(pooled, "x", "2021")["A"] == scores_of(pooled, "x", "2020")["C"]


# --- side nodes ----------------------------------------------------------------------------

SIDE_TREE = """
scale: [0, 1]
defaults:
  indicator:
    normalisation: identity
tree:
  code: index
  children:
    - {code: a, weight: 1}
    - {code: b, weight: 1}
    - {code: c, weight: 2}
"""
SIDE_NODES = """
nodes:
  - code: view
    name: A pillar view over a and b
    children: [a, b]
"""
ABC = [
    {"unit": "P", "period": 2022, "a": 0.2, "b": 0.6, "c": 0.9},
    {"unit": "Q", "period": 2022, "a": 0.8, "b": 0.4, "c": 0.3},
]


def test_side_node_is_scored_but_does_not_change_the_index():
    without = run(SIDE_TREE, ABC)
    with_view = run(SIDE_TREE + SIDE_NODES, ABC)
    # index: (a + b + 2c) / 4 -> P: (0.2 + 0.6 + 1.8) / 4 = 0.65; Q: (0.8 + 0.4 + 0.6) / 4 = 0.45
    assert_allclose(with_view.scores["index"], [[0.65, 0.45]])
    assert_array_equal(with_view.scores["index"], without.scores["index"])
    # the view: (a + b) / 2 -> P 0.4, Q 0.6: ranked on its own
    assert_allclose(with_view.scores["view"], [[0.4, 0.6]])
    assert_array_equal(with_view.ranks["view"], [[2, 1]])
    assert with_view.methodology.side_nodes == ["view"]
    assert with_view.methodology.nodes["a"].parent == "index"  # still a child of the index
    frame = with_view.to_frame()
    assert set(frame["node"]) == {"index", "a", "b", "c", "view"}
    row = frame[(frame["node"] == "view") & (frame["unit"] == "Q")].iloc[0]
    assert row["score"] == pytest.approx(0.6) and row["rank"] == 1
    assert list(with_view.ranking()["unit"]) == ["P", "Q"]
    assert list(with_view.ranking().columns[-1:]) == ["view"]


def test_side_node_appears_in_the_explanation_with_its_children():
    table = run(SIDE_TREE + SIDE_NODES, ABC).explain("P", "2022")
    view = table[table["parent"] == "view"].set_index("node")
    assert list(view.index) == ["a", "b"]
    assert_allclose(view["share"], [0.5, 0.5])
    assert_allclose(view["contribution"], [0.1, 0.3])  # 0.5 * 0.2 and 0.5 * 0.6
    index_rows = table[table["parent"] == "index"].set_index("node")
    assert_allclose(index_rows.loc["c", "weight_in_index"], 0.5)
    assert_allclose(index_rows["contribution"].sum(), 0.65)


# --- rank change ---------------------------------------------------------------------------

GOALPOSTS = """
scale: [0, 100]
tree:
  code: index
  children:
    - code: x
      normalisation: {method: goalposts, lower: 0, upper: 10}
"""


def test_rank_change_between_two_periods():
    rows = [
        {"unit": "A", "period": 2020, "x": 9},
        {"unit": "B", "period": 2020, "x": 6},
        {"unit": "C", "period": 2020, "x": 3},
        {"unit": "A", "period": 2021, "x": 7},
        {"unit": "B", "period": 2021, "x": 5},
        {"unit": "C", "period": 2021, "x": 8},
    ]
    result = run(GOALPOSTS, rows)
    # 2020: A 1, B 2, C 3; 2021: C 1, A 2, B 3 -> A -1, B -1, C +2
    frame = result.to_frame(period="2021").query("node == 'index'").set_index("unit")
    assert frame["rank"].tolist() == [2, 3, 1]
    assert frame["rank_change"].tolist() == [-1, -1, 2]
    first = result.to_frame(period="2020").query("node == 'index'")
    assert first["rank_change"].isna().all()
    table = result.ranking("2021")
    assert table["unit"].tolist() == ["C", "A", "B"]
    assert table["rank_change"].tolist() == [2, -1, -1]


# --- rescaling an aggregate ----------------------------------------------------------------


def test_rescale_minmax_on_an_aggregate():
    body = """
scale: [0, 100]
defaults:
  indicator:
    normalisation: {method: goalposts, lower: 0, upper: 10}
tree:
  code: index
  rescale: minmax
  children:
    - code: x
    - code: y
"""
    rows = [
        {"unit": "A", "period": 2020, "x": 2, "y": 2},  # mean of 20, 20 = 20
        {"unit": "B", "period": 2020, "x": 4, "y": 6},  # mean of 40, 60 = 50
        {"unit": "C", "period": 2020, "x": 8, "y": 8},  # mean of 80, 80 = 80
    ]
    result = run(body, rows)
    # min-max of 20, 50, 80 onto [0, 100]
    assert_allclose(result.scores["index"], [[0, 50, 100]])
    assert_allclose(result.scores["x"], [[20, 40, 80]])  # the children are not rescaled
    table = result.explain("B", "2020").set_index("node")
    # B's contributions split the rescaled 50 in proportion to 0.5 * 40 and 0.5 * 60
    assert_allclose(table.loc[["x", "y"], "contribution"], [20, 30])


# --- geometric mean of negative scores -------------------------------------------------------


def test_geometric_mean_over_negative_zscores_raises_engine_error_naming_the_node():
    body = """
scale: [0, 100]
defaults:
  indicator:
    normalisation: zscore
tree:
  code: index
  children:
    - code: pillar
      aggregation: geometric
      children:
        - code: x
        - code: y
"""
    rows = [
        {"unit": "A", "period": 2020, "x": 1, "y": 1},
        {"unit": "B", "period": 2020, "x": 2, "y": 2},
        {"unit": "C", "period": 2020, "x": 3, "y": 3},
    ]
    with pytest.raises(ix.EngineError, match=r"node 'pillar'.*unit 'A' period '2020'"):
        run(body, rows)


def test_geometric_mean_over_bounded_scores_computes():
    body = """
scale: [0, 100]
defaults:
  indicator:
    normalisation: {method: goalposts, lower: 0, upper: 10}
tree:
  code: index
  aggregation: geometric
  children: [{code: x}, {code: y}]
"""
    result = run(body, [{"unit": "A", "period": 2020, "x": 2, "y": 8}])
    assert_allclose(result.scores["index"], [[40]])  # sqrt(20 * 80)


# --- imputation in the explanation -----------------------------------------------------------


def test_imputed_values_are_flagged_in_explain():
    body = """
scale: [0, 100]
tree:
  code: index
  children:
    - code: x
      imputation: mean
      normalisation: {method: goalposts, lower: 0, upper: 10}
    - code: y
      normalisation: {method: goalposts, lower: 0, upper: 10}
"""
    rows = [
        {"unit": "A", "period": 2020, "x": 2, "y": 5},
        {"unit": "B", "period": 2020, "x": np.nan, "y": 5},
        {"unit": "C", "period": 2020, "x": 6, "y": 5},
    ]
    result = run(body, rows)
    table = result.explain("B", "2020").set_index("node")
    # B's x is the mean of 2 and 6 = 4 -> 40; index (40 + 50) / 2 = 45
    assert bool(table.loc["x", "imputed"]) is True
    assert np.isnan(table.loc["x", "raw"])
    assert table.loc["x", "normalised"] == pytest.approx(40)
    assert bool(table.loc["y", "imputed"]) is False
    assert table.loc["index", "score"] == pytest.approx(45)
    other = result.explain("A", "2020").set_index("node")
    assert not other["imputed"].any()


# --- points and their explanation ------------------------------------------------------------

POINTS = """
scale: [1, 7]
defaults:
  indicator:
    normalisation: {method: goalposts, lower: 0, upper: 10}
tree:
  code: index
  aggregation: points
  max_points: 50
  children:
    - {code: x, max_points: 10}
    - {code: y, max_points: 10}
"""


def test_points_in_the_explanation_add_up_even_when_none_are_earned():
    rows = [
        {"unit": "A", "period": 2024, "x": 10, "y": 5},
        {"unit": "B", "period": 2024, "x": 0, "y": 0},
    ]
    result = run(POINTS, rows)
    # A: scores 7 and 4 on [1, 7] -> 10 + 5 = 15 points of 50 -> 1 + 6 * 15 / 50 = 2.8
    a = result.explain("A", "2024").set_index("node")
    assert a.loc["index", "score"] == pytest.approx(2.8)
    assert_allclose(a.loc[["index", "x", "y"], "points"], [15, 10, 5])
    assert_allclose(a.loc[["x", "y"], "share"], [0.2, 0.2])  # 10 of the node's 50 points
    assert_allclose(a.loc[["x", "y"], "contribution"], [2.8 * 2 / 3, 2.8 / 3])
    # B earns no points: its score is the low end 1, which the children still add up to
    b = result.explain("B", "2024").set_index("node")
    assert b.loc["index", "score"] == pytest.approx(1.0)
    assert_allclose(b.loc[["x", "y"], "points"], [0, 0])
    assert_allclose(b.loc[["x", "y"], "contribution"], [0.5, 0.5])
