"""Publishing a run with low coverage and withdrawing it, in a real browser (headless
Chromium through Playwright): the steering officer sees the warning and the district
without data, is refused without "publish anyway", publishes anyway, then withdraws the
run with a reason; the public reads the notice. Every page is checked with axe-core.
Screenshots go to ``DXSCORE_SCREENSHOTS`` (default: the test's temporary folder)."""

from __future__ import annotations

import pytest

from tests.web.support import assert_accessible, log_in, log_out

pytestmark = pytest.mark.slow


def test_publish_anyway_then_withdraw_in_a_browser(
    transactional_db, live_server, browser, shots, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from dxscore.web.scores import runs
    from dxscore.web.scores.models import ScoreRun
    from tests.web.support import approved, build

    org, people, methodology, period = build()
    approved(people, methodology, period, org.d256, online=60, ontime=90)  # not Từ Sơn
    run = runs.compute_run(people["steering"], methodology, period)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, base, "steering")
    page.goto(f"{base}/runs/{run.pk}/")
    page.click("div.actions a[href$='/publish']")
    page.wait_for_selector("#coverage-warning")
    assert "Từ Sơn" in page.inner_text("#without-data")
    assert page.inner_text("#cov-without td").strip() == "1"
    page.screenshot(path=str(shots / "publish-low-coverage.png"), full_page=True)
    assert_accessible(page)
    page.check("input[name=confirm]")
    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("text=publish it anyway or compute it again")
    assert not ScoreRun.objects.get(pk=run.pk).published
    page.check("input[name=anyway]")
    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("#published-coverage")
    assert "Published anyway" in page.inner_text("#published-coverage")
    assert_accessible(page)

    page.click("div.actions a[href$='/withdraw']")
    page.wait_for_selector("#withdraw-form")
    assert_accessible(page)
    page.fill("textarea[name=reason]", "Only one of the two districts was approved")
    page.click("#withdraw-form button[type=submit]")
    page.wait_for_selector("#withdrawn")
    page.screenshot(path=str(shots / "withdrawn-run.png"), full_page=True)
    assert_accessible(page)
    log_out(page)
    page.goto(f"{base}/runs/{run.pk}/")
    notice = page.inner_text("#withdrawn")
    assert "by steering officer of Bắc Ninh: Only one of the two districts" in notice
    assert_accessible(page)
    page.close()
    assert ScoreRun.objects.get(pk=run.pk).withdrawn_by == people["steering"]
