"""The five-minute tour of the README, in a real browser, against `dxscore demo` itself
(the command `make demo` runs): leaderboard, a scorecard, a what-if, the public-service
dashboard, the resolution's targets and a task. Screenshots go to
``DXSCORE_SCREENSHOTS`` (default: the test's temporary folder)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dxscore.demo.workspace import PASSWORD
from tests.web.support import assert_accessible

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_site(tmp_path):
    """``dxscore demo`` on a fresh workspace (a small number of dossiers), served."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["DXSCORE_HOME"] = str(tmp_path / "demo")
    dx = str(Path(sys.executable).parent / "dxscore")
    log = open(tmp_path / "demo.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [dx, "demo", "--port", str(port), "--dossiers", "20000"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 600
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.time() > deadline:
                log.flush()
                pytest.fail("dxscore demo did not serve:\n" + (tmp_path / "demo.log").read_text())
            time.sleep(1)
        yield base, tmp_path / "demo.log"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def page(tmp_path):
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: `make browser` installs it (Debian package)")
        pytest.skip("chromium is not installed (`make browser` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.console_errors = []
        page.on(
            "console",
            lambda m: page.console_errors.append(m.text) if m.type == "error" else None,
        )
        yield page
        browser.close()


def test_the_readme_tour_of_the_demo(demo_site, page, tmp_path):
    base, log = demo_site
    shots = Path(os.environ.get("DXSCORE_SCREENSHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    printed = log.read_text()
    assert PASSWORD in printed and "steering" in printed  # the log-ins are printed

    # 0. the front page, no log-in: the published indices with their leading units
    page.goto(f"{base}/")
    assert "/accounts/login/" not in page.url
    front = page.inner_text("main")
    assert "Digital transformation scores" in front and "Full ranking" in front
    page.screenshot(path=shots / "tour-0-front.png")
    assert_accessible(page)

    # 1. the public leaderboard: on the 34 provinces by default (the demo lives in 2026),
    # the published 2022 order of the 63 one click away, and what is synthetic
    page.goto(f"{base}/public/vn-dti-2022/2022/")
    assert "34 provinces (map of 1 July 2025)" in page.inner_text("#map-switch")
    assert page.locator("table tbody tr").count() == 34
    page.get_by_role("link", name="63 provinces (map of 2022)").click()
    page.wait_for_load_state("networkidle")
    text = page.inner_text("main")
    assert "synthetic" in text.lower()
    first = page.locator("table tbody tr").first.inner_text()
    assert "Đà Nẵng" in first and "0.8002" in first
    page.screenshot(path=shots / "tour-1-leaderboard.png")
    assert_accessible(page)

    # 2. Lạng Sơn's scorecard: 6th in 2022 (a published rank), 0.6884 on the demo values
    page.get_by_role("link", name="Lạng Sơn").first.click()
    page.wait_for_load_state("networkidle")
    card = page.inner_text("main")
    assert "0.6884" in card and "Lạng Sơn" in card
    page.screenshot(path=shots / "tour-2-scorecard.png")
    assert_accessible(page)
    scorecard = page.url

    # 3. a what-if, as the steering officer
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "steering")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(scorecard)
    page.get_by_role("link", name="What-if simulator").click()
    page.wait_for_load_state("networkidle")
    field = page.locator("input[name='v_dg_activity']")
    field.fill("0.99")
    page.get_by_role("button", name="Recompute").click()
    page.wait_for_load_state("networkidle")
    assert "0.99" in page.locator("input[name='v_dg_activity']").input_value()
    summary = page.inner_text("#whatif-summary")
    assert "0.6884" in summary or "→" in summary
    page.screenshot(path=shots / "tour-3-whatif.png")
    assert_accessible(page)

    # 4. the public-service dashboard of Lạng Sơn, from its synthetic dossiers
    page.get_by_role("link", name="Public services").first.click()
    page.wait_for_load_state("networkidle")
    assert "/dashboards/services/" in page.url
    page.goto(f"{base}/dashboards/services/?unit=20&kind=year&period=2024")
    services = page.inner_text("main")
    assert "Lạng Sơn" in services and "Timeliness" in services
    page.screenshot(path=shots / "tour-4-services.png")
    assert_accessible(page)
    # ... and on to the procedure that costs the most timeliness points, at a district
    page.locator("#t-costly tbody tr").first.locator("a").click()
    page.wait_for_load_state("networkidle")
    assert "it costs the unit" in page.inner_text("#summary")
    page.locator("#t-children tbody tr").first.locator("a").click()
    page.wait_for_load_state("networkidle")
    assert "unit=20-D" in page.url and "received" in page.inner_text("#summary")
    page.screenshot(path=shots / "tour-4b-procedure.png")
    assert_accessible(page)

    # 5. the resolution's targets: 22 of 30 met
    page.goto(f"{base}/plans/")
    page.get_by_role("link", name="49-NQ/TU").first.click()
    page.wait_for_load_state("networkidle")
    assert "22 of 30 targets met" in page.inner_text("main")
    page.screenshot(path=shots / "tour-5-resolution.png")
    assert_accessible(page)

    # 6. a task and its progress
    page.goto(f"{base}/plans/tasks/")
    page.get_by_role("link", name="Build the provincial data centre").first.click()
    page.wait_for_load_state("networkidle")
    task = page.inner_text("main")
    assert "disaster recovery" in task.lower() and "55" in task
    page.screenshot(path=shots / "tour-6-task.png")
    assert_accessible(page)

    assert page.console_errors == []
