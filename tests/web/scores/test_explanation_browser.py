"""The explanation of a published run in a real browser (headless Chromium through
Playwright): a logged-out visitor follows a raw value to the row saying where it came
from (roles, no names), a node to its public page and the methodology; the owner of the
unit sees names and opens the value's history; on a phone the table of raw values reads
as cards. Screenshots go to ``DXSCORE_SCREENSHOTS`` (default: the test's temporary
folder)."""

from __future__ import annotations

import pytest

from tests.web.support import log_in, open_page

pytestmark = pytest.mark.slow


def test_the_explanation_from_a_raw_value_to_its_history(
    transactional_db, live_server, browser, shots, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from dxscore.web.scores import runs
    from tests.web.support import approved, build

    org, people, methodology, period = build()
    people["owner"].first_name, people["owner"].last_name = "Nguyễn", "Văn An"
    people["owner"].save()
    approved(people, methodology, period, org.d256, online=60, ontime=90)
    approved(people, methodology, period, org.d257, online=30, ontime=60)
    run = runs.compute_run(people["steering"], methodology, period)
    runs.publish(run, people["steering"])
    source = run.inputs.get(unit=org.d256, indicator="online")
    base = live_server.url
    url = f"{base}/runs/{run.pk}/explain/256/"

    visitor = browser.new_page(viewport={"width": 1280, "height": 900})
    open_page(visitor, url, browser.errors)
    visitor.click("#n-online td:nth-child(2) a")
    assert visitor.url.endswith(f"#v-{source.pk}")
    row = visitor.inner_text(f"#v-{source.pk}")
    assert "data officer of TP. Bắc Ninh" in row and "Nguyễn Văn An" not in row
    assert "unchanged" in row and "history" not in row
    visitor.screenshot(path=str(shots / "explain-public.png"), full_page=True)
    visitor.click("#n-online td:first-child a >> nth=0")
    visitor.wait_for_selector("h1:has-text('Online dossiers')")
    visitor.click("text=The whole methodology")
    visitor.wait_for_selector("h2:has-text('Indicators')")
    assert "District digital transformation" in visitor.inner_text("h1")
    visitor.close()

    owner = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    log_in(owner, base, "owner")
    open_page(owner, url, browser.errors)
    row = owner.locator(f"#v-{source.pk}")
    assert "Nguyễn Văn An (data officer of TP. Bắc Ninh)" in row.inner_text()
    owner.screenshot(path=str(shots / "explain-owner-phone.png"), full_page=True)
    row.locator("text=history").click()
    owner.wait_for_selector("h1:has-text('History')")
    assert "owner" in owner.inner_text("table")
    owner.close()
