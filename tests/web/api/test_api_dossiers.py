"""Dossier records through the API: batches validated and stored by ``dxscore.dossiers``
(idempotent by unit and dossier_id with updated_at), in the person's entry scope, all or
nothing, read back in the viewing scope."""

from __future__ import annotations

import pytest

from dxscore.dossiers import Store
from tests.web.support import problem, record


def stored(settings) -> list[dict]:
    """What the store holds, read with the library (not through the API)."""
    import duckdb

    if not (settings.DXSCORE_DOSSIER_STORE / "manifest.json").exists():
        return []
    store = Store(settings.DXSCORE_DOSSIER_STORE)
    files = [str(p) for p in store.parts()]
    if not files:
        return []
    rows = duckdb.sql(
        "SELECT unit, dossier_id, status, channel FROM read_parquet($files) ORDER BY ALL",
        params={"files": files},
    )
    return [
        dict(zip(("unit", "dossier_id", "status", "channel"), r, strict=True))
        for r in rows.fetchall()
    ]


def test_a_batch_is_stored_and_sending_it_again_changes_nothing(api, settings):
    body = {"records": [record(1), record(2, channel="in_person"), record(3, "257")]}
    first = api.post("dossiers", body, "steering").json()
    assert first["received"] == 3 and first["new"] == 3 and not first["already_imported"]
    assert len(stored(settings)) == 3
    again = api.post("dossiers", body, "steering").json()
    assert again["already_imported"] and again["unchanged"] == 3 and again["new"] == 0
    # the same records in another order (another file to the store): still unchanged
    shuffled = {"records": list(reversed(body["records"]))}
    third = api.post("dossiers", shuffled, "steering").json()
    assert (third["new"], third["updated"], third["unchanged"]) == (0, 0, 3)
    assert len(stored(settings)) == 3


def test_the_latest_updated_at_wins_and_older_versions_are_ignored(api, settings):
    api.post(
        "dossiers",
        {
            "records": [
                record(1, status="in_progress", finished_at=None, updated_at="2024-07-02T00:00:00Z")
            ]
        },
    )
    newer = api.post("dossiers", {"records": [record(1)]}).json()
    assert (newer["new"], newer["updated"]) == (0, 1)
    older = api.post(
        "dossiers",
        {
            "records": [
                record(1, status="withdrawn", finished_at=None, updated_at="2024-07-01T00:00:00Z")
            ]
        },
    )
    assert older.json()["stale"] == 1
    assert [r["status"] for r in stored(settings)] == ["finished"]
    # within one batch: the latest version wins too
    twice = {
        "records": [
            record(2, status="finished", updated_at="2024-07-09T00:00:00Z"),
            record(2, status="returned", updated_at="2024-07-08T00:00:00Z"),
        ]
    }
    assert api.post("dossiers", twice).json()["duplicates"] == 1
    assert {r["dossier_id"]: r["status"] for r in stored(settings)}["HS-00002"] == "finished"


def test_the_librarys_checks_name_each_bad_record_and_field_and_store_nothing(api, settings):
    body = {
        "records": [
            record(1),
            record(2, channel="fax"),
            record(3, finished_at=None),  # finished without finished_at
            record(4, status="in_progress"),  # in progress but finished_at is set
            record(5, received_at="yesterday"),
            record(6, rating=9),
        ]
    }
    answer = problem(api.post("dossiers", body), 422)
    found = {(e["index"], e["field"]): e["detail"] for e in answer["errors"]}
    assert "unknown value (expected online, in_person, post)" in found[(1, "channel")]
    assert "required when status is finished" in found[(2, "finished_at")]
    assert "must be empty when status is in_progress" in found[(3, "finished_at")]
    assert "not a date/time" in found[(4, "received_at")]
    assert "1 to 5" in found[(5, "rating")]
    assert found[(1, "channel")].endswith("(got 'fax')")
    assert answer["errors"][0]["pointer"] == "/records/1/channel"
    assert stored(settings) == []


def test_codes_are_read_as_the_library_reads_them(api, settings):
    answer = api.post("dossiers", {"records": [record(1, channel="In-person", has_fee="yes")]})
    assert answer.status_code == 200, answer.content
    assert stored(settings)[0]["channel"] == "in_person"


def test_schema_errors_missing_and_unknown_fields(api, settings):
    broken = record(1, colour="blue")
    del broken["procedure"]
    errors = problem(api.post("dossiers", {"records": [record(0), broken]}), 422)["errors"]
    assert {(e["index"], e["field"]) for e in errors} == {(1, "procedure"), (1, "colour")}
    assert stored(settings) == []


def test_records_of_units_out_of_entry_scope_store_nothing(api, settings):
    body = {"records": [record(1, "256"), record(2, "257")]}
    answer = problem(api.post("dossiers", body, "owner"), 403)
    assert [(e["index"], e["field"]) for e in answer["errors"]] == [(1, "unit")]
    unknown = problem(api.post("dossiers", {"records": [record(1, "XYZ")]}, "admin"), 422)
    assert unknown["errors"][0]["detail"] == "unknown unit 'XYZ'"
    problem(api.post("dossiers", body, "approver"), 403)  # approvers do not enter data
    assert stored(settings) == []


def test_a_batch_holds_one_to_ten_thousand_records(api, settings):
    problem(api.post("dossiers", {"records": []}), 422)
    too_many = {"records": [record(i) for i in range(10_001)]}
    errors = problem(api.post("dossiers", too_many, "owner"), 422)["errors"]
    assert errors[0]["pointer"] == "/records" and errors[0]["field"] == "records"
    assert stored(settings) == []


@pytest.mark.slow
def test_a_full_batch_of_ten_thousand_records_is_stored(api, settings):
    body = {"records": [record(i, "256" if i % 2 else "257") for i in range(10_000)]}
    answer = api.post("dossiers", body, "steering").json()
    assert answer["new"] == 10_000
    assert len(stored(settings)) == 10_000


def test_dossiers_are_read_back_in_the_viewing_scope(api, settings):
    records = [record(1, "256"), record(2, "257", channel="post"), record(3, "80")]
    api.post("dossiers", {"records": records}, "admin")

    def ids(who, **params):
        return [d["dossier_id"] for d in api.get("dossiers", who, **params).json()["items"]]

    assert ids("owner") == ["HS-00001"]
    assert ids("colleague") == ["HS-00001", "HS-00002"]
    assert ids("colleague", unit="257") == ["HS-00002"]
    assert ids("outsider") == ["HS-00003"]
    assert ids("admin", limit=2) == ["HS-00001", "HS-00002"]
    assert api.get("dossiers", "admin", limit=2).json()["count"] == 3
    assert ids("admin", received_from="2024-07-02") == []
    assert ids("admin", received_before="2024-07-02T00:00:00+07:00") == [
        "HS-00001",
        "HS-00002",
        "HS-00003",
    ]
    one = api.get("dossiers/257/HS-00002", "colleague").json()
    assert one["channel"] == "post" and one["received_at"] == "2024-07-01T01:30:00Z"
    assert one["supplement_days"] == 0 and one["rating"] == 5
    problem(api.get("dossiers/257/HS-00002", "owner"), 404)
    problem(api.get("dossiers/256/HS-99999", "owner"), 404)


def test_reading_an_empty_store_gives_an_empty_page(api):
    assert api.get("dossiers", "admin").json() == {
        "count": 0,
        "limit": 100,
        "offset": 0,
        "next": None,
        "items": [],
    }


def test_stored_batches_queue_one_measures_job_and_the_worker_computes_them(api, org, settings):
    from dxscore.web.dossierdata.models import DossierMeasure, Job
    from dxscore.web.dossierdata.worker import run_pending

    api.post("dossiers", {"records": [record(1), record(2, channel="post")]}, "steering")
    api.post("dossiers", {"records": [record(3, "257")]}, "steering")
    assert list(Job.objects.values_list("kind", "state")) == [("measures", "queued")]
    assert run_pending() == 1
    # a batch that changes nothing queues nothing
    api.post("dossiers", {"records": [record(3, "257")]}, "steering")
    assert not Job.objects.filter(state="queued").exists()

    def measure(unit, name):
        return DossierMeasure.objects.get(unit=unit, measure=name, period="2024-07").value

    assert measure(org.d256, "received") == 2
    assert measure(org.d256, "online_share") == pytest.approx(0.5)
    assert measure(org.bac_ninh, "received") == 3  # rolled up the unit tree
