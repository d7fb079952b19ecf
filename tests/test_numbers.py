"""dxscore.numbers: people's numbers and dates by locale, read one way or refused, and
machine numbers that no locale changes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxscore.numbers import (
    NumberProblem,
    format_date,
    format_number,
    format_percent,
    machine,
    parse_date,
    parse_number,
    parse_percent,
)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("0,85", "vi", 0.85),  # the decimal comma of Vietnamese
        ("1.027.811", "vi", 1027811),
        ("1.027.811,5", "vi", 1027811.5),
        ("1,027,811.5", "en", 1027811.5),
        ("0.85", "vi", 0.85),  # cannot be a grouping in Vietnamese: one reading only
        ("0,6", "en", 0.6),  # nor this one in English
        ("1,234.5", "vi", 1234.5),  # both marks: the English convention, one reading
        ("-0,5", "vi", -0.5),
        ("\u22120,5", "vi", -0.5),  # a minus sign
        ("+3", "en", 3),
        ("1 234,5", "vi", 1234.5),  # spaces between groups
        ("1\u00a0234", "en", 1234),
        ("1e3", "en", 1000),
        ("1.5e-3", "vi", 0.0015),  # as programs write
        (" 42 ", "vi", 42),
        ("", "vi", None),
        ("   ", "en", None),
    ],
)
def test_people_s_numbers_are_read_in_their_language(text, language, expected):
    assert parse_number(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "readings"),
    [
        ("1,234", "en", (1234, 1.234)),
        ("1.234", "vi", (1234, 1.234)),
        ("12,500", "en", (12500, 12.5)),
    ],
)
def test_a_number_that_reads_two_ways_is_refused_with_both_readings(text, language, readings):
    with pytest.raises(NumberProblem) as caught:
        parse_number(text, language)
    assert caught.value.kind == "ambiguous" and caught.value.readings == readings
    assert "ambiguous" in str(caught.value)


@pytest.mark.parametrize(
    "text", ["abc", "NaN", "Infinity", "1_000", "1,2,3", "12.34.5", "1 2", "0x10", "1e", "--1"]
)
def test_what_is_not_a_number_is_named_so(text):
    for language in ("en", "vi"):
        with pytest.raises(NumberProblem) as caught:
            parse_number(text, language)
        assert caught.value.kind == "not_a_number"


def test_numbers_too_large_for_a_float_are_refused():
    with pytest.raises(NumberProblem) as caught:
        parse_number("1e999", "en")
    assert caught.value.kind == "not_finite"


def test_percentages():
    assert parse_percent("12,5%", "vi") == pytest.approx(0.125)
    assert parse_percent("85 %", "en") == pytest.approx(0.85)
    assert parse_percent("0,85", "vi") == 0.85
    assert format_percent(0.853, "vi") == "85%"
    assert format_percent(0.1234, "vi", 1) == "12,3%"
    assert format_percent(0.1234, "en", 1) == "12.3%"


def test_numbers_are_shown_grouped_with_the_language_s_decimal_mark():
    assert format_number(1027811, "vi") == "1.027.811"
    assert format_number(1027811, "en") == "1,027,811"
    assert format_number(0.67354, "vi", 4) == "0,6735"
    assert format_number(1234.5, "en", 2) == "1,234.50"
    assert format_number(1234.5, "vi", grouping=False) == "1234,5"
    assert format_number(0.1, "vi") == "0,1"
    assert format_number(2.675, "en", 2) == "2.67"  # as Python rounds the stored float
    assert format_number(float("nan"), "vi") == "–"


@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.sampled_from(["en", "vi"]),
)
def test_what_is_shown_without_grouping_reads_back_to_the_same_number(x, language):
    text = format_number(x, language, grouping=False)
    assert parse_number(text, language) == x


def test_dates_as_people_write_them_and_iso_always():
    day = dt.date(2024, 3, 5)
    assert format_date(day, "vi") == "05/03/2024"
    assert format_date(day, "en") == "Mar 5, 2024"
    assert parse_date("05/03/2024", "vi") == day  # day first
    assert parse_date("5/3/2024", "vi") == day
    assert parse_date("3/5/2024", "en") == day  # month first, the CLDR's English
    assert parse_date("2024-03-05", "vi") == day == parse_date("2024-03-05", "en")
    assert parse_date("", "vi") is None
    for bad in ("31/02/2024", "2024/03/05x", "tomorrow"):
        with pytest.raises(NumberProblem) as caught:
            parse_date(bad, "vi")
        assert caught.value.kind == "not_a_date"


def test_machine_numbers_are_the_same_in_every_language():
    assert machine(37.6) == "37.6" and machine(3) == "3" and machine(40.0) == "40"
    assert float(machine(0.1 + 0.2)) == 0.1 + 0.2
    for bad in (None, float("nan"), float("inf"), True):
        with pytest.raises(ValueError):
            machine(bad)


def test_unknown_languages_fall_back_to_english():
    assert parse_number("1,027,811.5", "xx") == 1027811.5
    assert format_number(1027811, None) == "1,027,811"


# Digits: the locale's numbering system, another chosen by a BCP 47 tag, both read


@pytest.mark.parametrize(
    ("language", "system", "text"),
    [
        ("ar", "latn", "1,027,811.5"),  # the CLDR's default for Arabic: Western digits
        ("ar-EG", "arab", "١٬٠٢٧٬٨١١٫٥"),  # Egypt: Arabic-Indic, with their separators
        ("ar-u-nu-native", "arab", "١٬٠٢٧٬٨١١٫٥"),
        ("ar-EG-u-nu-latn", "latn", "1,027,811.5"),
        ("hi", "latn", "10,27,811.5"),  # Indian grouping (lakh, crore)
        ("hi-u-nu-native", "deva", "१०,२७,८११.५"),
        ("vi-u-nu-native", "latn", "1.027.811,5"),  # Vietnamese has no digits of its own
    ],
)
def test_digits_are_the_locale_s_or_the_ones_its_tag_chooses(language, system, text):
    from dxscore.numbers import numbering_system

    assert numbering_system(language) == system
    assert format_number(1027811.5, language) == text
    assert parse_number(text, language) == 1027811.5


def test_native_digits_are_read_whatever_the_locale_writes():
    assert parse_number("١٢٣٫٥", "ar") == 123.5  # Arabic-Indic digits and decimal mark
    assert parse_number("١٬٢٣٤", "ar") == 1234
    assert parse_number("۱۲۳", "ar") == 123  # Eastern Arabic-Indic (Persian, Urdu)
    assert parse_number("१२३४.५", "hi") == 1234.5
    assert parse_number("1,027,811.5", "hi") == 1027811.5  # grouped by thousands too
    assert parse_number("\u200e-0.5", "ar") == -0.5  # a bidi mark before the sign
    assert parse_percent("٨٥٪", "ar-u-nu-native") == 0.85
    assert format_percent(0.853, "ar-u-nu-native", 1) == "٨٥٫٣%"
    assert parse_date("٠٥\u200f/٠٣\u200f/٢٠٢٤", "ar") == dt.date(2024, 3, 5)
    assert format_date(dt.date(2024, 3, 5), "hi-u-nu-native") == "५ मार्च २०२४"


@pytest.mark.parametrize("text", ["1٢3", "١2", "१٢"])
def test_a_number_mixing_digits_of_two_scripts_is_refused(text):
    with pytest.raises(NumberProblem) as caught:
        parse_number(text, "ar")
    assert caught.value.kind == "not_a_number"


@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.sampled_from(["ar-u-nu-native", "hi-u-nu-native", "ar-EG", "hi", "ar"]),
)
def test_numbers_in_native_digits_read_back(value, language):
    value = round(value, 4)
    assert parse_number(format_number(value, language, 4), language) == pytest.approx(value)


def test_machine_numbers_never_take_native_digits():
    assert machine(37.6) == "37.6"
