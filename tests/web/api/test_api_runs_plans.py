"""Score runs and plans through the API: runs computed and published by the steering
office, public once published; targets with their computed status, tasks and progress
reports under the plans app's access rules."""

from __future__ import annotations

import datetime as dt

import pytest

from dxscore.web.plans.models import ProgressUpdate, Task
from dxscore.web.scores.models import ScoreRun
from tests.web.support import TODAY, approved, problem


@pytest.fixture
def scored(people, methodology, periods, org):
    p = periods["2024"]
    approved(people, methodology, p, org.d256, online=60, ontime=90)
    approved(people, methodology, p, org.d257, online=30, ontime=60)
    return p


def test_the_steering_office_computes_and_publishes_a_run(api, scored):
    body = {"methodology": "test-districts", "period": "2024"}
    problem(api.post("runs", body, "owner"), 403)
    created = api.post("runs", body, "steering")
    assert created.status_code == 201
    run = created.json()
    assert run["number"] == 1 and not run["published"] and run["created_by"] == "steering"
    assert run["methodology_digest"] and len(run["input_hash"]) == 64
    # unpublished: the steering office sees it, a data officer does not
    assert api.get("runs", "steering").json()["count"] == 1
    assert api.get("runs", "owner").json()["count"] == 0
    problem(api.get(f"runs/{run['id']}", "owner"), 404)
    published = api.post(f"runs/{run['id']}/publish", {}, "steering").json()
    assert published["published"] and published["published_at"]
    problem(api.post(f"runs/{run['id']}/publish", {}, "steering"), 409)
    assert ScoreRun.objects.get().published
    # published runs are public: any token reads them and their results
    assert api.get("runs", "outsider", published=True).json()["count"] == 1
    results = api.get(f"runs/{run['id']}/results", "outsider", node="index").json()
    assert [(r["unit"], r["score"], r["rank"]) for r in results["items"]] == [
        ("256", 70.0, 1),
        ("257", 40.0, 2),
    ]
    assert api.get(f"runs/{run['id']}/results", "owner", unit="257").json()["count"] == 3


def test_a_run_without_approved_values_is_a_problem(api, methodology, periods):
    body = {"methodology": "test-districts", "period": "2023"}
    answer = problem(api.post("runs", body, "steering"), 422)
    assert "no approved values" in answer["detail"]
    assert (
        problem(api.post("runs", {**body, "period": "1990"}, "steering"), 422)["errors"][0]["field"]
        == "period"
    )


def test_runs_are_filtered_by_methodology_period_and_state(api, scored):
    body = {"methodology": "test-districts", "period": "2024"}
    first = api.post("runs", body, "steering").json()
    api.post(f"runs/{first['id']}/publish", {}, "steering")
    second = api.post("runs", body, "steering").json()
    assert second["previous"] == first["id"] and second["number"] == 2
    listed = api.get("runs", "steering", published=False).json()["items"]
    assert [r["id"] for r in listed] == [second["id"]]
    assert api.get("runs", "steering", methodology="other").json()["count"] == 0
    assert api.get("runs", "steering", period="2024").json()["count"] == 2


def test_targets_come_with_their_computed_status(api, plan, org, people, methodology, periods):
    from dxscore.web.data.models import Indicator, Period, Status, Value

    last_year = Period.objects.create(code=str(TODAY.year - 1))
    Value.objects.create(
        unit=org.d256,
        indicator=Indicator.objects.get(code="online"),
        period=last_year,
        value=75,
        status=Status.APPROVED,
    )
    targets = api.get("targets", "colleague").json()["items"]
    assert [(t["number"], t["status"]) for t in targets] == [(1, "met"), (2, "no_data")]
    first = targets[0]
    assert first["latest_value"] == 75 and first["latest_period"] == str(TODAY.year - 1)
    assert first["unit"] == "256" and first["indicator"] == "online" and first["reason"]
    assert [t["number"] for t in api.get("targets", "colleague", status="met").json()["items"]] == [
        1
    ]
    one = api.get(f"targets/{plan['t2'].pk}", "owner").json()
    assert one["indicator"] is None and one["pillar"] == "gov"
    # Lào Cai's staff do not see Bắc Ninh's resolution at all
    assert api.get("targets", "outsider").json()["count"] == 0
    problem(api.get(f"targets/{plan['t1'].pk}", "outsider"), 404)
    assert api.get("resolutions", "outsider").json()["count"] == 0
    resolution = api.get("resolutions", "owner").json()["items"][0]
    assert resolution["code"] == "52-NQ/TU" and resolution["pillars"][0]["code"] == "gov"


def test_tasks_are_listed_with_their_status_and_filters(api, plan):
    tasks = api.get("tasks", "colleague").json()["items"]
    assert [(t["number"], t["status"]) for t in tasks] == [(2, "overdue"), (1, "not_started")]
    assert [t["number"] for t in api.get("tasks", "colleague", owner="256").json()["items"]] == [1]
    overdue = api.get("tasks", "colleague", status="overdue").json()
    assert overdue["count"] == 1 and overdue["items"][0]["owner"] == "257"
    assert [t["number"] for t in api.get("tasks", "owner", mine=True).json()["items"]] == [1]
    due_soon = api.get("tasks", "colleague", due_from=TODAY.isoformat()).json()["items"]
    assert [t["number"] for t in due_soon] == [1]
    assert api.get("tasks", "outsider").json()["count"] == 0
    one = api.get(f"tasks/{plan['task1'].pk}", "owner").json()
    assert one["targets"] == [plan["t1"].pk] and one["expected_result"] == "Every procedure online"


def test_the_owner_unit_reports_progress_and_others_may_not(api, plan):
    task = plan["task1"]
    report = {"percent": 40, "text": "Half the procedures connected"}
    created = api.post(f"tasks/{task.pk}/progress", report, "owner")
    assert created.status_code == 201
    assert created.json()["percent"] == 40 and created.json()["reported_by"] == "owner"
    assert Task.objects.get(pk=task.pk).percent == 40
    # a colleague of another district reads the task but does not report on it
    problem(api.post(f"tasks/{task.pk}/progress", report, "colleague"), 403)
    # an outsider does not even see it
    problem(api.post(f"tasks/{task.pk}/progress", report, "outsider"), 404)
    done = {"percent": 100, "text": "All connected", "evidence_link": "https://portal.vn/r"}
    api.post(f"tasks/{task.pk}/progress", done, "owner")
    assert api.get(f"tasks/{task.pk}", "owner").json()["status"] == "done"
    listed = api.get(f"tasks/{task.pk}/progress", "colleague").json()["items"]
    assert [u["percent"] for u in listed] == [100, 40]
    assert ProgressUpdate.objects.count() == 2


def test_progress_reports_are_checked(api, plan):
    url = f"tasks/{plan['task1'].pk}/progress"
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    cases = [
        ({"percent": 120, "text": "x"}, "percent"),
        ({"percent": 10, "text": "   "}, "text"),
        ({"percent": 10, "text": "x", "reported_on": tomorrow}, "reported_on"),
        # a number is not a date (it was read as seconds since 1970: 1970-01-01)
        ({"percent": 10, "text": "x", "reported_on": 0}, "reported_on"),
        ({"percent": 10, "text": "x", "reported_on": "0"}, "reported_on"),
        ({"percent": 10, "text": "x", "evidence_link": "ftp://files"}, "evidence_link"),
    ]
    for body, field in cases:
        errors = problem(api.post(url, body, "owner"), 422)["errors"]
        assert errors[0]["field"] == field, body
    for query in ("units?valid_on=0", "units?valid_on=20250701", "tasks?due_from=0"):
        problem(api.get(query, "owner"), 422)
    assert api.get("units?valid_on=2025-07-01", "owner").status_code == 200
    plan["task1"].cancelled_on = TODAY
    plan["task1"].save()
    problem(api.post(url, {"percent": 10, "text": "late news"}, "owner"), 409)
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize("persona", ["owner", "colleague", "outsider", "steering", "admin"])
def test_the_tasks_page_the_feed_and_the_api_list_the_same_tasks(api, plan, people, persona):
    """One selector for every reader: for an administrator the page listed 2 tasks as
    "mine" and the API 0 (the API read the entry scope directly, the page its root)."""
    from django.test import Client
    from django.urls import reverse
    from icalendar import Calendar

    from dxscore.web.plans import ical

    browser = Client()
    browser.force_login(people[persona])
    for mine in (False, True):
        query = {"mine": "1"} if mine else {}
        page = browser.get(reverse("plans:tasks"), query)
        on_page = sorted(t.pk for t in page.context["tasks"])
        answer = api.get("tasks?limit=100" + ("&mine=true" if mine else ""), persona).json()
        assert sorted(t["id"] for t in answer["items"]) == on_page, (persona, mine)
    token = ical.feed_token(people[persona])
    feed = Calendar.from_ical(browser.get(reverse("plans:feed", args=[token])).content)
    in_feed = sorted(int(e["uid"].split("@")[0].removeprefix("task-")) for e in feed.walk("VEVENT"))
    assert in_feed == on_page  # the feed is the person's own tasks, as "mine" on the page
    if persona == "admin":
        assert len(on_page) == Task.objects.count() == 2
