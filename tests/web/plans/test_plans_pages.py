"""Resolution, target and task pages, and who may do what: the steering office assigns,
the owner unit reports progress, others in the province read, outsiders see nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dxscore.web.data.models import Indicator, Period, Status, Value
from dxscore.web.plans.models import Evidence, ProgressUpdate, Resolution, Target, Task
from tests.web.support import TODAY


def _url(name, *args):
    return reverse(f"plans:{name}", args=args)


def test_the_resolution_page_shows_n_of_m_met_by_pillar_unit_and_history(as_user, plan, org):
    p = Period.objects.create(code=str(TODAY.year - 1))
    Value.objects.create(
        unit=org.d256, indicator=plan["t1"].indicator, period=p, value=75, status=Status.APPROVED
    )
    page = as_user("colleague").get(_url("resolution", plan["resolution"].pk))
    text = page.content.decode()
    assert page.status_code == 200
    assert "1 of 2 targets met" in text
    assert "0 of 2 tasks done" in text and "1 overdue" in text
    assert "Digital government" in text and "TP. Bắc Ninh" in text
    assert f"<td>{TODAY.year - 1}</td>" in text  # a history row


def test_the_resolution_page_shows_the_history_per_unit(as_user, plan, org):
    last_year = Period.objects.create(code=str(TODAY.year - 1))
    Target.objects.create(
        resolution=plan["resolution"],
        number=3,
        title="Dossiers filed online in district 257",
        unit=org.d257,
        indicator=plan["t1"].indicator,
        comparison=">=",
        value=50,
        deadline=str(TODAY.year + 1),
    )
    Value.objects.create(
        unit=org.d257,
        indicator=plan["t1"].indicator,
        period=last_year,
        value=60,
        status=Status.APPROVED,
    )
    text = as_user("colleague").get(_url("resolution", plan["resolution"].pk)).content.decode()
    table = text[
        text.index('id="unit-history"') : text.index("</table>", text.index('id="unit-history"'))
    ]
    row = table[table.index(f"<td>{TODAY.year - 1}</td>") :].split("</tr>")[0]
    # district 256: 0 of 2 met; district 257: 1 of 1 met, at the end of last year
    assert "<strong>0</strong>/2" in row and "<strong>1</strong>/1" in row


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 200), ("colleague", 200), ("outsider", 404), ("steering", 200)],
)
def test_who_reads_a_resolution_and_its_tasks(as_user, plan, persona, status):
    client = as_user(persona)
    assert client.get(_url("resolution", plan["resolution"].pk)).status_code == status
    assert client.get(_url("task", plan["task1"].pk)).status_code == status
    assert client.get(_url("target", plan["t1"].pk)).status_code == status
    listed = client.get(_url("resolutions")).content.decode()
    assert ("52-NQ/TU" in listed) == (status == 200)


@pytest.mark.parametrize(
    ("persona", "status"), [("owner", 302), ("colleague", 403), ("outsider", 404)]
)
def test_only_the_owner_unit_reports_progress(as_user, plan, persona, status):
    response = as_user(persona).post(
        _url("task_progress", plan["task1"].pk), {"percent": "40", "text": "Half the procedures"}
    )
    assert response.status_code == status
    assert ProgressUpdate.objects.count() == (1 if status == 302 else 0)
    plan["task1"].refresh_from_db()
    assert plan["task1"].percent == (40 if status == 302 else 0)


def test_progress_to_100_marks_the_task_done_on_time_with_its_evidence(as_user, plan, people):
    client = as_user("owner")
    evidence = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes", "application/pdf")
    client.post(
        _url("task_progress", plan["task1"].pk),
        {"percent": "100", "text": "All connected", "evidence_file": evidence},
    )
    task = Task.objects.get(pk=plan["task1"].pk)
    assert (task.percent, task.done_on, task.status(), task.on_time) == (100, TODAY, "done", True)
    update = task.updates.get()
    assert update.reported_by == people["owner"] and update.evidence_file
    download = as_user("colleague").get(_url("update_file", update.pk))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 minutes"
    assert as_user("outsider").get(_url("update_file", update.pk)).status_code == 404


def test_an_assignee_outside_the_owner_unit_may_report(as_user, plan, people):
    plan["task1"].assignees.add(people["colleague"])
    response = as_user("colleague").post(
        _url("task_progress", plan["task1"].pk), {"percent": "10", "text": "Started"}
    )
    assert response.status_code == 302 and ProgressUpdate.objects.count() == 1


def test_a_bad_progress_report_stores_nothing(as_user, plan):
    response = as_user("owner").post(
        _url("task_progress", plan["task1"].pk), {"percent": "140", "text": "Too much"}
    )
    assert response.status_code == 302
    assert not ProgressUpdate.objects.exists()
    future = (TODAY + dt.timedelta(days=2)).isoformat()
    as_user("owner").post(
        _url("task_progress", plan["task1"].pk),
        {"percent": "20", "text": "Later", "reported_on": future},
    )
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("steering", 302), ("owner", 403), ("colleague", 403), ("approver", 403), ("outsider", 404)],
)
def test_only_the_steering_office_assigns_tasks(as_user, plan, org, persona, status):
    response = as_user(persona).post(
        _url("task_new", plan["resolution"].pk),
        {
            "number": "3",
            "title": "Provincial data centre",
            "owner": org.d257.pk,
            "deadline": "2026-12-31",
            "expected_result": "A data centre",
        },
    )
    assert response.status_code == status
    assert Task.objects.filter(number=3).exists() == (status == 302)


def test_the_steering_office_creates_a_resolution_with_pillars_and_a_target(as_user, org, people):
    client = as_user("steering")
    response = client.post(
        _url("resolution_new"),
        {
            "unit": org.bac_ninh.pk,
            "code": "52-NQ/TU",
            "title": "Digital transformation",
            "issuer": "Party Committee",
            "issued_on": "2022-03-18",
            "horizon": "2025",
            "pillars": "gov: Digital government\neconomy: Digital economy",
        },
    )
    resolution = Resolution.objects.get()
    assert response.status_code == 302 and resolution.created_by == people["steering"]
    assert list(resolution.pillars.values_list("code", "name")) == [
        ("gov", "Digital government"),
        ("economy", "Digital economy"),
    ]
    online = Indicator.objects.create(code="online", name="Online dossiers")
    response = client.post(
        _url("target_new", resolution.pk),
        {
            "number": "1",
            "pillar": resolution.pillars.get(code="gov").pk,
            "title": "Online dossiers",
            "unit": org.d256.pk,
            "indicator": online.pk,
            "comparison": ">=",
            "value": "70",
            "deadline": "2025",
            "baseline": "30",
            "baseline_period": "2026",
        },
    )
    assert response.status_code == 200  # the baseline is after the deadline
    assert "after the deadline" in response.content.decode()
    assert not Target.objects.exists()


def test_a_data_officer_cannot_create_resolutions(as_user, org):
    assert as_user("owner").get(_url("resolution_new")).status_code == 403


def test_a_resolution_can_only_be_made_for_a_unit_in_the_entry_scope(as_user, org):
    response = as_user("steering").post(
        _url("resolution_new"),
        {
            "unit": org.lao_cai.pk,
            "code": "1-NQ",
            "title": "x",
            "issued_on": "2022-01-01",
            "horizon": "2025",
        },
    )
    assert response.status_code == 200 and not Resolution.objects.exists()


def test_qualitative_evidence_is_submitted_by_the_unit_and_approved_by_someone_else(
    as_user, plan, people
):
    target = plan["t2"]
    link = {"action": "submit", "note": "Decision 12/QĐ", "link": "https://example.gov.vn/d12"}
    assert as_user("colleague").post(_url("target_evidence", target.pk), link).status_code == 403
    as_user("owner").post(_url("target_evidence", target.pk), link)
    target.refresh_from_db()
    assert target.evidence_state == Evidence.SUBMITTED and target.evidence_by == people["owner"]
    assert (
        as_user("outsider")
        .post(_url("target_evidence", target.pk), {"action": "approve"})
        .status_code
        == 404
    )
    as_user("approver").post(_url("target_evidence", target.pk), {"action": "approve"})
    target.refresh_from_db()
    assert target.evidence_state == Evidence.APPROVED and target.evidence_approved_on == TODAY
    page = as_user("colleague").get(_url("resolution", plan["resolution"].pk)).content.decode()
    assert "1 of 2 targets met" in page


def test_steering_cancels_a_task_with_a_reason(as_user, plan):
    as_user("owner").post(_url("task_cancel", plan["task2"].pk), {"reason": "x"})
    assert Task.objects.get(pk=plan["task2"].pk).cancelled_on is None
    as_user("steering").post(_url("task_cancel", plan["task2"].pk), {"reason": "merged"})
    task = Task.objects.get(pk=plan["task2"].pk)
    assert task.status() == "cancelled" and task.cancel_reason == "merged"


def test_task_list_filters_by_unit_status_resolution_and_deadline(as_user, plan, org):
    client = as_user("colleague")

    def titles(**query):
        page = client.get(_url("tasks"), query).content.decode()
        return [t for t in ("Connect the one-stop shop", "Train commune officials") if t in page]

    assert titles() == ["Connect the one-stop shop", "Train commune officials"]
    assert titles(unit="256") == ["Connect the one-stop shop"]
    assert titles(status="overdue") == ["Train commune officials"]
    assert titles(status="not_started") == ["Connect the one-stop shop"]
    assert titles(due_to=TODAY.isoformat()) == ["Train commune officials"]
    assert titles(due_from=TODAY.isoformat()) == ["Connect the one-stop shop"]
    assert titles(resolution=str(plan["resolution"].pk + 1)) == []
    assert titles(mine="1") == ["Train commune officials"]  # colleague enters for 257
    board = client.get(_url("tasks"), {"view": "board"}).content.decode()
    assert 'class="board"' in board and board.count('class="item"') == 2
    assert as_user("outsider").get(_url("tasks")).content.decode().count("task-") == 0


def test_the_resolution_page_speaks_vietnamese(as_user, plan):
    page = as_user("colleague").get(
        _url("resolution", plan["resolution"].pk), HTTP_ACCEPT_LANGUAGE="vi"
    )
    text = page.content.decode()
    assert "0/2 chỉ tiêu đạt" in text and "Theo trụ cột" in text
    assert "chưa có dữ liệu" in text and "quá hạn" in text


def test_the_task_list_downloads_what_it_shows_by_the_same_rule(as_user, plan):
    """CSV, XLSX and JSON of the task list: the page's filters, the page's reading rule
    (owner's colleague sees both tasks, an outsider none, anonymous is sent to log in)."""
    import io
    import json

    from openpyxl import load_workbook

    client = as_user("colleague")
    body = client.get(_url("tasks_dl", "json"), {"status": "overdue"})
    assert body.status_code == 200 and body["Content-Type"] == "application/json"
    rows = json.loads(body.content)["rows"]
    assert [(r["number"], r["title"], r["owner"]) for r in rows] == [
        (2, "Train commune officials", plan["task2"].owner.name)
    ]
    assert rows[0]["deadline"] == plan["task2"].deadline.isoformat()
    everything = client.get(_url("tasks_dl", "csv")).content.decode("utf-8-sig")
    assert "Connect the one-stop shop" in everything and "Train commune officials" in everything
    sheet = load_workbook(io.BytesIO(client.get(_url("tasks_dl", "xlsx")).content)).worksheets[0]
    texts = {c.value for row in sheet.iter_rows() for c in row}
    assert {"Resolution", "Owner unit", "Connect the one-stop shop"} <= texts
    outsider = as_user("outsider").get(_url("tasks_dl", "csv")).content.decode("utf-8-sig")
    assert "Connect the one-stop shop" not in outsider and "Train commune officials" not in outsider
    assert as_user("owner").get(_url("tasks_dl", "pdf")).status_code == 404
    from django.test import Client

    assert Client().get(_url("tasks_dl", "csv")).status_code == 302  # to the log-in page


def test_the_resolutions_list_downloads_what_it_lists(as_user, plan):
    """Issue 18: the resolutions list as CSV, XLSX and JSON, with the counts the list
    shows, by the plans reading rule (owner and colleague read 52-NQ/TU, the outsider
    nothing, the anonymous visitor is sent to log in)."""
    import csv
    import io
    import json

    from django.test import Client
    from openpyxl import load_workbook

    for persona in ("owner", "colleague"):
        client = as_user(persona)
        page = client.get(_url("resolutions")).content.decode()
        rows = list(
            csv.DictReader(
                io.StringIO(client.get(_url("resolutions_dl", "csv")).content.decode("utf-8-sig"))
            )
        )
        assert [r["code"] for r in rows] == ["52-NQ/TU"]
        row = rows[0]
        assert f"{row['targets_met']} of {row['targets']} met" in page
        assert f"{row['tasks_done']} of {row['tasks']} done" in page
        assert int(row["targets"]) == 2 and int(row["tasks"]) >= 2
    client = as_user("owner")
    data = json.loads(client.get(_url("resolutions_dl", "json")).content)
    assert [r["code"] for r in data["rows"]] == ["52-NQ/TU"]
    sheet = load_workbook(
        io.BytesIO(client.get(_url("resolutions_dl", "xlsx")).content)
    ).worksheets[0]
    assert sheet.cell(row=2, column=1).value == "52-NQ/TU"
    outsider = as_user("outsider").get(_url("resolutions_dl", "csv")).content.decode("utf-8-sig")
    assert "52-NQ/TU" not in outsider
    assert Client().get(_url("resolutions_dl", "csv")).status_code == 302
    assert client.get(_url("resolutions_dl", "pdf")).status_code == 404
