"""How a run is planned: the calendar and zone offsets are fixed from the records' time
bounds before the query (Parquet statistics, or a query), the data's own span inside it.
None of that may change a result."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dxscore.dossiers import MeasureError, Store, compute_measures
from dxscore.dossiers import engines as engines_module
from dxscore.dossiers.engines import parquet_time_bounds

from .conftest import import_rows, measure

YEAR = 365 * 86400

# Around the end of daylight saving time in Paris (2024-10-27 03:00 CEST -> 02:00 CET) and
# month ends in local time: 2024-09-30T22:30:00Z is 2024-10-01 00:30 in Paris.
PARIS_ROWS = [
    dict(unit="A", received_at="2024-09-30T22:30:00Z", due_at="2024-10-26T23:30:00Z",
         finished_at="2024-10-31T23:30:00Z", status="finished", supplement_days=0.5),
    dict(unit="A", received_at="2024-10-27 01:30", due_at="2024-10-28", status="in_progress"),
    dict(unit="B", received_at="2024-10-31T23:30:00Z", status="in_progress"),
    dict(unit="B", received_at="2024-08-31 23:59", finished_at="2024-11-01 00:00",
         status="returned", rating=4),
]  # fmt: skip


def paris_store(store):
    Store(store, create=True, tz="Europe/Paris")
    import_rows(store, PARIS_ROWS)
    return store


@pytest.mark.parametrize("kind", ["month", "quarter"])
def test_wider_or_queried_time_bounds_give_the_same_measures(store, monkeypatch, kind):
    paris_store(store)
    exact = compute_measures(store, kind).frame
    assert exact.set_index(["unit", "period"]).loc[("A", "2024-10" if kind == "month"
                                                    else "2024Q4")].received == 2  # fmt: skip
    real = engines_module.parquet_time_bounds

    def wider(paths):
        lo, hi = real(paths)
        return lo - 3 * YEAR, hi + 3 * YEAR  # many daylight saving changes more

    monkeypatch.setattr(engines_module, "parquet_time_bounds", wider)
    pd.testing.assert_frame_equal(exact, compute_measures(store, kind).frame)
    monkeypatch.setattr(engines_module, "parquet_time_bounds", lambda paths: None)
    pd.testing.assert_frame_equal(exact, compute_measures(store, kind).frame)


def test_a_withdrawn_dossier_does_not_widen_the_periods(store):
    import_rows(
        store,
        [
            dict(unit="A", received_at="2023-01-05", status="withdrawn"),  # in the statistics
            dict(unit="A", received_at="2024-07-10", finished_at="2024-08-02"),
        ],
    )
    assert list(measure(store).loc["A"].index) == ["2024-07", "2024-08"]


def test_a_period_range_outside_the_data_is_a_clear_error(store):
    import_rows(store, [dict(unit="A", received_at="2024-07-10", status="in_progress")])
    with pytest.raises(MeasureError, match="2025-01.. is empty"):
        compute_measures(store, "month", start="2025-01")
    with pytest.raises(MeasureError, match="2024-09..2024-08 is empty"):
        compute_measures(store, "month", start="2024-09", end="2024-08")
    assert list(measure(store, end="2024-08").loc["A"].index) == ["2024-07", "2024-08"]


def test_time_bounds_come_from_the_parquet_statistics(tmp_path):
    times = pa.array([1_720_000_000_000_000, 1_720_100_000_000_000], pa.timestamp("us"))
    table = pa.table({"received_at": times, "finished_at": pa.nulls(2, pa.timestamp("us"))})
    pq.write_table(table, tmp_path / "a.parquet")
    assert parquet_time_bounds([tmp_path / "a.parquet"]) == (1_720_000_000, 1_720_100_001)
    pq.write_table(table, tmp_path / "b.parquet", write_statistics=False)
    assert parquet_time_bounds([tmp_path / "b.parquet"]) is None
