"""Each measure on small hand-made records, with the edge cases of the definitions."""

from __future__ import annotations

import math

import pytest

from dxscore.dossiers import MEASURES, MeasureError, Store, compute_measures, to_long

from .conftest import import_rows, measure, write_csv


def empty(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def test_dossier_received_in_one_month_and_finished_in_the_next(store):
    import_rows(
        store,
        [
            dict(
                unit="A",
                received_at="2024-07-20 09:00",
                due_at="2024-08-10",
                finished_at="2024-08-05 10:00",
            ),
        ],
    )
    m = measure(store)
    july, august = m.loc[("A", "2024-07")], m.loc[("A", "2024-08")]
    assert (july.received, july.finished, july.open_at_end, july.open_overdue) == (1, 0, 1, 0)
    assert july.timeliness_rate == 1.0
    assert empty(july.on_time_rate) and empty(july.avg_processing_days)
    assert (august.received, august.finished, august.finished_on_time, august.open_at_end) == (
        0,
        1,
        1,
        0,
    )
    assert august.avg_processing_days == pytest.approx(16 + 1 / 24)
    assert august.timeliness_rate == 1.0


def test_supplement_days_are_not_counted_against_the_unit(store):
    import_rows(
        store,
        [
            # 3 supplement days: finished 07-08 17:00 counts as 07-05 17:00, on time
            dict(
                unit="A",
                received_at="2024-07-01 08:00",
                due_at="2024-07-05 17:00",
                finished_at="2024-07-08 17:00",
                supplement_days=3,
            ),
            # 2 supplement days are not enough: late
            dict(
                unit="A",
                received_at="2024-07-01 08:00",
                due_at="2024-07-05 17:00",
                finished_at="2024-07-08 17:00",
                supplement_days=2,
            ),
            # open: due 07-30 12:00 plus 2 days is 08-01 12:00, overdue only at the end of August
            dict(
                unit="A",
                received_at="2024-07-20 08:00",
                due_at="2024-07-30 12:00",
                status="in_progress",
                supplement_days=2,
            ),
        ],
    )
    m = measure(store, end="2024-08")  # past the last dossier event: --to extends the periods
    july, august = m.loc[("A", "2024-07")], m.loc[("A", "2024-08")]
    assert (july.finished, july.finished_on_time, july.open_at_end, july.open_overdue) == (
        2,
        1,
        1,
        0,
    )
    assert july.on_time_rate == 0.5
    assert july.avg_processing_days == pytest.approx((7 + 9 / 24 - 3 + 7 + 9 / 24 - 2) / 2)
    assert july.timeliness_rate == pytest.approx((1 + 1 - 0) / (2 + 1))
    assert (august.open_at_end, august.open_overdue) == (1, 1)
    assert august.timeliness_rate == 0.0


def test_dossier_without_due_date_is_on_time_and_never_overdue(store):
    import_rows(
        store,
        [
            dict(unit="A", received_at="2024-07-01", finished_at="2024-09-30"),
            dict(unit="A", received_at="2024-07-01", status="in_progress"),
        ],
    )
    m = measure(store)
    assert (m.loc[("A", "2024-07")].open_at_end, m.loc[("A", "2024-07")].open_overdue) == (2, 0)
    september = m.loc[("A", "2024-09")]
    assert (september.finished, september.finished_on_time, september.open_overdue) == (1, 1, 0)
    assert september.timeliness_rate == 1.0


def test_returned_dossier_counts_as_finished_and_withdrawn_counts_nowhere(store):
    import_rows(
        store,
        [
            dict(
                unit="A",
                received_at="2024-07-01",
                due_at="2024-07-02",
                finished_at="2024-07-03",
                status="returned",
            ),
            dict(unit="A", received_at="2024-07-01", status="withdrawn"),
            dict(unit="A", received_at="2024-07-02", finished_at="2024-07-04", status="withdrawn"),
            dict(unit="B", received_at="2024-07-02", status="withdrawn"),
        ],
    )
    m = measure(store)
    july = m.loc[("A", "2024-07")]
    assert (july.received, july.finished, july.finished_on_time, july.open_at_end) == (1, 1, 0, 0)
    assert july.on_time_rate == 0.0
    assert "B" not in m.index.get_level_values("unit")


def test_duplicate_dossier_keeps_latest_updated_at(store):
    result = import_rows(
        store,
        [
            dict(
                dossier_id="X",
                unit="A",
                received_at="2024-07-01",
                finished_at="2024-07-05",
                channel="online",
                updated_at="2024-07-05 10:00",
            ),
            dict(
                dossier_id="X",
                unit="A",
                received_at="2024-07-01",
                status="in_progress",
                channel="in_person",
                updated_at="2024-07-02 10:00",
            ),
            # same id in another unit is another dossier
            dict(dossier_id="X", unit="B", received_at="2024-07-01", status="in_progress"),
        ],
    )
    assert (result.new, result.duplicates) == (2, 1)
    july = measure(store).loc[("A", "2024-07")]
    assert (july.received, july.received_online, july.finished) == (1, 1, 1)


def test_duplicate_with_equal_updated_at_keeps_the_later_row(store):
    import_rows(
        store,
        [
            dict(dossier_id="X", unit="A", received_at="2024-07-01", status="in_progress"),
            dict(dossier_id="X", unit="A", received_at="2024-07-01", finished_at="2024-07-09"),
        ],
    )
    assert measure(store).loc[("A", "2024-07")].finished == 1


def test_later_import_replaces_a_dossier_only_with_a_newer_version(store):
    first = dict(
        dossier_id="X",
        unit="A",
        received_at="2024-07-01",
        status="in_progress",
        updated_at="2024-07-02",
    )
    import_rows(store, [first], name="one.csv")
    older = {**first, "channel": "post", "updated_at": "2024-07-01"}
    result = import_rows(store, [older], name="two.csv")
    assert (result.new, result.updated, result.stale) == (0, 0, 1)
    newer = {**first, "status": "finished", "finished_at": "2024-07-09", "updated_at": "2024-07-09"}
    result = import_rows(store, [newer], name="three.csv")
    assert (result.new, result.updated, result.stale) == (0, 1, 0)
    july = measure(store).loc[("A", "2024-07")]
    assert (july.received, july.received_online, july.finished) == (1, 1, 1)
    assert Store(store).rows() == 1


def test_times_with_offsets_and_local_times_fall_in_the_right_local_month(store):
    import_rows(
        store,
        [
            dict(unit="A", received_at="2024-07-31T20:00:00Z", status="in_progress"),  # 08-01 03:00
            dict(unit="A", received_at="2024-07-31 23:30", status="in_progress"),  # local July
            dict(unit="A", received_at="2024-08-01T00:30:00+09:00", status="in_progress"),  # 07-31
            dict(unit="A", received_at="2024-08-01", status="in_progress"),  # local midnight
        ],
    )
    m = measure(store)
    assert m.loc[("A", "2024-07")].received == 2
    assert m.loc[("A", "2024-08")].received == 2


def test_import_time_zone_applies_to_times_without_offset(store):
    import_rows(
        store, [dict(unit="A", received_at="2024-07-31 23:30", status="in_progress")], tz="UTC"
    )
    # 23:30 UTC is 06:30 on 1 August in Hanoi, the store's zone
    assert measure(store).loc[("A", "2024-08")].received == 1
    assert measure(store, tz="UTC").loc[("A", "2024-07")].received == 1


def test_empty_period_has_zero_counts_and_empty_rates(store):
    import_rows(
        store,
        [
            dict(unit="A", received_at="2024-07-05", finished_at="2024-07-06"),
            dict(unit="B", received_at="2024-09-10", status="in_progress"),
        ],
    )
    m = measure(store)
    august = m.loc[("A", "2024-08")]
    assert (august.received, august.finished, august.open_at_end) == (0, 0, 0)
    for rate in (
        "online_share",
        "on_time_rate",
        "timeliness_rate",
        "timeliness_points",
        "avg_processing_days",
        "paid_online_share",
        "reuse_share",
        "satisfaction",
    ):
        assert empty(august[rate]), rate
    assert m.loc[("B", "2024-07")].received == 0  # every unit has every period
    assert list(m.loc["A"].index) == ["2024-07", "2024-08", "2024-09"]


def test_open_overdue_uses_the_last_instant_of_the_period(store):
    import_rows(
        store,
        [
            dict(
                unit="A",
                received_at="2024-07-01",
                due_at="2024-07-31 23:59:59",
                status="in_progress",
            ),
            dict(
                unit="A",
                received_at="2024-07-01",
                due_at="2024-08-01 00:00:00",
                status="in_progress",
            ),
        ],
    )
    july = measure(store).loc[("A", "2024-07")]
    assert (july.open_at_end, july.open_overdue) == (2, 1)
    assert july.timeliness_rate == 0.5
    assert july.timeliness_points == 10.0


def test_shares_use_their_own_denominators(store):
    common = dict(unit="A", received_at="2024-07-01 08:00", finished_at="2024-07-03 08:00")
    import_rows(
        store,
        [
            {
                **common,
                "channel": "online",
                "service_level": "full",
                "has_fee": "yes",
                "paid_online": "yes",
                "result_electronic": "true",
                "digitised": "1",
                "rating": 5,
            },
            {
                **common,
                "channel": "online",
                "service_level": "partial",
                "has_fee": "yes",
                "paid_online": "no",
                "reused_data": "TRUE",
                "rating": 2,
            },
            {
                **common,
                "channel": "in_person",
                "service_level": "full",
                "has_fee": "0",
                "paid_online": "0",
                "result_electronic": "Yes",
                "digitised": "1",
            },
            {
                **common,
                "channel": "post",
                "service_level": "offline",
                "status": "in_progress",
                "finished_at": None,
                "reused_data": "yes",
            },
        ],
    )
    july = measure(store).loc[("A", "2024-07")]
    assert (july.received, july.received_online, july.finished) == (4, 2, 3)
    assert july.online_share == 0.5
    assert july.full_online_share == 0.25
    assert july.paid_online_share == 0.5  # 1 of the 2 fee-bearing dossiers
    assert july.electronic_result_share == pytest.approx(2 / 3)  # of finished
    assert july.digitised_share == pytest.approx(2 / 3)
    assert july.reuse_share == 0.5  # of received
    assert july.satisfaction == 3.5  # finished dossiers that have a rating
    assert july.median_processing_days == 2.0


def test_parent_unit_counts_itself_and_all_descendants(store, tmp_path):
    def done(unit, days):
        return dict(
            unit=unit, received_at="2024-07-01 00:00", finished_at=f"2024-07-{1 + days:02d}"
        )

    import_rows(store, [done("A", 1), done("A", 3), done("C", 10), done("B", 4), done("P", 2)])
    units = tmp_path / "units.csv"
    units.write_text("code,parent,name\nP,,Province\nA,P,\nB,P,\nC,B,\nD,B,\n", encoding="utf-8")
    m = measure(store, units=units)
    assert m.loc[("P", "2024-07")].received == 5
    assert m.loc[("P", "2024-07")].median_processing_days == 3.0  # of 1, 2, 3, 4, 10
    assert m.loc[("B", "2024-07")].received == 2
    assert m.loc[("B", "2024-07")].median_processing_days == 7.0  # of 4, 10
    assert m.loc[("B", "2024-07")].avg_processing_days == 7.0
    assert m.loc[("A", "2024-07")].received == 2
    assert m.loc[("D", "2024-07")].received == 0  # in the tree, no dossiers


def test_units_not_in_the_tree_are_reported_on_their_own(store, tmp_path):
    import_rows(
        store,
        [
            dict(unit="A", received_at="2024-07-01", status="in_progress"),
            dict(unit="Z", received_at="2024-07-01", status="in_progress"),
        ],
    )
    units = tmp_path / "units.csv"
    units.write_text("code,parent\nP,\nA,P\n", encoding="utf-8")
    result = compute_measures(store, "month", units=units)
    assert "1 unit code in" in result.warnings[0] and "Z" in result.warnings[0]
    m = result.frame.set_index(["unit", "period"])
    assert (m.loc[("P", "2024-07")].received, m.loc[("Z", "2024-07")].received) == (1, 1)


def test_quarter_and_year_agree_with_months(store):
    rows = [
        dict(
            unit="A",
            received_at=f"2024-{month:02d}-10",
            due_at=f"2024-{month:02d}-20",
            finished_at=f"2024-{month + 1:02d}-05" if month < 9 else None,
            status="finished" if month < 9 else "in_progress",
        )
        for month in (7, 8, 9)
    ]
    import_rows(store, rows)
    months, quarters, years = measure(store), measure(store, "quarter"), measure(store, "year")
    q3, y = quarters.loc[("A", "2024Q3")], years.loc[("A", "2024")]
    assert q3.received == y.received == months.loc["A"].received.sum() == 3
    assert q3.finished == months.loc["A"].finished.sum() == 2
    assert q3.open_at_end == months.loc[("A", "2024-09")].open_at_end == 1
    assert q3.open_overdue == months.loc[("A", "2024-09")].open_overdue == 1
    assert q3.finished_on_time == 0


def test_period_range_keeps_dossiers_received_before_it_open(store):
    import_rows(
        store,
        [
            dict(unit="A", received_at="2024-06-10", status="in_progress"),
            dict(unit="A", received_at="2024-07-10", finished_at="2024-07-11"),
        ],
    )
    m = measure(store, start="2024-07", end="2024-08")
    assert list(m.loc["A"].index) == ["2024-07", "2024-08"]
    assert (m.loc[("A", "2024-07")].received, m.loc[("A", "2024-07")].open_at_end) == (1, 1)
    m = measure(store, "quarter", start="2024")
    assert list(m.loc["A"].index) == ["2024Q1", "2024Q2", "2024Q3"]
    assert m.loc[("A", "2024Q1")].received == 0


def test_long_output_uses_the_measure_names_and_leaves_out_empty_values(store):
    import_rows(store, [dict(unit="A", received_at="2024-07-01", status="in_progress")])
    frame = compute_measures(store, "month").frame
    long = to_long(frame)
    assert list(long.columns) == ["unit", "period", "indicator", "value"]
    assert set(long["indicator"]) <= set(MEASURES)
    assert "on_time_rate" not in set(long["indicator"])  # nothing finished: empty, left out
    assert long.set_index("indicator").loc["received", "value"] == 1


def test_measuring_an_empty_store_is_a_clear_error(store, tmp_path):
    write_csv(
        tmp_path / "only-withdrawn.csv",
        [dict(unit="A", received_at="2024-07-01", status="withdrawn")],
    )
    Store(store, create=True).import_files([tmp_path / "only-withdrawn.csv"])
    with pytest.raises(MeasureError, match="no dossiers"):
        compute_measures(store, "month")


def test_measures_per_procedure_split_the_units_measures(store, tmp_path):
    def row(procedure, unit, received, finished=None, due=None):
        return dict(
            unit=unit,
            procedure=procedure,
            received_at=received,
            due_at=due,
            finished_at=finished,
            status="finished" if finished else "in_progress",
        )

    import_rows(
        store,
        [
            row("P1", "A", "2024-07-01", "2024-07-03", due="2024-07-05"),
            row("P1", "A", "2024-07-02", "2024-07-20", due="2024-07-05"),  # late
            row("P2", "A", "2024-07-02", due="2024-07-10"),  # open, overdue at July's end
            row("P2", "B", "2024-08-01", "2024-08-02"),
        ],
    )
    units = tmp_path / "units.csv"
    units.write_text("code,parent\nP,\nA,P\nB,P\n", encoding="utf-8")
    result = compute_measures(store, "month", units=units, by_procedure=True)
    frame = result.frame
    assert list(frame.columns[:3]) == ["unit", "procedure", "period"]
    assert not set(frame.columns) & {"online_procedure_share", "online_service_points"}
    m = frame.set_index(["unit", "procedure", "period"])
    # only the procedures a unit (its subtree) received dossiers of
    assert sorted({(u, p) for u, p, _ in m.index}) == [
        ("A", "P1"),
        ("A", "P2"),
        ("B", "P2"),
        ("P", "P1"),
        ("P", "P2"),
    ]
    a1 = m.loc[("A", "P1", "2024-07")]
    assert (a1.received, a1.finished, a1.finished_on_time, a1.on_time_rate) == (2, 2, 1, 0.5)
    a2 = m.loc[("A", "P2", "2024-07")]
    assert (a2.received, a2.open_at_end, a2.open_overdue, a2.timeliness_rate) == (1, 1, 1, 0.0)
    # a procedure's open stock carries over into periods without new dossiers
    a2_aug = m.loc[("A", "P2", "2024-08")]
    assert (a2_aug.received, a2_aug.open_at_end, a2_aug.open_overdue) == (0, 1, 1)
    assert m.loc[("P", "P2", "2024-08")].received == 1  # B's dossier rolled up to P
    # the procedures' counts add up to the unit's own measures
    units_frame = compute_measures(store, "month", units=units).frame
    counts = ["received", "finished", "finished_on_time", "open_at_end", "open_overdue"]
    summed = frame.groupby(["unit", "period"])[counts].sum()
    own = units_frame.set_index(["unit", "period"]).loc[summed.index, counts]
    assert (summed == own).all().all()
    long = to_long(frame)
    assert list(long.columns) == ["unit", "procedure", "period", "indicator", "value"]


def test_procedure_counts_add_up_to_the_unit_counts_on_synthetic_data(tmp_path):
    from dxscore.dossiers.synth import synth

    made = synth(tmp_path / "s", rows=4_000, units=12, start="2024-01-01", end="2024-06-30")
    store = tmp_path / "store"
    s = Store(store, create=True)
    s.import_files(made.files)
    for kind in ("month", "year"):
        per_unit = compute_measures(store, kind, units=made.units_file).frame
        per_proc = compute_measures(store, kind, units=made.units_file, by_procedure=True).frame
        counts = ["received", "received_online", "finished", "finished_on_time", "open_at_end"]
        summed = per_proc.groupby(["unit", "period"])[counts].sum()
        own = per_unit.set_index(["unit", "period"])[counts]
        own = own[own["received"].groupby(level="unit").transform("sum") > 0]
        assert summed.sort_index().equals(own.sort_index().astype(summed.dtypes))
