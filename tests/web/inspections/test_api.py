"""The inspections API: the same reading rules as the pages (personas), the computed
status, the addressee's report, the figures, and the OpenAPI document."""

from __future__ import annotations

import pytest

from dxscore.web.inspections.models import AccessLog, Inspector
from tests.web.inspections.conftest import issue
from tests.web.support import TODAY, problem


@pytest.fixture
def apis(api, staff):
    return api


@pytest.mark.parametrize(
    ("who", "count", "whole"),
    [("lead", 1, True), ("owner", 1, False), ("colleague", 0, None), ("outsider", 0, None)],
)
def test_reading_inspections(apis, case, who, count, whole):
    issue(case["inspection"])
    body = apis.get("inspections", who).json()
    assert body["count"] == count
    if count:
        item = body["items"][0]
        assert item["whole"] is whole
        assert (item["stages"] is not None) is whole
        assert item["conclusion"] == "Kết luận"
        assert AccessLog.objects.filter(via="api", user__username=who).count() == 1
    one = apis.get(f"inspections/{case['inspection'].pk}", who)
    assert one.status_code == (200 if count else 404)


def test_before_the_conclusion_the_subject_unit_reads_nothing(apis, case):
    assert apis.get("inspections", "owner").json()["count"] == 0
    problem(apis.get(f"inspections/recommendations/{case['rec'].pk}", "owner"), 404)
    assert apis.get("inspections", "lead").json()["items"][0]["current_stage"] == "report"


def test_the_addressee_reports_and_the_status_follows_approval(apis, case, people):
    issue(case["inspection"])
    rec = case["rec"]
    path = f"inspections/recommendations/{rec.pk}/reports"
    body = {"text": "Đã nộp", "recovered": 100_000_000, "evidence_link": "https://x.vn/b"}
    problem(apis.post(path, body, "colleague"), 404)
    Inspector.objects.filter(user__username="lead").delete()
    answer = apis.post(path, body, "owner")
    assert answer.status_code == 201 and answer.json()["review"] == "submitted"
    problem(apis.post(path, {**body, "evidence_link": "ftp://x"}, "owner"), 422)
    problem(apis.post(path, {**body, "extra": 1}, "owner"), 422)
    got = apis.get(f"inspections/recommendations/{rec.pk}", "owner").json()
    assert got["status"] == "in_progress" and got["recovered"] == 0
    from dxscore.web.inspections import work

    work.review_report(people["lead"], rec.reports.get(), True)
    got = apis.get("inspections/recommendations", "owner", mine="true").json()["items"][0]
    assert got["status"] == "implemented" and got["recovered"] == 100_000_000 and got["on_time"]


def test_figures(apis, case):
    issue(case["inspection"])
    rows = apis.get("inspections/figures", "leader", period=str(TODAY.year)).json()
    assert [(r["key"], r["done"], r["amount_recommended"]) for r in rows] == [
        ("27-TT", 1, 100_000_000)
    ]
    assert apis.get("inspections/figures", "outsider", period=str(TODAY.year)).json() == []
    problem(apis.get("inspections/figures", "leader", period="soon"), 422)


def test_the_openapi_document_describes_inspections(apis):
    schema = apis.client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/inspections",
        "/api/v1/inspections/{id}",
        "/api/v1/inspections/figures",
        "/api/v1/inspections/recommendations",
        "/api/v1/inspections/recommendations/{id}/reports",
    ):
        assert path in paths, path
    status = schema["components"]["schemas"]["RecommendationOut"]["properties"]["status"]
    assert "never typed in" in status["description"]
