"""Data quality in the site (stored by the worker, shown beside the points, the records
behind a warning downloadable within scope) and reconciliation with the portal's
published counts (entered, or imported with a preview, all or nothing)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dxscore.web.dossierdata.models import DossierQuality, Job, PortalCount
from dxscore.web.dossierdata.worker import run_pending
from tests.web.support import D256, D257, upload_dossiers

# two doubtful records of 256 in July 2024: finished before received; due before received
WARNED = (
    "w1,256,P1,full,online,2024-07-10 08:00,2024-07-20,2024-07-08 10:00,finished\n"
    "w2,256,P2,full,in_person,2024-07-11 08:00,2024-07-05,2024-07-12 10:00,finished\n"
)


@pytest.fixture(autouse=True)
def _store(settings, tmp_path):
    settings.DXSCORE_DOSSIER_STORE = tmp_path / "store"


@pytest.fixture
def imported(as_user, org, people):
    upload_dossiers(as_user("admin"), D256 + D257 + WARNED)
    run_pending()
    job = Job.objects.get(kind="import")
    assert job.state == "done", job.error
    return job


def test_the_worker_stores_the_records_with_warnings_and_their_counts(imported, org):
    assert imported.summary["warned"] == 2 and imported.summary["rejected"] == 0
    assert imported.summary["warnings"] == {
        "due_before_received": 1,
        "finished_before_received": 1,
    }
    month = DossierQuality.objects.get(unit=org.d256, period="2024-07")
    assert (month.kind, month.records, month.with_warnings) == ("month", 6, 2)
    assert month.warnings == {"due_before_received": 1, "finished_before_received": 1}
    assert month.share == pytest.approx(2 / 6)
    province = DossierQuality.objects.get(unit=org.bac_ninh, period="2024")
    assert (province.records, province.with_warnings) == (7, 2)
    assert DossierQuality.objects.get(unit=org.d257, period="2024Q3").with_warnings == 0


def test_the_dashboard_shows_data_quality_beside_the_points(as_user, imported):
    page = as_user("steering").get("/dashboards/services/", {"unit": "27", "kind": "month"})
    rows = {r["unit"].code: r for r in page.context["rows"]}
    assert rows["256"]["quality"].with_warnings == 2
    assert rows["27"]["quality"].records == 7
    text = page.content.decode()
    assert 'id="t-quality"' in text and "finished_before_received" in text
    assert "warning=due_before_received" in text and "reconcile-link" in text


def _download(client, **query):
    return client.get(reverse("dossier_warnings"), query)


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_records_behind_a_warning_download_within_scope(as_user, imported):
    query = {"unit": "256", "period": "2024-07", "warning": "finished_before_received"}
    owner = _download(as_user("owner"), **query)
    assert owner.status_code == 200 and owner["Content-Type"].startswith("text/csv")
    (row,) = _csv(owner)
    assert (row["dossier_id"], row["_warnings"], row["_row"]) == (
        "w1",
        "finished_before_received",
        "7",
    )
    every = _csv(_download(as_user("owner"), unit="256", period="2024-07"))
    assert sorted(r["dossier_id"] for r in every) == ["w1", "w2"]
    colleague = _download(as_user("colleague"), **query)  # views the province
    assert colleague.status_code == 200 and len(_csv(colleague)) == 1
    assert _download(as_user("outsider"), **query).status_code == 404
    assert _download(as_user("owner"), unit="27", period="2024-07").status_code == 404
    assert _download(as_user("owner"), unit="256", period="2024-07", warning="x").status_code == 404
    # the province's figure counts its districts': so does its download
    assert len(_csv(_download(as_user("steering"), unit="27", period="2024"))) == 2


RECONCILE = "/dossiers/reconcile/"


def test_staff_enter_the_portals_counts_and_see_differences_and_causes(as_user, imported, org):
    client = as_user("owner")
    query = "?unit=256&period=2024-07"
    saved = client.post(
        RECONCILE + query, {"received": "8", "finished": "4", "source": "dichvucong.gov.vn"}
    )
    assert saved.status_code == 302
    assert PortalCount.objects.get(unit=org.d256, period="2024-07", measure="received").value == 8
    page = client.get(RECONCILE + query)
    lines = {line.measure: line for line in page.context["result"].lines}
    assert (lines["received"].portal, lines["received"].dxscore) == (8, 6.0)
    assert lines["received"].difference == -2
    assert lines["finished"].difference == 0  # 4 finished in July, as the portal says
    causes = {code: n for code, n, _text in page.context["result"].causes}
    assert causes["warnings"] == 2
    assert 'id="causes"' in page.content.decode()


def test_entering_counts_needs_the_units_entry_scope(as_user, imported, org):
    query = "?unit=256&period=2024-07"
    assert as_user("colleague").get(RECONCILE + query).status_code == 200  # views 256
    assert as_user("colleague").post(RECONCILE + query, {"received": "1"}).status_code == 403
    assert as_user("outsider").get(RECONCILE + query).status_code == 404
    assert as_user("outsider").post(RECONCILE + query, {"received": "1"}).status_code == 404
    assert not PortalCount.objects.exists()


def _counts_file(text: str, name="counts.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_an_imported_file_of_counts_is_previewed_and_stored_all_or_nothing(as_user, imported, org):
    client = as_user("owner")
    bad = "unit,period,measure,value\n256,2024-07,received,8\n80,2024-07,received,5\n"
    bad += "256,2024-13,finished,3\n256,2024-07,opened,3\n256,2024-07,finished,-1\n"
    client.post(reverse("dossier_reconciliation_upload"), {"file": _counts_file(bad)})
    preview = client.get(reverse("dossier_reconciliation_preview"))
    problems = dict(preview.context["problems"])
    assert problems["row 3, column A (unit)"] == "no unit '80' you may enter data for"
    assert "not a period" in problems["row 4, column B (period)"]
    assert "unknown measure" in problems["row 5, column C (measure)"]
    assert "whole number" in problems["row 6, column D (value)"]
    assert client.post(reverse("dossier_reconciliation_preview")).status_code == 403
    assert not PortalCount.objects.exists()
    good = "unit,period,measure,value,source\n256,2024-07,received,8,portal\n"
    good += "256,2024-07,finished_on_time,2,portal\n"
    client.post(reverse("dossier_reconciliation_upload"), {"file": _counts_file(good)})
    preview = client.get(reverse("dossier_reconciliation_preview"))
    assert len(preview.context["rows"]) == 2 and not PortalCount.objects.exists()
    done = client.post(reverse("dossier_reconciliation_preview"))
    assert done.status_code == 302
    stored = dict(PortalCount.objects.values_list("measure", "value"))
    assert stored == {"received": 8, "finished_on_time": 2}


def test_the_api_gives_quality_and_reconciliation_and_takes_counts(api, imported, org):
    quality = api.get("dossiers/quality", unit="256", kind="month").json()
    assert [(q["period"], q["with_warnings"]) for q in quality] == [("2024-07", 2)]
    assert quality[0]["warnings"]["finished_before_received"] == 1
    outsider = api.get("dossiers/quality", who="outsider", kind="year").json()
    assert {q["unit"] for q in outsider} <= {"15", "80"}
    body = {"counts": [{"unit": "256", "period": "2024-07", "measure": "received", "value": 8}]}
    assert api.post("dossiers/portal-counts", body, who="outsider").status_code == 422
    assert api.post("dossiers/portal-counts", body, who="colleague").status_code == 422
    assert not PortalCount.objects.exists()
    assert api.post("dossiers/portal-counts", body).json() == {"stored": 1}
    answer = api.get("dossiers/reconciliation/256/2024-07").json()
    line = next(x for x in answer["lines"] if x["measure"] == "received")
    assert (line["portal"], line["dxscore"], line["difference"]) == (8, 6.0, -2.0)
    assert answer["differs"] and any(c["cause"] == "warnings" for c in answer["causes"])
    assert api.get("dossiers/reconciliation/256/2024-07", who="outsider").status_code == 404


def test_an_unknown_engine_setting_fails_the_measures_job_with_a_message(
    as_user, imported, settings
):
    settings.DXSCORE_DOSSIER_ENGINE = "polars"
    Job.objects.create(kind="measures", created_by=imported.created_by)
    run_pending()
    job = Job.objects.filter(kind="measures").first()
    assert job.state == "failed" and "DXSCORE_DOSSIER_ENGINE" in job.error
