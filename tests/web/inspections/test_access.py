"""Who reads what of an inspection, with personas: the team and the body's leaders read
everything; a colleague inspector not on the team does not; the subject unit reads the
conclusion and recommendations once issued; the public reads published conclusions;
an outsider nothing. Every read of a confidential document is logged."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dxscore.web.inspections import access, selectors, work
from dxscore.web.inspections.models import AccessLog
from tests.web.inspections.conftest import issue
from tests.web.support import TODAY


def page(client, inspection):
    return client.get(reverse("inspections:inspection", args=[inspection.pk]))


@pytest.mark.parametrize(
    ("who", "status", "whole"),
    [
        ("lead", 200, True),  # on the team
        ("leader", 200, True),  # leads the inspecting body
        ("inspector", 404, False),  # a colleague inspector, not on the team
        ("owner", 404, False),  # the subject unit, before the conclusion is issued
        ("colleague", 404, False),
        ("outsider", 404, False),
        ("admin", 404, False),  # a platform administrator's role does not open it
    ],
)
def test_before_the_conclusion_only_the_team_and_leaders_read_it(as_user, case, who, status, whole):
    response = page(as_user(who), case["inspection"])
    assert response.status_code == status
    if status == 200:
        assert ("Findings" in response.content.decode()) is whole


@pytest.mark.parametrize(
    ("who", "status", "findings"),
    [
        ("lead", 200, True),
        ("owner", 200, False),  # the subject unit: conclusion and recommendations only
        ("colleague", 404, False),  # sees Bắc Ninh, but is not the subject unit
        ("inspector", 404, False),
        ("outsider", 404, False),
    ],
)
def test_once_issued_the_subject_unit_reads_the_conclusion(as_user, case, who, status, findings):
    issue(case["inspection"])
    response = page(as_user(who), case["inspection"])
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Kết luận" in body and "Thu hồi" in body
        assert ("Record a finding" in body) is findings and ("Team" in body) is findings


def test_every_read_of_a_confidential_document_is_logged(as_user, case, staff, people, settings):
    inspection = case["inspection"]
    inspection.decision_file = SimpleUploadedFile("qd.pdf", b"%PDF-1.4 decision")
    inspection.save()
    page(as_user("lead"), inspection)
    as_user("lead").get(reverse("inspections:decision_file", args=[inspection.pk]))
    assert (
        as_user("owner").get(reverse("inspections:decision_file", args=[inspection.pk])).status_code
        == 404
    )
    issue(inspection)
    page(as_user("owner"), inspection)
    reads = list(AccessLog.objects.order_by("pk").values_list("user__username", "what", "via"))
    assert reads == [
        ("lead", "inspection", "page"),
        ("lead", "decision file", "file"),
        ("owner", "conclusion", "page"),
    ]


def test_the_public_reads_published_conclusions_only(client, case):
    inspection = case["inspection"]
    public = reverse("inspections:public", args=[inspection.pk])
    assert client.get(public).status_code == 404
    assert client.get(reverse("inspections:inspection", args=[inspection.pk])).status_code == 302
    issue(inspection)
    assert client.get(public).status_code == 404  # issued is not published
    inspection.published_on = TODAY
    inspection.save()
    response = client.get(public)
    assert response.status_code == 200 and "Kết luận" in response.content.decode()
    assert "Chánh Thanh tra" not in response.content.decode()  # the decision is not public
    assert "05/KL-TTr" in client.get(reverse("inspections:public_list")).content.decode()
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("owner", True), ("colleague", False), ("outsider", False), ("lead", False)],
)
def test_only_the_addressee_reports_implementation(case, people, who, allowed):
    rec = case["rec"]
    assert not access.can_report(people["owner"], rec)  # not before the conclusion
    issue(case["inspection"])
    rec.refresh_from_db()
    assert access.can_report(people[who], rec) is allowed
    if not allowed:
        with pytest.raises(work.InspectionNotAllowed):
            work.report_implementation(people[who], rec, "done", link="https://x.vn/a")


def test_the_addressee_person_reports_too(case, people):
    issue(case["inspection"])
    rec = case["rec"]
    rec.addressee_person = people["outsider"]
    rec.save()
    assert access.can_report(people["outsider"], rec)
    assert case["inspection"] in selectors.visible_inspections(people["outsider"])


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("lead", True), ("leader", True), ("inspector", False), ("owner", False), ("outsider", False)],
)
def test_the_team_and_leaders_review_reports_never_their_own(case, people, who, allowed):
    issue(case["inspection"])
    report = work.report_implementation(
        people["owner"], case["rec"], "paid back", 40_000_000, link="https://x.vn/a"
    )
    assert access.can_review(people[who], report) is allowed
    if not allowed:
        with pytest.raises(work.InspectionNotAllowed):
            work.review_report(people[who], report, True)


def test_a_team_member_who_reported_does_not_approve_it(case, people):
    issue(case["inspection"])
    rec = case["rec"]
    rec.addressee_person = people["lead"]
    rec.save()
    report = work.report_implementation(people["lead"], rec, "done", 1, link="https://x.vn/a")
    assert not access.can_review(people["lead"], report)
    assert access.can_review(people["leader"], report)


@pytest.mark.parametrize(
    ("who", "sees_draft", "manages"),
    [
        ("leader", True, True),
        ("inspector", True, False),
        ("owner", False, False),
        ("outsider", False, False),
    ],
)
def test_plans(case, people, who, sees_draft, manages):
    plan = case["plan"]
    plan.state = "draft"
    plan.save()
    assert access.can_see_plan(people[who], plan) is sees_draft
    assert access.can_manage_plan(people[who], plan) is manages
    plan.state = "approved"
    plan.save()
    assert access.can_see_plan(people[who], plan)  # an approved plan is read by all


@pytest.mark.parametrize(("who", "allowed"), [("leader", True), ("lead", False), ("owner", False)])
def test_only_leaders_decide_extensions(case, people, who, allowed):
    issue(case["inspection"])
    ext = work.request_extension(
        people["owner"], case["rec"], TODAY.replace(year=TODAY.year + 1), "more time"
    )
    if allowed:
        work.decide_extension(people[who], ext, True)
        assert case["rec"].state(TODAY).deadline == ext.new_deadline
    else:
        with pytest.raises(work.InspectionNotAllowed):
            work.decide_extension(people[who], ext, True)
