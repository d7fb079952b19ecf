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
