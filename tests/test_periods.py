"""dxscore.periods: the one home of period codes, kinds, days, containment and indices."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxscore import periods


def test_codes_kinds_and_days():
    assert periods.dates("2024") == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert periods.dates("2024Q1") == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert periods.dates("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert [periods.kind_of(c) for c in ("2024", "2024Q3", "2024-07")] == [
        "year",
        "quarter",
        "month",
    ]
    for bad in ("24", "2024Q5", "2024-13", "2024-07-01", "", None, "2024q3"):
        assert not periods.is_period(bad)
        with pytest.raises(periods.PeriodError, match="not a period code"):
            periods.parse(bad)


def test_containment_and_indices():
    year, q3, july = periods.parse("2024"), periods.parse("2024Q3"), periods.parse("2024-07")
    assert year.contains(q3) and q3.contains(july) and year.contains(year)
    assert not july.contains(q3) and not periods.parse("2024Q2").contains(july)
    assert q3.span("month") == (2024 * 12 + 6, 2024 * 12 + 8)
    assert year.span("quarter") == (2024 * 4, 2024 * 4 + 3)
    with pytest.raises(periods.PeriodError, match="is a month"):
        july.span("quarter")
    with pytest.raises(periods.PeriodError, match="not a year"):
        q3.span("year")
    with pytest.raises(periods.PeriodError, match="unknown period kind"):
        periods.check_kind("week")


@given(st.integers(1900, 2200), st.sampled_from(periods.KINDS), st.integers(0, 11))
def test_every_index_names_its_code_and_back(year, kind, k):
    first, _last = periods.parse(str(year)).span(kind)
    index = first + (k if kind == "month" else k % 4 if kind == "quarter" else 0)
    code = periods.code_at(index, kind)
    assert periods.kind_of(code) == kind
    assert periods.parse(code).span(kind) == (index, index)
    assert periods.parse(code).code == code


def test_check_kind_gives_back_each_kind():
    assert [periods.check_kind(k) for k in ("month", "quarter", "year")] == list(periods.KINDS)
