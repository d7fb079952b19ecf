"""The plans in a real browser (headless Chromium through Playwright): the steering
officer creates a resolution with two targets and assigns two tasks; the owner district
reports progress and submits the evidence of a qualitative target; the approver approves
it; the summary goes from 1 of 2 to 2 of 2 targets met and from 0 of 2 to 1 of 2 tasks
done. Screenshots go to ``DXSCORE_SCREENSHOTS`` (default: the test's temporary folder)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.web.support import assert_accessible, log_in, log_out

pytestmark = pytest.mark.slow


def _save(page):
    page.click("main button:has-text('Save')")
    page.wait_for_load_state()


def test_resolution_targets_tasks_progress_and_summary_in_a_browser(
    transactional_db,
    live_server,
    browser,
    shots,
    monkeypatch,
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from tests.web.support import approved, build

    org, people, methodology, period = build()
    approved(people, methodology, period, org.d256, online=60, ontime=90)
    base = live_server.url
    next_year = str(dt.date.today().year + 1)
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    # the steering officer sets up the resolution
    log_in(page, base, "steering")
    page.click("header nav >> text=Resolutions")
    page.click("text=New resolution")
    page.select_option("select[name=unit]", label="Bắc Ninh (27)")
    page.fill("input[name=code]", "52-NQ/TU")
    page.fill("input[name=title]", "Digital transformation to 2025, vision 2030")
    page.fill("input[name=issuer]", "Bắc Ninh Provincial Party Committee")
    page.fill("input[name=issued_on]", "2022-03-18")
    page.fill("input[name=horizon]", next_year)
    page.fill("textarea[name=pillars]", "gov: Digital government\nsociety: Digital society")
    _save(page)
    page.wait_for_selector("text=Resolution 52-NQ/TU created.")

    page.click("text=Add a target")
    page.select_option("select[name=pillar]", label="Digital government")
    page.fill("input[name=title]", "Dossiers filed online")
    page.select_option("select[name=unit]", label="TP. Bắc Ninh (256)")
    page.select_option("select[name=indicator]", label="Online dossiers (online)")
    page.select_option("select[name=comparison]", ">=")
    page.fill("input[name=value]", "50")
    _save(page)
    page.wait_for_selector("text=Target 1 saved.")
    page.click("text=Add a target")
    page.select_option("select[name=pillar]", label="Digital government")
    page.fill("input[name=title]", "District data centre in operation")
    page.select_option("select[name=unit]", label="TP. Bắc Ninh (256)")
    _save(page)
    page.wait_for_selector("text=Target 2 saved.")
    assert "1 of 2 targets met" in page.inner_text("#summary")

    deadline = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    for title, owner in (
        ("Build the district data centre", "TP. Bắc Ninh (256)"),
        ("Train commune officials", "Từ Sơn (257)"),
    ):
        page.goto(page.url.split("/plans/")[0] + "/plans/")
        page.click("text=52-NQ/TU")
        page.click("text=Assign a task")
        page.fill("input[name=title]", title)
        page.select_option("select[name=owner]", label=owner)
        page.fill("input[name=deadline]", deadline)
        page.fill("textarea[name=expected_result]", "Done and in use")
        if owner.endswith("(256)"):
            page.select_option("select[name=targets]", label="2. District data centre in operation")
        _save(page)
        page.wait_for_selector("text=assigned.")
    page.click("text=52-NQ/TU")
    page.wait_for_selector("#summary")
    assert "0 of 2 tasks done" in page.inner_text("#summary")
    page.screenshot(path=str(shots / "plans-1-resolution-set-up.png"), full_page=True)
    assert_accessible(page)
    log_out(page)

    # the owner district reports progress and submits its evidence
    log_in(page, base, "owner")
    page.click("header nav >> text=Tasks")
    page.click("text=Build the district data centre")
    page.fill("input[name=percent]", "100")
    page.fill("textarea[name=text]", "Data centre handed over and running")
    page.click("#progress button")
    page.wait_for_selector("text=Progress reported: 100%.")
    assert "done" in page.inner_text("#status")
    page.screenshot(path=str(shots / "plans-2-progress-reported.png"), full_page=True)
    assert_accessible(page)
    page.click("text=2. District data centre in operation")
    page.fill("textarea[name=note]", "Decision 45/QĐ-UBND putting the data centre in operation")
    page.fill("input[name=link]", "https://bacninh.gov.vn/qd-45")
    page.click("button:has-text('Submit the evidence')")
    page.wait_for_selector("text=Evidence submitted for approval.")
    page.click("main >> text=52-NQ/TU")
    summary = page.inner_text("#summary")
    assert "1 of 2 targets met" in summary and "1 of 2 tasks done" in summary
    log_out(page)

    # the approver approves the evidence: the target is met
    log_in(page, base, "approver")
    page.click("header nav >> text=Resolutions")
    page.click("text=52-NQ/TU")
    page.click("text=District data centre in operation")
    page.click("button:has-text('Approve the evidence')")
    page.wait_for_selector("text=Evidence approved: the target is met.")
    page.click("main >> text=52-NQ/TU")
    summary = page.inner_text("#summary")
    assert "2 of 2 targets met" in summary and "1 of 2 tasks done" in summary
    assert page.inner_text("#t-2").count("met") >= 1
    page.screenshot(path=str(shots / "plans-3-summary-after.png"), full_page=True)
    assert_accessible(page)
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.context.add_cookies(page.context.cookies())
    phone.goto(page.url)
    phone.screenshot(path=str(shots / "plans-4-resolution-on-a-phone.png"), full_page=True)
    assert_accessible(phone)
    # targets and tasks in a few short lines each, nothing scrolls sideways
    for row in phone.locator("#targets tbody tr, table.tasks tbody tr").all():
        assert row.bounding_box()["height"] < 180, row.inner_text()  # a card was 240-290
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.goto(f"{base}/plans/tasks/?view=board")
    phone.screenshot(path=str(shots / "plans-5-board-on-a-phone.png"), full_page=True)
    assert_accessible(phone)
    phone.close()
    page.close()

    from dxscore.web.plans.models import Target, Task

    assert Task.objects.get(title="Build the district data centre").on_time
    assert Target.objects.get(number=2).evidence_approved_by.username == "approver"
