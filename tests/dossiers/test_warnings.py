"""Doubtful but countable records: stored with their warnings, counted by the measures
and the quality table; errors still rejected; ``strict`` rejects warnings too."""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest

from dxscore.dossiers import Store
from dxscore.dossiers.quality import compute_quality, warned_records
from dxscore.dossiers.schema import PLAUSIBLE_DAYS, WARNING_CHECKS, WARNING_CODES, WARNINGS
from tests.dossiers.conftest import import_rows, measure

TODAY = dt.date.today()
FUTURE = (TODAY + dt.timedelta(days=40)).isoformat()
RECENT = (TODAY - dt.timedelta(days=3)).isoformat()  # received recently, finished in FUTURE

# one record of each warning kind (unit A, received in July 2024), and clean ones
WARNED = {
    "supplement_exceeds_processing": dict(
        received_at="2024-07-01 08:00",
        finished_at="2024-07-03 08:00",
        due_at="2024-07-02 08:00",
        supplement_days=5,
    ),
    "finished_before_received": dict(
        received_at="2024-07-10 08:00", finished_at="2024-07-08 08:00", due_at="2024-07-20"
    ),
    "due_before_received": dict(
        received_at="2024-07-11 08:00", finished_at="2024-07-12 08:00", due_at="2024-07-05"
    ),
    "finished_in_future": dict(
        received_at="2024-07-12 08:00", status="in_progress", finished_at=None, due_at=None
    ),
    "paid_online_without_fee": dict(
        received_at="2024-07-13 08:00",
        finished_at="2024-07-14 08:00",
        has_fee="false",
        paid_online="true",
    ),
    "processing_too_long": dict(
        received_at="2024-07-15 08:00", finished_at="2024-07-16 08:00", due_at="2024-07-20"
    ),
    "supplement_too_long": dict(
        received_at="2024-07-16 08:00",
        status="in_progress",
        due_at="2024-07-30",
        supplement_days=PLAUSIBLE_DAYS + 1,
    ),
}
CLEAN = [
    dict(received_at="2024-07-02 08:00", finished_at="2024-07-04 08:00", due_at="2024-07-05"),
    dict(
        received_at="2024-07-03 08:00",
        finished_at="2024-07-09 08:00",
        due_at="2024-07-05",
        channel="in_person",
    ),
    dict(received_at="2024-07-04 08:00", status="in_progress"),
]


def _rows(**extra_of_kind) -> list[dict]:
    rows = []
    for code, row in WARNED.items():
        row = {**row, **extra_of_kind.get(code, {})}
        rows.append({"unit": "A", "dossier_id": code, **row})
    return [*rows, *({"unit": "A", "dossier_id": f"C{i}", **r} for i, r in enumerate(CLEAN))]


def _rows_with_future_and_long_times() -> list[dict]:
    rows = _rows()
    for row in rows:
        if row["dossier_id"] == "finished_in_future":
            row.update(
                status="finished", received_at=f"{RECENT} 08:00", finished_at=f"{FUTURE} 08:00"
            )
        if row["dossier_id"] == "processing_too_long":
            # received long before, finished in July: more than PLAUSIBLE_DAYS
            row["received_at"] = "2021-06-01 08:00"
    return rows


def _write(path, rows):
    columns = list(dict.fromkeys(k for r in rows for k in r)) + ["procedure", "service_level"]
    columns += ["channel", "status"]
    columns = list(dict.fromkeys(columns))
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, columns)
        w.writeheader()
        for r in rows:
            full = {"procedure": "P1", "service_level": "full", "channel": "online"}
            full["status"] = "finished"
            full.update(r)
            w.writerow({k: "" if full.get(k) is None else full.get(k, "") for k in columns})
    return path


@pytest.fixture
def imported(store, tmp_path):
    path = _write(tmp_path / "warned.csv", _rows_with_future_and_long_times())
    result = Store(store, create=True).import_files([path])
    return result


def test_each_warning_is_stored_with_its_record_and_counted(imported, store):
    assert imported.committed and imported.rejected == 0
    assert imported.new == len(WARNED) + len(CLEAN)
    assert imported.warnings == dict.fromkeys(sorted(WARNED), 1)
    assert imported.warned == len(WARNED)
    stored = pq.read_table(Store(store).parts()).to_pylist()
    flags = {r["dossier_id"]: r[WARNINGS] for r in stored}
    for code in WARNED:
        assert flags[code] == [code], code
    assert all(flags[f"C{i}"] is None for i in range(len(CLEAN)))
    entry = Store(store).manifest["imports"][-1]
    assert entry["warned"] == len(WARNED) and entry["warnings"]["due_before_received"] == 1


def test_the_quality_table_counts_and_shares_each_warning(imported, store):
    q = compute_quality(store, "month").set_index(["unit", "period"])
    july = q.loc[("A", "2024-07")]
    # the records received in 2021 and recently are counted in their own months
    elsewhere = ("processing_too_long", "finished_in_future")
    assert july["records"] == len(WARNED) + len(CLEAN) - 2
    assert july["with_warnings"] == len(WARNED) - 2
    for code in WARNED:
        expected = 0 if code in elsewhere else 1
        assert july[code] == expected, code
        assert july[f"{code}_share"] == pytest.approx(expected / july["records"])
    assert q.loc[("A", "2021-06")]["processing_too_long"] == 1
    # received on 1 July 08:00 local time: on the period's first day
    assert (july["at_period_edges"], july["withdrawn"]) == (1, 0)
    assert q.loc[("A", "2021-06")]["at_period_edges"] == 1  # the first and only day
    assert q.loc[("A", RECENT[:7])]["finished_in_future"] == 1
    rolled = compute_quality(store, "year", units=_tree(store.parent)).set_index(["unit", "period"])
    assert rolled.loc[("P", "2024")]["with_warnings"] == july["with_warnings"]


def _tree(folder):
    path = folder / "units.csv"
    path.write_text("code,parent\nP,\nA,P\n", encoding="utf-8")
    return path


def test_the_records_behind_a_warning_are_listed(imported, store):
    rows = warned_records(store, ["A"], "month", "2024-07", "due_before_received")
    assert rows["dossier_id"].tolist() == ["due_before_received"]
    assert rows[WARNINGS].tolist() == ["due_before_received"]
    assert int(rows["_row"].iloc[0]) == 4  # the file's row (header is row 1)
    anything = warned_records(store, ["A"], "month", "2024-07")
    assert len(anything) == len(WARNED) - 2
    assert warned_records(store, ["B"], "month", "2024-07").empty


def test_the_measures_count_every_record_as_a_plain_computation_does(imported, store):
    m = measure(store, "month", use_catalogue=False).loc[("A", "2024-07")]
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    rows = _rows_with_future_and_long_times()

    def at(text):
        return dt.datetime.fromisoformat(text).replace(tzinfo=tz) if text else None

    july = [r for r in rows if at(r["received_at"]).strftime("%Y-%m") == "2024-07"]
    finished = [
        r
        for r in rows
        if r.get("status", "finished") == "finished"
        and at(r.get("finished_at"))
        and at(r["finished_at"]).strftime("%Y-%m") == "2024-07"
    ]

    def days(r):
        spent = (at(r["finished_at"]) - at(r["received_at"])).total_seconds() / 86400
        return max(0.0, spent - float(r.get("supplement_days") or 0))

    def on_time(r):
        if not r.get("due_at"):
            return True
        supplement = dt.timedelta(days=float(r.get("supplement_days") or 0))
        return at(r["finished_at"]) - supplement <= at(r["due_at"])

    assert m["received"] == len(july)
    assert m["received_online"] == sum(r.get("channel", "online") == "online" for r in july)
    assert m["finished"] == len(finished)
    assert m["finished_on_time"] == sum(on_time(r) for r in finished)
    assert m["avg_processing_days"] == pytest.approx(statistics.mean(days(r) for r in finished))
    assert m["median_processing_days"] == pytest.approx(
        statistics.median(days(r) for r in finished)
    )
    assert min(days(r) for r in finished) == 0.0  # two records would be below zero
    # paid online without a fee is not paid online (no fee-bearing dossiers here)
    assert m["paid_online_share"] != m["paid_online_share"]  # NaN: nothing to count


def test_errors_are_still_rejected_with_row_column_and_reason(store):
    result = import_rows(
        store,
        [
            dict(unit="A", received_at="2024-07-01", finished_at="2024-07-02"),
            dict(unit="", received_at="2024-07-01", finished_at="2024-07-02"),  # no unit
            dict(dossier_id="", unit="A", received_at="2024-07-01"),  # no id (row 4)
            dict(unit="A", received_at="next week", finished_at="2024-07-02"),
            dict(unit="A", received_at="2024-07-01", status="lost"),
        ],
    )
    assert result.committed and (result.new, result.rejected) == (1, 4)
    with result.rejects_file.open(encoding="utf-8") as f:
        found = {(int(r["row"]), r["column"]): r["reason"] for r in csv.DictReader(f)}
    assert found[(3, "unit")] == "required, but empty"
    assert found[(4, "dossier_id")] == "required, but empty"
    assert "not a date/time" in found[(5, "received_at")]
    assert "unknown value" in found[(6, "status")]


@pytest.mark.parametrize("check", WARNING_CHECKS, ids=lambda w: w.code)
def test_strict_rejects_a_record_with_a_warning_in_its_column(store, tmp_path, check):
    rows = [r for r in _rows_with_future_and_long_times() if r["dossier_id"] == check.code]
    path = _write(tmp_path / "one.csv", rows + [{"unit": "A", **CLEAN[0], "dossier_id": "ok"}])
    result = Store(store, create=True).import_files([path], strict=True)
    assert not result.committed and result.rejected == 1
    with result.rejects_file.open(encoding="utf-8") as f:
        (problem,) = list(csv.DictReader(f))
    assert (problem["row"], problem["column"], problem["reason"]) == (
        "2",
        check.column,
        check.reason,
    )
    assert not (store / "dossiers").exists() or not list((store / "dossiers").iterdir())


def test_every_warning_code_has_a_record_here():
    assert set(WARNED) == set(WARNING_CODES)


def test_the_command_line_reports_warnings_strict_rejects_them_and_quality_lists_them(
    tmp_path,
):
    import pandas as pd
    from typer.testing import CliRunner

    from dxscore.cli import app

    def run(*args):
        return CliRunner().invoke(app, ["dossiers", *args], catch_exceptions=False)

    store = tmp_path / "store"
    path = _write(tmp_path / "w.csv", _rows())
    strict = run("import", str(path), "--store", str(store), "--strict")
    assert strict.exit_code == 1 and "nothing was stored" in strict.output
    assert "earlier than received_at" in strict.output
    done = run("import", str(path), "--store", str(store))
    assert done.exit_code == 0
    assert "record(s) with warnings" in done.output and "due_before_received 1" in done.output
    out = tmp_path / "q.csv"
    assert run("measures", "--store", str(store), "--quality", "--out", str(out)).exit_code == 0
    table = pd.read_csv(out)
    assert list(table.columns[:5]) == [
        "unit",
        "period",
        "records",
        "with_warnings",
        "with_warnings_share",
    ]
    assert table.loc[table["period"] == "2024-07", "due_before_received"].tolist() == [1]


@pytest.mark.slow
def test_spark_counts_the_same_quality_as_duckdb(imported, store, spark_backend):
    import pandas as pd

    on_duckdb = compute_quality(store, "month", units=_tree(store.parent))
    on_spark = compute_quality(
        store, "month", engine="spark", units=_tree(store.parent), backend=spark_backend
    )
    pd.testing.assert_frame_equal(on_spark, on_duckdb, check_dtype=False)
