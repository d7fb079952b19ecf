"""Rounding as publishers do: Excel's ROUND, R 4's round(), half to even; and indices
that round every tier before the next one is computed."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from dxscore import index as ix
from dxscore.index import steps
from dxscore.index.methods import Rounding
from dxscore.index.rounding import round_scores

# Excel's ROUND rounds the number as written (Excel keeps 15 significant digits) and a 5
# away from zero. Documented on Microsoft's ROUND function page (support.microsoft.com,
# "ROUND function"): ROUND(2.15, 1) = 2.2, ROUND(2.149, 1) = 2.1, ROUND(-1.475, 2) = -1.48
# (-1.475 and 2.15 are stored just below their decimal, yet Excel rounds them up); the
# other traps follow the same rule (2.675 -> 2.68, 1.005 -> 1.01, 0.125 -> 0.13).
EXCEL = [
    (2.15, 1, 2.2),
    (2.149, 1, 2.1),
    (-1.475, 2, -1.48),
    (0.40965, 4, 0.4097),
    (-0.40965, 4, -0.4097),
    (2.675, 2, 2.68),
    (-2.675, 2, -2.68),
    (1.005, 2, 1.01),
    (-1.005, 2, -1.01),
    (0.125, 2, 0.13),
    (-0.125, 2, -0.13),
    (0.15, 1, 0.2),
    (2.5, 0, 3.0),
    (-2.5, 0, -3.0),
    (0.5, 0, 1.0),
]

# R >= 4.0.0: round(x, d) takes, of the decimal candidates just below and above x, the one
# nearer to the double x (not to the decimal written), ties to the even digit. ?Round
# ("the rounding rule applies to the represented number and not to the printed number")
# and the CRAN package 'round' (roundX version "r3", R 4.0.0's algorithm) document it; the
# values below are what R 4.2.2 prints for them (checked with Rscript, options(digits=17)).
R = [
    (0.15, 1, 0.1),
    (2.675, 2, 2.67),
    (-2.675, 2, -2.67),
    (1.005, 2, 1.0),
    (-1.005, 2, -1.0),
    (0.125, 2, 0.12),
    (-0.125, 2, -0.12),
    (0.40965, 4, 0.4096),  # the double is above 0.40965, but nearer to the double 0.4096
    (-0.40965, 4, -0.4096),
    (2.5, 0, 2.0),
    (-2.5, 0, -2.0),
    (0.5, 0, 0.0),
    (1.5, 0, 2.0),
    (123.455, 2, 123.46),
    (5.015, 2, 5.02),
]

# Banker's rounding of the decimal as written: a 5 goes to the even digit.
HALF_EVEN = [
    (0.125, 2, 0.12),
    (-0.125, 2, -0.12),
    (0.135, 2, 0.14),
    (2.675, 2, 2.68),  # 2.675 as written: the 7 is odd, so up
    (1.005, 2, 1.0),
    (0.40965, 4, 0.4096),
    (2.5, 0, 2.0),
    (3.5, 0, 4.0),
    (-2.5, 0, -2.0),
]


@pytest.mark.parametrize(("x", "digits", "expected"), EXCEL)
def test_half_up_is_excels_round(x, digits, expected):
    assert float(round_scores(x, digits, "half_up")) == expected


@pytest.mark.parametrize(("x", "digits", "expected"), R)
def test_r_is_r4s_round(x, digits, expected):
    assert float(round_scores(x, digits, "r")) == expected


@pytest.mark.parametrize(("x", "digits", "expected"), HALF_EVEN)
def test_half_even_is_bankers_rounding_of_the_decimal_as_written(x, digits, expected):
    assert float(round_scores(x, digits, "half_even")) == expected


def test_a_computed_sum_is_rounded_as_written_to_excels_15_digits():
    # 0.4·0.5220 + 0.3·0.3040 + 0.3·0.3655 is the double 0.40964999999999996: Excel shows
    # 0.40965 (15 digits) and ROUND gives 0.4097, as the DTI 2020 table publishes for Hue
    total = 0.4 * 0.5220 + 0.3 * 0.3040 + 0.3 * 0.3655
    assert repr(total) == "0.40964999999999996"
    assert float(round_scores(total, 4, "half_up")) == 0.4097
    assert float(round_scores(total, 4, "r")) == 0.4096  # R: round(..., 4) is 0.4096


def test_arrays_are_rounded_elementwise_with_missing_values_kept():
    x = np.array([[0.125, np.nan, -2.675], [1.005, 0.0, 7.0]])
    assert np.array_equal(
        round_scores(x, 2, "half_up"), [[0.13, np.nan, -2.68], [1.01, 0.0, 7.0]], equal_nan=True
    )
    assert np.array_equal(
        round_scores(x, 2, "r"), [[0.12, np.nan, -2.67], [1.0, 0.0, 7.0]], equal_nan=True
    )
    assert round_scores(x, 2, "half_even").shape == x.shape


def test_every_rule_matches_a_decimal_reference_on_many_ties():
    from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

    rng = np.random.default_rng(7)
    digits = 3
    x = (rng.integers(-(10**6), 10**6, 5000) * 10 + 5) / 10.0 ** (digits + 1)  # ties as written
    quantum = Decimal(1).scaleb(-digits)
    for rule, how in (("half_up", ROUND_HALF_UP), ("half_even", ROUND_HALF_EVEN)):
        ref = [float(Decimal(format(v, ".15g")).quantize(quantum, rounding=how)) for v in x]
        assert np.array_equal(round_scores(x, digits, rule), ref)


def test_digits_out_of_range_are_refused():
    with pytest.raises(ValueError, match="digits"):
        round_scores(1.0, 16)


def test_rank_rounding_follows_the_rule():
    # 0.40965 and 0.40956: half up ranks them 1 and 2 (0.4097, 0.4096), R ties them
    scores = np.array([0.40965, 0.40956])
    assert steps.competition_rank(scores, 4, "half_up").tolist() == [1, 2]
    assert steps.competition_rank(scores, 4, "r").tolist() == [1, 1]


# --- an index that rounds every tier to 2 decimals ----------------------------------


def tiered(rule: str) -> ix.CompiledMethodology:
    return ix.loads(
        textwrap.dedent(
            f"""
            id: tiered
            version: "1"
            title: Every tier rounded to 2 decimals
            scale: [0, 10]
            rank_rounding: {{digits: 2, rule: {rule}}}
            defaults:
              indicator: {{normalisation: identity}}
              aggregate: {{round: {{digits: 2, rule: {rule}}}}}
            tree:
              children:
                - code: x
                  children: [{{code: x1}}, {{code: x2}}]
                - code: y
                  children: [{{code: y1}}, {{code: y2}}]
            """
        )
    )


TIERED = pd.DataFrame(
    {
        "unit": ["A", "B", "C"],
        "period": ["2024"] * 3,
        "x1": [2.675, 0.1, 5.015],
        "x2": [2.675, 0.15, 5.015],
        "y1": [1.005, 0.285, 4.4449],
        "y2": [1.005, 0.285, 4.4449],
    }
)


def scores(result: ix.Result, node: str) -> list[float]:
    return result.scores[node][0].tolist()


def test_an_index_rounding_every_tier_the_r_way():
    # By hand, as R computes round(mean(c(a, b)), 2) tier by tier (checked with R 4.2.2):
    #   A: x = round(2.675, 2) = 2.67, y = round(1.005, 2) = 1,
    #      index = round((2.67 + 1) / 2, 2) = round(1.835, 2) = 1.83
    #   B: x = round(0.125, 2) = 0.12, y = round(0.285, 2) = 0.28, index = round(0.2, 2) = 0.2
    #   C: x = round(5.015, 2) = 5.02, y = round(4.4449, 2) = 4.44, index = 4.73
    result = ix.compute(tiered("r"), ix.dataset_from_frame(TIERED, tiered("r")))
    assert scores(result, "x") == [2.67, 0.12, 5.02]
    assert scores(result, "y") == [1.0, 0.28, 4.44]
    assert scores(result, "index") == [1.83, 0.2, 4.73]
    assert result.ranks["index"][0].tolist() == [2, 3, 1]
    table = result.to_frame().set_index(["unit", "node"])
    assert table.loc[("A", "index"), "score"] == 1.83  # what is published is the rounded score


def test_an_index_rounding_every_tier_the_excel_way():
    # By hand, as a workbook computes =ROUND(AVERAGE(a, b), 2) tier by tier:
    #   A: x = ROUND(2.675, 2) = 2.68, y = ROUND(1.005, 2) = 1.01,
    #      index = ROUND((2.68 + 1.01) / 2, 2) = ROUND(1.845, 2) = 1.85
    #   B: x = ROUND(0.125, 2) = 0.13, y = ROUND(0.285, 2) = 0.29,
    #      index = ROUND(0.21, 2) = 0.21
    #   C: x = 5.02, y = 4.44, index = 4.73
    result = ix.compute(tiered("half_up"), ix.dataset_from_frame(TIERED, tiered("half_up")))
    assert scores(result, "x") == [2.68, 0.13, 5.02]
    assert scores(result, "y") == [1.01, 0.29, 4.44]
    assert scores(result, "index") == [1.85, 0.21, 4.73]
    explained = result.explain("A", "2024").set_index("node")
    assert explained.loc["x", "score"] == 2.68
    # the children's contributions add up to the parent's rounded score
    parts = explained[explained["parent"] == "index"]["contribution"].sum()
    assert parts == pytest.approx(1.85)


def test_round_at_an_indicator_rounds_its_score_not_its_normalised_value():
    m = ix.loads(
        textwrap.dedent(
            """
            id: one
            version: "1"
            title: One
            scale: [0, 100]
            tree:
              children:
                - {code: a, round: 0}
                - {code: b}
            """
        )
    )
    frame = pd.DataFrame({"unit": ["A", "B", "C"], "period": "2024", "a": [0, 1, 8], "b": 1})
    result = ix.compute(m, ix.dataset_from_frame(frame, m))
    # min-max of 0, 1, 8: 12.5 for B, rounded half up to 13 (the default rule)
    explained = result.explain("B", "2024").set_index("node")
    assert explained.loc["a", "normalised"] == 12.5
    assert explained.loc["a", "score"] == 13.0
    assert explained.loc["index", "score"] == pytest.approx((13.0 + 100.0) / 2)


def test_round_defaults_resolve_file_level_node():
    m = ix.loads(
        textwrap.dedent(
            """
            id: levels
            version: "1"
            title: Levels
            defaults: {aggregate: {round: {digits: 3, rule: r}}}
            levels:
              - name: index
              - name: pillar
                aggregate: {round: {digits: 1}}
            tree:
              children:
                - code: p
                  children: [{code: a}]
                - code: q
                  round: null
                  children: [{code: b}]
            """
        )
    )
    assert m.nodes["index"].spec.round == Rounding(digits=3, rule="r")
    # a level changing only the digits keeps the file's rule (the mapping merges)
    assert m.nodes["p"].spec.round == Rounding(digits=1, rule="r")
    assert m.nodes["q"].spec.round is None


def test_an_unknown_rule_is_a_methodology_error():
    with pytest.raises(ix.MethodologyError) as info:
        ix.loads(
            "id: x\nversion: '1'\ntitle: X\nrank_rounding: {digits: 2, rule: excel}\n"
            "tree: {children: [{code: a}]}\n"
        )
    assert info.value.problems == [
        ("rank_rounding.rule", "Input should be 'half_up', 'r' or 'half_even'")
    ]
