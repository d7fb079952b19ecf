"""What waits for each person: forms to enter, submissions to approve, returned forms,
tasks due or overdue, failed dossier jobs; on the home page, the Notices page and as a
count in the navigation. Personas: the owner (district 256), a colleague (257, same
province), an outsider (80, another province) and the province's approver."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from dxscore.web import work
from dxscore.web.data import workflow
from dxscore.web.dossierdata.models import Job
from tests.web.support import put_values

DAY = dt.date(2025, 3, 1)  # 2024's values are due on 31 March 2025


def kinds(user, today=DAY):
    return {(i.kind, i.count) for i in work.waiting(user, today)}


@pytest.fixture
def collecting(methodology, periods):
    from dxscore.web.data.models import Methodology

    Methodology.objects.exclude(pk=methodology.pk).update(active=False)  # the built-ins
    methodology.active = True
    methodology.save()
    return methodology, periods["2024"]


def test_each_officer_is_asked_for_their_own_unit_only(people, collecting):
    for persona in ("owner", "colleague", "outsider"):
        assert kinds(people[persona]) == {("enter", 1)}, persona
    assert kinds(people["approver"]) == set()  # nothing submitted yet
    label = work.waiting(people["owner"], DAY)[0].label
    assert label == "1 form to enter and submit: District digital transformation 2024"


def test_a_submission_waits_for_the_approver_and_a_return_for_its_officer(people, org, collecting):
    m, p = collecting
    put_values(people["owner"], m, p, org.d256, online=60, ontime=80)
    workflow.submit(people["owner"], m, p, org.d256)
    assert ("approve", 1) in kinds(people["approver"])
    assert kinds(people["owner"]) == set()  # submitted: nothing to do
    assert kinds(people["colleague"]) == {("enter", 1)}  # their own 257 still to do
    assert ("approve", 1) not in kinds(people["outsider"])

    workflow.return_values(people["approver"], m, p, org.d256, "Online share looks too high")
    assert kinds(people["owner"]) == {("returned", 1)}
    item = work.waiting(people["owner"], DAY)[0]
    assert item.urgent and item.url.endswith("?state=returned")
    assert ("approve", 1) not in kinds(people["approver"])

    workflow.submit(people["owner"], m, p, org.d256)
    workflow.approve(people["approver"], m, p, org.d256)
    news = [i for i in work.waiting(people["owner"], DAY) if not i.actionable]
    assert [i.kind for i in news] == ["approved"]
    assert "TP. Bắc Ninh" in news[0].label and "approver" in news[0].label
    assert not [i for i in work.waiting(people["colleague"], DAY) if i.kind == "approved"]


def test_a_period_long_past_its_deadline_is_no_longer_asked(people, collecting):
    late = DAY + dt.timedelta(days=work.OPEN_DAYS + 60)
    assert kinds(people["owner"], late) == set()
    just_late = dt.date(2025, 4, 10)
    item = work.waiting(people["owner"], just_late)[0]
    assert item.kind == "enter" and item.urgent


def test_tasks_overdue_and_due_soon_are_the_owners(people, plan):
    today = dt.date.today()
    owner = {(i.kind, i.count) for i in work.waiting(people["owner"], today)}
    colleague = {(i.kind, i.count) for i in work.waiting(people["colleague"], today)}
    outsider = {(i.kind, i.count) for i in work.waiting(people["outsider"], today)}
    assert ("overdue", 1) in colleague  # task 2 of district 257 is 3 days late
    assert not any(k in ("overdue", "due") for k, _n in owner)  # task 1 is due in 30 days
    assert not any(k in ("overdue", "due") for k, _n in outsider)
    soon = today + dt.timedelta(days=20)
    assert ("due", 1) in {(i.kind, i.count) for i in work.waiting(people["owner"], soon)}


def test_failed_dossier_jobs_are_shown_to_whoever_queued_them(people):
    Job.objects.create(kind="import", state="failed", created_by=people["owner"], error="x")
    assert ("job_failed", 1) in kinds(people["owner"])
    assert ("job_failed", 1) not in kinds(people["colleague"])
    assert ("job_failed", 1) in kinds(people["admin"])  # managers see every job


def test_home_notices_and_navigation_show_the_queue(client, people, org, collecting):
    m, p = collecting
    put_values(people["owner"], m, p, org.d256, online=60, ontime=80)
    workflow.submit(people["owner"], m, p, org.d256)
    cache.clear()
    client.force_login(people["approver"])
    home = client.get(reverse("home")).content.decode()
    # the real today may be past the queue's window for 2024: say what the page says
    items = work.waiting(people["approver"])
    if items:
        assert items[0].label in home
        assert f'<span class="badge" title="Waiting for you">{items[0].count}</span>' in home
    else:
        assert "Nothing is waiting for you." in home
    notices = client.get(reverse("plans:notices")).content.decode()
    assert "Waiting for you" in notices and "No deadline notices." in notices


def test_the_home_page_lists_what_waits_on_its_day(client, people, org, collecting, monkeypatch):
    m, p = collecting
    put_values(people["owner"], m, p, org.d256, online=60, ontime=80)
    workflow.submit(people["owner"], m, p, org.d256)
    monkeypatch.setattr(work.timezone, "localdate", lambda *a: DAY)
    cache.clear()
    client.force_login(people["approver"])
    home = client.get(reverse("home")).content.decode()
    assert "1 submission to approve: District digital transformation 2024" in home
    assert '<span class="badge" title="Waiting for you">1</span>' in home
    url = reverse("completeness", args=[m.pk, "2024"]) + "?state=submitted"
    assert f'href="{url}"' in home


def test_the_approvers_list_filters_by_state_and_name(client, people, org, collecting):
    m, p = collecting
    put_values(people["owner"], m, p, org.d256, online=60, ontime=80)
    workflow.submit(people["owner"], m, p, org.d256)
    client.force_login(people["approver"])
    url = reverse("completeness", args=[m.pk, "2024"])
    every = client.get(url).content.decode()
    assert "TP. Bắc Ninh" in every and "Từ Sơn" in every
    submitted = client.get(url, {"state": "submitted"}).content.decode()
    assert "TP. Bắc Ninh" in submitted and "Từ Sơn" not in submitted
    found = client.get(url, {"q": "từ sơn"}).content.decode()
    assert "Từ Sơn" in found and "TP. Bắc Ninh" not in found
    nothing = client.get(url, {"state": "returned"}).content.decode()
    assert "No unit matches this filter." in nothing
    assert client.get(url, {"state": "nonsense"}).status_code == 200  # ignored, all shown
