"""The pages no other browser test opens, under the Content-Security-Policy, in a real
browser (headless Chromium through Playwright): the API's Swagger UI, the set-up pages
(Django admin), the unit tree, the calendar subscription; and what moved from inline
handlers to site.js still works (the language selector, the subscription field). The
``browser`` fixture fails the test on any console error or CSP violation."""

from __future__ import annotations

import pytest

from tests.web.support import log_in, open_page

pytestmark = pytest.mark.slow


def test_the_remaining_pages_pass_the_policy_in_a_browser(
    transactional_db,
    live_server,
    browser,
    shots,
    monkeypatch,
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from tests.web.support import build, make_person

    build()
    make_person("admin", "administrator", superuser=True)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = browser.errors

    # the API's documentation: Swagger UI draws every operation from the site's own files
    # Swagger UI is third-party (django-ninja ships it): its own contrast, lang and nested
    # buttons are not ours to fix, so axe is not run on it (docs/accessibility.md)
    open_page(page, f"{base}/api/v1/docs", errors, accessible=False)
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() > 5
    page.locator(".swagger-ui .opblock-summary").first.click()  # opens, with its styles
    page.wait_for_selector(".swagger-ui .opblock.is-open")
    page.screenshot(path=str(shots / "csp-1-api-docs.png"))

    # the language selector submits its form when changed (site.js)
    open_page(page, f"{base}/accounts/login/", errors)
    with page.expect_navigation():
        page.select_option("select[name=language]", "vi")
    assert page.get_attribute("html", "lang") == "vi"
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.get_attribute("html", "lang") == "en"

    log_in(page, base, "admin")
    open_page(page, f"{base}/units/", errors)
    indent = page.locator("td.indent-2").first
    assert indent.evaluate("el => parseFloat(getComputedStyle(el).paddingLeft)") > 30
    page.screenshot(path=str(shots / "csp-2-units.png"))

    # the subscription address is selected whole on a click (site.js)
    open_page(page, f"{base}/plans/tasks/calendar.ics?subscribe=1", errors)
    field = page.locator("input[data-select-all]")
    field.click()
    selected = field.evaluate("el => [el.selectionStart, el.selectionEnd, el.value.length]")
    assert selected[0] == 0 and selected[1] == selected[2] > 0

    # the set-up pages: Django admin's own scripts and styles (Django's pages and their
    # select2 widgets: axe is not run on them, docs/accessibility.md)
    open_page(page, f"{base}/admin/", errors, accessible=False)
    open_page(page, f"{base}/admin/orgs/unit/", errors, accessible=False)
    open_page(page, f"{base}/admin/orgs/unit/add/", errors, accessible=False)
    page.screenshot(path=str(shots / "csp-3-admin-add-unit.png"))
    page.close()
