"""Both administrative maps in a real browser (headless Chromium through Playwright): the
demo's DTI on the 63 provinces and on the 34 of 1 July 2025, a leaderboard switched
between them, and the new Lào Cai's scorecard with its continuous history and its
predecessors, in English and in Vietnamese. Screenshots go to ``DXSCORE_SCREENSHOTS``."""

from __future__ import annotations

import re

import pytest

from tests.web.support import open_page

pytestmark = pytest.mark.slow


def _history(page) -> dict[str, str]:
    rows = page.locator("#t-history tbody tr")
    return {
        rows.nth(i).locator("td").first.inner_text().split()[0]: rows.nth(i).inner_text()
        for i in range(rows.count())
    }


def test_a_merged_province_and_a_leaderboard_on_both_maps(
    transactional_db, live_server, browser, shots, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from dxscore.demo import reform
    from dxscore.demo.platform import demo_dti
    from dxscore.web.data.methodologies import ensure_builtins
    from tests.web.support import make_person

    ensure_builtins()
    admin = make_person("admin", "administrator", superuser=True)
    demo_dti(admin)
    reform.provinces()
    reform.dti_runs(admin)

    base = f"{live_server.url}/public/vn-dti-2022"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    # the leaderboard of 2024: the 34 provinces by default, Hà Nội first as published
    open_page(page, f"{base}/2024/", errors)
    switch = page.inner_text("#map-switch")
    assert "63 provinces (map of 2024)" in switch and "34 provinces (map of 1 July 2025)" in switch
    assert switch.index("63 provinces") < switch.index("34 provinces")
    rows = page.locator("table.leaderboard tbody tr")
    assert rows.count() == 34
    assert "Hà Nội" in rows.first.inner_text() and "0.8241" in rows.first.inner_text()
    lao_cai = page.locator("#u-15").inner_text()
    assert "Lào Cai" in lao_cai and "carried from Lào Cai, Yên Bái" in lao_cai
    page.screenshot(path=str(shots / "m1-leaderboard-34.png"), full_page=True)

    # one click to the 63, where 15 is Yên Bái; and back
    page.get_by_role("link", name="63 provinces (map of 2024)").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("table.leaderboard tbody tr").count() == 63
    assert "Yên Bái" in page.inner_text("#u-15") and "carried" not in page.inner_text("#u-15")
    assert "Hà Nội" in page.locator("table.leaderboard tbody tr").first.inner_text()
    page.screenshot(path=str(shots / "m2-leaderboard-63.png"), full_page=True)
    page.get_by_role("link", name="34 provinces (map of 1 July 2025)").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("table.leaderboard tbody tr").count() == 34

    # the new Lào Cai: 2020-2025 on its own map, the carried years marked
    open_page(page, f"{base}/2025/units/15/", errors)
    assert "Lào Cai" in page.inner_text("h1")
    history = _history(page)
    assert list(history) == ["2020", "2021", "2022", "2023", "2024", "2025"]
    for year in ("2020", "2021", "2022", "2023", "2024"):
        assert "carried from Lào Cai, Yên Bái" in history[year], year
    assert "carried" not in history["2025"]
    predecessors = page.inner_text("#t-predecessors")
    assert "Yên Bái" in predecessors and "Lào Cai" in predecessors
    assert len(re.findall(r"\b202[0-4]\b", predecessors)) == 10  # five years each
    page.screenshot(path=str(shots / "m3-scorecard-lao-cai.png"), full_page=True)

    # a predecessor's own scorecard: ended, now part of Lào Cai (linked)
    page.locator("#t-predecessors a", has_text="2024").nth(1).click()
    page.wait_for_load_state("networkidle")
    assert "Yên Bái" in page.inner_text("h1")
    ended = page.inner_text("#unit-ended")
    assert re.search(r"Ended (30/06/2025|06/30/2025), now part of Lào Cai", ended), ended
    page.screenshot(path=str(shots / "m4-scorecard-yen-bai.png"), full_page=True)
    page.locator("#unit-ended a").click()
    page.wait_for_load_state("networkidle")
    assert "Lào Cai" in page.inner_text("h1") and page.locator("#t-predecessors").count() == 1

    # in Vietnamese
    page.context.add_cookies([{"name": "django_language", "value": "vi", "url": base}])
    open_page(page, f"{base}/2024/", errors)
    switch = page.inner_text("#map-switch")
    assert "63 tỉnh, thành phố (bản đồ năm 2024)" in switch
    assert "34 tỉnh, thành phố (bản đồ ngày 1 tháng 7 năm 2025)" in switch
    assert "chuyển từ Lào Cai, Yên Bái" in page.inner_text("#u-15")
    page.screenshot(path=str(shots / "m5-leaderboard-vi.png"), full_page=True)
    open_page(page, f"{base}/2025/units/15/", errors)
    assert "Lịch sử riêng của các đơn vị tiền thân" in page.inner_text("main")
    page.screenshot(path=str(shots / "m6-scorecard-vi.png"), full_page=True)
    assert not errors
