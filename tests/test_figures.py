"""dxscore.figures: one display rule per kind of figure (score, points, rate, count,
number), the Excel number format that goes with it, the kind of an indicator's raw
value from what its methodology declares, and a rate typed as a percentage."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxscore.figures import (
    excel_format,
    format_figure,
    indicator_kind,
    is_percentage,
    parse_figure,
)
from dxscore.numbers import NumberProblem


@pytest.mark.parametrize(
    ("value", "kind", "language", "shown"),
    [
        (0.967816091954023, "rate", "en", "96.8%"),  # issue 18: not 0.967816091954023
        (0.967816091954023, "rate", "vi", "96,8%"),
        (1, "rate", "vi", "100,0%"),
        (0.8241, "score", "en", "0.8241"),  # DTI as published
        (0.82414, "score", "vi", "0,8241"),
        (76.6, "points", "en", "76.60"),  # Decision 766 points
        (76.6, "points", "vi", "76,60"),
        (1027811, "count", "vi", "1.027.811"),
        (1027811, "count", "en", "1,027,811"),
        (3.25, "number", "vi", "3,25"),
        (0.338206940874036, "number", "en", "0.3382"),
        (12, "number", "en", "12"),
        (None, "rate", "en", "–"),
        (float("nan"), "score", "en", "–"),
        ("", "points", "en", "–"),
    ],
)
def test_each_kind_of_figure_has_one_display_rule(value, kind, language, shown):
    assert format_figure(value, kind, language) == shown


def test_a_score_takes_the_methodology_s_decimals_and_an_unknown_kind_is_a_number():
    assert format_figure(76.6047, "score", "en", 2) == "76.60"
    assert format_figure(0.9678, "rate", "en", 0) == "97%"
    assert format_figure(3.25, "whatever", "en") == "3.25"


@pytest.mark.parametrize(
    ("kind", "decimals", "fmt"),
    [
        ("rate", None, "0.0%"),
        ("score", None, "0.0000"),
        ("score", 2, "0.00"),
        ("points", None, "0.00"),
        ("count", None, "#,##0"),
        ("number", None, "General"),
    ],
)
def test_excel_formats_show_the_real_number_as_the_page_does(kind, decimals, fmt):
    assert excel_format(kind, decimals) == fmt


@pytest.mark.parametrize(
    ("unit", "low", "high", "kind"),
    [
        ("rate (0-1)", 0, 1, "rate"),  # Decision 766, province emulation
        ("rate (0-1)", None, None, "rate"),  # the web's Indicator knows only the unit
        ("0-1", None, None, "rate"),  # assessments' shares
        ("", 0, 1, "rate"),  # a range of exactly [0, 1]
        ("share of maximum points", 0, 1, "score"),  # DTI's main indices: 0.8241
        ("share of maximum points", None, None, "score"),
        ("points", None, None, "points"),
        ("%", 0, 100, "number"),  # values written in percent: 62.5
        ("%", None, None, "number"),
        ("mean rating", 1, 5, "number"),
        ("Score 1-5", None, None, "number"),
        ("Number of crossings", None, None, "count"),
        ("USD Bn", None, None, "number"),
        ("share", 0, 100, "number"),  # a share written in percent
    ],
)
def test_the_kind_of_a_raw_value_comes_from_the_declared_unit_and_range(unit, low, high, kind):
    assert indicator_kind(unit, low, high) == kind


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("96,8%", "vi", 0.968),
        ("96.8 %", "en", 0.968),
        ("96,8 %", "vi", 0.968),
        ("96.8%", "vi", 0.968),  # one reading only in Vietnamese too
        ("57.7%", "en", 0.577),  # exactly the decimal text, not 57.7 / 100 = 0.577...01
        ("100%", "en", 1.0),
        ("0.968", "vi", 0.968),  # without % a number is the fraction itself
        ("0,968", "vi", 0.968),
        ("", "en", None),
    ],
)
def test_a_rate_is_typed_as_a_percentage_with_its_sign_or_as_the_fraction(text, language, value):
    assert parse_figure(text, "rate", language) == value


def test_a_percent_sign_means_a_percentage_only_for_a_rate_and_bad_text_is_refused():
    assert is_percentage("96,8 %") and is_percentage("96٪") and not is_percentage("0.968")
    with pytest.raises(NumberProblem):
        parse_figure("96.8%", "number", "en")  # a plain number has no percent sign
    with pytest.raises(NumberProblem):
        parse_figure("%", "rate", "en")
    with pytest.raises(NumberProblem) as caught:
        parse_figure("1,234%", "rate", "en")  # ambiguous stays ambiguous
    assert caught.value.kind == "ambiguous"


@given(st.integers(min_value=0, max_value=1000))
def test_a_shown_percentage_typed_back_is_its_rounded_fraction(tenths):
    share = tenths / 1000
    for language in ("en", "vi"):
        shown = format_figure(share, "rate", language)
        assert parse_figure(shown, "rate", language) == pytest.approx(share, abs=1e-12)
