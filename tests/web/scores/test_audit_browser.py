"""The statistical audit page in a real browser (headless Chromium through Playwright):
the steering officer opens a run, follows "Statistical audit", reads the sections and
downloads the workbook. Screenshots go to ``DXSCORE_SCREENSHOTS`` (default: the test's
temporary folder)."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.web.support import log_in

pytestmark = pytest.mark.slow


def test_the_audit_page_from_the_run_page_to_the_workbook(
    transactional_db, live_server, browser, shots, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from dxscore.web.scores import runs
    from tests.web.support import approved, build

    org, people, methodology, period = build()
    approved(people, methodology, period, org.d256, online=60, ontime=90)
    approved(people, methodology, period, org.d257, online=30, ontime=60)
    run = runs.compute_run(people["steering"], methodology, period)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, base, "steering")
    page.goto(f"{base}/runs/{run.pk}/")
    page.click("text=Statistical audit")
    page.wait_for_selector("h2:has-text('Cronbach')")
    assert page.locator("table.grid.audit").count() == 6
    page.screenshot(path=str(shots / "audit.png"), full_page=True)
    with page.expect_download() as info:
        page.click("text=Download (XLSX)")
    wb = load_workbook(BytesIO(info.value.path().read_bytes()))
    assert "correlations" in wb.sheetnames
