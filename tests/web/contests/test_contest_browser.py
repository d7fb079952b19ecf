"""In a real browser, on a phone-sized screen in Vietnamese: a citizen joins with the
code from the e-mail, takes the round (answers saved one by one, a reload resumes them),
submits and sees the result; then the organiser closes the round and publishes the
results. Screenshots go to ``DXSCORE_SCREENSHOTS``."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.web.support import log_in

pytestmark = pytest.mark.slow


def test_a_citizen_takes_a_round_on_a_phone_and_the_organiser_publishes(
    transactional_db, live_server, browser, shots, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.core import mail
    from django.utils import timezone

    from dxscore.web.contests.models import Attempt, Contest, Round
    from dxscore.web.orgs.models import Role
    from tests.web.contests.conftest import make_questions
    from tests.web.support import make_org, make_person

    org = make_org()
    organiser = make_person("organiser", Role.VIEWER, org.bac_ninh, org.bac_ninh)
    contest = Contest.objects.create(
        slug="cds",
        title="Tìm hiểu chuyển đổi số",
        organiser_unit=org.bac_ninh,
        rules_text="Mỗi người một lượt mỗi vòng.",
        retention_until=timezone.localdate() + dt.timedelta(days=90),
    )
    contest.organisers.add(organiser)
    make_questions(contest)
    now = timezone.now()
    r = Round.objects.create(
        contest=contest,
        number=1,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=1),
        time_limit_seconds=600,
        quotas=[{"count": 2, "category": "dx"}, {"count": 2, "category": "cchc"}],
    )
    base = live_server.url
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.goto(f"{base}/contests/cds/")
    page.select_option("select[name=language]", "vi")
    page.wait_for_selector("text=Gửi mã cho tôi")
    page.fill("input[name=name]", "Nguyễn Thị Hoa")
    page.fill("input[name=identity]", "hoa@example.vn")
    page.select_option("select[name=unit]", str(org.d256.pk))
    page.screenshot(path=shots / "contest-join-phone.png", full_page=True)
    page.click("text=Gửi mã cho tôi")
    page.wait_for_selector("text=Xác nhận liên lạc của bạn")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.fill("input[name=code]", code)
    page.click("button:has-text('Xác nhận')")
    page.wait_for_selector("text=Bắt đầu làm bài")
    page.click("text=Bắt đầu làm bài")
    page.wait_for_selector("#attempt-form")
    labels = page.locator("fieldset.question")
    assert labels.count() == 4
    labels.nth(0).locator("label.option").first.click()
    page.wait_for_selector("text=Đã lưu: đã trả lời 1 câu")
    labels.nth(1).locator("label.option").nth(1).click()
    page.wait_for_selector("text=Đã lưu: đã trả lời 2 câu")
    page.screenshot(path=shots / "contest-attempt-phone.png", full_page=True)
    page.reload()  # a dropped connection: the answers are still there
    assert page.locator("input:checked").count() == 2
    attempt = Attempt.objects.get()
    assert attempt.answers.count() == 2
    page.fill("#prediction", "12")
    page.click("text=Nộp bài")
    page.wait_for_selector("#score")
    page.screenshot(path=shots / "contest-result-phone.png", full_page=True)
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.prediction == 12
    assert page.locator(".option.right").count() >= 4
    phone.close()

    Round.objects.filter(pk=r.pk).update(closes_at=timezone.now())
    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(desk, base, "organiser")
    desk.goto(f"{base}/contests/cds/manage/")
    desk.screenshot(path=shots / "contest-manage.png", full_page=True)
    desk.click("#manage-round-1 button:has-text('Publish the results')")
    desk.wait_for_selector("text=Results of round 1 published.")
    assert "Nguyễn Thị Hoa" in desk.locator("#ranking").inner_text()
    desk.screenshot(path=shots / "contest-results.png", full_page=True)
    r.refresh_from_db()
    assert r.results_published_at is not None
