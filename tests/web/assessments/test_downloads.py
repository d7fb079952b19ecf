"""Issue 18: the survey pages download what they show (CSV, XLSX, JSON).

- The staff page's figures (its period and breakdown) and its trend: the page's rows in
  the page's order, stored precision, the page's viewing scope; a figure the page
  suppresses ("–", fewer sheets than the minimum) has no value in any download.
- A sheet's explanation ("How the score is computed"): the page's rows, to the sessions
  that may read the sheet (the respondent's); staff and other browsers get the page's 404.
- Numbers on these pages follow the reader's language (a decimal comma in Vietnamese).

Personas as in ``conftest``: ``colleague`` and ``steering`` see all of Bắc Ninh, the
``outsider`` Lào Cai; a person without a role is refused (403), an anonymous visitor sent
to log in."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook

from dxscore import assessments as qa
from dxscore.figures import format_figure
from dxscore.web.assessments.models import Sheet
from dxscore.web.orgs.models import Unit
from tests.web.assessments.conftest import FULL, register
from tests.web.test_exports_injection import assert_csv_neutral, assert_xlsx_text

PAGE = "/assessments/dbi-business/"
FIGURES = PAGE + "figures.{fmt}"
TREND = PAGE + "trend.{fmt}"
KEPT = ("responses", "response_rate")  # counts and rates are never suppressed


def submit_sheets(commune, n, start=0):
    """``n`` businesses of ``commune`` submit the full sheet; the sheets."""
    out = []
    for i in range(start, start + n):
        c = Client()
        url = register(c, commune, tax_code=f"0{i + 101234500:09d}", email=f"b{i}@dn.vn")
        response = c.post(url, {**FULL, "submit": "1"})
        assert response.status_code == 302
        out.append(Sheet.objects.get(pk=int(url.strip("/").split("/")[-1])))
    return out


def page_rows(text: str) -> list[tuple[str, dict[str, str]]]:
    """The figures table of the staff page: (row id, {measure: text shown}), with the
    unit's name and the group's (a breakdown's) under ``name`` and ``group``."""
    table = re.search(r'<table[^>]*id="figures".*?</table>', text, re.S).group(0)
    rows = []
    for row_id, body in re.findall(r'<tr id="unit-([^"]+)">(.*?)</tr>', table, re.S):
        cells = dict(re.findall(r'data-measure="([^"]+)">(.*?)</td>', body, re.S))
        for label, key in (("Unit", "name"), ("Group", "group")):
            found = re.search(rf'data-label="{label}">(.*?)</td>', body, re.S)
            if found:
                cells[key] = found.group(1)
        rows.append((row_id, {m: html.unescape(v) for m, v in cells.items()}))
    return rows


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_json(response) -> dict:
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return json.loads(response.content)


def read_xlsx(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)


def shown(value, kind: str, lang: str = "en") -> str:
    """What the page shows of a downloaded value (one display rule per kind)."""
    return format_figure(value, kind, lang, 1 if kind == "score" else None)


def test_the_figures_download_is_the_pages_table(surveys, communes, as_user, client):
    """The page's rows, order and values (the page rounds what the download keeps), for
    each breakdown; CSV, JSON and XLSX alike."""
    sheets = submit_sheets(communes["a"], 3)
    submit_sheets(communes["lc"], 1, start=10)
    as_user("colleague")
    for by in ("all", "sector", "size"):
        query = {"period": "2025", "by": by}
        page = client.get(PAGE, query).content.decode()
        assert f'href="{FIGURES.format(fmt="csv")}?period=2025&amp;by={by}"' in page
        shown_rows = page_rows(page)
        data = read_json(client.get(FIGURES.format(fmt="json"), query))
        kinds = {c["key"]: c["kind"] for c in data["columns"]}
        assert len(data["rows"]) == len(shown_rows) > 0
        for row, (row_id, cells) in zip(data["rows"], shown_rows, strict=True):
            assert row_id == row["unit"] or row_id.startswith(row["unit"] + "-")
            texts = {m: row[m] if kinds[m] == "text" else shown(row[m], kinds[m]) for m in cells}
            assert texts == cells
            assert ("group" in cells) == (by != "all")
        assert data["meta"]["min_count"] == 3 and data["meta"]["by"] == by
        listed = read_csv(client.get(FIGURES.format(fmt="csv"), query))
        assert [r["unit"] for r in listed] == [r["unit"] for r in data["rows"]]
    # stored precision: the commune's mean is the sheets' mean, not the page's 1 decimal
    data = read_json(client.get(FIGURES.format(fmt="json"), {"period": "2025"}))
    commune = next(r for r in data["rows"] if r["unit"] == "256-01")
    assert commune["score"] == pytest.approx(sum(s.score for s in sheets) / 3, abs=1e-9)
    assert commune["responses"] == 3 and {r["unit"] for r in data["rows"]} >= {"27", "256"}
    assert "80-01" not in {r["unit"] for r in data["rows"]}  # Lào Cai: not in scope
    rows = read_xlsx(client.get(FIGURES.format(fmt="xlsx"), {"period": "2025"}))
    assert rows[0][:3] == ("Code", "Unit", "Sheets") and "Mean score" in rows[0]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["256-01"][rows[0].index("Mean score")] == pytest.approx(commune["score"])


def test_the_trend_download_is_the_pages_trend(surveys, communes, as_user, client):
    submit_sheets(communes["a"], 3)
    as_user("colleague")
    page = client.get(PAGE, {"period": "2025"}).content.decode()
    trend = re.search(r'<table[^>]*id="trend".*?</table>', page, re.S).group(0)
    cells = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", trend)
    data = read_json(client.get(TREND.format(fmt="json"), {"period": "2025"}))
    assert data["meta"]["unit"] == "27"  # the top of the colleague's scope, as the page
    got = [
        (r["period"], shown(r["responses"], "count"), shown(r["score"], "score"))
        for r in data["rows"]
    ]
    assert got == cells == [("2025", "3", cells[0][2])]
    assert read_csv(client.get(TREND.format(fmt="csv"), {"period": "2025"}))[0]["responses"] == "3"
    assert read_xlsx(client.get(TREND.format(fmt="xlsx"), {"period": "2025"}))[0] == (
        "Period",
        "Sheets",
        "Mean score",
    )
    # the page shows no trend by sector, nor does its download
    assert (
        read_json(client.get(TREND.format(fmt="json"), {"period": "2025", "by": "sector"}))["rows"]
        == []
    )


def test_a_suppressed_figure_has_no_value_in_any_download(surveys, communes, as_user, client):
    """Two sheets in commune 256-01 (the minimum is 3): the page shows "–" for every mean
    and share of the commune and of its groups; no download carries a value for them."""
    submit_sheets(communes["a"], 2)
    as_user("colleague")
    for by in ("all", "sector", "size"):
        query = {"period": "2025", "by": by}
        page = dict(page_rows(client.get(PAGE, query).content.decode()))
        small = [row_id for row_id in page if row_id.startswith("256-01")]
        assert small and all(
            v == "–"
            for row_id in small
            for m, v in page[row_id].items()
            if m not in (*KEPT, "name", "group")
        )
        data = read_json(client.get(FIGURES.format(fmt="json"), query))
        measures = [c["key"] for c in data["columns"] if c["kind"] in ("score", "rate", "count")]
        hidden = [m for m in measures if m not in KEPT]
        assert "score" in hidden and len(hidden) > 3  # the score, the pillars, the shares
        for row in data["rows"]:  # 256-01, 256, 27: all made of the same two sheets
            assert [row[m] for m in hidden] == [None] * len(hidden), row
            assert row["responses"] == 2
        for row in read_csv(client.get(FIGURES.format(fmt="csv"), query)):
            assert [row[m] for m in hidden] == [""] * len(hidden)
        rows = read_xlsx(client.get(FIGURES.format(fmt="xlsx"), query))
        columns = [rows[0].index(c["label"]) for c in data["columns"] if c["key"] in hidden]
        for line in rows[1:]:
            assert [line[i] for i in columns] == [None] * len(columns)
    trend = read_json(client.get(TREND.format(fmt="json"), {"period": "2025"}))["rows"]
    assert [(r["responses"], r["score"]) for r in trend] == [(2, None)]
    assert read_csv(client.get(TREND.format(fmt="csv"), {"period": "2025"}))[0]["score"] == ""


def test_the_figures_downloads_answer_to_the_pages_rule(surveys, communes, as_user, client):
    """Staff of Bắc Ninh (colleague, steering) read Bắc Ninh's figures, the outsider Lào
    Cai's only; a person without a role gets the page's 403, an anonymous visitor is sent
    to log in, like the page."""
    submit_sheets(communes["a"], 3)
    submit_sheets(communes["lc"], 3, start=10)
    query = {"period": "2025"}
    for persona in ("colleague", "steering"):
        as_user(persona)
        units = {r["unit"] for r in read_csv(client.get(FIGURES.format(fmt="csv"), query))}
        assert {"27", "256", "256-01"} <= units and not units & {"15", "80", "80-01"}
        assert read_json(client.get(TREND.format(fmt="json"), query))["meta"]["unit"] == "27"
    as_user("outsider")
    units = {r["unit"] for r in read_csv(client.get(FIGURES.format(fmt="csv"), query))}
    assert "80-01" in units and not units & {"27", "256", "256-01"}
    assert read_json(client.get(TREND.format(fmt="json"), query))["meta"]["unit"] == "15"
    nobody = get_user_model().objects.create_user("nobody")
    client.force_login(nobody)
    for url in (PAGE, FIGURES.format(fmt="csv"), TREND.format(fmt="json")):
        assert client.get(url, query).status_code == 403
    anonymous = Client()
    for url in (PAGE, FIGURES.format(fmt="csv"), TREND.format(fmt="json")):
        response = anonymous.get(url, query)
        assert response.status_code == 302 and "login" in response["Location"]


def test_an_unknown_format_is_not_found(surveys, communes, as_user, client):
    submit_sheets(communes["a"], 3)
    as_user("colleague")
    for url in (FIGURES, TREND):
        assert client.get(url.format(fmt="csv"), {"period": "2025"}).status_code == 200
        assert client.get(url.format(fmt="pdf"), {"period": "2025"}).status_code == 404
    mine = Client()
    url = register(mine, communes["b"], tax_code="0309999999", email="x@dn.vn")
    pk = int(url.strip("/").split("/")[-1])
    assert mine.get(f"/survey/sheet/{pk}/explain.json").status_code == 200
    assert mine.get(f"/survey/sheet/{pk}/explain.pdf").status_code == 404
    assert mine.get(f"/survey/sheet/{pk}/explain.html").status_code == 404


def test_a_unit_named_like_a_formula_is_text_in_the_downloads(surveys, communes, org, as_user):
    name = '=HYPERLINK("http://x","y")'
    commune = Unit.objects.create(
        code="256-09", name=name, level=communes["a"].level, parent=org.d256
    )
    submit_sheets(commune, 3)
    client = as_user("colleague")
    assert_csv_neutral(client.get(FIGURES.format(fmt="csv"), {"period": "2025"}).content, [name])
    assert_xlsx_text(client.get(FIGURES.format(fmt="xlsx"), {"period": "2025"}).content, [name])


# --- a sheet's explanation ----------------------------------------------------------------


def explain_rows(text: str) -> list[list[str]]:
    table = re.search(r'<table[^>]*id="explain".*?</table>', text, re.S).group(0)
    rows = re.findall(r'<tr class="depth-\d+">(.*?)</tr>', table, re.S)
    return [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def _blank(value, kind, decimals=None):
    return "" if value is None else format_figure(value, kind, "en", decimals)


def test_the_explanation_download_is_the_pages_table(surveys, communes):
    mine = Client()
    url = register(mine, communes["a"])
    assert mine.post(url, {**FULL, "submit": "1"}).status_code == 302
    pk = int(url.strip("/").split("/")[-1])
    page = mine.get(f"/survey/sheet/{pk}/explain").content.decode()
    assert f'href="/survey/sheet/{pk}/explain.xlsx"' in page
    shown_rows = explain_rows(page)
    data = read_json(mine.get(f"/survey/sheet/{pk}/explain.json"))
    assert [c["key"] for c in data["columns"]] == [
        "node",
        "name",
        "parent",
        "points",
        "max_points",
        "score",
        "contribution",
    ]
    got = [
        [
            r["name"],
            _blank(r["points"], "points"),
            _blank(r["max_points"], "points"),
            _blank(r["score"], "score", 1),
            _blank(r["contribution"], "score", 2),
        ]
        for r in data["rows"]
    ]
    assert got == shown_rows and len(got) > 10
    sheet = Sheet.objects.get(pk=pk)
    index = data["rows"][0]
    assert index["node"] == "index" and index["score"] == pytest.approx(sheet.score, abs=1e-9)
    assert data["meta"]["sheet"] == pk and data["meta"]["period"] == "2025"
    listed = read_csv(mine.get(f"/survey/sheet/{pk}/explain.csv"))
    assert [r["name"] for r in listed] == [r[0] for r in shown_rows]
    frame = qa.explain(sheet.questionnaire.compiled(), sheet.answers, "en")
    raw = dict(zip(frame["node"], frame["raw"], strict=True))
    questions = [r for r in data["rows"] if r["parent"] not in (None, "index")]
    assert questions and any(r["points"] for r in questions)
    for r in questions:  # a question's points are its raw value, none when not shown
        assert r["points"] == (None if raw[r["node"]] != raw[r["node"]] else raw[r["node"]])
    rows = read_xlsx(mine.get(f"/survey/sheet/{pk}/explain.xlsx"))
    assert rows[0] == ("Code", "Item", "Part of", "Points", "Maximum", "Score", "Contribution")
    assert [r[1] for r in rows[1:]] == [r[0] for r in shown_rows]


def test_the_explanation_download_answers_to_the_pages_rule(surveys, communes, as_user):
    """The respondent's session and another session that confirmed the same business read
    it; another browser, province staff and a staff member of the sheet's own province get
    the page's 404 (nobody reads another's answers in the site)."""
    mine = Client()
    url = register(mine, communes["a"])
    mine.post(url, {**FULL, "submit": "1"})
    pk = int(url.strip("/").split("/")[-1])
    again = Client()  # the same business, confirmed by a new e-mail code elsewhere
    assert register(again, communes["a"]) == url + "result"  # its result, submitted
    for client in (mine, again):
        assert client.get(f"/survey/sheet/{pk}/explain").status_code == 200
        for fmt in ("csv", "xlsx", "json"):
            assert client.get(f"/survey/sheet/{pk}/explain.{fmt}").status_code == 200
    other = Client()
    staff = as_user("colleague")
    for client in (other, staff):
        assert client.get(f"/survey/sheet/{pk}/explain").status_code == 404
        for fmt in ("csv", "xlsx", "json"):
            assert client.get(f"/survey/sheet/{pk}/explain.{fmt}").status_code == 404


# --- numbers in the reader's language ------------------------------------------------------


def test_numbers_follow_the_readers_language(surveys, communes, as_user, client, settings):
    """Vietnamese writes a decimal comma: the staff page's mean, a respondent's result and
    explanation; the PDF of the result still renders from the same template."""
    sheets = submit_sheets(communes["a"], 3)
    mean = sum(s.score for s in sheets) / 3
    as_user("colleague")
    page = client.get(PAGE, {"period": "2025"}, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    cells = dict(page_rows(page))["256-01"]
    assert cells["score"] == f"{mean:.1f}".replace(".", ",")
    assert cells["response_rate"].endswith("%") and "," in cells["response_rate"]
    mine = Client()
    url = register(mine, communes["a"], tax_code="0309999999", email="x@dn.vn")
    mine.post(url, {**FULL, "submit": "1"})
    pk = int(url.strip("/").split("/")[-1])
    sheet = Sheet.objects.get(pk=pk)
    mine.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    result = mine.get(f"/survey/sheet/{pk}/result").content.decode()
    assert f"{sheet.score:.1f}".replace(".", ",") + "/100" in result
    explained = explain_rows(mine.get(f"/survey/sheet/{pk}/explain").content.decode())
    assert explained[0][3] == f"{sheet.score:.1f}".replace(".", ",")
    assert all("." not in c for row in explained for c in row[1:])
    # downloads keep a point (machine-readable) whatever the reader's language
    rows = read_csv(mine.get(f"/survey/sheet/{pk}/explain.csv"))
    assert float(rows[0]["score"]) == pytest.approx(sheet.score)
    pdf = mine.get(f"/survey/sheet/{pk}/result.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# --- a sheet's result --------------------------------------------------------------------


def result_rows(text: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', text, re.S).group(0)
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    ]


def test_the_result_downloads_are_the_pages_tables(surveys, communes, as_user):
    """The pillars and the levels of a respondent's result: the page's rows; the sector's
    and the province's figures are empty while the page shows "–" (fewer sheets than the
    minimum), and filled once there are enough sheets."""
    mine = Client()
    url = register(mine, communes["a"])
    assert mine.post(url, {**FULL, "submit": "1"}).status_code == 302
    pk = int(url.strip("/").split("/")[-1])
    for enough in (False, True):
        if enough:
            submit_sheets(communes["b"], 2, start=20)  # 3 sheets in the province
        page = mine.get(f"/survey/sheet/{pk}/result").content.decode()
        assert f'href="/survey/sheet/{pk}/result.csv"' in page
        assert f'href="/survey/sheet/{pk}/levels.json"' in page
        data = read_json(mine.get(f"/survey/sheet/{pk}/result.json"))
        got = [
            [
                r["name"],
                shown(r["score"], "score"),
                r["level"],
                shown(r["sector"], "score"),
                shown(r["province"], "score"),
            ]
            for r in data["rows"]
        ]
        assert got == result_rows(page, "pillars") and len(got) == 6
        province = [r["province"] for r in data["rows"]]
        assert all(v is not None for v in province) if enough else province == [None] * 6
        levels = read_json(mine.get(f"/survey/sheet/{pk}/levels.json"))
        assert levels["meta"]["min_count"] == 3
        got = [
            [r["name"], shown(r["sector"], "rate"), shown(r["province"], "rate")]
            for r in levels["rows"]
        ]
        shown_levels = [[row[0].split(" ← ")[0], *row[1:]] for row in result_rows(page, "levels")]
        assert got == shown_levels
        shares = [r["province"] for r in levels["rows"]]
        assert (sum(shares) == pytest.approx(1.0)) if enough else shares == [None] * len(shares)
        csv_rows = read_csv(mine.get(f"/survey/sheet/{pk}/result.csv"))
        assert [r["name"] for r in csv_rows] == [r["name"] for r in data["rows"]]
        assert all((r["province"] != "") == enough for r in csv_rows)
        sheet = read_xlsx(mine.get(f"/survey/sheet/{pk}/levels.xlsx"))
        assert sheet[0] == ("Code", "Level", "Your sector", "Province")
        assert all((line[3] is not None) == enough for line in sheet[1:])


def test_the_result_downloads_answer_to_the_pages_rule(surveys, communes, as_user):
    """The respondent's sessions read them; another browser and staff get the page's 404;
    a draft has no result to download (404), an unknown format neither."""
    mine = Client()
    url = register(mine, communes["a"])
    pk = int(url.strip("/").split("/")[-1])
    assert mine.get(f"/survey/sheet/{pk}/result.csv").status_code == 404  # a draft
    mine.post(url, {**FULL, "submit": "1"})
    again = Client()
    register(again, communes["a"])
    other = Client()
    staff = as_user("colleague")
    for name in ("result", "levels"):
        for client in (mine, again):
            for fmt in ("csv", "xlsx", "json"):
                assert client.get(f"/survey/sheet/{pk}/{name}.{fmt}").status_code == 200
            assert client.get(f"/survey/sheet/{pk}/{name}.html").status_code == 404
        for client in (other, staff):
            assert client.get(f"/survey/sheet/{pk}/result").status_code == 404
            assert client.get(f"/survey/sheet/{pk}/{name}.csv").status_code == 404
    pdf = mine.get(f"/survey/sheet/{pk}/result.pdf")  # the PDF, from the same template
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
