"""Upload limits in the site (issue 13, finding 2): the values upload, the targets and
tasks import, methodology files, evidence and dossier uploads refuse hostile files with
a message naming the limit, and store nothing. Refusals of a workbook's structure happen
before any parser sees it (the parsers are replaced by traps here)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from dxscore import safefiles as sf
from dxscore.dossiers import Store
from dxscore.web import sheets
from dxscore.web.data.models import Methodology, Upload, Value
from dxscore.web.dossierdata.models import Job
from dxscore.web.dossierdata.worker import run_pending
from dxscore.web.plans.models import PlanUpload, Target
from dxscore.web.upload_limits import message
from tests import bombs
from tests.web.support import D256, HEADER

DECLARED_HUGE = bombs.declare_size(
    bombs.plain_workbook([["unit", "period", "indicator", "value"], ["256", "2024", "online", 1]]),
    "xl/worksheets/sheet1.xml",
    0xFFFFFFF0,  # 4 GB declared, a few bytes inside
)


def _never(*_args, **_kwargs):
    raise AssertionError("a parser was called on a refused file")


@pytest.fixture
def no_parsers(monkeypatch):
    """Any parse of a workbook fails the test."""
    import python_calamine

    monkeypatch.setattr(sheets, "load_workbook", _never)
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", _never)


def _values_url(name, methodology, period, unit):
    return reverse(name, args=[methodology.pk, period.code, unit.code])


def _post_values(client, methodology, period, unit, content, name="values.xlsx"):
    return client.post(
        _values_url("upload_values", methodology, period, unit),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


# --- values ------------------------------------------------------------------------------


def test_values_upload_refuses_a_declared_huge_workbook_unparsed_with_the_real_defaults(
    as_user, methodology, periods, org, no_parsers
):
    page = _post_values(as_user("owner"), methodology, periods["2024"], org.d256, DECLARED_HUGE)
    assert "the file unpacks to more than 100 MB" in page.content.decode()
    assert not Upload.objects.exists() and not Value.objects.exists()


def test_values_upload_refuses_bombs_by_the_limit_they_break(
    as_user, methodology, periods, org, settings, no_parsers
):
    settings.DXSCORE_UPLOAD_LIMITS = sf.UPLOADS.replace(max_rows=50)
    client = as_user("owner")
    cases = [
        (bombs.to_bytes(bombs.empty_rows(200)), "sheet 'values' has more than 50 rows"),
        (bombs.to_bytes(bombs.gap_rows(1_000_000)), "sheet 'values' has more than 50 rows"),
        (bombs.to_bytes(bombs.huge_cell(40_000)), "holds a cell longer than 32,767 characters"),
    ]
    for content, expected in cases:
        _post_values(client, methodology, periods["2024"], org.d256, content)
        upload = Upload.objects.latest("pk")
        assert upload.state == "rejected" and upload.rows == []
        assert [p[0] for p in upload.problems] == ["file"]
        assert expected in upload.problems[0][1]
    # the shared-strings bomb does not even become an upload: the form refuses it
    bomb = bombs.to_bytes(**bombs.strings_bomb(2_000_000))
    page = _post_values(client, methodology, periods["2024"], org.d256, bomb)
    assert "a part of the file is packed more than 100 times" in page.content.decode()
    assert Upload.objects.count() == len(cases) and not Value.objects.exists()


def test_values_rows_are_counted_as_read_even_when_a_parser_gets_the_file(settings):
    # the checks of the reading loop hold even without the scan in front of it
    settings.DXSCORE_UPLOAD_LIMITS = sf.UPLOADS.replace(max_rows=50)
    wb = load_workbook(io.BytesIO(bombs.to_bytes(bombs.empty_rows(200))), read_only=True)
    with pytest.raises(sheets.FileProblem) as caught:
        sheets.sheet_table(wb["values"])
    assert caught.value.problems == [
        ("file", "sheet 'values' has more than 50 rows (empty rows count too)")
    ]


def test_csv_values_with_a_nul_character_are_refused_with_row_and_column(
    as_user, methodology, periods, org, settings
):
    client = as_user("owner")
    text = (
        "unit,period,indicator,value,comment\n256,2024,online,50,fine\n256,2024,ontime,60,a\x00b\n"
    )
    _post_values(client, methodology, periods["2024"], org.d256, text.encode(), "v.csv")
    upload = Upload.objects.latest("pk")
    assert upload.state == "rejected"
    assert upload.problems == [
        ["row 3, column E (comment)", "a NUL character (code 0) is not allowed in text"]
    ]
    settings.DXSCORE_UPLOAD_LIMITS = sf.UPLOADS.replace(max_rows=3, max_cell_chars=10)
    many = "unit,period,indicator,value\n" + "256,2024,online,50\n" * 5
    _post_values(client, methodology, periods["2024"], org.d256, many.encode(), "v.csv")
    problems = Upload.objects.latest("pk").problems
    assert problems == [["file", "the file has more than 3 rows (empty rows count too)"]]
    long = "unit,period,indicator,value,comment\n256,2024,online,50," + "x" * 11 + "\n"
    _post_values(client, methodology, periods["2024"], org.d256, long.encode(), "v.csv")
    problems = Upload.objects.latest("pk").problems
    assert problems == [["file", "row 2, column E holds a cell longer than 10 characters"]]
    assert not Value.objects.exists()


def test_refusals_are_translated(settings):
    exc = sf.UnsafeFile("rows", where="sheet 'values'", limit=100_000)
    with translation.override("vi"):
        text = message(exc)
    assert text != str(exc) and "100.000" in text and "'values'" in text


# --- targets and tasks -------------------------------------------------------------------


def _post_plan(client, plan, content):
    return client.post(
        reverse("plans:upload", args=[plan["resolution"].pk]),
        {"file": SimpleUploadedFile("plan.xlsx", content)},
        follow=True,
    )


def test_plans_import_refuses_bombs_and_stores_nothing(as_user, plan, settings, no_parsers):
    client = as_user("steering")
    titles = list(Target.objects.order_by("number").values_list("title", flat=True))
    page = _post_plan(client, plan, DECLARED_HUGE)
    assert "the file unpacks to more than 100 MB" in page.content.decode()
    assert not PlanUpload.objects.exists()
    settings.DXSCORE_UPLOAD_LIMITS = sf.UPLOADS.replace(max_rows=50)
    columns = ("number", "title", "unit", "deadline")
    _post_plan(client, plan, bombs.to_bytes(bombs.empty_rows(500, columns), sheet="targets"))
    upload = PlanUpload.objects.get()
    assert upload.state == "rejected" and upload.rows == []
    assert upload.problems == [
        ["file", "sheet 'targets' has more than 50 rows (empty rows count too)"]
    ]
    big_cell = bombs.to_bytes(bombs.huge_cell(40_000, columns), sheet="tasks")
    _post_plan(client, plan, big_cell)
    problems = PlanUpload.objects.latest("pk").problems
    assert problems == [
        ["file", "sheet 'tasks', cell A2 holds a cell longer than 32,767 characters"]
    ]
    assert list(Target.objects.order_by("number").values_list("title", flat=True)) == titles


# --- methodology files and evidence ------------------------------------------------------


def test_a_methodology_with_an_alias_bomb_is_refused(as_user):
    lines = ["id: bomb", 'version: "1"', 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 8) + "]")
    page = as_user("steering").post(
        reverse("methodologies"),
        {"file": SimpleUploadedFile("bomb.yaml", "\n".join(lines).encode())},
    )
    assert "the YAML text expands to more than 100,000 values" in page.content.decode()
    assert not Methodology.objects.filter(code="bomb").exists()


def test_evidence_must_be_what_its_extension_says(as_user, methodology, periods, org):
    client = as_user("owner")
    page = client.post(
        _values_url("entry", methodology, periods["2024"], org.d256),
        {"v_online": "50", "f_online": SimpleUploadedFile("report.pdf", b"<html><script>")},
    )
    assert "the content of this file is not a PDF document" in page.content.decode()
    assert not Value.objects.exists()


# --- dossier files -----------------------------------------------------------------------


@pytest.fixture
def store_dir(settings, tmp_path):
    settings.DXSCORE_DOSSIER_STORE = tmp_path / "store"
    return settings.DXSCORE_DOSSIER_STORE


def _post_dossiers(client, name, content):
    return client.post(reverse("dossier_jobs"), {"file": SimpleUploadedFile(name, content)})


def _stored(store_dir) -> int:
    return Store(store_dir).rows() if (store_dir / "manifest.json").exists() else 0


def test_dossier_upload_refuses_a_declared_huge_workbook_and_a_false_parquet(
    as_user, org, store_dir, no_parsers
):
    client = as_user("owner")
    page = _post_dossiers(client, "d.xlsx", DECLARED_HUGE)
    assert "the file unpacks to more than 1,024 MB" in page.content.decode()
    page = _post_dossiers(client, "d.parquet", (HEADER + D256).encode())
    assert "the content of this file is not a Parquet file" in page.content.decode()
    assert not Job.objects.exists() and _stored(store_dir) == 0


def test_a_dossier_workbook_with_a_far_cell_fails_in_the_worker_unparsed(
    as_user, org, store_dir, no_parsers
):
    # sound as a zip, so the form queues it; the worker's reader refuses it before
    # python-calamine (which aborts the process on it) is called
    _post_dossiers(as_user("owner"), "d.xlsx", bombs.to_bytes(bombs.far_cell()))
    run_pending()
    job = Job.objects.get()
    assert job.state == "failed"
    assert "sheet 'values' has more than 500 columns" in job.error
    assert _stored(store_dir) == 0


def test_a_nul_character_in_a_dossier_file_flags_its_row(as_user, org, store_dir):
    bad = "a9,256,P1,full,online,2024-07-01 08:00,,,in_progress\n".replace("a9", "a\x009")
    _post_dossiers(as_user("owner"), "d.csv", (HEADER + D256 + bad).encode())
    run_pending()
    job = Job.objects.filter(kind="import").get()
    assert job.state == "done" and job.summary["rejected"] == 1
    (where, why) = job.problems[0]
    assert where == "d.csv, row 6, column dossier_id"
    assert why.startswith("contains a NUL character") and "a\\x009" in why
    assert _stored(store_dir) == 4


def test_api_batches_still_list_every_problem_whatever_the_rejects_limit(api, monkeypatch):
    from tests.web.support import record

    monkeypatch.setenv("DXSCORE_REJECTS_PER_REASON", "1")
    body = {"records": [record(n, channel="fax") for n in range(1, 4)]}
    response = api.post("dossiers", body, "steering")
    assert response.status_code == 422
    assert [e["index"] for e in response.json()["errors"]] == [0, 1, 2]
