"""Dossier measures across the administrative reform: records read on the map of their
received date, counted on the map of each period or of a day (``dxscore.dossiers.reform``)."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dxscore import lineage as ln
from dxscore.dossiers import MeasureError, OnMap, compute_measures

from .conftest import import_rows

JULY = dt.date(2025, 7, 1)

# a province P with a district D of two communes; on 1 July 2025 the district level is
# abolished and the communes merge into a new C1 directly under P
DISTRICT = """date,kind,from,to,share,from_name,to_name,level,parent
,unit,,P,,,Province,province,
,unit,,D,,,District,district,P
,unit,,C1,,,Commune 1,commune,D
,unit,,C2,,,Commune 2,commune,D
2025-07-01,merge,C1,C1,,,New commune,commune,P
2025-07-01,merge,C2,C1,,,New commune,commune,P
2025-07-01,abolish,D,,,,,district,
"""


def lineage(text: str) -> ln.Lineage:
    return ln.from_frame(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))


def table(store, kind="month", **kwargs) -> pd.DataFrame:
    return compute_measures(store, kind, **kwargs).frame.set_index(["unit", "period"])


def counts(frame: pd.DataFrame, unit: str, column: str) -> dict[str, int]:
    rows = frame.loc[unit]
    return {p: int(v) for p, v in rows[column].items() if v}


@pytest.fixture
def taken_over(store):
    """Dossier X received by the district in June 2025 (the district's export, still in
    progress) and finished by the commune that took it over in August (the commune's
    export of the same dossier, a later version); Y a commune's own dossier in May."""
    import_rows(
        store,
        [
            dict(
                dossier_id="X",
                unit="D",
                received_at="2025-06-10",
                due_at="2025-06-20",
                status="in_progress",
                updated_at="2025-06-30",
            ),
            dict(
                dossier_id="X",
                unit="C1",
                received_at="2025-06-10",
                due_at="2025-06-20",
                finished_at="2025-08-05",
                status="finished",
                updated_at="2025-08-05",
            ),
            dict(
                dossier_id="Y",
                unit="C2",
                received_at="2025-05-10",
                finished_at="2025-05-12",
                status="finished",
            ),
        ],
    )
    return store


def test_a_dossier_of_an_abolished_district_finished_by_a_commune_counts_once(taken_over):
    history = lineage(DISTRICT)
    today = table(taken_over, on_map=OnMap(history, JULY))
    assert sorted(set(today.index.get_level_values("unit"))) == ["C1", "P"]
    for unit in ("P", "C1"):  # the new commune holds both old communes and the district's
        assert counts(today, unit, "received") == {"2025-05": 1, "2025-06": 1}
        assert counts(today, unit, "finished") == {"2025-05": 1, "2025-08": 1}
        assert counts(today, unit, "open_at_end") == {"2025-06": 1, "2025-07": 1}
        assert counts(today, unit, "open_overdue") == {"2025-06": 1, "2025-07": 1}
    assert today.loc[("P", "2025-08")].on_time_rate == 0.0  # finished late, once
    assert today.loc[("P", "2025-05")].on_time_rate == 1.0

    then = table(taken_over, on_map=OnMap(history))  # each period on its own map
    assert sorted(set(then.loc[(slice(None), "2025-06"), :].index.get_level_values(0))) == [
        "C1",
        "C2",
        "D",
        "P",
    ]
    assert sorted(set(then.loc[(slice(None), "2025-08"), :].index.get_level_values(0))) == [
        "C1",
        "P",
    ]
    assert counts(then, "P", "received") == {"2025-05": 1, "2025-06": 1}
    assert counts(then, "P", "finished") == {"2025-05": 1, "2025-08": 1}
    assert counts(then, "P", "open_at_end") == {"2025-06": 1, "2025-07": 1}
    assert counts(then, "D", "received") == {"2025-05": 1, "2025-06": 1}
    assert counts(then, "C2", "received") == {"2025-05": 1}
    # the new C1 (same code as the old one) from July: X open, then finished
    assert then.loc[("C1", "2025-07")].open_at_end == 1
    assert then.loc[("C1", "2025-08")].finished == 1

    plain = table(taken_over)  # without the lineage: two dossiers X, at D and at C1
    assert plain.loc[("D", "2025-08")].open_at_end == 1
    assert plain.loc[("C1", "2025-08")].finished == 1


def test_one_record_of_a_district_counts_for_its_province_after_the_change(store):
    import_rows(
        store,
        [dict(unit="D", received_at="2025-06-10", finished_at="2025-08-05", status="finished")],
    )
    history = lineage(DISTRICT)
    then = table(store, on_map=OnMap(history))
    assert counts(then, "D", "received") == {"2025-06": 1}
    assert counts(then, "P", "received") == {"2025-06": 1}
    assert counts(then, "P", "finished") == {"2025-08": 1}  # D is gone: its province
    assert ("D", "2025-08") not in then.index
    today = table(store, "quarter", on_map=OnMap(history, JULY))
    assert list(today.index) == [("P", "2025Q2"), ("P", "2025Q3")]
    assert today["received"].tolist() == [1, 0] and today["finished"].tolist() == [0, 1]


def test_a_unit_that_did_not_exist_on_the_received_date_is_an_error_naming_the_row(store):
    import_rows(
        store,
        [
            dict(unit="C2", received_at="2025-06-10", status="in_progress"),
            dict(unit="C2", received_at="2025-07-02", status="in_progress"),  # gone by then
            dict(unit="D", received_at="2025-08-01", status="withdrawn"),
        ],
        name="export.csv",
    )
    for on_map in (OnMap(lineage(DISTRICT)), OnMap(lineage(DISTRICT), JULY)):
        with pytest.raises(MeasureError) as caught:
            compute_measures(store, on_map=on_map)
        message = str(caught.value)
        assert "export.csv row 3: unit 'C2' denotes no unit on its received date 2025-07-02" in (
            message
        )
        assert "export.csv row 4: unit 'D' denotes no unit on its received date 2025-08-01" in (
            message
        )
        assert "row 2" not in message


def test_a_unit_that_began_after_the_map_day_cannot_be_counted_on_it(store):
    import_rows(store, [dict(unit="C1", received_at="2025-07-02", status="in_progress")])
    history = lineage(DISTRICT)
    with pytest.raises(MeasureError, match=r"row 2: unit 'C1' \(received 2025-07-02\) began"):
        compute_measures(store, on_map=OnMap(history, dt.date(2025, 6, 30)))
    assert table(store, on_map=OnMap(history)).loc[("C1", "2025-07")].received == 1


def test_province_code_15_is_yen_bai_before_the_reform_and_the_new_lao_cai_after(store):
    vn = ln.load("vn-2025")
    import_rows(
        store,
        [
            dict(unit="15", received_at="2024-12-20", status="in_progress"),  # Yên Bái
            dict(unit="10", received_at="2024-11-05", finished_at="2024-11-06"),  # Lào Cai
            dict(unit="10", received_at="2025-03-05", finished_at="2025-03-06"),
            dict(unit="15", received_at="2025-08-01", finished_at="2025-08-02"),  # new Lào Cai
            dict(unit="20", received_at="2024-05-01", finished_at="2024-05-02"),  # Lạng Sơn
        ],
    )
    then = table(store, "year", on_map=OnMap(vn))
    assert then.loc[("15", "2024")].received == 1  # Yên Bái's own
    assert then.loc[("10", "2024")].received == 1
    assert ("10", "2025") not in then.index  # old Lào Cai ended with June 2025
    # 2025 on the map of 31 December 2025: the new Lào Cai holds both old provinces
    assert then.loc[("15", "2025")].received == 2
    assert then.loc[("15", "2025")].open_at_end == 1  # Yên Bái's dossier of 2024
    today = table(store, "year", on_map=OnMap(vn, JULY))
    assert sorted(set(today.index.get_level_values(0))) == ["15", "20"]
    assert today.loc[("15", "2024")].received == 2 and today.loc[("15", "2024")].finished == 1
    assert today.loc[("20", "2024")].received == 1  # kept its borders and code
    with pytest.raises(MeasureError, match="unit '15' .received 2025-08-01. began after"):
        compute_measures(store, "year", on_map=OnMap(vn, dt.date(2025, 6, 30)))
    late = [dict(unit="10", received_at="2025-07-15", status="in_progress")]
    assert import_rows(store, late, name="late.csv").rejected == 0
    with pytest.raises(MeasureError, match="late.csv row 2: unit '10' denotes no unit"):
        compute_measures(store, "year", on_map=OnMap(vn))


def test_a_units_file_and_a_lineage_together_are_refused(store):
    import_rows(store, [dict(unit="C1", received_at="2025-05-02")])
    units = pd.DataFrame({"code": ["C1"], "parent": [""]})
    with pytest.raises(MeasureError, match="tree come from the lineage"):
        compute_measures(store, units=units, on_map=OnMap(lineage(DISTRICT)))


# --- counts carried, rates recomputed ----------------------------------------------------

RATES = {  # rate: (numerator, denominator)
    "online_share": ("received_online", "received"),
    "on_time_rate": ("finished_on_time", "finished"),
}


@st.composite
def reform(draw):
    """Old units O0..On merged on 1 July 2025 into new units N0..Nk (every new unit has
    at least one predecessor), and records of the old units received before."""
    old = draw(st.integers(2, 6))
    new = draw(st.integers(1, old))
    into = draw(st.permutations([i % new for i in range(old)]))
    rows = ["date,kind,from,to,share"]  # a kind left empty: a rename or a merge
    rows += [f"2025-07-01,,O{i},N{j}," for i, j in enumerate(into)]
    records = draw(
        st.lists(
            st.tuples(
                st.integers(0, old - 1),  # unit
                st.integers(0, 150),  # received, days after 1 January 2025
                st.one_of(st.none(), st.integers(0, 40)),  # finished after, days
                st.integers(1, 30),  # due after, days
                st.booleans(),  # online
            ),
            min_size=1,
            max_size=60,
        )
    )
    return "\n".join(rows) + "\n", into, records


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=reform())
def test_carrying_counts_then_computing_a_rate_equals_the_rate_on_the_merged_records(
    tmp_path_factory, case
):
    text, into, records = case
    store = tmp_path_factory.mktemp("reform") / "store"
    start = dt.datetime(2025, 1, 1, 9)
    rows = []
    for unit, received, finished, due, online in records:
        at = start + dt.timedelta(days=received)
        rows.append(
            dict(
                unit=f"O{unit}",
                received_at=at.isoformat(),
                due_at=(at + dt.timedelta(days=due)).isoformat(),
                finished_at=None if finished is None else (at + dt.timedelta(days=finished)),
                status="in_progress" if finished is None else "finished",
                channel="online" if online else "in_person",
            )
        )
    import_rows(store, rows)
    old = compute_measures(store, "month").frame  # on the old map, per old unit
    old["unit"] = old["unit"].map({f"O{i}": f"N{j}" for i, j in enumerate(into)})
    summed = old.groupby(["unit", "period"])[
        ["received", "received_online", "finished", "finished_on_time", "open_at_end"]
    ].sum()
    merged = compute_measures(store, "month", on_map=OnMap(lineage(text), JULY)).frame
    merged = merged.set_index(["unit", "period"])
    periods = merged.index.intersection(summed.index)
    assert len(periods) == len(summed)
    for column in summed.columns:
        assert merged.loc[periods, column].tolist() == summed.loc[periods, column].tolist()
    for rate, (numerator, denominator) in RATES.items():
        counted = summed[numerator] / summed[denominator].where(summed[denominator] > 0)
        pd.testing.assert_series_equal(
            merged.loc[periods, rate], counted.loc[periods], check_names=False, rtol=1e-12
        )


# --- Spark -------------------------------------------------------------------------------


@pytest.mark.slow
def test_spark_gives_the_same_measures_across_the_reform(taken_over, spark_backend):
    history = lineage(DISTRICT)
    import_rows(
        taken_over,
        [dict(unit="C1", received_at="2025-09-02", status="in_progress", rating=4)],
        name="later.csv",
    )
    for kind, on_map in (("month", OnMap(history)), ("quarter", OnMap(history, JULY))):
        duck = compute_measures(taken_over, kind, on_map=on_map).frame
        spark = compute_measures(
            taken_over, kind, engine="spark", backend=spark_backend, on_map=on_map
        ).frame
        assert len(duck) > 0
        pd.testing.assert_frame_equal(duck, spark, check_dtype=False, rtol=1e-9)
