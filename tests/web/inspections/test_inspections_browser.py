"""In a real browser: the team lead records a finding and a recommendation and issues the
conclusion; the addressee reports with evidence; the lead approves; the status and the
dashboard's figures change. Screenshots go to ``DXSCORE_SCREENSHOTS``."""

from __future__ import annotations

import pytest

from tests.web.support import TODAY, log_in, log_out

pytestmark = pytest.mark.slow


def test_finding_recommendation_report_status_and_figures(
    transactional_db, live_server, browser, shots, monkeypatch, tmp_path
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import datetime as dt

    from dxscore.web.inspections.models import Inspection, Inspector, TeamMember
    from dxscore.web.orgs.models import Level, Role, Unit
    from tests.web.support import make_org, make_person

    org = make_org()
    level = Level.objects.create(name="department", depth=2)
    body = Unit.objects.create(
        code="27-TT", name="Thanh tra tỉnh", level=level, parent=org.bac_ninh
    )
    lead = make_person("lead", Role.VIEWER, body, body)
    make_person("owner", Role.DATA_OFFICER, org.d256, org.d256)
    Inspector.objects.create(user=lead, body=body, leader=True)
    decided = TODAY - dt.timedelta(days=40)
    inspection = Inspection.objects.create(
        body=body,
        topic="Chi ngân sách",
        scope="2024",
        decision_number="7/QĐ-TTr",
        decided_on=decided,
        signer="Chánh Thanh tra",
        time_limit_days=30,
        announced_on=decided + dt.timedelta(days=1),
        onsite_ended_on=decided + dt.timedelta(days=20),
        reported_on=decided + dt.timedelta(days=25),
        drafted_on=decided + dt.timedelta(days=30),
    )
    inspection.subjects.add(org.d256)
    TeamMember.objects.create(inspection=inspection, user=lead, role="lead", declared_on=decided)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, base, "lead")
    page.goto(f"{base}/inspections/{inspection.pk}/")
    page.click("text=Record a finding")
    page.select_option("#add-finding select[name=kind]", "financial")
    page.fill("#add-finding textarea[name=description]", "Chi vượt định mức")
    page.fill("#add-finding input[name=amount]", "50000000")
    page.click("button[value=finding]")
    page.wait_for_selector("text=Finding recorded.")
    page.click("text=Record a recommendation")
    form = "#add-recommendation"
    page.select_option(f"{form} select[name=kind]", "financial")
    page.fill(f"{form} textarea[name=text]", "Thu hồi 50 triệu đồng")
    page.select_option(f"{form} select[name=addressee_unit]", str(org.d256.pk))
    page.fill(f"{form} input[name=amount]", "50000000")
    page.fill(f"{form} input[name=deadline]", (TODAY + dt.timedelta(days=30)).isoformat())
    page.click("button[value=recommendation]")
    page.wait_for_selector("text=Recommendation recorded.")
    page.click("text=Write the conclusion")
    page.fill("input[name=number]", "3/KL-TTr")
    page.fill("textarea[name=text]", "Kết luận: chi sai 50 triệu đồng.")
    page.click("button[value=conclusion]")
    page.wait_for_selector("text=Conclusion saved.")
    page.select_option("select[name=stage]", "conclusion")
    page.fill("input[name=day]", TODAY.isoformat())
    page.click("button[value=stage]")
    page.wait_for_selector("text=Stage recorded.")
    assert page.inner_text("#rec-1 td:last-child") == "in progress"
    page.screenshot(path=str(shots / "inspection-1-issued.png"), full_page=True)
    page.goto(f"{base}/inspections/?period={TODAY.year}")
    assert page.inner_text("#subject-256 td:nth-child(8)") == "0"
    log_out(page)

    # the subject unit reports with evidence
    log_in(page, base, "owner")
    page.goto(f"{base}/inspections/")
    page.click("#mine a")
    evidence = tmp_path / "bien-lai.pdf"
    evidence.write_bytes(b"%PDF-1.4\n%receipt\n")
    page.fill("#report-form textarea[name=text]", "Đã nộp ngân sách")
    page.fill("#report-form input[name=recovered]", "50000000")
    page.set_input_files("#report-form input[name=evidence_file]", str(evidence))
    page.click("#report-form button[value=report]")
    page.wait_for_selector("text=Implementation reported")
    page.screenshot(path=str(shots / "inspection-2-reported.png"), full_page=True)
    log_out(page)

    # the lead approves: the status and the figures change
    log_in(page, base, "lead")
    page.goto(f"{base}/inspections/recommendations/{inspection.recommendations.get().pk}/")
    page.click("button[value=approve]")
    page.wait_for_selector("text=Report approved.")
    assert "implemented" in page.inner_text("#status")
    page.screenshot(path=str(shots / "inspection-3-implemented.png"), full_page=True)
    page.goto(f"{base}/inspections/?period={TODAY.year}")
    assert page.inner_text("#subject-256 td:nth-child(8)") == "50,000,000"
    page.screenshot(path=str(shots / "inspection-4-figures.png"), full_page=True)
