"""A person's whole round in a real browser (headless Chromium through Playwright): a data
officer downloads the Excel template, fills it in and uploads it, checks the preview,
stores and submits; an approver approves; a steering officer computes the run, checks its
coverage on the publish step and publishes it. Screenshots go to ``DXSCORE_SCREENSHOTS``
(default: the test's temporary folder)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.web.support import assert_accessible, log_in, log_out

pytestmark = pytest.mark.slow


def test_upload_approve_compute_and_publish_in_a_browser(
    transactional_db, live_server, browser, shots, monkeypatch, tmp_path
):
    # the ORM is used from the test thread while Playwright's loop runs in it
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from tests.web.support import approved, build

    org, people, methodology, period = build()
    approved(people, methodology, period, org.d257, online=30, ontime=60)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)

    # the data officer of district 256 fills in the Excel template
    log_in(page, base, "owner")
    entry = f"{base}/collect/{methodology.pk}/2024/256/"
    page.goto(entry)
    with page.expect_download() as download:
        page.click("text=Download Excel template")
    wb = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    ws = wb["values"]
    for row in ws.iter_rows(min_row=2):
        row[8].value = {"online": 60, "ontime": 90}[row[3].value]
    filled = tmp_path / "filled.xlsx"
    buffer = io.BytesIO()
    wb.save(buffer)
    filled.write_bytes(buffer.getvalue())
    page.set_input_files("input[name=file]", str(filled))
    page.click("text=Check the file")
    page.wait_for_selector("text=2 values will change")
    page.screenshot(path=str(shots / "1-upload-preview.png"), full_page=True)
    assert_accessible(page)
    page.click("text=Store these values")
    page.wait_for_selector("text=2 values stored from filled.xlsx")
    page.click("button[value=submit]")
    page.wait_for_selector("text=2 values submitted.")
    page.screenshot(path=str(shots / "2-submitted.png"), full_page=True)
    assert_accessible(page)
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.context.add_cookies(page.context.cookies())
    phone.goto(entry)
    phone.screenshot(path=str(shots / "2b-entry-on-a-phone.png"), full_page=True)
    assert_accessible(phone)
    phone.close()
    log_out(page)

    # the province's approver approves
    log_in(page, base, "approver")
    page.goto(entry)
    page.click("button[value=approve]")
    page.wait_for_selector("text=2 values approved.")
    page.screenshot(path=str(shots / "3-approved.png"), full_page=True)
    assert_accessible(page)
    log_out(page)

    # the steering officer computes and publishes the run
    log_in(page, base, "steering")
    page.goto(f"{base}/runs/")
    page.select_option("select[name=methodology]", str(methodology.pk))
    page.select_option("select[name=period]", "2024")
    page.click("button:has-text('Compute')")
    page.wait_for_load_state()
    page.screenshot(path=str(shots / "4a-computed.png"), full_page=True)
    assert_accessible(page)
    page.wait_for_selector("text=Computed test-districts")
    # the publish step shows the coverage (both districts, every value) and asks to confirm
    page.click("div.actions a[href$='/publish']")
    page.wait_for_selector("table#coverage")
    assert page.locator("#coverage-warning").count() == 0
    assert page.inner_text("#cov-complete td").strip() == "2"
    page.screenshot(path=str(shots / "4b-publish-step.png"), full_page=True)
    assert_accessible(page)
    page.check("input[name=confirm]")
    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("text=Published")
    page.screenshot(path=str(shots / "4-published-run.png"), full_page=True)
    assert_accessible(page)
    ranking = page.inner_text("table.ranking")
    assert "70.0000" in ranking and "40.0000" in ranking
    first = page.locator("table.ranking tbody tr").first.inner_text()
    assert first.startswith("1") and "TP. Bắc Ninh" in first
    page.click("table.ranking tbody tr >> nth=0 >> a >> nth=0")
    page.wait_for_selector("table.explain")
    page.screenshot(path=str(shots / "5-explanation.png"), full_page=True)
    assert_accessible(page)
    assert "40.0000" in page.inner_text("#n-online")  # 2/3 of 60
    page.close()

    from dxscore.web.scores.models import ScoreRun

    run = ScoreRun.objects.get()
    assert run.published and run.published_by.username == "steering"
