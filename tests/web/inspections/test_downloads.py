"""Downloads of what the inspections pages show (issue 18): the dashboard's list of
inspections, the plans list, the public list of published conclusions and an
inspection's findings, as CSV, XLSX and JSON: the page's rows in the page's order, by
the page's access rule (personas of ``conftest.py``), text never a formula. And the
pages' figures by the numbers filters (``85,0%``, ``100.000.000`` in Vietnamese)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from dxscore import numbers
from dxscore.tables import read_text
from dxscore.web.inspections import work
from dxscore.web.inspections.models import (
    AccessLog,
    Finding,
    Inspection,
    InspectionPlan,
    PlannedInspection,
    Recommendation,
)
from tests.web.inspections.conftest import issue
from tests.web.support import TODAY, page_rows, url

FORMULA = '=HYPERLINK("http://evil.example","x")'


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def shown(response, prefix: str) -> list[list[str]]:
    """The cells of the page's rows whose id starts with ``prefix``, in page order."""
    assert response.status_code == 200
    return [cells for row, cells in page_rows(response).items() if row.startswith(prefix)]


def on_day(day: dt.date) -> str:
    return numbers.format_date(day, "en")


@pytest.fixture
def second(case, body, org):
    """Another inspection of the body, newer, not on ``lead``'s team, with a topic that
    a spreadsheet would run as a formula."""
    found = Inspection.objects.create(
        body=body,
        topic=FORMULA,
        scope="2024",
        decision_number="20/QĐ-TTr",
        decided_on=TODAY - dt.timedelta(days=3),
        signer="Chánh Thanh tra",
        time_limit_days=30,
    )
    found.subjects.add(org.d257)
    return found


# --- the dashboard's "inspections you may read" -------------------------------------------


def dashboard_cells(row: dict) -> list[str]:
    decided = dt.date.fromisoformat(row["decided_on"])
    topic = read_text(row["topic"])
    return [f"{row['decision']} {on_day(decided)}", topic, row["body"], row["stage"]]


@pytest.mark.parametrize(
    ("who", "decisions"),
    [
        ("leader", ["20/QĐ-TTr", "12/QĐ-TTr"]),  # leads the body: both, newest first
        ("lead", ["12/QĐ-TTr"]),  # on the team of one
        ("owner", ["12/QĐ-TTr"]),  # the subject unit, once the conclusion is issued
        ("outsider", []),
    ],
)
def test_the_dashboard_list_download_is_what_the_dashboard_lists(
    as_user, case, second, who, decisions
):
    issue(case["inspection"])
    client = as_user(who)
    page = shown(client.get(url("inspections:dashboard")), "inspection-")
    rows = csv_rows(client.get(url("inspections:dashboard_dl", "csv")))
    assert [r["decision"] for r in rows] == decisions
    assert [dashboard_cells(r) for r in rows] == page
    if who == "owner":  # reads the conclusion, not the inspection's stage
        assert rows[0]["stage"] == "conclusion issued"
    data = json.loads(client.get(url("inspections:dashboard_dl", "json")).content)
    assert [c["key"] for c in data["columns"]] == [
        "decision",
        "decided_on",
        "topic",
        "body",
        "stage",
    ]
    assert [r["decision"] for r in data["rows"]] == decisions


def test_the_dashboard_list_download_answers_as_the_page(client, as_user, case):
    assert client.get(url("inspections:dashboard")).status_code == 302
    assert client.get(url("inspections:dashboard_dl", "csv")).status_code == 302
    assert as_user("lead").get(url("inspections:dashboard_dl", "pdf")).status_code == 404


def test_a_topic_like_a_formula_is_text_in_the_downloads(as_user, case, second):
    leader = as_user("leader")
    rows = csv_rows(leader.get(url("inspections:dashboard_dl", "csv")))
    assert rows[0]["topic"] == "'" + FORMULA  # a leading quote: no spreadsheet runs it
    sheet = load_workbook(
        io.BytesIO(leader.get(url("inspections:dashboard_dl", "xlsx")).content)
    ).worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "Decision",
        "Decision date",
        "Topic",
        "Inspecting body",
        "Stage",
    ]
    cell = sheet.cell(row=2, column=3)
    assert cell.data_type == "s" and cell.value == FORMULA
    assert sheet.cell(row=2, column=2).value == dt.datetime.combine(second.decided_on, dt.time())


# --- the dashboard's "recommendations you report on" ------------------------------------


@pytest.mark.parametrize(
    ("who", "numbers_"),
    [
        ("owner", [1, 2]),  # the addressee unit's person with entry rights there
        ("colleague", [2]),  # district 257: only the one addressed to them in person
        ("outsider", []),
        ("lead", []),  # the team reviews reports, it does not make them
    ],
)
def test_the_recommendations_download_is_what_the_dashboard_lists(
    as_user, people, case, who, numbers_
):
    inspection, rec = case["inspection"], case["rec"]
    Recommendation.objects.create(
        inspection=inspection,
        number=2,
        kind="other",
        text="=cmd|' /C calc'!A0",
        addressee_unit=rec.addressee_unit,
        addressee_person=people["colleague"],
        deadline=rec.deadline,
    )
    issue(inspection)
    client = as_user(who)
    page = shown(client.get(url("inspections:dashboard")), "mine-")
    rows = csv_rows(client.get(url("inspections:mine_dl", "csv")))
    assert [int(r["number"]) for r in rows] == numbers_
    assert [
        [
            f"{r['decision']} · {r['number']} {read_text(r['recommendation'])}",
            r["addressee"],
            on_day(dt.date.fromisoformat(r["deadline"])),
            r["status"],
        ]
        for r in rows
    ] == page
    if who == "colleague":
        assert rows[0]["recommendation"] == "'=cmd|' /C calc'!A0"
        sheet = load_workbook(
            io.BytesIO(client.get(url("inspections:mine_dl", "xlsx")).content)
        ).worksheets[0]
        assert sheet.cell(row=2, column=3).data_type == "s"
        assert sheet.cell(row=2, column=3).value == "=cmd|' /C calc'!A0"
    assert client.get(url("inspections:mine_dl", "html")).status_code == 404


def test_the_recommendations_download_answers_anonymous_as_the_page(client, case):
    assert client.get(url("inspections:mine_dl", "csv")).status_code == 302


# --- the plans list ----------------------------------------------------------------------


@pytest.fixture
def draft(case, body):
    return InspectionPlan.objects.create(
        body=body, year=TODAY.year + 1, title="=1+1 dự thảo", state="draft"
    )


@pytest.mark.parametrize(
    ("who", "titles"),
    [
        ("leader", ["'=1+1 dự thảo", "Kế hoạch thanh tra"]),  # the body's: its draft too
        ("inspector", ["'=1+1 dự thảo", "Kế hoạch thanh tra"]),
        ("colleague", ["Kế hoạch thanh tra"]),  # signed in: the approved plan only
    ],
)
def test_the_plans_download_is_what_the_plans_list_shows(as_user, case, draft, who, titles):
    client = as_user(who)
    page = shown(client.get(url("inspections:plans")), "plan-")
    rows = csv_rows(client.get(url("inspections:plans_dl", "csv")))
    assert [r["title"] for r in rows] == titles
    assert [[r["year"], read_text(r["title"]), r["body"], r["state"]] for r in rows] == page
    sheet = load_workbook(
        io.BytesIO(client.get(url("inspections:plans_dl", "xlsx")).content)
    ).worksheets[0]
    assert [c.value for c in sheet[1]] == ["Year", "Plan", "Inspecting body", "State"]
    assert sheet.max_row == len(titles) + 1


def test_the_plans_download_answers_as_the_plans_list(client, as_user, case):
    assert client.get(url("inspections:plans")).status_code == 302
    assert client.get(url("inspections:plans_dl", "json")).status_code == 302
    assert as_user("leader").get(url("inspections:plans_dl", "txt")).status_code == 404


# --- the public list ---------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "owner", "outsider"])
def test_the_public_download_is_the_published_conclusions(as_user, case, second, who):
    inspection = case["inspection"]
    issue(inspection)
    inspection.published_on = TODAY
    inspection.save()
    client = as_user(who) if who else Client()
    page = shown(client.get(url("inspections:public_list")), "public-")
    rows = csv_rows(client.get(url("inspections:public_list_dl", "csv")))
    assert [r["conclusion"] for r in rows] == ["05/KL-TTr"]  # the unpublished one is not
    assert [
        [
            on_day(dt.date.fromisoformat(r["published_on"])),
            f"{r['conclusion']} · {r['topic']}",
            r["body"],
        ]
        for r in rows
    ] == page
    assert client.get(url("inspections:public_list_dl", "xls")).status_code == 404


# --- an inspection's findings ------------------------------------------------------------


@pytest.fixture
def findings(case, org):
    inspection = case["inspection"]
    Finding.objects.create(
        inspection=inspection, number=2, kind="procedure", description="@SUM(A1)", amount=None
    )
    Finding.objects.create(
        inspection=inspection,
        number=1,
        kind="financial",
        description="Chi sai quy định",
        amount=12_500_000,
        responsible_unit=org.d256,
        responsible_person="Kế toán",
    )
    return inspection


def findings_cells(row: dict) -> list[str]:
    amount = f"{int(row['amount']):,}" if row["amount"] else "–"
    responsible = " ".join(f"{row['responsible_unit']} {row['responsible_person']}".split())
    return [row["number"], row["kind"], read_text(row["description"]), amount, responsible]


@pytest.mark.parametrize("who", ["lead", "leader"])  # on the team; leads the body
def test_the_findings_download_is_the_findings_the_page_lists(as_user, findings, who):
    client = as_user(who)
    page = shown(client.get(url("inspections:inspection", findings.pk)), "finding-")
    rows = csv_rows(client.get(url("inspections:findings_dl", findings.pk, "csv")))
    assert [r["number"] for r in rows] == ["1", "2"]
    assert [findings_cells(r) for r in rows] == page
    assert rows[0]["amount"] == "12500000" and rows[1]["description"] == "'@SUM(A1)"
    data = json.loads(client.get(url("inspections:findings_dl", findings.pk, "json")).content)
    assert data["rows"][0]["amount"] == 12_500_000 and data["meta"]["decision"] == "12/QĐ-TTr"
    sheet = load_workbook(
        io.BytesIO(client.get(url("inspections:findings_dl", findings.pk, "xlsx")).content)
    ).worksheets[0]
    assert sheet.cell(row=1, column=4).value == "Amount (đồng)"
    assert sheet.cell(row=2, column=4).value == 12_500_000
    assert sheet.cell(row=2, column=4).number_format == "#,##0"
    formula = sheet.cell(row=3, column=3)
    assert formula.data_type == "s" and formula.value == "@SUM(A1)"
    reads = AccessLog.objects.filter(user__username=who, via="download")
    assert list(reads.values_list("what", flat=True)) == ["findings"] * 3


@pytest.mark.parametrize(
    ("who", "status", "page_status"),
    [
        ("inspector", 404, 404),  # a colleague inspector, not on the team
        ("owner", 403, 200),  # reads the conclusion (no findings on the page), not the file
        ("outsider", 404, 404),
    ],
)
def test_the_findings_download_is_refused_as_the_page_refuses(
    as_user, findings, who, status, page_status
):
    issue(findings)
    client = as_user(who)
    response = client.get(url("inspections:inspection", findings.pk))
    assert response.status_code == page_status
    if page_status == 200:
        assert not shown(response, "finding-")
    assert client.get(url("inspections:findings_dl", findings.pk, "csv")).status_code == status
    assert not AccessLog.objects.filter(via="download").exists()


def test_the_findings_download_unknown_format_and_anonymous(as_user, findings):
    assert (
        as_user("lead").get(url("inspections:findings_dl", findings.pk, "pdf")).status_code == 404
    )
    assert Client().get(url("inspections:findings_dl", findings.pk, "csv")).status_code == 302


# --- figures by the display rule ---------------------------------------------------------


def test_vietnamese_pages_write_amounts_and_shares_as_vietnamese_does(
    as_user, people, case, findings
):
    inspection, rec = case["inspection"], case["rec"]
    if TODAY.month == 1 and TODAY.day == 1:  # nothing falls due in the year yet
        return
    issue(inspection, days_ago=30)
    rec.deadline = TODAY - dt.timedelta(days=1)
    rec.save()
    other = Recommendation.objects.create(
        inspection=inspection,
        number=2,
        kind="other",
        text="Chấn chỉnh",
        addressee_unit=rec.addressee_unit,
        deadline=rec.deadline,
    )
    report = work.report_implementation(
        people["owner"],
        rec,
        "paid",
        100_000_000,
        reported_on=rec.deadline,
        link="https://x.vn/r",
    )
    work.review_report(people["lead"], report, True)
    assert other.state(TODAY).status == "not_implemented"  # due, not implemented
    leader = as_user("leader")
    leader.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    board = leader.get(url("inspections:dashboard", period=TODAY.year)).content.decode()
    tiles = board[board.index('id="tiles"') :]
    assert "50,0%" in tiles and "100.000.000" in tiles
    assert "50,0% (1/2)" in board[board.index('id="body"') :]
    detail = leader.get(url("inspections:inspection", inspection.pk)).content.decode()
    assert "12.500.000" in detail and "100.000.000 / 100.000.000" in detail
    leader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    board = leader.get(url("inspections:dashboard", period=TODAY.year)).content.decode()
    assert "50.0%" in board and "100,000,000" in board


# --- a plan's planned inspections and history ----------------------------------------------


def csv_of(client, name, pk, fmt="csv"):
    return client.get(url(f"inspections:{name}", pk, fmt))


@pytest.fixture
def planned(case, org):
    """The case's plan with a second planned inspection, named like a formula and not
    opened yet."""
    plan = case["plan"]
    item = PlannedInspection.objects.create(
        plan=plan, number=2, topic=FORMULA, period_inspected="2024", quarter=3
    )
    item.subjects.add(org.d256, org.d257)
    return plan


def planned_cells(row: dict, manage: bool) -> list[str]:
    opened = row["inspection"] or ("Open" if manage else "–")
    return [
        row["number"],
        read_text(row["topic"]),
        row["subjects"],
        row["period_inspected"],
        f"Q{row['quarter']}",
        opened,
    ]


@pytest.mark.parametrize(
    ("who", "manage"),
    [("leader", True), ("inspector", False), ("colleague", False)],  # leads; works in; reads
)
def test_the_planned_download_is_what_the_plan_lists(as_user, org, planned, who, manage):
    client = as_user(who)
    page = shown(client.get(url("inspections:plan", planned.pk)), "item-")
    rows = csv_rows(csv_of(client, "planned_dl", planned.pk))
    assert [r["number"] for r in rows] == ["1", "2"]
    assert [planned_cells(r, manage) for r in rows] == page
    assert rows[0]["inspection"] == "12/QĐ-TTr" and rows[1]["inspection"] == ""
    assert rows[1]["subjects"] == f"{org.d256.name}, {org.d257.name}"
    assert rows[1]["topic"] == "'" + FORMULA  # text, never a formula
    data = json.loads(csv_of(client, "planned_dl", planned.pk, "json").content)
    assert [c["key"] for c in data["columns"]] == [
        "number",
        "topic",
        "subjects",
        "period_inspected",
        "quarter",
        "inspection",
    ]
    assert data["rows"][1]["topic"] == FORMULA and data["rows"][1]["quarter"] == 3
    assert data["meta"]["plan"] == planned.pk
    sheet = load_workbook(
        io.BytesIO(csv_of(client, "planned_dl", planned.pk, "xlsx").content)
    ).worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "#",
        "Topic",
        "Subject units",
        "Period inspected",
        "Quarter",
        "Inspection",
    ]
    cell = sheet.cell(row=3, column=2)
    assert cell.data_type == "s" and cell.value == FORMULA


def test_the_plan_downloads_are_refused_as_the_plan_page(as_user, case, draft):
    for name in ("planned_dl", "plan_history_dl"):
        colleague = as_user("colleague")  # a draft is read by the body's people only
        assert colleague.get(url("inspections:plan", draft.pk)).status_code == 404
        assert csv_of(colleague, name, draft.pk).status_code == 404
        assert csv_of(as_user("inspector"), name, draft.pk).status_code == 200
        assert csv_of(Client(), name, case["plan"].pk).status_code == 302  # anonymous
        assert csv_of(as_user("leader"), name, case["plan"].pk, "pdf").status_code == 404


def history_cells(row: dict) -> list[str]:
    when = dt.datetime.fromisoformat(row["when"])
    return [f"{on_day(when.date())} {when:%H:%M}", row["who"] or "–", row["state"]]


@pytest.mark.parametrize("who", ["leader", "inspector", "outsider"])
def test_the_plan_history_download_is_the_history_the_page_lists(as_user, people, case, who):
    plan = case["plan"]
    for n in range(21):  # more changes than the page lists (20)
        plan.title = f"Kế hoạch {n}"
        plan._history_user = people["leader"] if n % 2 else None
        plan.save()
    work.amend_plan(people["leader"], plan, "=thêm một cuộc")
    client = as_user(who)
    page = shown(client.get(url("inspections:plan", plan.pk)), "change-")
    rows = csv_rows(csv_of(client, "plan_history_dl", plan.pk))
    assert len(rows) == len(page) == 20
    assert [history_cells(r) for r in rows] == page
    assert rows[0]["state"] == "amended" and rows[0]["who"] == "leader"  # newest first
    assert {r["who"] for r in rows} == {"leader", ""}
    data = json.loads(csv_of(client, "plan_history_dl", plan.pk, "json").content)
    assert [c["key"] for c in data["columns"]] == ["when", "who", "state"]
    newest = plan.history.order_by("-history_date", "-history_id").first().history_date
    assert dt.datetime.fromisoformat(data["rows"][0]["when"]) == newest  # with its offset
    sheet = load_workbook(
        io.BytesIO(csv_of(client, "plan_history_dl", plan.pk, "xlsx").content)
    ).worksheets[0]
    assert [c.value for c in sheet[1]] == ["When", "Who", "State"]
    assert sheet.cell(row=2, column=1).number_format == "yyyy-mm-dd hh:mm"


# --- a recommendation's reports and extension requests -----------------------------------


@pytest.fixture
def followed(people, case):
    """The case's recommendation, its conclusion issued: a report approved, one returned,
    a first extension granted and a second waiting."""
    rec = case["rec"]
    issue(case["inspection"])
    first = work.report_implementation(
        people["owner"],
        rec,
        "=1+2 đã nộp",
        40_000_000,
        reported_on=TODAY - dt.timedelta(days=1),
        link="https://x.vn/r",
    )
    work.review_report(people["lead"], first, True)
    second = work.report_implementation(
        people["owner"],
        rec,
        "Nộp tiếp",
        60_000_000,
        complete=True,
        file=SimpleUploadedFile("bien-lai.pdf", b"%PDF-1.4 receipt"),
        link="https://x.vn/s",
    )
    work.review_report(people["lead"], second, False, "@thiếu chứng từ")
    ext = work.request_extension(
        people["owner"], rec, rec.deadline + dt.timedelta(days=30), "Chờ kho bạc"
    )
    work.decide_extension(people["leader"], ext, True)
    work.request_extension(people["owner"], rec, rec.deadline + dt.timedelta(days=60), "=lại")
    return rec


def report_cells(row: dict) -> list[str]:
    text = read_text(row["text"])
    if row["complete"] == "True":
        text += " (fully carried out)"
    evidence = " ".join(w for w in ("file" if row["evidence_file"] == "True" else "", "link") if w)
    review = row["review"] + (
        f": {read_text(row['return_reason'])}" if row["return_reason"] else ""
    )
    return [
        on_day(dt.date.fromisoformat(row["reported_on"])),
        text,
        f"{int(row['recovered']):,}",
        evidence,
        review,
    ]


def extension_cells(row: dict) -> list[str]:
    decision = row["decision"]
    if row["decided_on"]:
        decision += " " + on_day(dt.date.fromisoformat(row["decided_on"]))
    return [on_day(dt.date.fromisoformat(row["new_deadline"])), read_text(row["reason"]), decision]


def test_the_reports_and_extensions_downloads_are_what_the_page_lists(as_user, followed):
    owner = as_user("owner")  # the addressee: no review buttons in the cells
    page = owner.get(url("inspections:recommendation", followed.pk))
    rows = csv_rows(csv_of(owner, "reports_dl", followed.pk))
    assert [report_cells(r) for r in rows] == shown(page, "report-")
    assert [r["review"] for r in rows] == ["approved", "returned"]
    assert rows[0]["text"] == "'=1+2 đã nộp" and rows[1]["return_reason"] == "'@thiếu chứng từ"
    assert rows[0]["recovered"] == "40000000" and rows[1]["complete"] == "True"
    assert rows[0]["evidence_link"] == "https://x.vn/r" and rows[0]["evidence_file"] == "False"
    assert rows[1]["evidence_file"] == "True"  # as the page's "file": not its name
    data = json.loads(csv_of(owner, "reports_dl", followed.pk, "json").content)
    assert [c["key"] for c in data["columns"]] == [
        "reported_on",
        "text",
        "complete",
        "recovered",
        "evidence_file",
        "evidence_link",
        "review",
        "return_reason",
    ]
    assert data["rows"][0]["recovered"] == 40_000_000 and data["rows"][1]["complete"] is True
    assert data["meta"]["recommendation"] == 1 and data["meta"]["decision"] == "12/QĐ-TTr"
    sheet = load_workbook(
        io.BytesIO(csv_of(owner, "reports_dl", followed.pk, "xlsx").content)
    ).worksheets[0]
    assert sheet.cell(row=1, column=4).value == "Recovered (đồng)"
    assert sheet.cell(row=2, column=4).number_format == "#,##0"
    formula = sheet.cell(row=2, column=2)
    assert formula.data_type == "s" and formula.value == "=1+2 đã nộp"

    extensions = csv_rows(csv_of(owner, "extensions_dl", followed.pk))
    assert [extension_cells(r) for r in extensions] == shown(page, "extension-")
    assert [r["decision"] for r in extensions] == ["approved", "submitted"]
    assert extensions[0]["decided_on"] == TODAY.isoformat() and extensions[1]["decided_on"] == ""
    assert extensions[1]["reason"] == "'=lại"
    data = json.loads(csv_of(owner, "extensions_dl", followed.pk, "json").content)
    assert [c["key"] for c in data["columns"]] == [
        "new_deadline",
        "reason",
        "decision",
        "decided_on",
    ]
    sheet = load_workbook(
        io.BytesIO(csv_of(owner, "extensions_dl", followed.pk, "xlsx").content)
    ).worksheets[0]
    assert [c.value for c in sheet[1]] == ["New deadline", "Reason", "Decision", "Decided on"]
    assert (
        sheet.cell(row=3, column=2).data_type == "s" and sheet.cell(row=3, column=2).value == "=lại"
    )
    logged = AccessLog.objects.filter(user__username="owner", via="download")
    assert set(logged.values_list("what", flat=True)) == {
        "recommendation 1 reports",
        "recommendation 1 extensions",
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),  # the addressee unit
        ("lead", 200),  # the team
        ("leader", 200),  # leads the body
        ("colleague", 404),  # district 257
        ("inspector", 404),  # the body's, not on the team
        ("outsider", 404),
    ],
)
def test_the_recommendation_downloads_answer_as_its_page(as_user, people, followed, who, status):
    addressee = Client()
    addressee.force_login(people["owner"])
    expected = csv_rows(csv_of(addressee, "reports_dl", followed.pk))
    client = as_user(who)
    assert client.get(url("inspections:recommendation", followed.pk)).status_code == status
    for name in ("reports_dl", "extensions_dl"):
        response = csv_of(client, name, followed.pk)
        assert response.status_code == status
        assert csv_of(client, name, followed.pk, "html").status_code == 404
    if status == 200:  # the same rows whoever reads them
        assert csv_rows(csv_of(client, "reports_dl", followed.pk)) == expected
    else:
        assert not AccessLog.objects.filter(user__username=who, via="download").exists()


def test_the_recommendation_downloads_before_the_conclusion_and_anonymous(as_user, case):
    rec = case["rec"]  # the conclusion is not issued: only the team and the leaders
    for name in ("reports_dl", "extensions_dl"):
        assert csv_of(as_user("owner"), name, rec.pk).status_code == 404
        assert csv_rows(csv_of(as_user("lead"), name, rec.pk)) == []
        assert csv_of(Client(), name, rec.pk).status_code == 302


# --- an inspection's team and recommendations --------------------------------------------


@pytest.fixture
def teamed(people, case, staff):
    inspection = case["inspection"]
    work.add_member(people["leader"], inspection, staff["inspector"], "=vợ là kế toán")
    staff["inspector"].first_name, staff["inspector"].last_name = "Lan", "Nguyễn"
    staff["inspector"].save()
    return inspection


def team_cells(row: dict) -> list[str]:
    conflict = read_text(row["conflict"]) or "none declared"
    declared = on_day(dt.date.fromisoformat(row["declared_on"]))
    return [row["person"], row["role"], f"{conflict} ({declared})"]


@pytest.mark.parametrize("who", ["lead", "leader"])
def test_the_team_download_is_the_team_the_page_lists(as_user, teamed, who):
    client = as_user(who)
    page = shown(client.get(url("inspections:inspection", teamed.pk)), "member-")
    rows = csv_rows(csv_of(client, "team_dl", teamed.pk))
    assert [team_cells(r) for r in rows] == page
    assert [(r["person"], r["role"]) for r in rows] == [
        ("lead", "team lead"),  # the lead first
        ("Lan Nguyễn", "member"),
    ]
    assert rows[0]["conflict"] == "" and rows[1]["conflict"] == "'=vợ là kế toán"
    data = json.loads(csv_of(client, "team_dl", teamed.pk, "json").content)
    assert [c["key"] for c in data["columns"]] == ["person", "role", "conflict", "declared_on"]
    sheet = load_workbook(
        io.BytesIO(csv_of(client, "team_dl", teamed.pk, "xlsx").content)
    ).worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "Person",
        "Role",
        "Declared conflict of interest",
        "Declared on",
    ]
    assert sheet.cell(row=3, column=3).data_type == "s"
    assert sheet.cell(row=3, column=3).value == "=vợ là kế toán"
    reads = AccessLog.objects.filter(user__username=who, via="download")
    assert list(reads.values_list("what", flat=True)) == ["team"] * 3


@pytest.mark.parametrize(
    ("who", "status", "page_status"),
    [
        ("inspector", 404, 404),  # a colleague inspector, not on the team (before the fixture)
        ("owner", 403, 200),  # reads the conclusion (no team on the page), as the findings
        ("outsider", 404, 404),
    ],
)
def test_the_team_download_is_refused_as_the_findings_download(
    as_user, case, who, status, page_status
):
    inspection = case["inspection"]
    issue(inspection)
    client = as_user(who)
    response = client.get(url("inspections:inspection", inspection.pk))
    assert response.status_code == page_status
    if page_status == 200:
        assert not shown(response, "member-")
    assert csv_of(client, "team_dl", inspection.pk).status_code == status
    assert csv_of(as_user("lead"), "team_dl", inspection.pk, "docx").status_code == 404
    assert Client().get(url("inspections:team_dl", inspection.pk, "csv")).status_code == 302
    assert not AccessLog.objects.filter(via="download").exists()


@pytest.fixture
def recommended(people, case):
    inspection, rec = case["inspection"], case["rec"]
    Recommendation.objects.create(
        inspection=inspection,
        number=2,
        kind="other",
        text="=cmd|' /C calc'!A0",
        addressee_unit=rec.addressee_unit,
        addressee_person=people["colleague"],
        deadline=rec.deadline,
    )
    issue(inspection)
    report = work.report_implementation(
        people["owner"], rec, "paid", 25_000_000, reported_on=TODAY, link="https://x.vn/r"
    )
    work.review_report(people["lead"], report, True)
    return inspection


def recommendation_cells(row: dict) -> list[str]:
    addressee = row["addressee"] + (
        f" ({row['addressee_person']})" if row["addressee_person"] else ""
    )
    amount = f"{int(row['recovered']):,} / {int(row['amount']):,}" if row["amount"] else "–"
    return [
        row["number"],
        row["kind"],
        read_text(row["recommendation"]),
        addressee,
        amount,
        on_day(dt.date.fromisoformat(row["deadline"])),
        row["status"],
    ]


@pytest.mark.parametrize(
    "who",
    [
        "lead",  # the team
        "leader",  # leads the body
        "owner",  # the subject unit: reads the conclusion and its recommendations only
        "colleague",  # the addressee of recommendation 2 in person
    ],
)
def test_the_recommendations_download_is_what_the_inspection_lists(as_user, recommended, who):
    client = as_user(who)
    page = shown(client.get(url("inspections:inspection", recommended.pk)), "rec-")
    rows = csv_rows(csv_of(client, "recommendations_dl", recommended.pk))
    assert [recommendation_cells(r) for r in rows] == page
    assert [r["number"] for r in rows] == ["1", "2"]
    assert rows[0]["amount"] == "100000000" and rows[0]["recovered"] == "25000000"
    assert rows[1]["amount"] == rows[1]["recovered"] == ""
    assert rows[1]["recommendation"] == "'=cmd|' /C calc'!A0"
    assert rows[1]["addressee_person"] == "colleague"
    data = json.loads(csv_of(client, "recommendations_dl", recommended.pk, "json").content)
    assert [c["key"] for c in data["columns"]] == [
        "number",
        "kind",
        "recommendation",
        "addressee",
        "addressee_person",
        "amount",
        "recovered",
        "deadline",
        "status",
    ]
    assert data["rows"][0]["recovered"] == 25_000_000
    sheet = load_workbook(
        io.BytesIO(csv_of(client, "recommendations_dl", recommended.pk, "xlsx").content)
    ).worksheets[0]
    assert sheet.cell(row=1, column=6).value == "Amount to recover (đồng)"
    assert sheet.cell(row=2, column=6).number_format == "#,##0"
    formula = sheet.cell(row=3, column=3)
    assert formula.data_type == "s" and formula.value == "=cmd|' /C calc'!A0"
    reads = AccessLog.objects.filter(user__username=who, via="download")
    assert list(reads.values_list("what", flat=True)) == ["recommendations"] * 3


def test_the_recommendations_download_is_refused_as_the_inspection_page(as_user, case):
    inspection = case["inspection"]  # the conclusion is not issued yet
    for who in ("owner", "inspector", "outsider"):
        user = as_user(who)
        assert user.get(url("inspections:inspection", inspection.pk)).status_code == 404
        assert csv_of(user, "recommendations_dl", inspection.pk).status_code == 404
    assert csv_of(Client(), "recommendations_dl", inspection.pk).status_code == 302
    assert csv_of(as_user("lead"), "recommendations_dl", inspection.pk, "xml").status_code == 404
    assert not AccessLog.objects.filter(via="download").exists()
    issue(inspection)
    for who in ("inspector", "outsider"):  # still no reader of it
        assert csv_of(as_user(who), "recommendations_dl", inspection.pk).status_code == 404
