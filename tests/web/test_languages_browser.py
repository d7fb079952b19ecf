"""The README tour in Vietnamese, Arabic and Hindi in a real browser (headless Chromium
through Playwright): the front page, the leaderboard, a scorecard, its explanation, the
what-if, the resolution and a task, on a desktop and a phone (screenshots), with axe-core
finding nothing serious, no English left on the page (``english_left``: the same visible
text in English and in the language, names from the database, codes and numbers aside),
and for Arabic a mirrored layout: ``dir="rtl"``, the navigation on the right, tables
read from the right, charts' horizontal axes reversed.

The Arabic and Hindi catalogues are being filled in other branches: until they are
merged, English left on their pages is reported as an expected failure (``PENDING``),
every other check of those languages holds already. Screenshots go to
``DXSCORE_SCREENSHOTS`` (default: the test's temporary folder)."""

from __future__ import annotations

import pytest

from tests.web.support import assert_accessible, english_left, log_in, publish_demo, url

pytestmark = pytest.mark.slow

# languages whose catalogues land with the merge (the lead empties this set then)
PENDING: set[str] = set()
# strings built in Python without a translation yet (issue 19, point 1: the target
# statuses' reasons of dxscore.plans.status) or translated in another branch (the
# leaderboard's "Region" column: sec-content); the lead drops them as they are translated
POINT_1: set[str] = set()
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _tour(run, plan) -> list[tuple[str, str, bool]]:
    """(name, address, logged in) of the tour's pages (README, "A five-minute tour")."""
    code, period = "vn-dti-2022", "2022"
    return [
        ("front", url("home"), False),
        ("leaderboard", url("dash_leaderboard", code, period), False),
        ("scorecard", url("dash_scorecard", code, period, "20"), False),
        ("explanation", url("run_explain", run.pk, "20"), False),
        ("whatif", url("dash_whatif", run.pk, "27"), True),
        ("resolution", url("plans:resolution", plan["resolution"].pk), True),
        ("task", url("plans:task", plan["task1"].pk), True),
    ]


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def _assert_right_to_left(page, name):
    """Navigation on the right, the first column of a table at the right, charts'
    horizontal axes reversed."""
    assert page.get_attribute("html", "dir") == "rtl", name
    width = page.viewport_size["width"]
    brand = _box(page, "header.top .brand")
    assert brand["x"] > width / 2, (name, brand)  # the header starts at the right
    links = page.locator("header.top nav a")
    if links.count() >= 2:
        first, second = links.nth(0).bounding_box(), links.nth(1).bounding_box()
        assert first["x"] > width / 2 and first["x"] > second["x"], (name, first, second)
    tables = page.locator("main table.grid:visible")
    if tables.count():
        cells = tables.first.locator("tr").first.locator("th, td")
        if cells.count() >= 2:
            a, b = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
            assert a["x"] > b["x"], (name, "the first column is at the right", a, b)
    for chart in page.locator("[data-figure][data-drawn]").all():
        assert chart.get_attribute("data-mirrored") == "1", name
        reversed_axis = chart.evaluate("el => el._fullLayout.xaxis.autorange")
        assert reversed_axis in ("reversed", True, False), name
        low, high = chart.evaluate("el => el._fullLayout.xaxis.range")
        assert low > high or chart.evaluate("el => el._fullLayout.xaxis.type") == "category"


@pytest.mark.parametrize("lang", ["vi", "ar", "hi"])
def test_the_tour_in_each_language(
    transactional_db, people, org, plan, live_server, browser, shots, monkeypatch, lang
):
    # the personas and the plan are made before the browser's event loop starts
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    run = publish_demo(people["admin"])[-1]
    base = live_server.url
    desktop = browser.new_page(viewport=DESKTOP)
    phone = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    left: dict[str, list[str]] = {}
    logged_in = False
    for name, address, staff in _tour(run, plan):
        if staff and not logged_in:
            for page in (desktop, phone):
                log_in(page, base, "steering")
            logged_in = True
        found = [t for t in english_left(desktop, base + address, lang) if t not in POINT_1]
        if found:
            left[name] = found
        assert desktop.get_attribute("html", "lang") == lang
        desktop.screenshot(path=str(shots / f"lang-{lang}-{name}-desktop.png"), full_page=True)
        assert_accessible(desktop)
        if lang == "ar":
            _assert_right_to_left(desktop, name)
        else:
            assert desktop.get_attribute("html", "dir") == "ltr"
        phone.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        phone.goto(base + address)
        phone.wait_for_load_state("networkidle")
        phone.screenshot(path=str(shots / f"lang-{lang}-{name}-phone.png"), full_page=True)
        # no sideways scrolling on a phone, in either direction
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, (name, lang, overflow)

    # the switch names each language in its own language and keeps the page
    options = desktop.locator("select[name=language] option").all_inner_texts()
    assert options == ["English", "Tiếng Việt", "العربية", "हिन्दी"]
    with desktop.expect_navigation():  # the switch submits itself (site.js)
        desktop.select_option("select[name=language]", "en")
    desktop.wait_for_load_state("networkidle")
    assert desktop.url == base + _tour(run, plan)[-1][1]
    assert desktop.get_attribute("html", "lang") == "en"

    report = "\n".join(f"{page}: {texts}" for page, texts in left.items())
    (shots / f"lang-{lang}-english-left.txt").write_text(report or "none\n")
    if left and lang in PENDING:
        n = sum(len(t) for t in left.values())
        pytest.xfail(f"catalogues land with the merge ({n} English texts left)")
    assert not left, f"English left on {lang} pages:\n{report}"
