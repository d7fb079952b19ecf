"""Reports: the unit scorecard PDF (A4, diacritics, the score, page numbers, methodology
version and run id in the footer), all units' PDFs in a zip, and the leaderboard Excel
workbook, which matches the page."""

from __future__ import annotations

import io
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook

from tests.web.support import PROVINCES, page_rows, publish_demo, stored, text_of, url

pytestmark = pytest.mark.slow


def test_the_scorecard_pdf_has_the_name_with_diacritics_score_and_footer(
    client, people, tmp_path, pdftotext
):
    runs = publish_demo(people["admin"])
    run = runs[-1]
    response = client.get(url("dash_scorecard_dl", "vn-dti-2022", "2022", "20", "pdf"))
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    text = text_of(pdftotext, pdf, tmp_path)
    score, rank = stored(run)["20"]
    assert "Lạng Sơn" in text
    assert f"{score:.4f}" in text
    assert "Digital government (Chính quyền số)" in text
    assert f"vn-dti-2022 v2022.1 · run {run.number} (id {run.pk})" in text
    pages = text.count("\f")
    assert pages >= 1 and f"page 1 / {pages}" in text
    info = subprocess.run(
        [pdftotext.replace("pdftotext", "pdfinfo"), str(tmp_path / "card.pdf")],
        capture_output=True,
        text=True,
    ).stdout
    assert "595.276 x 841.89 pts (A4)" in info


def test_pdf_charts_are_vector_text_drawn_once_and_every_score_is_listed(
    client, people, tmp_path, pdftotext, monkeypatch
):
    from dxscore.web.dashboards import reports

    run = publish_demo(people["admin"], years=("2021", "2022"), provinces=PROVINCES[:3])[-1]
    drawn = []
    real = reports.history_svg

    def history_svg(*args):
        drawn.append(args)
        return real(*args)

    monkeypatch.setattr(reports, "history_svg", history_svg)
    address = url("dash_scorecard_dl", "vn-dti-2022", "2022", PROVINCES[0], "pdf")
    first, second = client.get(address).content, client.get(address).content
    assert len(drawn) == 1  # the second PDF reuses the cached chart
    text = text_of(pdftotext, second, tmp_path)
    assert "Rank (1 = best)" in text  # the chart's axis title is text, not glyph outlines
    assert "Mean of the top ten" in text
    assert text == text_of(pdftotext, first, tmp_path, "first.pdf")
    words = set(text.split())
    missing = [n for n in run.methodology.compiled().nodes if n not in words]
    assert not missing  # the "every score" table lists every node, codes unbroken


@pytest.fixture
def jobs(monkeypatch):
    """Background builds queued instead of started: the test runs them when it chooses."""
    from dxscore.web.dashboards import reports

    queued = []
    monkeypatch.setattr(reports, "start", queued.append)
    return queued


def test_all_scorecards_come_in_one_zip_prepared_in_the_background(
    client, people, tmp_path, pdftotext, jobs
):
    publish_demo(people["admin"], years=("2022",), provinces=PROVINCES[:3])
    address = url("dash_scorecards_zip", "vn-dti-2022", "2022")
    first = client.get(address)  # answers at once: the build waits in the background
    assert first.status_code == 202 and first["Retry-After"] == "3"
    page = first.content.decode()
    assert "scorecards-vn-dti-2022-2022.zip is being prepared" in page
    assert 'dashboards/report_wait.js"' in page and "http-equiv" not in page  # no reloading
    assert f'data-poll="{address}?wait=1&amp;format=json"' in page
    assert f'href="{address}?wait=1"' in page  # "Check now", without script
    assert len(jobs) == 1
    again = client.get(address)  # another click, or another visitor: the same build
    assert again.status_code == 202 and len(jobs) == 1
    asked = client.get(address, {"wait": "1", "format": "json"}).json()
    assert asked == {
        "state": "preparing",
        "done": None,
        "total": None,
        "progress": "",
        "page": f"{address}?wait=1",
    }
    jobs.pop()()
    assert client.get(address, {"wait": "1", "format": "json"}).json()["state"] == "ready"
    ready = client.get(address + "?wait=1")  # the page's refresh: says so, then downloads
    assert ready.status_code == 200 and "Your file is ready" in ready.content.decode()
    assert f'<meta http-equiv="refresh" content="0; url={address}">' in ready.content.decode()
    response = client.get(address)
    assert response["Content-Type"] == "application/zip" and not jobs
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == sorted(f"scorecard-vn-dti-2022-2022-{c}.pdf" for c in PROVINCES[:3])
    text = text_of(pdftotext, archive.read(names[0]), tmp_path)
    assert "Hà Nội" in text


def test_the_leaderboard_workbook_matches_the_page(client, people):
    runs = publish_demo(people["admin"])
    page = page_rows(client.get(url("dash_leaderboard", "vn-dti-2022", "2022")))
    body = client.get(url("dash_leaderboard_dl", "vn-dti-2022", "2022", "xlsx")).content
    wb = load_workbook(io.BytesIO(body))
    ws = wb["leaderboard"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(2)]
    assert [f"u-{r['Code']}" for r in rows] == list(page)
    for r in rows:
        cells = page[f"u-{r['Code']}"]
        assert str(r["Rank"]) == cells[0]
        assert f"{r['Provincial DTI']:.4f}" in cells
        assert f"{r['Digital economy (Kinh tế số)']:.4f}" in cells
    index_col = header.index("Provincial DTI") + 1
    assert ws.cell(2, index_col).number_format == "0.0000"
    about = {r[0].value: r[1].value for r in wb["about"].iter_rows()}
    assert about["run_id"] == runs[-1].pk and about["methodology_version"] == "2022.1"
    methodology = {r[0].value: r for r in wb["methodology"].iter_rows(2)}
    assert methodology["dg_activity"][5].value == 200  # maximum points


def test_report_files_are_built_once_per_state_and_one_at_a_time(
    client, people, settings, monkeypatch
):
    from dxscore.web.dashboards import reports

    publish_demo(people["admin"], years=("2022",), provinces=PROVINCES[:2])
    built = []
    real = reports.scorecard_pdf
    monkeypatch.setattr(reports, "scorecard_pdf", lambda *a: built.append(a[2]) or real(*a))
    address = url("dash_scorecard_dl", "vn-dti-2022", "2022", PROVINCES[0], "pdf")
    first = client.get(address)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert client.get(address).content == first.content
    assert built == [PROVINCES[0]]  # the second download read the stored file
    folder = settings.HOME / "reports"
    assert len(list(folder.iterdir())) == 1
    # while another request builds the same file, a short page says to come back
    busy = reports.ReportBusy("x")
    monkeypatch.setattr(reports, "stored_report", lambda *a: (_ for _ in ()).throw(busy))
    response = client.get(url("dash_scorecard_dl", "vn-dti-2022", "2022", PROVINCES[1], "pdf"))
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "is being prepared" in response.content.decode()


def test_a_stored_report_is_rebuilt_when_its_state_changes(settings, tmp_path):
    from dxscore.web.dashboards.reports import ReportBusy, stored_report

    settings.HOME = tmp_path
    a = stored_report("run 1 unit 20", ("state", 1), lambda: b"one")
    assert a.read_bytes() == b"one"
    assert stored_report("run 1 unit 20", ("state", 1), lambda: b"never") == a
    b = stored_report("run 1 unit 20", ("state", 2), lambda: b"two")
    assert b.read_bytes() == b"two" and not a.exists()  # the older state is removed
    other = stored_report("run 1 unit 20.1", ("state", 1), lambda: b"other")
    assert b.exists() and other.read_bytes() == b"other"  # another stem is left alone
    # a fresh lock means another request is building: ReportBusy
    import hashlib

    from dxscore import __version__

    name = hashlib.sha256(b"run 2").hexdigest()[:24]
    key = hashlib.sha256(repr((__version__, "en", "s")).encode()).hexdigest()[:24]
    (tmp_path / "reports" / f"{name}-{key}.lock").touch()
    from django.utils import translation

    with translation.override("en"), pytest.raises(ReportBusy):
        stored_report("run 2", ("s",), lambda: b"")


def test_the_preparing_page_counts_the_scorecards_done(client, people, monkeypatch, jobs):
    from dxscore.web.dashboards import reports

    publish_demo(people["admin"], years=("2022",), provinces=PROVINCES[:3])
    address = url("dash_scorecards_zip", "vn-dti-2022", "2022", run=1)
    seen, asked = [], []

    def scorecard_pdf(request, board, unit):
        if len(seen) == 1:  # one scorecard done: what a visitor's page says meanwhile
            seen.append(client.get(address + "&wait=1").content.decode())
            asked.append(client.get(address + "&wait=1&format=json").json())
        else:
            seen.append(unit)
        return b"%PDF-1.7 " + unit.encode()

    monkeypatch.setattr(reports, "scorecard_pdf", scorecard_pdf)
    assert client.get(address).status_code == 202
    jobs.pop()()
    during = seen[1]
    assert "1 of 3 scorecards done." in during
    assert '<progress id="report-progress" value="1" max="3">' in during
    assert asked == [
        {
            "state": "preparing",
            "done": 1,
            "total": 3,
            "progress": "1 of 3 scorecards done.",
            "page": address + "&wait=1",
        }
    ]
    assert "<script>" not in during  # the CSP allows only the site's script files
    archive = zipfile.ZipFile(io.BytesIO(client.get(address).content))
    assert len(archive.namelist()) == 3


def test_a_failed_build_says_so_and_is_tried_again_on_request(
    client, people, monkeypatch, jobs, caplog
):
    from dxscore.web.dashboards import reports

    publish_demo(people["admin"], years=("2022",), provinces=PROVINCES[:2])
    address = url("dash_scorecards_zip", "vn-dti-2022", "2022")

    def broken(*args):
        raise RuntimeError("no fonts here")

    monkeypatch.setattr(reports, "scorecard_pdf", broken)
    client.get(address)
    jobs.pop()()
    assert "building the report" in caplog.text and "no fonts here" in caplog.text
    failed = client.get(address + "?wait=1")
    text = failed.content.decode()
    assert failed.status_code == 500 and "could not be prepared" in text
    assert "no fonts here" not in text  # the error is for the log, not for visitors
    assert f'href="{address}?retry=1"' in text and "http-equiv" not in text  # no reloading
    assert client.get(address).status_code == 500 and not jobs  # not rebuilt on every click
    monkeypatch.undo()
    monkeypatch.setattr(reports, "start", jobs.append)
    assert client.get(address + "?retry=1").status_code == 202 and len(jobs) == 1
    jobs.pop()()
    assert client.get(address)["Content-Type"] == "application/zip"


def test_a_build_left_by_a_dead_process_is_taken_over(settings, tmp_path, jobs):
    import json
    import socket

    from django.utils import translation

    from dxscore.web.dashboards import reports

    settings.HOME = tmp_path
    with translation.override("en"):
        files = reports._files("run 9", ("s",))
        files.lock.write_text(
            json.dumps({"pid": 2**22 + 12345, "host": socket.gethostname(), "done": 4})
        )
        old = files.lock.stat().st_mtime - 60
        import os

        os.utime(files.lock, (old, old))
        found = reports.prepared_report("run 9", ("s",), lambda progress: b"zip")
        assert isinstance(found, reports.Preparing) and found.done is None  # a new build
        assert len(jobs) == 1
        # a live holder (this process) is waited for, with its progress
        files.lock.write_text(json.dumps(reports._holder(1.0, 2, 5)))
        held = reports.prepared_report("run 9", ("s",), lambda progress: b"zip")
        assert (held.done, held.total) == (2, 5) and len(jobs) == 1
        files.lock.unlink()
        jobs.pop()()
        assert reports.prepared_report("run 9", ("s",), None).read_bytes() == b"zip"


@pytest.mark.django_db(transaction=True)
def test_the_zip_is_built_by_a_thread_of_the_server(client, people):
    """No worker needed: ``reports.start`` runs the build in a thread of the server."""
    import time

    publish_demo(people["admin"], years=("2022",), provinces=PROVINCES[:2])
    address = url("dash_scorecards_zip", "vn-dti-2022", "2022")
    assert client.get(address).status_code == 202
    deadline = time.monotonic() + 120
    while (page := client.get(address + "?wait=1")).status_code == 202:
        assert time.monotonic() < deadline, "the zip was not built in two minutes"
        time.sleep(0.5)
    assert page.status_code == 200, page.content.decode()[:500]
    archive = zipfile.ZipFile(io.BytesIO(client.get(address).content))
    assert len(archive.namelist()) == 2
