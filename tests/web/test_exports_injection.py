"""Formula injection (issue 13, finding 6): no download or command output of the project
runs a name as a spreadsheet formula.

Units, indicators, procedures and tasks are named like the attack on the demo named
them (``=HYPERLINK(...)``, ``@SUM(1)``, ``+1+1``, ``-2+3``, a leading tab); then every
export is fetched as a person fetches it and read back:

- XLSX: every cell holding such a name is a text cell (data type ``s``) with the name
  unchanged, no cell of any sheet is a formula, numbers are numeric (negative ones too);
- CSV: every such name starts with ``'`` inside a quoted field, and every unquoted
  field is a number (negative numbers stay numbers);
- where the project reads its own files back (the values template, the targets and
  tasks workbook, the rejects file behind the API), the names come back unchanged.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from typer.testing import CliRunner

from dxscore.tables import FORMULA_START
from dxscore.web.dashboards import sample
from dxscore.web.data.methodologies import store
from dxscore.web.data.models import Upload
from dxscore.web.dossierdata.models import Job, Procedure, ProcedureMeasure
from dxscore.web.orgs.models import Unit
from dxscore.web.plans.models import PlanUpload
from tests.web.support import problem, record

NAMES = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1+1", "-2+3", "\tcmd"]
HYPERLINK, AT, PLUS, MINUS, TAB = NAMES
FORMULA = "=2+5"  # a node's name: methodology names hold no control characters (a tab)
NODE_NAMES = [AT, PLUS, MINUS, FORMULA]


# --- reading a download back ------------------------------------------------------------


def xlsx_cells(content: bytes) -> list:
    """Every cell of every sheet, after asserting that none of them is a formula."""
    wb = load_workbook(io.BytesIO(content))
    cells = [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]
    formulas = [f"{c.parent.title}!{c.coordinate}={c.value!r}" for c in cells if c.data_type == "f"]
    assert formulas == []
    return cells


def assert_xlsx_text(content: bytes, names=NAMES) -> list:
    """Each name is in the workbook as a text cell, unchanged; returns all cells."""
    cells = xlsx_cells(content)
    for name in names:
        holding = [c for c in cells if c.value == name]
        assert holding, f"{name!r} is not in the workbook"
        assert {c.data_type for c in holding} == {"s"}
    return cells


def _text(content: bytes | str) -> str:
    return content.decode("utf-8-sig") if isinstance(content, bytes) else content


def csv_fields(content: bytes | str) -> list[list]:
    """The fields of a CSV as a spreadsheet splits them: quoted fields as text, unquoted
    ones as numbers (reading fails on an unquoted field that is not a number)."""
    return list(csv.reader(io.StringIO(_text(content)), quoting=csv.QUOTE_NONNUMERIC))


def assert_csv_neutral(content: bytes | str, names=NAMES) -> list[list]:
    """Each name is in the CSV as ``'name``, no field starts a formula, every text field
    is quoted and every unquoted one a number; returns the typed fields."""
    plain = [v for row in csv.reader(io.StringIO(_text(content))) for v in row]
    for name in names:
        assert "'" + name in plain, f"{name!r} is not neutralised in the CSV"
        assert name not in plain
    rows = csv_fields(content)
    texts = [v for row in rows for v in row if isinstance(v, str)]
    assert [t for t in texts if t.startswith(FORMULA_START)] == []
    return rows


# --- public dashboards: leaderboard, scorecard, node values, compare --------------------

YAML = """\
id: inject
version: "1"
title: Injection test
scale: [0, 100]
defaults:
  indicator: {normalisation: identity, range: [0, 100], unit: "%"}
tree:
  code: index
  name: Index
  children:
    - {code: a, name: "@SUM(1)", weight: 1}
    - {code: b, name: "+1+1", weight: 1}
    - {code: c, name: "-2+3", weight: 1, help: "=HYPERLINK(\\"http://x\\",\\"y\\")"}
    - {code: d, name: "=2+5", weight: 1}
"""
CODES = ["d1", "d2", "d3", "d4", "d5"]


@pytest.fixture
def board(people, org):
    """Five districts named like the attack, ranked in 2023 and in reverse in 2024 (so
    some changes in rank are negative), both periods published."""
    from django.core.cache import cache

    cache.clear()
    for code, name in zip(CODES, NAMES, strict=True):
        Unit.objects.create(code=code, name=name, level=org.district, parent=org.bac_ninh)
    methodology = store(YAML, purpose="district ranking")
    rows = []
    for i, code in enumerate(CODES):
        for period, value in (("2023", 10 + 20 * i), ("2024", 90 - 20 * i)):
            rows += [(code, period, ind, value) for ind in "abcd"]
    frame = pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])
    runs = sample.publish_frame(methodology, frame, people["admin"], org.district)
    yield runs
    cache.clear()


def _dl(client, name, *args, **query):
    from urllib.parse import urlencode

    path = reverse(name, args=args)
    response = client.get(path + ("?" + urlencode(query, doseq=True) if query else ""))
    assert response.status_code == 200, response
    return response.content


DOWNLOADS = {  # page: (route, arguments before the format, query, names it shows)
    "leaderboard": ("dash_leaderboard_dl", ["inject", "2024"], {}, NAMES),
    "scorecard": ("dash_scorecard_dl", ["inject", "2024", "d1"], {}, NODE_NAMES),
    "node values": ("dash_node_dl", ["inject", "2024", "a"], {}, NAMES),
    "compare": ("dash_compare_dl", ["inject", "2024"], {"units": ["d1", "d4"]}, NODE_NAMES),
}


def _public(client, page: str, fmt: str) -> bytes:
    route, args, query, _names = DOWNLOADS[page]
    return _dl(client, route, *args, fmt, **query)


@pytest.mark.parametrize("page", DOWNLOADS)
def test_public_csv_downloads_neutralise_names(client, board, page):
    assert_csv_neutral(_public(client, page, "csv"), DOWNLOADS[page][3])


@pytest.mark.parametrize("page", DOWNLOADS)
def test_public_xlsx_downloads_keep_names_as_text(client, board, page):
    assert_xlsx_text(_public(client, page, "xlsx"), DOWNLOADS[page][3])


def test_numbers_stay_numbers_negative_ones_too(client, board):
    rows = csv_fields(_public(client, "leaderboard", "csv"))
    changes = [r[rows[0].index("rank_change")] for r in rows[1:]]
    assert all(isinstance(x, float) for x in changes) and min(changes) < 0
    assert csv_fields(_public(client, "compare", "csv"))[2][2:] == [90.0, 1.0, 30.0, 4.0]
    cells = xlsx_cells(_public(client, "leaderboard", "xlsx"))
    sheet = [c for c in cells if c.parent.title == "leaderboard"]
    header = [c.value for c in sheet if c.row == 1]
    column = header.index("Change in rank") + 1
    changes = [c for c in sheet if c.row > 1 and c.column == column]
    assert {c.data_type for c in changes} == {"n"} and min(c.value for c in changes) < 0


def test_free_text_of_the_methodology_is_text_in_every_workbook(client, board):
    cells = assert_xlsx_text(_public(client, "scorecard", "xlsx"), [HYPERLINK])
    sheets = {c.parent.title for c in cells if c.value == HYPERLINK}
    assert sheets == {"methodology", "about"}  # a node's help; the unit's name in the meta


# --- public-service pages: procedures.xlsx ----------------------------------------------


@pytest.fixture
def procedures(org):
    for i, name in enumerate(NAMES, start=1):
        Procedure.objects.create(code=f"1.00{i}", name=name)
        ProcedureMeasure.objects.create(
            unit=org.bac_ninh,
            procedure=f"1.00{i}",
            period="2024",
            kind="year",
            received=10 * i,
            finished=10 * i,
            finished_on_time=5 * i,
            received_online=0,
            open_at_end=0,
            open_overdue=0,
            on_time_rate=0.5,
            timeliness_rate=0.5,
        )


def test_procedure_downloads_keep_procedure_names_as_text(as_user, procedures):
    client = as_user("steering")
    url = reverse("dash_services_procedures_dl", args=["csv"])
    assert_csv_neutral(client.get(url, {"unit": "27"}).content)
    url = reverse("dash_services_procedures_dl", args=["xlsx"])
    assert_xlsx_text(client.get(url, {"unit": "27"}).content)


# --- values template: download, upload unchanged ----------------------------------------


def test_the_values_template_keeps_unit_names_as_text_and_round_trips(
    as_user, methodology, periods, org
):
    org.d256.name, org.d257.name = HYPERLINK, MINUS
    org.d256.save()
    org.d257.save()
    client = as_user("steering")
    args = [methodology.pk, "2024", org.bac_ninh.code]
    content = client.get(reverse("template", args=args)).content
    assert_xlsx_text(content, [HYPERLINK, MINUS])
    wb = load_workbook(io.BytesIO(content))
    for row in wb["values"].iter_rows(min_row=2):
        row[8].value, row[9].value = 50, PLUS  # a value, and a comment like a formula
    out = io.BytesIO()
    wb.save(out)
    file = SimpleUploadedFile("values.xlsx", out.getvalue())
    assert client.post(reverse("upload_values", args=args), {"file": file}).status_code == 302
    upload = Upload.objects.latest("pk")
    assert upload.problems == [] and len(upload.rows) == 4  # text is not a formula


def test_a_values_csv_reads_a_neutralised_comment_as_it_was_written(
    as_user, methodology, periods, org
):
    client = as_user("owner")
    text = 'unit,period,indicator,value,comment\n256,2024,online,70,"\'=1+1"\n'
    args = [methodology.pk, "2024", org.d256.code]
    file = SimpleUploadedFile("v.csv", text.encode())
    client.post(reverse("upload_values", args=args), {"file": file})
    upload = Upload.objects.latest("pk")
    assert upload.problems == [] and upload.rows[0]["comment"] == "=1+1"


# --- targets and tasks workbook: download, upload unchanged -----------------------------


def test_the_plans_workbook_keeps_titles_as_text_and_round_trips(as_user, plan):
    task1, task2 = plan["task1"], plan["task2"]
    task1.title, task1.expected_result = HYPERLINK, AT
    task1.save()
    task2.title, task2.expected_result = MINUS, PLUS
    task2.save()
    plan["t2"].title = TAB
    plan["t2"].save()
    client = as_user("steering")
    content = client.get(reverse("plans:export", args=[plan["resolution"].pk])).content
    assert_xlsx_text(content)
    file = SimpleUploadedFile("plan.xlsx", content)
    client.post(reverse("plans:upload", args=[plan["resolution"].pk]), {"file": file})
    upload = PlanUpload.objects.latest("uploaded_at")
    assert upload.problems == []
    changed = {(r["sheet"], r["number"]): r["changed"] for r in upload.rows if r["changed"]}
    assert changed == {("targets", 2): ["title"]}  # only the tab is trimmed, as when typed


# --- dossier rejects: the file a person downloads, and the API that reads it back -------


@pytest.fixture
def dossier_store(settings, tmp_path):
    settings.DXSCORE_DOSSIER_STORE = tmp_path / "store"


HEADER = ["dossier_id", "unit", "procedure", "service_level", "channel", "received_at", "status"]


def test_the_rejects_download_neutralises_what_the_file_held(as_user, org, dossier_store):
    from dxscore.web.dossierdata.worker import run_pending

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i, name in enumerate(NAMES[:4]):  # the reader strips a leading tab
        writer.writerow([f"a{i}", "256", "P1", "full", name, "2024-07-01 08:00", "in_progress"])
    file = SimpleUploadedFile("dossiers.csv", out.getvalue().encode(), content_type="text/csv")
    client = as_user("owner")
    client.post(reverse("dossier_jobs"), {"file": file})
    run_pending()
    job = Job.objects.filter(kind="import").get()
    assert job.summary["rejected"] == 4
    download = client.get(reverse("dossier_rejects", args=[job.pk]))
    rows = assert_csv_neutral(b"".join(download.streaming_content), NAMES[:4])
    assert rows[0] == ["file", "row", "column", "value", "reason"]
    assert {r[1] for r in rows[1:]} == {2.0, 3.0, 4.0, 5.0}  # row numbers stay numbers


def test_the_api_reads_its_rejects_back_unchanged(api):
    records = [record(i, channel=name) for i, name in enumerate(NAMES[:4])]
    answer = problem(api.post("dossiers", {"records": records}), 422)
    details = {e["index"]: e["detail"] for e in answer["errors"] if e["field"] == "channel"}
    assert [details[i].endswith(f"(got '{name}')") for i, name in enumerate(NAMES[:4])] == [
        True
    ] * 4  # what the API read back from its rejects file, without the leading '


# --- the command line: --out x.csv / x.xlsx ---------------------------------------------


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_index_compute_out_neutralises_unit_codes(tmp_path, ext):
    from dxscore.cli import app
    from dxscore.cli.index import example_path

    top5 = pd.read_csv(example_path(), dtype=str)
    top5["unit"] = NAMES[:4] + ["ok"]
    earlier = top5.assign(period="2021")
    earlier["unit"] = list(reversed(top5["unit"]))  # ranks change, some for the worse
    data = tmp_path / "data.csv"
    pd.concat([earlier, top5]).to_csv(data, index=False)
    out = tmp_path / f"scores.{ext}"
    result = CliRunner().invoke(
        app, ["index", "compute", "vn-dti-2022", str(data), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    if ext == "csv":
        rows = assert_csv_neutral(out.read_text(encoding="utf-8"), NAMES[:4])
        changes = [r[rows[0].index("rank_change")] for r in rows[1:]]
        assert min(x for x in changes if isinstance(x, float)) < 0
        again = pd.read_csv(out, dtype=str)  # what pandas sees: the quote, not a formula
        assert "'" + HYPERLINK in set(again["unit"])
    else:
        cells = assert_xlsx_text(out.read_bytes(), NAMES[:4])
        assert any(c.data_type == "n" and isinstance(c.value, int) and c.value < 0 for c in cells)
