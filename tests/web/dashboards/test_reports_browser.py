"""The all-scorecards zip in a real browser: the first click shows at once that the file is
being prepared (no script: the page reloads itself), then that it is ready, and the
download starts by itself."""

from __future__ import annotations

import zipfile

import pytest

from tests.web.support import PROVINCES, open_page, publish_demo

pytestmark = pytest.mark.slow


def test_the_zip_is_prepared_while_a_page_says_so_then_downloads(
    transactional_db, live_server, browser, shots, monkeypatch, tmp_path
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from tests.web.support import make_org, make_person

    make_org()
    admin = make_person("admin", "administrator", superuser=True)
    publish_demo(admin, years=("2022",), provinces=PROVINCES[:3])
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    open_page(page, f"{live_server.url}/public/vn-dti-2022/2022/", errors)
    page.click("text=All scorecards (PDF, zip)")
    page.wait_for_load_state()
    assert "Your file is being prepared" in page.inner_text("h1")
    page.screenshot(path=str(shots / "zip-preparing.png"), full_page=True)
    open_page(page, page.url, errors)  # the page passes axe too
    with page.expect_download(timeout=120_000) as download:
        page.wait_for_selector("text=Your file is ready", timeout=120_000)
    page.screenshot(path=str(shots / "zip-ready.png"), full_page=True)
    saved = tmp_path / "scorecards.zip"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "scorecards-vn-dti-2022-2022.zip"
    assert len(zipfile.ZipFile(saved).namelist()) == 3
    assert not errors
