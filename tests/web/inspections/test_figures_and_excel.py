"""The computed indicator fed to emulation rankings and score runs, the figures
workbook, and the Excel round trip of a plan's planned inspections with a dry run."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dxscore.web.data.models import Period
from dxscore.web.inspections import work
from dxscore.web.inspections.models import PlannedInspection, PlanUpload
from dxscore.web.plans import emulation
from tests.web.inspections.conftest import issue
from tests.web.support import TODAY

SHARE = "inspection_recommendations_on_time_share"


def test_the_share_implemented_on_time_is_a_computed_indicator(case, people, org):
    inspection, rec = case["inspection"], case["rec"]
    issue(inspection, days_ago=30)
    rec.deadline = TODAY - dt.timedelta(days=1)
    rec.save()
    period = Period.objects.create(code=str(TODAY.year))
    if rec.deadline.year != TODAY.year:  # the first day of a year: nothing due yet
        return
    figures = emulation.delivery([org.d256, org.d257], period)
    assert figures["256"][SHARE] == 0.0 and figures["257"][SHARE] is None
    report = work.report_implementation(
        people["owner"], rec, "paid", 100_000_000, reported_on=rec.deadline, link="https://x.vn/r"
    )
    work.review_report(people["lead"], report, True)
    assert emulation.delivery([org.d256], period)["256"][SHARE] == 1.0


def test_the_figures_workbook(as_user, case):
    issue(case["inspection"])
    response = as_user("leader").get(reverse("inspections:figures_xlsx"), {"period": TODAY.year})
    wb = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in wb["by body"][1]]
    row = dict(zip(header, [c.value for c in wb["by body"][2]], strict=True))
    assert row["unit"] == "27-TT" and row["done"] == 1 and row["recommendations"] == 1
    assert row["amount_recommended"] == 100_000_000
    assert [c.value for c in wb["by subject"][2]][1] == "256"


def workbook(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.title = "inspections"
    ws.append(["number", "topic", "subjects", "period_inspected", "quarter"])
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("plan.xlsx", buffer.getvalue())


def test_excel_round_trip_with_a_dry_run_and_all_or_nothing(as_user, case, org):
    plan = case["plan"]
    plan.state = "draft"
    plan.save()
    leader = as_user("leader")
    exported = leader.get(reverse("inspections:plan_export", args=[plan.pk])).content
    rows = [
        [c.value for c in r]
        for r in load_workbook(io.BytesIO(exported))["inspections"].iter_rows(min_row=2)
    ]
    assert rows == [[1, "Chi ngân sách", "256", "2023-2024", 1]]
    # one bad row: nothing is stored, every problem is named by row and column
    bad = workbook([[1, "Chi ngân sách", "256, 257", "2023-2024", 2], [2, "", "999", "2024", 5]])
    response = leader.post(reverse("inspections:plan_upload", args=[plan.pk]), {"file": bad})
    upload = PlanUpload.objects.get()
    assert upload.state == "rejected"
    assert [p[0] for p in upload.problems] == [
        "sheet 'inspections', row 3, column B (topic)",
        "sheet 'inspections', row 3, column C (subjects)",
        "sheet 'inspections', row 3, column E (quarter)",
    ]
    assert response.status_code == 302 and PlannedInspection.objects.count() == 1
    # a good file: previewed (nothing stored), then committed whole
    good = workbook(
        [[1, "Chi ngân sách", "256, 257", "2023-2024", 2], [2, "Đầu tư công", "257", "2024", 3]]
    )
    leader.post(reverse("inspections:plan_upload", args=[plan.pk]), {"file": good})
    upload = PlanUpload.objects.latest("pk")
    assert upload.state == "preview" and [c["action"] for c in upload.rows] == ["change", "new"]
    assert upload.rows[0]["changed"] == ["subjects", "quarter"]
    assert PlannedInspection.objects.count() == 1
    page = leader.get(reverse("inspections:upload", args=[upload.pk])).content.decode()
    assert "2 planned inspections will change" in page
    leader.post(reverse("inspections:upload_commit", args=[upload.pk]), {"action": "commit"})
    items = {i.number: i for i in plan.items.prefetch_related("subjects")}
    assert sorted(u.code for u in items[1].subjects.all()) == ["256", "257"]
    assert items[1].quarter == 2 and items[2].topic == "Đầu tư công"
    # a second commit of the same upload is refused
    leader.post(reverse("inspections:upload_commit", args=[upload.pk]), {"action": "commit"})
    assert PlannedInspection.objects.count() == 2


def test_an_approved_plan_is_amended_before_an_upload(as_user, case):
    plan = case["plan"]
    as_user("leader").post(
        reverse("inspections:plan_upload", args=[plan.pk]),
        {"file": workbook([[2, "Đầu tư công", "257", "2024", 3]])},
    )
    upload = PlanUpload.objects.get()
    assert upload.state == "rejected" and "amended" in upload.problems[0][1]
