"""Local periods in zones with daylight saving, and the synthetic generator."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from dxscore import periods
from dxscore.dossiers import MeasureError, PeriodError
from dxscore.dossiers.periods import day_periods, period_days, zone_offsets
from dxscore.dossiers.synth import synth

from .conftest import import_rows, measure


def test_zone_offsets_find_daylight_saving_changes_to_the_second():
    start = int(dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp())
    end = int(dt.datetime(2024, 12, 31, tzinfo=dt.UTC).timestamp())
    offsets = zone_offsets("Europe/Paris", start, end)
    assert offsets.offsets == (3600, 7200, 3600)
    spring = int(dt.datetime(2024, 3, 31, 1, 0, tzinfo=dt.UTC).timestamp())
    assert offsets.starts[1] == spring
    for s in (spring - 1, spring, spring + 1, offsets.starts[2] - 1, offsets.starts[2]):
        local = dt.datetime.fromtimestamp(s, ZoneInfo("Europe/Paris"))
        assert offsets.at(s) == local.utcoffset().total_seconds()
    assert zone_offsets("Asia/Ho_Chi_Minh", start, end).offsets == (25200,)


def test_months_follow_local_time_across_daylight_saving(store):
    # 2024-10-31 23:30 in Paris is 22:30 UTC (winter time): October, not November
    import_rows(
        store,
        [
            dict(unit="A", received_at="2024-10-31T22:30:00Z", status="in_progress"),
            dict(unit="A", received_at="2024-06-30T22:30:00Z", status="in_progress"),
        ],
        tz="Europe/Paris",
    )
    m = measure(store, tz="Europe/Paris")
    assert m.loc[("A", "2024-10")].received == 1
    assert m.loc[("A", "2024-07")].received == 1  # 00:30 on 1 July in summer time


def test_local_days_and_period_indices_agree_with_dxscore_periods():
    days = [(dt.date(2024, 3, 31) - dt.date(1970, 1, 1)).days]
    assert list(day_periods(days, "quarter")) == [2024 * 4]
    for code in ("2024-02", "2024Q3", "2024"):
        kind = periods.kind_of(code)
        first, last = period_days(periods.parse(code).span(kind)[0], kind)
        start, end = periods.dates(code)
        epoch = dt.date(1970, 1, 1)
        assert (first, last) == ((start - epoch).days, (end - epoch).days)
        assert list(day_periods([first, last], kind)) == [periods.parse(code).span(kind)[0]] * 2


def test_a_bad_period_or_kind_is_a_clear_error(store):
    import_rows(store, [dict(unit="A", received_at="2024-07-01", status="in_progress")])
    with pytest.raises(PeriodError, match="not a period code"):
        measure(store, start="2024-13")
    with pytest.raises(PeriodError, match="is a month"):
        measure(store, "quarter", start="2024-07")
    with pytest.raises(MeasureError, match="unknown period kind 'week'"):
        measure(store, "week")


def test_synth_is_deterministic_and_has_the_messy_parts_of_real_exports(tmp_path):
    one = synth(tmp_path / "a", rows=20_000, units=10, seed=5)
    two = synth(tmp_path / "b", rows=20_000, units=10, seed=5)
    a, b = pd.read_parquet(one.files), pd.read_parquet(two.files)
    pd.testing.assert_frame_equal(a, b)
    assert one.duplicates == len(a) - 20_000 > 0
    assert a["dossier_id"].nunique() == 20_000
    assert set(a["status"]) == {"finished", "returned", "in_progress", "withdrawn"}
    assert set(a["channel"]) == {"online", "in_person", "post"}
    assert a["due_at"].isna().any() and a["supplement_days"].gt(0).any()
    late = a["finished_at"] - pd.to_timedelta(a["supplement_days"], unit="D") > a["due_at"]
    assert 0.02 < late.mean() < 0.6
    online = a.groupby("unit")["channel"].apply(lambda c: (c == "online").mean())
    assert online.max() - online.min() > 0.2  # units differ in online adoption
    months = a["received_at"].dt.tz_convert("Asia/Ho_Chi_Minh").dt.month.value_counts()
    assert months[2] < months[12]  # the Tet dip and the year-end rush
