"""Issue 18: a target's page offers its table of approved values as CSV, XLSX and JSON:
the page's rows in the page's order (the baseline, then each approved value by period),
stored precision, the workbook formatting the values as the page shows the indicator's
figures, by the page's reading rule (the plans reading rule)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dxscore import figures
from dxscore.web.data.models import Indicator, Period, Status, Value
from tests.web.support import TODAY


def _url(target, fmt=None):
    if fmt is None:
        return reverse("plans:target", args=[target.pk])
    return reverse("plans:target_dl", args=[target.pk, fmt])


@pytest.fixture
def measured(plan, org):
    """Target 1 with a baseline three years ago and approved values two years ago and
    last year (given out of order); this year's value is only submitted."""
    target = plan["t1"]
    target.baseline = 40.25
    target.baseline_period = str(TODAY.year - 3)
    target.save()
    for year, value, status in (
        (TODAY.year - 1, 75.125, Status.APPROVED),
        (TODAY.year - 2, 62.5, Status.APPROVED),
        (TODAY.year, 99.0, Status.SUBMITTED),
    ):
        Value.objects.create(
            unit=org.d256,
            indicator=target.indicator,
            period=Period.objects.create(code=str(year)),
            value=value,
            status=status,
        )
    return target


def _page_rows(client, target) -> list[tuple[str, str]]:
    """The (period, value) cells of the page's table of approved values."""
    text = client.get(_url(target)).content.decode()
    start = text.index("<tbody>", text.index("Approved values"))
    body = text[start : text.index("</tbody>", start)]
    return re.findall(r'<tr><td>([^<]*)</td><td class="num">([^<]*)</td></tr>', body)


def _csv(client, target) -> list[dict]:
    body = client.get(_url(target, "csv")).content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_the_download_holds_the_rows_the_page_shows(as_user, measured):
    client = as_user("colleague")
    shown = _page_rows(client, measured)
    rows = _csv(client, measured)
    assert [r["period"] for r in rows] == [
        str(TODAY.year - 3),
        str(TODAY.year - 2),
        str(TODAY.year - 1),
    ]
    assert [r["kind"] for r in rows] == ["baseline", "approved value", "approved value"]
    assert [
        (
            r["period"] + (" (baseline)" if r["kind"] == "baseline" else ""),
            figures.format_figure(float(r["value"]), measured.figure, "en"),
        )
        for r in rows
    ] == shown
    assert [float(r["value"]) for r in rows] == [40.25, 62.5, 75.125]  # stored precision

    data = json.loads(client.get(_url(measured, "json")).content)
    assert [c["key"] for c in data["columns"]] == ["period", "value", "kind"]
    assert data["columns"][1]["kind"] == "number"  # "%" with values like 70: a number
    assert [r["value"] for r in data["rows"]] == [40.25, 62.5, 75.125]
    meta = data["meta"]
    assert meta["resolution"] == "52-NQ/TU" and meta["indicator"] == "online"
    assert (meta["baseline"], meta["baseline_period"]) == (40.25, str(TODAY.year - 3))
    assert (meta["comparison"], meta["goal"], meta["deadline"]) == (
        ">=",
        70,
        str(TODAY.year + 1),
    )
    page = client.get(_url(measured)).content.decode()
    assert meta["status"] == "met" and '<p id="status"><span class="st st-met">' in page
    history = page[page.index("<tbody>", page.index("As of")) :]
    shown_history = re.findall(r'<tr><td>([^<]*)</td><td><span class="st st-(\w+)">', history)
    assert [(h["as_of"], h["status"]) for h in meta["history"]] == shown_history
    assert shown_history[-1] == (TODAY.isoformat(), "met")

    response = client.get(_url(measured, "xlsx"))
    assert response["Content-Disposition"] == (
        f'attachment; filename="target-52-NQ-TU-{measured.number}.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["Period", "Value", "Kind"]
    assert [sheet.cell(row=r, column=2).value for r in (2, 3, 4)] == [40.25, 62.5, 75.125]


def test_a_rate_target_downloads_shares_the_workbook_shows_as_percentages(as_user, measured, org):
    rate = Indicator.objects.create(code="online_rate", name="Online rate", measure="rate (0-1)")
    measured.indicator, measured.value = rate, 0.9
    measured.baseline = 0.4
    measured.save()
    Value.objects.create(
        unit=org.d256,
        indicator=rate,
        period=Period.objects.get(code=str(TODAY.year - 1)),
        value=0.8125,
        status=Status.APPROVED,
    )
    client = as_user("owner")
    assert _page_rows(client, measured) == [
        (f"{TODAY.year - 3} (baseline)", "40.0%"),
        (str(TODAY.year - 1), "81.2%"),
    ]
    data = json.loads(client.get(_url(measured, "json")).content)
    assert data["columns"][1]["kind"] == "rate"
    assert [r["value"] for r in data["rows"]] == [0.4, 0.8125]
    sheet = load_workbook(io.BytesIO(client.get(_url(measured, "xlsx")).content)).worksheets[0]
    cells = [sheet.cell(row=r, column=2) for r in (2, 3)]
    assert [c.value for c in cells] == [0.4, 0.8125]
    assert {c.number_format for c in cells} == {"0.0%"}


def test_the_page_links_its_downloads(as_user, measured, plan):
    text = as_user("owner").get(_url(measured)).content.decode()
    for fmt in ("csv", "xlsx", "json"):
        assert f'href="{_url(measured, fmt)}"' in text
    # a qualitative target's page shows its evidence, no table of values: no download
    qualitative = as_user("owner").get(_url(plan["t2"])).content.decode()
    assert _url(plan["t2"], "csv") not in qualitative
    assert as_user("owner").get(_url(plan["t2"], "csv")).status_code == 404


def test_an_unknown_format_is_not_found(as_user, measured):
    client = as_user("owner")
    assert client.get(_url(measured, "pdf")).status_code == 404
    assert client.get(_url(measured, "xls")).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 200), ("colleague", 200), ("outsider", 404)],
)
def test_the_download_answers_to_the_pages_reading_rule(as_user, measured, persona, status):
    """The owner (district 256, the target's unit) and the colleague (who sees all of
    Bắc Ninh) read the target and its download; the outsider (Lào Cai) gets a 404 from
    both, exactly as from the page."""
    client = as_user(persona)
    assert client.get(_url(measured)).status_code == status
    for fmt in ("csv", "xlsx", "json"):
        assert client.get(_url(measured, fmt)).status_code == status


def test_an_anonymous_visitor_is_sent_to_log_in_as_on_the_page(measured):
    page = Client().get(_url(measured))
    download = Client().get(_url(measured, "csv"))
    assert page.status_code == download.status_code == 302
    assert "login" in download["Location"]


def test_a_title_like_a_formula_is_written_as_text(as_user, measured):
    """The target's title (typed by the steering office) heads the workbook's about
    sheet: a text cell, unchanged, never a formula; no cell of the CSV is one."""
    measured.title = '=HYPERLINK("http://x","y")'
    measured.save()
    client = as_user("owner")
    book = load_workbook(io.BytesIO(client.get(_url(measured, "xlsx")).content))
    about = {row[0].value: row[1] for row in book.worksheets[-1].iter_rows()}
    assert about["title"].data_type == "s" and about["title"].value == measured.title
    assert about["Title"].data_type == "s" and measured.title in about["Title"].value
    assert all(c.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)
    data = json.loads(client.get(_url(measured, "json")).content)
    assert measured.title in data["title"] and data["meta"]["title"] == measured.title
    for row in _csv(client, measured):
        assert not any(str(v).startswith(("=", "+", "@")) for v in row.values())
