"""Dossier data in the platform: uploads are only queued by the site; the worker imports
them with dxscore.dossiers (scope checked first, rejects listed), computes the measures
and fills the indicators whose codes are measure names, read-only for people."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dxscore.dossiers import Store
from dxscore.web import sheets
from dxscore.web.data import imports, workflow
from dxscore.web.data.models import Indicator, Period, Value
from dxscore.web.dossierdata.models import DossierMeasure, Job, Procedure, ProcedureMeasure
from dxscore.web.dossierdata.worker import run_forever, run_pending
from tests.web.support import D256, D257, csv_file, upload_dossiers

# district 256 in July 2024: 4 received, 3 online; finished 2 (1 on time); open 2 (1 overdue)
# district 257: 1 received in person, finished on time

YAML = """\
id: services
version: "1"
title: Public services
scale: [0, 100]
defaults:
  indicator: {normalisation: identity, range: [0, 1], unit: rate}
tree:
  code: index
  name: Services
  children:
    - {code: online_share, name: Dossiers filed online, weight: 1}
    - {code: timeliness_rate, name: Dossiers on time, weight: 1}
    - {code: staff_trained, name: Staff trained, weight: 1}
"""


@pytest.fixture(autouse=True)
def _store(settings, tmp_path):
    settings.DXSCORE_DOSSIER_STORE = tmp_path / "store"
    return settings.DXSCORE_DOSSIER_STORE


@pytest.fixture
def services(org):
    from dxscore.web.data.methodologies import store

    m = store(YAML, purpose="services")
    m.reporting_level = org.district
    m.save()
    for code in ("2024-07", "2024Q3", "2024"):
        Period.objects.create(code=code)
    return m


def _value(unit, code, period):
    return Value.objects.get(unit=unit, indicator__code=code, period__code=period)


def test_upload_only_queues_a_job_and_the_store_is_untouched_until_the_worker_runs(
    as_user, org, _store
):
    response = upload_dossiers(as_user("owner"), D256)
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("dossier_job", args=[job.pk])
    assert (job.kind, job.state, job.filename) == ("import", "queued", "dossiers.csv")
    assert not (_store / "manifest.json").exists()
    page = as_user("owner").get(reverse("dossier_job", args=[job.pk])).content.decode()
    assert "queued" in page and 'http-equiv="refresh"' in page


def test_worker_imports_computes_measures_and_fills_dossier_indicators(as_user, org, services):
    upload_dossiers(as_user("steering"), D256 + D257)
    assert run_pending() == 2  # the import queues a measures job
    imported, measured = Job.objects.order_by("pk")
    assert (imported.state, imported.summary["new"], imported.summary["rejected"]) == (
        "done",
        5,
        0,
    )
    assert (measured.kind, measured.state, measured.percent) == ("measures", "done", 100)
    assert Store(_store_path()).rows() == 5

    def measure(unit, name, period="2024-07"):
        return DossierMeasure.objects.get(unit=unit, measure=name, period=period).value

    assert measure(org.d256, "received") == 4
    assert measure(org.d256, "online_share") == pytest.approx(0.75)
    assert measure(org.d256, "timeliness_rate") == pytest.approx(0.5)  # (1 + 2 - 1) / (2 + 2)
    assert measure(org.d257, "online_share") == 0
    assert measure(org.bac_ninh, "online_share") == pytest.approx(0.6)  # rolled up: 3 of 5
    assert measure(org.bac_ninh, "received", "2024Q3") == 5

    value = _value(org.d256, "online_share", "2024-07")
    assert (value.value, value.status) == (pytest.approx(0.75), "draft")
    # by the end of 2024 both open dossiers are overdue: (1 + 2 - 2) / (2 + 2)
    assert _value(org.d256, "timeliness_rate", "2024").value == pytest.approx(0.25)
    assert _value(org.bac_ninh, "online_share", "2024Q3").value == pytest.approx(0.6)
    assert "computed from dossiers" in value.comment
    record = value.history.get()
    assert record.history_user == value.updated_by and "computed from dossiers" in (
        record.history_change_reason
    )
    assert record.channel == "dossiers"  # what the explanation of a run says it came from
    computed = set(Indicator.objects.filter(source="dossiers").values_list("code", flat=True))
    assert {"online_share", "timeliness_rate"} <= computed and "staff_trained" not in computed
    assert not Value.objects.filter(indicator__code="staff_trained").exists()


def test_worker_stores_the_measures_per_procedure_and_the_catalogue_names(
    as_user, org, services, tmp_path
):
    from dxscore.dossiers import MEASURES

    stored = {*ProcedureMeasure.COUNTS, *ProcedureMeasure.RATES}
    assert stored == set(MEASURES) - {"timeliness_points"}  # that one is 20 x timeliness_rate
    keys = {"id", "unit", "procedure", "period", "kind", "job"}
    columns = {f.name for f in ProcedureMeasure._meta.concrete_fields} - keys
    assert columns == stored  # a column for every measure the library computes
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text(
        "procedure,unit,name,name_en,service_level\n"
        "P1,256,Cấp giấy phép xây dựng,Building permit,full\n",
        encoding="utf-8",
    )
    Store(_store_path(), create=True).import_catalogue([catalogue])
    upload_dossiers(as_user("steering"), D256 + D257)
    run_pending()
    measured = Job.objects.get(kind="measures")
    rows = ProcedureMeasure.objects.filter(period="2024-07")

    def row(unit, procedure):
        return rows.get(unit=unit, procedure=procedure)

    p1, p2 = row(org.d256, "P1"), row(org.d256, "P2")
    assert (p1.received, p1.finished, p1.finished_on_time, p1.late) == (2, 2, 1, 1)
    assert (p2.received, p2.open_at_end, p2.open_overdue, p2.late) == (2, 2, 1, 1)
    assert p1.on_time_rate == 0.5 and p2.on_time_rate is None  # nothing finished
    assert p2.timeliness_rate == pytest.approx(0.5)  # (0 + 2 - 1) / (0 + 2)
    # the province rolls its districts up; 257 received P1 only
    assert row(org.bac_ninh, "P1").received == 3
    assert not rows.filter(unit=org.d257, procedure="P2").exists()
    assert {r.kind for r in ProcedureMeasure.objects.filter(unit=org.d256, procedure="P1")} == {
        "month",
        "quarter",
        "year",
    }
    assert measured.summary["procedure_measures"] == ProcedureMeasure.objects.count()
    assert dict(Procedure.objects.values_list("code", "name")) == {
        "P1": "Cấp giấy phép xây dựng",
        "P2": "",
    }
    # the catalogue's name in another language reaches the pages and the API
    assert Procedure.objects.get(code="P1").translations == {"en": "Building permit"}


def _store_path():
    from django.conf import settings

    return settings.DXSCORE_DOSSIER_STORE


def test_computed_values_are_read_only_in_the_form_the_workflow_and_uploads(
    as_user, people, org, services
):
    upload_dossiers(as_user("steering"), D256)
    run_pending()
    url = reverse("entry", args=[services.pk, "2024-07", org.d256.code])
    page = as_user("owner").get(url).content.decode()
    assert "computed from dossiers, read-only" in page
    tag = page[page.rindex("<input", 0, page.index('name="v_online_share"')) :].split(">")[0]
    assert " disabled" in tag
    as_user("owner").post(url, {"v_online_share": "0.1", "v_staff_trained": "0.4"})
    assert _value(org.d256, "online_share", "2024-07").value == pytest.approx(0.75)
    assert _value(org.d256, "staff_trained", "2024-07").value == 0.4
    period = Period.objects.get(code="2024-07")
    with pytest.raises(workflow.WorkflowError, match="computed from dossiers"):
        workflow.save_entries(
            people["owner"], services, period, org.d256, [workflow.Entry("online_share", 0.2)]
        )
    table = sheets.read_csv(b"unit,period,indicator,value\n256,2024-07,online_share,0.2\n")
    changes, problems, _n = imports.check(table, services, period, people["owner"])
    assert changes == []
    assert problems == [
        ("row 2, column D (value)", "online_share is computed from dossiers and read-only")
    ]


def test_records_outside_the_uploaders_entry_scope_store_nothing_and_name_the_row(
    as_user, org, services
):
    upload_dossiers(as_user("owner"), D256 + D257)  # owner enters for 256 only
    run_pending()
    job = Job.objects.get()
    assert job.state == "failed" and "nothing was stored" in job.error
    assert job.problems == [
        ["dossiers.csv, row 6, column unit", "unit '257' is outside your entry scope (1 record)"]
    ]
    assert not Store(_store_path(), create=True).parts()
    assert not DossierMeasure.objects.exists() and not Value.objects.exists()


def test_rejected_records_are_listed_with_row_and_column_and_the_rest_is_imported(
    as_user, org, services
):
    bad = "a9,256,P1,full,fax,2024-07-01 08:00,,,in_progress\n"
    upload_dossiers(as_user("owner"), D256 + bad)
    run_pending()
    job = Job.objects.filter(kind="import").get()
    assert job.state == "done" and job.summary["new"] == 4 and job.summary["rejected"] == 1
    assert len(job.problems) == 1 and job.problems[0][0] == "dossiers.csv, row 6, column channel"
    assert "fax" in job.problems[0][1]
    download = as_user("owner").get(reverse("dossier_rejects", args=[job.pk]))
    text = b"".join(download.streaming_content).decode()
    assert download.status_code == 200 and "fax" in text and ",6," in text
    assert as_user("colleague").get(reverse("dossier_rejects", args=[job.pk])).status_code == 404


def test_strict_upload_with_a_bad_record_stores_nothing(as_user, org, services):
    bad = "a9,256,P1,full,fax,2024-07-01 08:00,,,in_progress\n"
    upload_dossiers(as_user("owner"), D256 + bad, strict="on")
    run_pending()
    job = Job.objects.get()
    assert job.state == "failed" and "strict" in job.error
    assert job.problems[0][0] == "dossiers.csv, row 6, column channel"
    assert not (_store_path() / "manifest.json").exists() or not Store(_store_path()).parts()


def test_wrong_file_type_is_refused_by_the_form(as_user, org):
    response = as_user("owner").post(
        reverse("dossier_jobs"), {"file": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert response.status_code == 200 and "Upload one of" in response.content.decode()
    assert not Job.objects.exists()


def test_submitted_or_approved_values_are_not_overwritten_by_new_measures(
    as_user, people, org, services
):
    period = Period.objects.get(code="2024-07")
    entries = [("online_share", 0.1), ("timeliness_rate", 0.9), ("staff_trained", 0.5)]
    workflow.save_entries(
        people["owner"], services, period, org.d256, [workflow.Entry(*e) for e in entries]
    )
    workflow.submit(people["owner"], services, period, org.d256)
    upload_dossiers(as_user("steering"), D256)
    run_pending()
    assert _value(org.d256, "online_share", "2024-07").value == 0.1
    measured = Job.objects.get(kind="measures")
    assert measured.summary["locked"] == 2  # online_share and timeliness_rate
    assert ["256 online_share 2024-07", "submitted and locked: not updated to 0.75"] in (
        measured.problems
    )


def test_who_sees_jobs_and_who_may_queue_measures(as_user, people, org):
    upload_dossiers(as_user("owner"), D256)
    job = Job.objects.get()
    assert as_user("owner").get(reverse("dossier_job", args=[job.pk])).status_code == 200
    assert as_user("colleague").get(reverse("dossier_job", args=[job.pk])).status_code == 404
    assert as_user("outsider").get(reverse("dossier_job", args=[job.pk])).status_code == 404
    assert as_user("steering").get(reverse("dossier_job", args=[job.pk])).status_code == 200
    assert "dossiers.csv" not in as_user("outsider").get(reverse("dossier_jobs")).content.decode()
    assert as_user("owner").post(reverse("dossier_compute")).status_code == 403
    assert as_user("steering").post(reverse("dossier_compute")).status_code == 302
    assert as_user("steering").post(reverse("dossier_compute")).status_code == 302
    assert Job.objects.filter(kind="measures", state="queued").count() == 1  # not twice


def test_a_viewer_may_not_upload(client, org):
    from tests.web.support import make_person

    client.force_login(make_person("reader", "viewer", None, org.bac_ninh))
    assert client.get(reverse("dossier_jobs")).status_code == 403
    assert client.post(reverse("dossier_jobs"), {"file": csv_file(D256)}).status_code == 403


def test_worker_loop_once_runs_queued_jobs_then_stops(as_user, org, services):
    upload_dossiers(as_user("steering"), D257)
    lines = []
    run_forever(once=True, echo=lines.append)
    assert [j.state for j in Job.objects.order_by("pk")] == ["done", "done"]
    assert lines[0].startswith(f"job {Job.objects.order_by('pk').first().pk}: import")


def test_measures_without_dossiers_fail_with_a_clear_message(as_user, org):
    as_user("steering").post(reverse("dossier_compute"))
    run_pending()
    job = Job.objects.get()
    assert job.state == "failed" and "no dossier store here" in job.error
