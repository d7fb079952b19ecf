"""Property tests (hypothesis) of the engine on random small methodologies and data.

Methodologies are generated as YAML text and loaded with ``dxscore.index.loads``; data
are wide pandas tables read with ``dataset_from_frame``, exactly as a user's would be.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dxscore import index as ix
from dxscore.index import steps
from dxscore.index.rounding import round_scores

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SCALES = [(0.0, 1.0), (0.0, 100.0), (1.0, 7.0), (0.0, 1000.0)]
AGGREGATIONS = ["arithmetic", "geometric", "harmonic", "generalised", "minimum", "points"]
BOUNDED = ["minmax", "goalposts", "target", "percentile_rank", "bands", "distance_to_max"]
# outlier treatment may log-transform values below zero, for which x / max is no share
OUTLIER_SAFE = {"minmax", "goalposts", "target", "percentile_rank", "bands"}


def normalisation(draw, method: str, direction: int = 1) -> dict:
    if method == "minmax":
        return {"method": "minmax", "pooled": draw(st.booleans())}
    if method == "goalposts":
        return {"method": "goalposts", "lower": 10.0, "upper": 120.0}
    if method == "target":
        # a fixed baseline must lie on the worse side of the target
        baseline = draw(st.sampled_from([0.0 if direction == 1 else 150.0, "observed"]))
        return {"method": "target", "target": 80.0, "baseline": baseline}
    if method == "bands":
        return {
            "method": "bands",
            "bands": [{"threshold": 30.0, "share": 0.5}, {"threshold": 70.0, "share": 1.0}],
            "below": draw(st.sampled_from([0.0, 0.2])),
        }
    return {"method": method, "pooled": draw(st.booleans())}


def aggregation(draw, methods: list[str]) -> dict:
    method = draw(st.sampled_from(methods))
    if method == "generalised":
        return {"method": "generalised", "p": draw(st.sampled_from([-2.0, -1.0, 0.5, 2.0, 3.0]))}
    return {"method": method}


@st.composite
def cases(
    draw,
    aggregations: list[str] = AGGREGATIONS,
    normalisations: list[str] = BOUNDED,
    missing: bool = True,
) -> tuple[str, pd.DataFrame]:
    """A random methodology (YAML text) of one or two levels, maybe with a side node,
    and a random wide table for it."""
    scale = draw(st.sampled_from(SCALES))
    n_ind = draw(st.integers(2, 6))
    codes = [f"i{k}" for k in range(n_ind)]
    indicators = []
    for code in codes:
        method = draw(st.sampled_from(normalisations))
        direction = draw(st.sampled_from([1, -1]))
        node = {
            "code": code,
            "weight": draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])),
            "max_points": draw(st.sampled_from([10.0, 25.0, 100.0])),
            "direction": direction,
            "normalisation": normalisation(draw, method, direction),
            "imputation": draw(st.sampled_from(["mean", "zero", "locf", "none"])),
            "required": False,
        }
        if method in OUTLIER_SAFE and draw(st.booleans()):
            node["outliers"] = {"method": "winsorise", "max_winsorised": 2}
        indicators.append(node)

    def aggregate(code: str, children: list) -> dict:
        node = {
            "code": code,
            "aggregation": aggregation(draw, aggregations),
            "weight": draw(st.sampled_from([0.5, 1.0, 2.0])),
            "children": children,
        }
        # its points in a points-summing parent, and the total (a cap) of its own points
        node["max_points"] = draw(st.sampled_from([20.0, 50.0, 100.0]))
        node["min_coverage"] = draw(st.sampled_from([None, 0.5, 1.0]))
        if node["min_coverage"] is None:
            del node["min_coverage"]
        if draw(st.integers(0, 4)) == 0:
            node["rescale"] = "minmax"
        return node

    pillar_of = draw(st.lists(st.integers(0, 2), min_size=n_ind, max_size=n_ind))
    pillars = sorted(set(pillar_of))
    if len(pillars) == 1:
        tree = aggregate("index", indicators)
    else:
        members = {
            k: [n for n, g in zip(indicators, pillar_of, strict=True) if g == k] for k in pillars
        }
        tree = aggregate("index", [aggregate(f"p{k}", members[k]) for k in pillars])
    doc = {"id": "prop", "version": "1", "title": "Property", "scale": list(scale), "tree": tree}
    if draw(st.booleans()):
        ranks = draw(st.sampled_from([None, 0, 1, 2]))
        if ranks is not None:
            doc["rank_rounding"] = ranks
    if draw(st.booleans()):
        refs = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=n_ind, unique=True))
        doc["nodes"] = [aggregate("side", refs)]

    n_units = draw(st.integers(1, 6))
    n_periods = draw(st.integers(1, 3))
    value = st.floats(0.5, 150.0, allow_nan=False, width=32)
    if missing:
        value = st.one_of(value, st.just(math.nan))
    rows = []
    for p in range(n_periods):
        for u in range(n_units):
            if p > 0 and draw(st.integers(0, 5)) == 0:
                continue  # the unit has no row in that period
            row = {"unit": f"U{u}", "period": str(2020 + p)}
            row.update({code: draw(value) for code in codes})
            rows.append(row)
    return yaml.safe_dump(doc, sort_keys=False), pd.DataFrame(rows)


def run(text: str, frame: pd.DataFrame) -> ix.Result:
    methodology = ix.loads(text, source="<hypothesis>")
    return ix.compute(methodology, ix.dataset_from_frame(frame, methodology))


# --- (a) scores stay on the output scale ------------------------------------------------------


@SETTINGS
@given(cases())
def test_every_score_stays_on_the_output_scale(case):
    result = run(*case)
    lo, hi = result.methodology.scale
    tol = 1e-9 * (hi - lo)
    for code, score in result.scores.items():
        s = score[~np.isnan(score)]
        assert np.all(s >= lo - tol), (code, s.min(), case[0])
        assert np.all(s <= hi + tol), (code, s.max(), case[0])
        # absent units get no score at all
        assert np.isnan(score[~result.data.present]).all(), code


# --- (b) monotonicity with arithmetic aggregation ---------------------------------------------


@st.composite
def raised(draw, method: str):
    """An arithmetic methodology without missing values, and one raw value to raise."""
    text, frame = draw(cases(aggregations=["arithmetic"], normalisations=[method], missing=False))
    doc = yaml.safe_load(text)
    doc.pop("nodes", None)

    def clean(node: dict) -> None:  # positive weights, no rescaling, no outlier treatment
        node["weight"] = max(node["weight"], 0.5)
        node.pop("rescale", None)
        node.pop("outliers", None)
        for child in node.get("children", []):
            clean(child)

    clean(doc["tree"])
    row = draw(st.integers(0, len(frame) - 1))
    code = draw(st.sampled_from([c for c in frame.columns if c.startswith("i")]))
    delta = draw(st.floats(0.01, 200.0))
    return yaml.safe_dump(doc, sort_keys=False), frame, row, code, delta


def check_raise(text: str, frame: pd.DataFrame, row: int, code: str, delta: float):
    before = run(text, frame)
    higher = frame.copy()
    higher.loc[row, code] = float(frame.loc[row, code]) + delta
    after = run(text, higher)
    data = before.data
    u = data.unit_index(frame.loc[row, "unit"])
    p = data.period_index(frame.loc[row, "period"])
    direction = before.methodology.nodes[code].spec.direction
    old, new = before.scores["index"], after.scores["index"]
    change = (new - old) * direction  # > 0: better for a higher-is-better indicator
    tol = 1e-9 * (before.methodology.scale[1] - before.methodology.scale[0])
    others = data.present.copy()  # the other units with a score (absent units have none)
    others[p, u] = False
    return change, (p, u), others, tol


@SETTINGS
@given(raised("goalposts"))
def test_raising_a_raw_value_moves_only_that_units_score_with_goalposts(args):
    change, (p, u), others, tol = check_raise(*args)
    # raising a higher-is-better value never lowers the unit's score (a lower-is-better
    # value never raises it) ...
    assert change[p, u] >= -tol
    # ... and goalposts do not depend on other units: nobody else moves
    assert np.all(np.abs(change[others]) <= tol)


@SETTINGS
@given(raised("minmax"))
def test_raising_a_raw_value_never_lowers_that_units_score_with_minmax(args):
    change, (p, u), others, tol = check_raise(*args)
    assert change[p, u] >= -tol
    # min-max moves the others, but only the other way: a better value for one unit can
    # stretch the range (lowering the others' shares), never raise anybody else's score
    assert np.all(change[others] <= tol)


# --- (c) contributions add up to the score ---------------------------------------------------


@SETTINGS
@given(cases(), st.data())
def test_explanation_contributions_add_up_to_every_aggregate_score(case, data):
    result = run(*case)
    m = result.methodology
    agg = result.aggregation
    for code in m.aggregates:
        score = agg.scores[code]
        total = agg.contributions[code].sum(axis=-1)
        ok = ~np.isnan(score)
        np.testing.assert_allclose(total[ok], score[ok], rtol=1e-9, atol=1e-12, err_msg=code)
        assert np.isnan(total[~ok]).all()
    present = np.argwhere(result.data.present)
    p, u = present[data.draw(st.integers(0, len(present) - 1))]
    table = result.explain(result.data.units[u], result.data.periods[p])
    for code in m.aggregates:
        parent = table[(table["node"] == code)].iloc[0]
        parts = table[table["parent"] == code]
        assert list(parts["node"]) == list(m.nodes[code].children)
        if np.isnan(parent["score"]):
            assert parts["contribution"].isna().all()
        else:
            assert math.isclose(
                parts["contribution"].sum(), parent["score"], rel_tol=1e-9, abs_tol=1e-12
            ), (code, m.nodes[code].spec.aggregation.method, case[0])


@SETTINGS
@given(
    st.sampled_from(AGGREGATIONS),
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=5),
    st.data(),
)
def test_contributions_add_up_for_each_aggregation_on_a_flat_tree(method, values, data):
    """Every aggregation method on its own, with the scale's low end at 0 and above it."""
    n = len(values)
    weights = data.draw(st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=n, max_size=n))
    agg = {"method": method}
    if method == "generalised":
        agg["p"] = data.draw(st.sampled_from([-1.0, 0.0, 2.0]))
    lo, hi = data.draw(st.sampled_from([(0.0, 1.0), (1.0, 7.0)]))
    children = [
        {"code": f"i{k}", "weight": w, "max_points": 10 * w, "normalisation": "identity"}
        for k, w in enumerate(weights)
    ]
    doc = {
        "id": "flat",
        "version": "1",
        "title": "Flat",
        "scale": [lo, hi],
        "tree": {"code": "index", "aggregation": agg, "children": children},
    }
    row = {"unit": "A", "period": "2020"}
    row.update({f"i{k}": lo + v * (hi - lo) for k, v in enumerate(values)})
    result = run(yaml.safe_dump(doc), pd.DataFrame([row]))
    table = result.explain("A", "2020")
    score = table.loc[table["node"] == "index", "score"].iloc[0]
    assert lo - 1e-12 <= score <= hi + 1e-12
    total = table.loc[table["parent"] == "index", "contribution"].sum()
    assert math.isclose(total, score, rel_tol=1e-9, abs_tol=1e-12), (method, lo, values)


# --- (d) ranks are a competition ranking ------------------------------------------------------


def assert_competition_ranking(scores: np.ndarray, ranks: np.ndarray, decimals) -> None:
    # scores are ranked rounded as published: half up on the decimal as written (Excel)
    s = round_scores(scores, decimals, "half_up") if decimals is not None else scores
    for p in range(s.shape[0]):
        valid = ~np.isnan(s[p])
        assert np.isnan(ranks[p][~valid]).all()
        for u in np.flatnonzero(valid):
            assert ranks[p, u] == 1 + np.sum(s[p][valid] > s[p, u])
        used = np.sort(ranks[p][valid])
        if used.size:
            assert used[0] == 1
            # no gaps beyond ties: each rank is 1 + the number of units ranked before it
            first = np.r_[True, used[1:] != used[:-1]]
            assert np.array_equal(used[first], np.flatnonzero(first) + 1)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from([0.0, 0.5, 0.504, 0.5049, 1.0, 2.0, math.nan]), min_size=5, max_size=5
        ),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from([None, 0, 1, 2]),
)
def test_competition_rank_is_one_plus_the_number_strictly_better(rows, decimals):
    scores = np.array(rows)
    assert_competition_ranking(scores, steps.competition_rank(scores, decimals), decimals)


@SETTINGS
@given(cases())
def test_result_ranks_are_a_competition_ranking_of_every_node(case):
    result = run(*case)
    decimals = result.methodology.rank_rounding
    for code, score in result.scores.items():
        assert_competition_ranking(score, result.ranks[code], decimals)
    frame = result.to_frame()
    index = frame[frame["node"] == "index"]
    for _, group in index.groupby("period"):
        ranked = group.dropna(subset=["score"])
        s = ranked["score"].to_numpy()
        if decimals is not None:
            s = round_scores(s, decimals, "half_up")
        expected = [1 + int(np.sum(s > v)) for v in s]
        assert ranked["rank"].tolist() == expected
