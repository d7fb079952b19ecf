"""The statistical audit, every figure against a hand computation.

Four units A-D; identity normalisation, so scores are the raw values:

    x1 = 1 2 3 4      x3 = 1 3 2 4      P = (x1 + x2) / 2 = 1.5 1.5 3.5 3.5
    x2 = 2 1 4 3      x4 = 2 4 3 -      Q = mean of x3, x4 = 1.5 3.5 2.5 4
    index = (P + Q) / 2 = 1.5 2.5 3 3.75   ranks A4 B3 C2 D1
"""

import math

import numpy as np
import pandas as pd
import pytest

from dxscore import index as ix
from dxscore.index.audit import audit, cronbach_alpha, principal_components

TINY = """
id: tiny
version: 1
title: Tiny
defaults: {indicator: {normalisation: identity}}
tree:
  children:
    - {code: P, children: [{code: x1}, {code: x2}]}
    - {code: Q, children: [{code: x3}, {code: x4, required: false}]}
"""


@pytest.fixture(scope="module")
def tiny():
    m = ix.loads(TINY, source="tiny.yaml")
    frame = pd.DataFrame(
        {
            "unit": list("ABCD"),
            "period": "2024",
            "x1": [1, 2, 3, 4],
            "x2": [2, 1, 4, 3],
            "x3": [1, 3, 2, 4],
            "x4": [2, 4, 3, np.nan],
        }
    )
    return m, ix.dataset_from_frame(frame, m, source="tiny.csv")


def test_data_availability_is_screened_by_the_threshold(tiny):
    a = audit(*tiny, threshold=0.8)
    units = a.units.set_index("unit")
    assert units.available.to_dict() == {"A": 4, "B": 4, "C": 4, "D": 3}
    assert units.share["D"] == 0.75 and units.below_threshold.to_dict() == {
        "A": False,
        "B": False,
        "C": False,
        "D": True,
    }
    indicators = a.indicators.set_index("indicator")
    assert indicators.share.to_dict() == {"x1": 1.0, "x2": 1.0, "x3": 1.0, "x4": 0.75}
    assert list(indicators.index[indicators.below_threshold]) == ["x4"]
    assert indicators.parent["x4"] == "Q"
    assert not audit(*tiny, threshold=0.7).units.below_threshold.any()


def test_correlations_within_and_across_levels(tiny):
    corr = audit(*tiny).correlations.set_index(["kind", "aggregate", "a", "b"])
    # x1, x2: deviations -1.5 -.5 .5 1.5 and -.5 -1.5 1.5 .5: 3 / 5; ranks are the values
    within = corr.loc[("within", "P", "x1", "x2")]
    assert within.pearson == pytest.approx(0.6) and within.spearman == pytest.approx(0.6)
    assert within.units == 4 and within.flag == ""
    # x3, x4 on A-C: x4 = x3 + 1
    q = corr.loc[("within", "Q", "x3", "x4")]
    assert q.pearson == pytest.approx(1.0) and q.units == 3 and q.flag == "collinear"
    # P, Q: deviations -1 -1 1 1 and -1.375 .625 -.375 1.125: 1.5 / sqrt(4 * 3.6875)
    pq = corr.loc[("within", "index", "P", "Q")]
    assert pq.pearson == pytest.approx(1.5 / math.sqrt(4 * 3.6875))
    # Spearman of P (ranks 1.5 1.5 3.5 3.5) and Q (ranks 1 3 2 4): 2 / sqrt(4 * 5)
    assert pq.spearman == pytest.approx(2 / math.sqrt(4 * 5))
    # x1 with its pillar: 4 / sqrt(5 * 4); and with the index, above it
    assert corr.loc[("across", "P", "x1", "P")].pearson == pytest.approx(4 / math.sqrt(20))
    assert ("across", "index", "x1", "index") in corr.index
    assert ("across", "index", "P", "index") in corr.index


def test_negative_correlations_are_flagged():
    m = ix.loads(
        "id: n\nversion: 1\ntitle: N\ndefaults: {indicator: {normalisation: identity}}\n"
        "tree: {children: [{code: y1}, {code: y2}, {code: y3}]}\n"
    )
    frame = pd.DataFrame(
        {"unit": list("ABCD"), "period": "2024", "y1": [1, 2, 3, 4], "y2": [4, 3, 2, 1]}
    ).assign(y3=[1, 3, 2, 5])
    corr = audit(m, ix.dataset_from_frame(frame, m), collinear=0.95).correlations
    row = corr[(corr.a == "y1") & (corr.b == "y2")].iloc[0]
    assert row.pearson == pytest.approx(-1.0) and row.flag == "negative"
    # y1, y3: deviations -1.5 -.5 .5 1.5 and -1.75 .25 -.75 2.25: 5.5 / sqrt(5 * 8.75)
    row = corr[(corr.a == "y1") & (corr.b == "y3")].iloc[0]
    assert row.pearson == pytest.approx(5.5 / math.sqrt(5 * 8.75)) and row.flag == ""


def test_cronbach_alpha_by_hand(tiny):
    # x1, x2: variances 5/3 each; their sum 3 3 7 7 has variance 16/3: 2 (1 - 10/16)
    alpha = audit(*tiny).cronbach.set_index("aggregate")
    assert alpha.alpha["P"] == pytest.approx(0.75)
    assert alpha.units["P"] == 4
    # x3, x4 on the complete units A-C: variances 1 and 1, sum 3 7 5 of variance 4
    assert alpha.alpha["Q"] == pytest.approx(1.0) and alpha.units["Q"] == 3
    # three items: 1 2 3, 2 2 4, 1 3 3; variances 1, 4/3, 4/3; sums 4 7 10, variance 9
    x = np.array([[1, 2, 1], [2, 2, 3], [3, 4, 3]], dtype=float)
    assert cronbach_alpha(x) == pytest.approx(1.5 * (1 - (1 + 4 / 3 + 4 / 3) / 9))


def test_pca_share_of_the_first_component_by_hand(tiny):
    # two variables correlated r: eigenvalues 1 + r and 1 - r
    pca = audit(*tiny).pca.set_index("aggregate")
    assert pca.first_share["P"] == pytest.approx(0.8)  # (1 + 0.6) / 2
    assert pca.eigenvalues["P"] == "1.600, 0.400"
    assert pca.eigenvalues_above_1["P"] == 1 and pca.flag["P"] == ""
    r = 1.5 / math.sqrt(4 * 3.6875)
    assert pca.first_share["index"] == pytest.approx((1 + r) / 2)
    # three variables with equal correlations r: eigenvalues 1 + 2r, 1 - r, 1 - r
    x = np.array([[1, 1, 0], [1, 0, 1], [0, 1, 1], [0, 0, 0], [1, 1, 1], [0, 0, 1]], float)
    c = np.corrcoef(x, rowvar=False)
    ev = principal_components(x)
    assert ev.sum() == pytest.approx(3.0) and ev[0] >= ev[1] >= ev[2]
    assert ev == pytest.approx(np.sort(np.linalg.eigvals(c).real)[::-1])


def test_several_eigenvalues_above_one_are_flagged():
    # two independent pairs of perfectly correlated variables: eigenvalues 2, 2, 0, 0
    m = ix.loads(
        "id: e\nversion: 1\ntitle: E\ndefaults: {indicator: {normalisation: identity}}\n"
        "tree: {children: [{code: a}, {code: b}, {code: c}, {code: d}]}\n"
    )
    u = [1.0, -1.0, 1.0, -1.0]
    v = [1.0, 1.0, -1.0, -1.0]
    frame = pd.DataFrame({"unit": list("ABCD"), "period": "2024", "a": u, "b": u, "c": v, "d": v})
    row = audit(m, ix.dataset_from_frame(frame, m)).pca.iloc[0]
    assert row.first_share == pytest.approx(0.5)
    assert row.eigenvalues_above_1 == 2 and row.flag == "several eigenvalues > 1"


def test_remove_one_indicator_by_hand(tiny):
    shifts = audit(*tiny).remove_one.set_index("indicator")
    # without x2, P = x1: index 1.25 2.75 2.75 4, ranks A4 B2 C2 D1: B moves one place
    assert shifts.loc["x2"].tolist()[1:] == [0.0, 0.25, 1.0, 1]
    # without x1: 1.75 2.25 3.25 3.5; without x4: 1.25 2.25 2.75 3.75; without x3 D's Q
    # is missing and its index is P alone (3.5): the order A4 B3 C2 D1 stays each time
    for code in ("x1", "x3", "x4"):
        assert shifts.max_abs_shift[code] == 0 and shifts.units_moved[code] == 0
    assert shifts.parent.to_dict() == {"x1": "P", "x2": "P", "x3": "Q", "x4": "Q"}


def test_remove_one_reweights_siblings_as_the_methodology_aggregates():
    # a weighted mean: without one child, the other takes the whole weight
    m = ix.loads(
        "id: w\nversion: 1\ntitle: W\ndefaults: {indicator: {normalisation: identity}}\n"
        "tree: {aggregation: arithmetic, children: [{code: a, weight: 3}, {code: b}]}\n"
    )
    frame = pd.DataFrame({"unit": list("ABC"), "period": "2024", "a": [1, 2, 3], "b": [9, 5, 0]})
    data = ix.dataset_from_frame(frame, m)
    # nominal (3a + b) / 4: 3 2.75 2.25, ranks A1 B2 C3; without b: a, ranks C1 B2 A3,
    # shifts 2 0 2
    shifts = audit(m, data).remove_one.set_index("indicator")
    row = shifts.loc["b"]
    assert (row.median_abs_shift, row.max_abs_shift, row.units_moved) == (2.0, 2.0, 2)
    # without a: b, ranks A1 B2 C3: no shift
    assert shifts.max_abs_shift["a"] == 0


def test_sections_and_json_are_complete(tiny):
    a = audit(*tiny)
    assert list(a.sections()) == list(a.SECTIONS)
    payload = a.to_json()
    assert payload["period"] == "2024" and payload["methodology"] == "tiny v1"
    assert payload["indicators"][3]["indicator"] == "x4"
    assert all(len(payload[s]) == len(getattr(a, s)) for s in a.SECTIONS)


def test_the_asem_index_audits_without_gaps():
    from pathlib import Path

    asem = Path(__file__).parents[2] / "examples" / "asem"
    m = ix.load(asem / "methodology.yaml")
    a = audit(m, ix.load_dataset(asem / "data.csv", m), "2018")
    assert len(a.units) == 51 and len(a.indicators) == len(m.indicators) == 49
    assert set(a.cronbach["aggregate"]) == {c for c in m.aggregates if len(m.nodes[c].children) > 1}
    assert a.pca.first_share.between(0, 1).all()
    assert (a.remove_one.max_abs_shift >= a.remove_one.median_abs_shift).all()
    assert a.remove_one.max_abs_shift.max() > 0


def test_screening_reproduces_coinrs_published_example():
    """COINr's screening vignette (vignette("screening"), COINr 1.1): ASEM_iData rows
    40-51 with Research, Pat, CultServ and CultGood, screened at 75% availability:
    "three units were removed" (LAO, MMR and VNM, with 1, 2 and 1 of 4 values)."""
    from pathlib import Path

    codes = ["Research", "Pat", "CultServ", "CultGood"]
    leaves = ", ".join(f"{{code: {c}, required: false}}" for c in codes)
    m = ix.loads(f"id: s\nversion: 1\ntitle: S\ntree: {{children: [{leaves}]}}\n")
    units = ["KOR", "LAO", "MYS", "MNG", "MMR", "NZL", "PAK", "PHL", "RUS", "SGP", "THA", "VNM"]
    asem = pd.read_csv(Path(__file__).parents[2] / "examples" / "asem" / "data.csv")
    frame = asem[asem.unit.isin(units)][["unit", "period", *codes]]
    a = audit(m, ix.dataset_from_frame(frame, m), "2018", threshold=0.75)
    table = a.units.set_index("unit")
    assert sorted(table.index[table.below_threshold]) == ["LAO", "MMR", "VNM"]
    assert table.share[["KOR", "LAO", "MMR", "VNM"]].tolist() == [0.75, 0.25, 0.5, 0.25]
