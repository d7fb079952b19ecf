"""Units over time through the API: ``15`` is Yên Bái until 30 June 2025 and the new Lào
Cai from 1 July 2025; value and dossier batches read each code on the map of the item's
period or the record's received date; units show their validity and lineage."""

from __future__ import annotations

import pytest

from dxscore.web.data.models import Value
from tests.web.support import problem, record, reuse_code_15

M = "test-districts"


@pytest.fixture
def reform(org):
    return reuse_code_15(org)


def item(unit, period, value=50.0, indicator="online"):
    return {"unit": unit, "indicator": indicator, "period": period, "value": value}


def test_a_value_batch_reads_each_code_on_the_map_of_its_period(api, methodology, reform):
    body = {"methodology": M, "items": [item("15", "2025Q2", 40), item("15", "2025", 60)]}
    answer = api.post("values", body, "admin")
    assert answer.status_code == 200, answer.content
    stored = {(v.unit_id, v.period.code): v.value for v in Value.objects.select_related("period")}
    assert stored == {
        (reform["yen_bai"].pk, "2025Q2"): 40.0,
        (reform["new_lao_cai"].pk, "2025"): 60.0,
    }
    assert api.post("values", body, "admin").json()["unchanged"] == 2


def test_a_code_without_a_unit_in_the_period_is_refused_naming_the_item(api, methodology, reform):
    body = {"methodology": M, "items": [item("15", "2025", 60), item("10", "2025", 50)]}
    errors = problem(api.post("values", body, "admin"), 422)["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(1, "unit")]
    assert errors[0]["detail"] == (
        "'10' denotes no unit in period 2025 (on its last day, 12/31/2025); "
        "it denotes Lào Cai (10) until 06/30/2025"
    )
    assert not Value.objects.exists()


def test_the_workflow_endpoints_read_the_code_on_the_periods_map(api, methodology, reform):
    items = [item("15", "2025Q2", 40), item("15", "2025Q2", 70, "ontime")]
    api.post("values", {"methodology": M, "items": items}, "admin")
    body = {"methodology": M, "period": "2025Q2", "unit": "15"}
    assert api.post("values/submit", body, "admin").json() == {"changed": 2}
    assert set(Value.objects.values_list("unit_id", "status")) == {
        (reform["yen_bai"].pk, "submitted")
    }
    # 15 in 2025 is the new Lào Cai, which has no values yet
    answer = problem(api.post("values/submit", {**body, "period": "2025"}, "admin"), 409)
    assert answer["detail"] == "Values missing for: online, ontime."


def test_units_show_key_validity_and_where_they_came_from_and_went(api, reform):
    new = api.get("units/15", "admin").json()
    assert (new["key"], new["name"], new["valid_from"]) == (
        "15@2025-07-01",
        "Lào Cai",
        "2025-07-01",
    )
    assert new["predecessors"] == ["10", "15"] and new["successors"] == []
    assert [(f["key"], f["kind"], f["share"], f["date"]) for f in new["came_from"]] == [
        ("10", "merge", 1.0, "2025-07-01"),
        ("15", "merge", 1.0, "2025-07-01"),
    ]
    old = api.get("units/15", "admin", on="2025-06-30").json()
    assert (old["key"], old["name"], old["valid_to"]) == ("15", "Yên Bái", "2025-06-30")
    assert [(f["key"], f["name"]) for f in old["went_to"]] == [("15@2025-07-01", "Lào Cai")]
    assert api.get("units/15@2025-07-01", "admin").json()["key"] == "15@2025-07-01"
    assert api.get("units/10", "admin").json()["valid_to"] == "2025-06-30"  # the latest
    on_new_map = api.get("units", "admin", valid_on="2025-07-01", level="province").json()
    assert [u["key"] for u in on_new_map["items"]] == ["27", "15@2025-07-01"]


def test_an_old_unit_is_reached_by_key_only_in_ones_viewing_scope(api, reform):
    # outsider sees the province 15 of the test org: Yên Bái (ended), not the new Lào Cai
    assert api.get("units/15", "outsider").json()["key"] == "15"
    problem(api.get("units/15@2025-07-01", "outsider"), 404)
    problem(api.get("units/15@2025-07-01", "owner"), 404)


def test_a_dossier_batch_reads_each_records_unit_on_its_received_date(api, reform):
    before = record(
        1,
        unit="10",
        received_at="2025-06-20T08:00:00+07:00",
        due_at="2025-06-30",
        finished_at="2025-06-25 10:00",
        updated_at="2025-06-25T10:00:00+07:00",
    )
    after = record(
        2,
        unit="10",
        received_at="2025-07-02T08:00:00+07:00",
        due_at="2025-07-10",
        finished_at="2025-07-05 10:00",
        updated_at="2025-07-05T10:00:00+07:00",
    )
    errors = problem(api.post("dossiers", {"records": [before, after]}, "admin"), 422)["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(1, "unit")]
    assert (
        "'10' denotes no unit on 07/02/2025; it denotes Lào Cai (10) until" in (errors[0]["detail"])
    )
    assert api.post("dossiers", {"records": [before]}, "admin").status_code == 200
