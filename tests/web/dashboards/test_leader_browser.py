"""The leader's view in a real browser (headless Chromium through Playwright): on a
desktop and on a phone (no sideways scrolling at 390 pixels), printed on one A4 page by
its print stylesheet, without console errors. Screenshots go to ``DXSCORE_SCREENSHOTS``
(default: the test's temporary folder)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from dxscore.web.dossierdata.models import DossierMeasure, DossierQuality
from tests.web.support import log_in, open_page, publish_demo, stored

pytestmark = pytest.mark.slow


def _measures(org):
    for period, kind, rate in (
        ("2024", "year", 0.9),
        ("2024Q1", "quarter", 0.7),
        ("2024Q2", "quarter", 0.8),
        ("2024Q3", "quarter", 0.95),
    ):
        for name, value in (("online_share", 0.4), ("timeliness_rate", rate)):
            DossierMeasure.objects.create(
                unit=org.bac_ninh, period=period, kind=kind, measure=name, value=value
            )
    DossierQuality.objects.create(
        unit=org.bac_ninh, period="2024", kind="year", records=500, with_warnings=12
    )


def test_the_leaders_view_on_a_desktop_a_phone_and_paper(
    transactional_db, people, org, plan, live_server, browser, shots, monkeypatch
):
    # the personas and the plan are made before the browser's event loop starts
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    run = publish_demo(people["admin"])[-1]
    _measures(org)
    score, rank = stored(run)["27"]
    address = f"{live_server.url}/leader/27/"

    desktop = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    log_in(desktop, live_server.url, "steering")
    # from the home page's card to the page
    desktop.click("#leader-card a")
    desktop.wait_for_load_state("networkidle")
    assert desktop.url == address and not errors
    assert desktop.inner_text("#l-score") == f"{score:.4f}"
    assert desktop.inner_text("#l-rank") == str(rank)
    for block in ("#b-score", "#b-targets", "#b-tasks", "#b-services", "#b-quality"):
        assert desktop.locator(block).is_visible(), block
    assert desktop.inner_text("#l-overdue") == "1"
    assert desktop.inner_text("#l-quality") == "2.4%"
    assert desktop.locator("#l-trend svg polyline").count() == 1
    desktop.screenshot(path=str(shots / "leader-desktop.png"), full_page=True)
    # printed: the print stylesheet keeps it to one A4 page, without the site's header
    desktop.emulate_media(media="print")
    assert not desktop.locator("header.top").is_visible()
    printed = PdfReader(io.BytesIO(desktop.pdf(format="A4")))
    assert len(printed.pages) == 1
    assert "Resolution targets" in printed.pages[0].extract_text()
    desktop.emulate_media(media="screen")
    # the scorecard block leads to the scorecard
    desktop.click("#h-score a")
    desktop.wait_for_load_state("networkidle")
    assert "/public/vn-dti-2022/2022/units/27/" in desktop.url
    desktop.close()

    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    log_in(phone, live_server.url, "steering")
    open_page(phone, address, errors)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.inner_text("#l-score") == f"{score:.4f}"
    phone.screenshot(path=str(shots / "leader-phone.png"), full_page=True)
    phone.close()

    # an anonymous visitor: the published score, nothing of the plans or the dossiers
    visitor = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    open_page(visitor, address, errors)
    assert visitor.inner_text("#l-score") == f"{score:.4f}"
    assert visitor.locator("#b-targets, #b-tasks, #b-services, #b-quality").count() == 0
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
    visitor.screenshot(path=str(shots / "leader-phone-anonymous.png"), full_page=True)
    visitor.close()
