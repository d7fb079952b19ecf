"""Public-service measures through the API: the rows the background worker stores
(``DossierMeasure``, ``ProcedureMeasure``), read only, in the person's viewing scope,
filtered, paged and in a fixed order."""

from __future__ import annotations

import pytest

from dxscore.web.api.schemas import ProcedureMeasureOut
from dxscore.web.dossierdata.models import DossierMeasure, Procedure, ProcedureMeasure
from tests.web.support import problem

PERIODS = {"month": "2024-07", "quarter": "2024Q3", "year": "2024"}


def counts(received=10, finished=8, on_time=6, open_at_end=2, overdue=1, **more) -> dict:
    return {
        "received": received,
        "received_online": received // 2,
        "finished": finished,
        "finished_on_time": on_time,
        "open_at_end": open_at_end,
        "open_overdue": overdue,
        **more,
    }


@pytest.fixture
def measures(org):
    """``received`` and ``on_time_rate`` of every unit of both provinces at every kind
    (district 257's on-time rate of July is empty), and procedure rows."""
    units = [org.bac_ninh, org.d256, org.d257, org.lao_cai, org.d80]
    rows = []
    for n, unit in enumerate(units):
        for kind, period in PERIODS.items():
            rows.append(
                DossierMeasure(
                    unit=unit, period=period, kind=kind, measure="received", value=10 + n
                )
            )
            rate = None if (unit == org.d257 and kind == "month") else 0.5 + n / 100
            rows.append(
                DossierMeasure(
                    unit=unit, period=period, kind=kind, measure="on_time_rate", value=rate
                )
            )
    DossierMeasure.objects.bulk_create(rows)
    Procedure.objects.create(code="1.001", name="Đăng ký khai sinh")
    Procedure.objects.create(code="9.999", name="Not measured anywhere")
    procedure_rows = [
        ProcedureMeasure(
            unit=org.d256,
            procedure="1.001",
            period="2024",
            kind="year",
            **counts(on_time_rate=0.75, online_share=0.5),
        ),
        ProcedureMeasure(
            unit=org.d256,
            procedure="1.001",
            period="2024Q3",
            kind="quarter",
            **counts(received=4, finished=3, on_time=3, open_at_end=1, overdue=0, on_time_rate=1.0),
        ),
        ProcedureMeasure(
            unit=org.d256,
            procedure="2.002",
            period="2024",
            kind="year",
            **counts(received=5, finished=0, on_time=0, open_at_end=5, overdue=4),
        ),
        ProcedureMeasure(
            unit=org.d257,
            procedure="1.001",
            period="2024",
            kind="year",
            **counts(
                received=7, finished=7, on_time=2, open_at_end=0, overdue=0, on_time_rate=2 / 7
            ),
        ),
        ProcedureMeasure(
            unit=org.bac_ninh,
            procedure="1.001",
            period="2024",
            kind="year",
            **counts(received=17, finished=15, on_time=8, open_at_end=2, overdue=1),
        ),
        ProcedureMeasure(unit=org.d80, procedure="1.001", period="2024", kind="year", **counts()),
    ]
    ProcedureMeasure.objects.bulk_create(procedure_rows)


def items(api, path, who, **params) -> list[dict]:
    answer = api.get(path, who, **params)
    assert answer.status_code == 200, answer.content[:500]
    return answer.json()["items"]


def keys(api, who, **params) -> list[tuple]:
    return [(m["unit"], m["period"], m["measure"]) for m in items(api, "measures", who, **params)]


# --- measures per unit ----------------------------------------------------------------------


def test_a_person_reads_only_the_measures_of_units_in_the_viewing_scope(api, measures):
    def units(who, path="measures"):
        return sorted({m["unit"] for m in items(api, path, who, limit=1000)})

    assert units("owner") == ["256"]
    assert units("colleague") == ["256", "257", "27"]
    assert units("steering") == ["256", "257", "27"]
    assert units("outsider") == ["15", "80"]
    assert units("admin") == ["15", "256", "257", "27", "80"]
    assert units("owner", "measures/procedures") == ["256"]
    assert units("colleague", "measures/procedures") == ["256", "257", "27"]
    assert units("outsider", "measures/procedures") == ["80"]


def test_a_unit_outside_the_viewing_scope_is_a_field_error_as_for_values(api, measures):
    for path in ("measures", "measures/procedures", "values", "dossiers"):
        body = problem(api.get(path, "owner", unit="257"), 422)
        assert body["type"] == "urn:dxscore:problem:invalid"
        assert [(e["location"], e["field"]) for e in body["errors"]] == [("query", "unit")]
        assert "No unit '257' in your viewing scope." in body["errors"][0]["detail"]
    problem(api.get("measures", "admin", unit="no-such-unit"), 422)
    problem(api.get("measures/procedures", "outsider", unit="27"), 422)


def test_items_are_ordered_by_unit_code_period_and_measure(api, measures):
    assert keys(api, "owner") == [
        ("256", "2024", "on_time_rate"),
        ("256", "2024", "received"),
        ("256", "2024-07", "on_time_rate"),
        ("256", "2024-07", "received"),
        ("256", "2024Q3", "on_time_rate"),
        ("256", "2024Q3", "received"),
    ]
    first = items(api, "measures", "owner")[0]
    assert first == {
        "unit": "256",
        "period": "2024",
        "kind": "year",
        "measure": "on_time_rate",
        "value": 0.51,
    }


def test_measures_are_filtered_by_unit_and_below_kind_period_and_measure(api, measures):
    assert keys(api, "colleague", kind="year", measure="received") == [
        ("256", "2024", "received"),
        ("257", "2024", "received"),
        ("27", "2024", "received"),
    ]
    assert keys(api, "colleague", unit="257", period="2024Q3") == [
        ("257", "2024Q3", "on_time_rate"),
        ("257", "2024Q3", "received"),
    ]
    assert {m[0] for m in keys(api, "admin", unit="27")} == {"27", "256", "257"}
    assert {m[0] for m in keys(api, "admin", unit="15", kind="month")} == {"15", "80"}
    assert keys(api, "admin", measure="no_such_measure") == []
    assert keys(api, "admin", period="2023") == []
    assert [m["kind"] for m in items(api, "measures", "owner", period="2024Q3")] == [
        "quarter",
        "quarter",
    ]
    body = problem(api.get("measures", "admin", kind="week"), 422)
    assert body["errors"][0]["field"] == "kind"


def test_grain_the_former_name_of_kind_is_still_accepted(api, measures):
    for path in ("measures", "measures/procedures"):
        by_kind = items(api, path, "colleague", kind="quarter")
        assert by_kind and items(api, path, "colleague", grain="quarter") == by_kind
        assert items(api, path, "colleague", kind="quarter", grain="quarter") == by_kind
        body = problem(api.get(path, "colleague", kind="year", grain="month"), 422)
        assert [(e["location"], e["field"]) for e in body["errors"]] == [("query", "grain")]
        assert "as kind" in body["errors"][0]["detail"]


def test_a_measure_without_a_value_is_null(api, measures):
    rates = items(api, "measures", "colleague", unit="257", measure="on_time_rate")
    assert [(m["period"], m["value"]) for m in rates] == [
        ("2024", 0.52),
        ("2024-07", None),
        ("2024Q3", 0.52),
    ]


def test_measures_are_paged_with_a_next_address(api, measures):
    first = api.get("measures", "colleague", kind="year", limit=4).json()
    assert (first["count"], first["limit"], first["offset"]) == (6, 4, 0)
    assert len(first["items"]) == 4
    assert first["next"].startswith("/api/v1/measures?")
    assert "kind=year" in first["next"] and "offset=4" in first["next"]
    second = api.client.get(first["next"], HTTP_AUTHORIZATION=f"Bearer {api.token('colleague')}")
    rest = second.json()
    assert rest["next"] is None and len(rest["items"]) == 2
    every = keys(api, "colleague", kind="year")
    assert [(m["unit"], m["period"], m["measure"]) for m in first["items"] + rest["items"]] == every
    beyond = api.get("measures", "colleague", offset=1000).json()
    assert beyond["items"] == [] and beyond["count"] == 18 and beyond["next"] is None
    problem(api.get("measures", "colleague", limit=1001), 422)


def test_without_a_token_the_measures_are_refused(api, client, measures):
    for path in ("measures", "measures/procedures"):
        answer = client.get(f"/api/v1/{path}")
        assert problem(answer, 401)["type"] == "urn:dxscore:problem:unauthorised"
        assert answer["WWW-Authenticate"].startswith("Bearer")
        problem(api.get(path, token="dxs_00000000_" + "a" * 43), 401)


def test_the_measures_are_read_only(api, measures):
    for path in ("measures", "measures/procedures"):
        assert problem(api.post(path, {}, "admin"), 405)["status"] == 405


# --- measures per procedure -----------------------------------------------------------------


def test_procedure_measures_carry_every_count_and_rate_the_name_and_late(api, measures):
    rows = items(api, "measures/procedures", "owner")
    assert [(r["procedure"], r["period"]) for r in rows] == [
        ("1.001", "2024"),
        ("1.001", "2024Q3"),
        ("2.002", "2024"),
    ]
    year = rows[0]
    assert year == {
        "unit": "256",
        "procedure": "1.001",
        "procedure_name": "Đăng ký khai sinh",
        "period": "2024",
        "kind": "year",
        **counts(),
        **dict.fromkeys(ProcedureMeasure.RATES),
        "on_time_rate": 0.75,
        "online_share": 0.5,
        "late": 8 - 6 + 1,
    }
    for field in (*ProcedureMeasure.COUNTS, *ProcedureMeasure.RATES, "late"):
        assert field in ProcedureMeasureOut.model_fields
    # late = finished - finished_on_time + open_overdue, on every row
    for row in items(api, "measures/procedures", "admin"):
        expected = row["finished"] - row["finished_on_time"] + row["open_overdue"]
        assert row["late"] == expected
    assert [r["late"] for r in rows] == [3, 0, 4]


def test_a_procedure_without_a_catalogue_entry_has_an_empty_name(api, measures):
    unknown = items(api, "measures/procedures", "owner", procedure="2.002")
    assert [(r["procedure"], r["procedure_name"]) for r in unknown] == [("2.002", "")]
    assert unknown[0]["on_time_rate"] is None and unknown[0]["satisfaction"] is None
    assert items(api, "measures/procedures", "admin", procedure="9.999") == []


def test_procedure_measures_are_filtered_by_unit_and_below_kind_and_period(api, measures):
    def seen(who, **params):
        rows = items(api, "measures/procedures", who, **params)
        return [(r["unit"], r["procedure"], r["period"]) for r in rows]

    assert seen("colleague", kind="year", procedure="1.001") == [
        ("256", "1.001", "2024"),
        ("257", "1.001", "2024"),
        ("27", "1.001", "2024"),
    ]
    assert seen("admin", unit="257") == [("257", "1.001", "2024")]
    assert seen("admin", unit="15") == [("80", "1.001", "2024")]
    assert seen("admin", kind="quarter") == [("256", "1.001", "2024Q3")]
    assert seen("admin", period="2024Q3") == [("256", "1.001", "2024Q3")]
    assert seen("admin", period="2024-07") == []
    assert seen("admin", kind="month") == []


def test_procedure_measures_are_paged(api, measures):
    first = api.get("measures/procedures", "admin", limit=2, offset=1).json()
    assert (first["count"], first["offset"], len(first["items"])) == (6, 1, 2)
    assert [(r["unit"], r["period"]) for r in first["items"]] == [
        ("256", "2024Q3"),
        ("256", "2024"),
    ]
    assert "offset=3" in first["next"] and "limit=2" in first["next"]
    last = api.get("measures/procedures", "admin", limit=2, offset=4).json()
    assert last["next"] is None
    assert [r["unit"] for r in last["items"]] == ["27", "80"]


def test_the_procedure_names_of_a_page_cost_one_query(api, measures):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api.token("admin")
    with CaptureQueriesContext(connection) as queries:
        rows = items(api, "measures/procedures", "admin")
    assert len(rows) == 6
    named = [q["sql"] for q in queries if 'dossierdata_procedure"' in q["sql"]]
    assert len(named) == 1
