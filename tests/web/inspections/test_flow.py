"""The whole round through the pages: plan -> inspection -> finding -> recommendation ->
conclusion -> the addressee reports with evidence -> approval -> status and figures."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dxscore.web.inspections import figures
from dxscore.web.inspections.models import Inspection, InspectionPlan, Recommendation
from tests.web.support import TODAY, page_rows


def day(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def test_plan_inspection_recommendation_follow_up_status_and_figures(as_user, org, body, staff):
    leader = as_user("leader")
    r = leader.post(
        reverse("inspections:plans"), {"body": body.pk, "year": TODAY.year, "title": "KH"}
    )
    plan = InspectionPlan.objects.get()
    assert r.status_code == 302 and plan.state == "draft"
    leader.post(
        reverse("inspections:plan", args=[plan.pk]),
        {
            "number": 1,
            "topic": "Chi ngân sách",
            "subjects": [org.d256.pk],
            "period_inspected": "2024",
            "quarter": 1,
        },
    )
    leader.post(reverse("inspections:plan_state", args=[plan.pk]), {"action": "approve"})
    plan.refresh_from_db()
    assert plan.state == "approved" and plan.history.count() >= 2
    item = plan.items.get()
    response = leader.post(
        reverse("inspections:new"),
        {
            "body": body.pk,
            "planned": item.pk,
            "topic": "Chi ngân sách",
            "scope": "2024",
            "subjects": [org.d256.pk],
            "decision_number": "1/QĐ",
            "decided_on": day(50),
            "signer": "Chánh Thanh tra",
            "time_limit_days": 30,
            "lead": staff["lead"].pk,
            "lead_conflict": "",
            "decision_file": SimpleUploadedFile("qd.pdf", b"%PDF-1.4\n%decision"),
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302, response.content[:2000]
    assert inspection.decision_file and inspection.team.get().role == "lead"
    lead = as_user("lead")
    change = reverse("inspections:change", args=[inspection.pk])
    for stage, n in (("announcement", 48), ("onsite", 30), ("report", 25), ("draft", 20)):
        lead.post(change, {"action": "stage", "stage": stage, "day": day(n)})
    lead.post(
        change,
        {
            "action": "finding",
            "kind": "financial",
            "description": "Chi sai",
            "amount": 80_000_000,
            "responsible_unit": org.d256.pk,
        },
    )
    lead.post(
        change,
        {
            "action": "recommendation",
            "kind": "financial",
            "text": "Thu hồi 80 triệu",
            "addressee_unit": org.d256.pk,
            "amount": 80_000_000,
            "deadline": (TODAY + dt.timedelta(days=20)).isoformat(),
            "finding": inspection.findings.get().pk,
        },
    )
    lead.post(change, {"action": "conclusion", "number": "9/KL", "text": "Kết luận thanh tra"})
    lead.post(change, {"action": "stage", "stage": "conclusion", "day": day(10)})
    inspection.refresh_from_db()
    assert inspection.concluded_on == TODAY - dt.timedelta(days=10)
    state = inspection.progress(TODAY)
    assert state.current == "publication" and state.on_time
    rec = Recommendation.objects.get()
    rows = page_rows(lead.get(reverse("inspections:inspection", args=[inspection.pk])))
    assert rows["rec-1"][-1] == "in progress"
    before = figures.for_body_staff(staff["leader"], str(TODAY.year), "all")[""]
    assert (before.planned, before.done, before.recommendations, before.amount_recovered) == (
        1,
        1,
        1,
        0,
    )

    # the subject unit reports with evidence; the team lead approves
    owner = as_user("owner")
    url = reverse("inspections:recommendation_change", args=[rec.pk])
    owner.post(
        url,
        {
            "action": "report",
            "text": "Đã nộp",
            "recovered": 80_000_000,
            "evidence_file": SimpleUploadedFile("bien-lai.pdf", b"%PDF-1.4\n%receipt"),
        },
    )
    report = rec.reports.get()
    assert report.state == "submitted" and report.evidence_file
    assert owner.post(url, {"action": "approve", "report": report.pk}).status_code == 403
    lead = as_user("lead")  # one test client: log in again
    lead.post(url, {"action": "approve", "report": report.pk})
    report.refresh_from_db()
    assert report.state == "approved"
    rows = page_rows(lead.get(reverse("inspections:inspection", args=[inspection.pk])))
    assert rows["rec-1"][-1] == "implemented"
    after = figures.for_body_staff(staff["leader"], str(TODAY.year), "all")[""]
    assert after.amount_recovered == 80_000_000 and after.by_status["implemented"] == 1
    dashboard = page_rows(as_user("leader").get(reverse("inspections:dashboard")))
    assert dashboard["body-27-TT"][1:5] == ["1", "1", "1", "1"]
    assert dashboard["subject-256"][7] == "80,000,000"  # a count, grouped (|count)


def test_a_follow_up_inspection_takes_the_unimplemented_recommendations(as_user, case, org):
    from tests.web.inspections.conftest import issue

    inspection, rec = case["inspection"], case["rec"]
    issue(inspection, days_ago=60)
    rec.deadline = TODAY - dt.timedelta(days=5)
    rec.save()
    leader = as_user("leader")
    r = leader.post(
        reverse("inspections:change", args=[inspection.pk]),
        {"action": "follow_up", "decision_number": "2/QĐ", "signer": "Chánh Thanh tra", "days": 20},
    )
    follow = Inspection.objects.get(follow_up_of=inspection)
    assert r.status_code == 302 and list(follow.subjects.all()) == [org.d256]
    assert "Thu hồi" in follow.scope and follow.team.get().user.username == "lead"
