"""The public-service dashboard in a real browser (headless Chromium through Playwright),
on measures the worker computed from an imported dossier file: from the province to its
procedures, to one procedure, to that procedure at a district. Key numbers equal the
stored measures; charts are drawn by the bundled Plotly; no console errors. Screenshots
go to ``DXSCORE_SCREENSHOTS`` (default: the test's temporary folder)."""

from __future__ import annotations

import pytest

from tests.web.support import log_in, open_page

pytestmark = pytest.mark.slow

HEADER = "dossier_id,unit,procedure,service_level,channel,received_at,due_at,finished_at,status\n"


def _dossiers() -> str:
    """Districts 256 and 257 in 2024: three procedures with different delays."""
    rows = []
    plan = {  # procedure: (unit, dossiers, days taken, days allowed)
        "1.001": [("256", 12, 2, 5), ("257", 6, 3, 5)],
        "1.002": [("256", 8, 9, 7), ("257", 4, 6, 7)],  # 256 is late on every one
        "1.003": [("257", 5, 1, 3)],
    }
    n = 0
    for procedure, parts in plan.items():
        for unit, count, taken, allowed in parts:
            for i in range(count):
                n += 1
                day = 1 + i % 25
                rows.append(
                    f"x{n},{unit},{procedure},full,{'online' if i % 2 else 'in_person'},"
                    f"2024-03-{day:02d} 08:00,2024-03-{day:02d} 08:00 +{allowed}d,"
                    f"2024-03-{day:02d} 09:00 +{taken}d,finished\n"
                )
    return HEADER + "".join(_shift(r) for r in rows)


def _shift(row: str) -> str:
    """Resolve the '+Nd' shorthand into real timestamps."""
    import datetime as dt

    cells = row.rstrip("\n").split(",")
    for k in (6, 7):
        stamp, plus = cells[k].split(" +")
        when = dt.datetime.fromisoformat(stamp) + dt.timedelta(days=int(plus[:-1]))
        cells[k] = when.strftime("%Y-%m-%d %H:%M")
    return ",".join(cells) + "\n"


def test_services_dashboard_drills_down_to_procedures_in_a_browser(
    transactional_db,
    live_server,
    browser,
    shots,
    monkeypatch,
    settings,
    tmp_path,
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from dxscore.dossiers import Store
    from dxscore.web.dossierdata import worker
    from dxscore.web.dossierdata.models import ProcedureMeasure
    from tests.web.support import build

    settings.DXSCORE_DOSSIER_STORE = tmp_path / "store"
    build()
    from django.contrib.auth import get_user_model

    steering = get_user_model().objects.get(username="steering")
    source = tmp_path / "dossiers.csv"
    source.write_text(_dossiers(), encoding="utf-8")
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text(
        "procedure,unit,name,service_level\n"
        "1.001,256,Đăng ký khai sinh,full\n"
        "1.002,256,Cấp giấy phép xây dựng,full\n"
        "1.003,257,Chứng thực bản sao,full\n",
        encoding="utf-8",
    )
    store = Store(settings.DXSCORE_DOSSIER_STORE, create=True)
    store.import_files([source])
    store.import_catalogue([catalogue])
    worker.queue_measures(steering)
    assert worker.run_pending() == 1

    def stored(unit, procedure):
        return ProcedureMeasure.objects.get(
            unit__code=unit, procedure=procedure, kind="year", period="2024"
        )

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server.url, "steering")

    # the dashboard: the province and its districts, and its costliest procedures
    open_page(page, f"{live_server.url}/dashboards/services/?unit=27&kind=year", errors)
    page.wait_for_selector("#chart-services-trend[data-drawn] .main-svg")
    costly = page.locator("#t-costly tbody tr")
    assert costly.count() == 3
    assert "1.002" in costly.first.inner_text()
    assert "Cấp giấy phép xây dựng" in costly.first.inner_text()
    page.screenshot(path=str(shots / "s1-services.png"), full_page=True)

    # every procedure of the province, with the points lost adding up
    page.click("text=All 3 procedures, with every measure and downloads")
    page.wait_for_load_state("networkidle")
    rows = page.locator("#t-procedures tbody tr")
    assert rows.count() == 3
    p2 = stored("27", "1.002")
    assert p2.late == 8  # 256's eight dossiers of 1.002 took 9 days of 7
    assert f"{p2.late}" in rows.first.inner_text()
    page.fill("input[name=q]", "chung thuc")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator("#t-procedures tbody tr").count() == 1
    assert "Chứng thực bản sao" in page.inner_text("#t-procedures")
    page.goto(f"{live_server.url}/dashboards/services/procedures/?unit=27&kind=year")
    page.screenshot(path=str(shots / "s2-procedures.png"), full_page=True)

    # one procedure: its trend and the districts, most late first
    page.click("#t-procedures tbody tr:first-child td a")
    page.wait_for_selector("#chart-procedure-trend[data-drawn] .main-svg")
    children = page.locator("#t-children tbody tr")
    assert children.count() == 2
    assert "TP. Bắc Ninh" in children.first.inner_text()
    assert str(stored("256", "1.002").late) in children.first.inner_text()
    assert not errors, errors
    page.screenshot(path=str(shots / "s3-procedure.png"), full_page=True)

    # on to the procedure at the district
    children.first.locator("a").click()
    page.wait_for_load_state("networkidle")
    assert "unit=256" in page.url
    summary = page.inner_text("#summary")
    assert "8 received, 8 late" in summary and "0.0%" in summary
    page.screenshot(path=str(shots / "s4-procedure-district.png"), full_page=True)
    assert not errors, errors
    page.close()
