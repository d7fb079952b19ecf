"""In a real browser, on a phone, in Vietnamese: a business asks for a code, fills the
self-assessment (a follow-up question appears when its answer calls for it, the draft is
saved as it goes), submits, reads its result, and the province's figure for its commune
changes (from suppressed to shown). Screenshots go to ``DXSCORE_SCREENSHOTS``."""

from __future__ import annotations

import re

import pytest

from tests.web.support import log_in

pytestmark = pytest.mark.slow

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "locale": "vi-VN",
    "is_mobile": True,
    "has_touch": True,
}


def test_a_business_fills_the_self_assessment_on_a_phone(
    transactional_db, live_server, browser, shots, monkeypatch, settings
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.core import mail
    from django.test import Client

    from dxscore.web.assessments import work
    from dxscore.web.assessments.models import Questionnaire, Sheet
    from dxscore.web.orgs.models import Level, Role, Unit
    from tests.web.assessments.conftest import FULL, register
    from tests.web.support import make_org, make_person

    settings.DXSCORE_SURVEY_MIN_COUNT = 3
    settings.DXSCORE_SURVEY_RATE = "1000/hour"
    org = make_org()
    level = Level.objects.create(name="commune", depth=3)
    commune = Unit.objects.create(
        code="256-01", name="Phường Suối Hoa", level=level, parent=org.d256
    )
    make_person("colleague", Role.DATA_OFFICER, org.d257, org.bac_ninh)
    work.ensure_builtins()
    work.open_period(Questionnaire.objects.get(code="dbi-business", active=True), "2025")
    for i in range(2):  # two businesses answered already: too few to show a mean
        c = Client()
        url = register(c, commune, tax_code=f"01012345{i:02d}", email=f"b{i}@dn.vn")
        assert c.post(url, {**FULL, "submit": "1"}).status_code == 302
    base = live_server.url

    staff = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(staff, base, "colleague")
    staff.goto(f"{base}/assessments/dbi-business/?period=2025")
    row = "#unit-256-01"
    assert staff.inner_text(f"{row} td[data-measure=responses]") == "2"
    assert staff.inner_text(f"{row} td[data-measure=score]") == "–"
    staff.screenshot(path=str(shots / "assess-1-staff-before.png"), full_page=True)

    phone = browser.new_page(**PHONE)
    phone.goto(f"{base}/survey/")
    phone.click("#surveys a[href='/survey/dbi-business/']")
    phone.fill("input[name=tax_code]", "0109876543")
    phone.fill("input[name=name]", "Công ty TNHH Hoa Mai")
    phone.fill("input[name=email]", "chu@hoamai.vn")
    phone.select_option("select[name=sector]", "trade")
    phone.select_option("select[name=size]", "small")
    phone.select_option("select[name=commune]", str(commune.pk))
    phone.screenshot(path=str(shots / "assess-2-phone-start.png"), full_page=True)
    phone.click("#start button[type=submit]")
    phone.wait_for_selector("#confirm")
    code = re.search(r"(\d{6})", mail.outbox[-1].subject).group(1)
    phone.fill("input[name=code]", code)
    phone.click("#confirm button[type=submit]")
    phone.wait_for_selector("#sheet")
    assert "Khách hàng có thể tìm" in phone.inner_text("#q-c_channels")
    # skip logic: the budget question shows only with a plan
    assert not phone.is_visible("#q-s_plan_budget")
    phone.check("#q-s_has_plan input[value=yes]")
    assert phone.is_visible("#q-s_plan_budget")
    phone.check("#q-s_plan_budget input[value=some]")
    # the draft is saved as the person answers
    phone.check("#q-c_payment input[value=cashless]")
    phone.wait_for_selector("#sheet[data-pending='0']", state="attached")
    phone.wait_for_selector("#saved:not(:empty)")
    sheet = Sheet.objects.get(respondent__tax_code="0109876543")
    assert sheet.answers.get("c_payment") == "cashless"
    phone.screenshot(path=str(shots / "assess-3-phone-sheet.png"), full_page=False)
    for name, value in FULL.items():
        if name in ("s_has_plan", "c_payment"):
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            phone.check(f"#q-{name} input[value='{v}']")
    phone.wait_for_selector("#sheet[data-pending='0']", state="attached")
    phone.click("#submit")
    phone.wait_for_selector("#level")
    assert phone.locator("#pillars tr").count() == 7  # a header and six pillars
    assert phone.locator("#recommendations li").count() >= 1
    phone.screenshot(path=str(shots / "assess-4-phone-result.png"), full_page=True)
    sheet.refresh_from_db()
    assert sheet.state == "submitted"

    staff.goto(f"{base}/assessments/dbi-business/?period=2025")
    assert staff.inner_text(f"{row} td[data-measure=responses]") == "3"
    shown = staff.inner_text(f"{row} td[data-measure=score]")
    assert shown != "–"
    from dxscore.web.assessments.models import Sheet as S

    mean = sum(s.score for s in S.objects.filter(state="submitted")) / 3
    assert float(shown) == pytest.approx(mean, abs=0.05)
    staff.screenshot(path=str(shots / "assess-5-staff-after.png"), full_page=True)

    # on a phone a unit's figures take a line or two: its sheets, response rate and mean
    # score; the pillars and levels are on a wider screen and in the downloads
    narrow = browser.new_page(**PHONE)
    log_in(narrow, base, "colleague")
    narrow.goto(f"{base}/assessments/dbi-business/?period=2025")
    assert narrow.locator(".on-phone").is_visible()
    assert narrow.locator(f"{row} td[data-measure=responses]").is_visible()
    assert not narrow.locator(f"{row} td.detail").first.is_visible()
    assert narrow.locator(row).bounding_box()["height"] < 120
    assert not staff.locator(".on-phone").is_visible()
    narrow.screenshot(path=str(shots / "assess-6-phone-staff.png"), full_page=True)
