"""The initiatives competition: submissions, the evaluator conflict rule (never one's
own unit's submission), blind review, aggregation across evaluators, the ranking and
explanation from the index engine, publication and adoption as a task; personas
organiser, submitter, evaluator and outsider."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dxscore.web.contests import initiatives as work
from dxscore.web.contests.models import Assignment
from dxscore.web.contests.work import ContestError, ContestNotAllowed
from dxscore.web.plans.models import Resolution, Task
from tests.web.contests.conftest import submitted


def test_an_evaluator_never_scores_their_own_units_submission(client, competition, people):
    mine = submitted(client, competition, people["owner"], "Một cửa số")  # district 256
    theirs = submitted(client, competition, people["colleague"], "Từ Sơn số")  # 257
    with pytest.raises(ContestError, match="cannot score it"):
        work.assign(people["organiser"], theirs, people["evaluator"])  # 257 judging 257
    with pytest.raises(ContestError):
        work.assign(people["organiser"], mine, people["owner"])  # the submitter
    assignment = work.assign(people["organiser"], mine, people["evaluator"])
    with pytest.raises(ContestNotAllowed):
        work.assign(people["evaluator"], theirs, people["evaluator2"])  # not an organiser
    # a conflicted assignment made behind the rule's back still cannot score
    forced = Assignment.objects.create(initiative=theirs, evaluator=people["evaluator"])
    client.force_login(people["evaluator"])
    refused = client.post(f"/contests/initiative/{theirs.pk}/score", {"novelty": 10})
    assert refused.status_code == 403 and not Assignment.objects.get(pk=forced.pk).scores
    ok = client.post(
        f"/contests/initiative/{mine.pk}/score", {"novelty": 20, "effect": 30, "scope": 25}
    )
    assert ok.status_code == 302
    assert Assignment.objects.get(pk=assignment.pk).scores == {
        "novelty": 20.0,
        "effect": 30.0,
        "scope": 25.0,
    }
    client.post(f"/contests/initiative/{mine.pk}/score", {"novelty": 99, "effect": 1, "scope": 1})
    assert Assignment.objects.get(pk=assignment.pk).scores["novelty"] == 20.0  # over the max


def test_blind_review_and_personas(client, competition, people):
    competition.blind = True
    competition.save()
    mine = submitted(client, competition, people["owner"], "Một cửa số")
    work.assign(people["organiser"], mine, people["evaluator"])
    url = f"/contests/initiative/{mine.pk}/"
    client.force_login(people["evaluator"])
    page = client.get(url).content.decode()
    assert "Blind review" in page and "TP. Bắc Ninh" not in page and 'id="author"' not in page
    client.force_login(people["owner"])
    assert 'id="author"' in client.get(url).content.decode()
    client.force_login(people["organiser"])
    assert 'id="author"' in client.get(url).content.decode()
    client.force_login(people["outsider"])
    assert client.get(url).status_code == 404
    assert client.get(f"/contests/initiatives/{competition.pk}/scores.xlsx").status_code == 403
    client.logout()
    assert client.get(url).status_code == 404
    work.publish(people["organiser"], competition)
    assert client.get(url).status_code == 200  # published: public


def test_ranking_explanation_and_adoption_as_a_task(client, competition, people, org):
    a = submitted(client, competition, people["owner"], "Một cửa số")
    b = submitted(client, competition, people["colleague"], "Từ Sơn số")
    judges = [people["evaluator2"], people["organiser"]]
    for i, evaluator in enumerate(judges):
        work.assign(people["organiser"], a, evaluator)
        work.score(
            evaluator,
            Assignment.objects.get(initiative=a, evaluator=evaluator),
            {"novelty": 20 + i * 10, "effect": 30, "scope": 20},
        )
    e3 = people["evaluator2"]
    work.assign(people["organiser"], b, e3)
    work.score(
        e3,
        Assignment.objects.get(initiative=b, evaluator=e3),
        {"novelty": 10, "effect": 20, "scope": 10},
    )
    found = work.standing(competition)
    assert [r["initiative"].pk for r in found.rows] == [a.pk, b.pk]
    top = found.rows[0]
    assert top["points"] == pytest.approx(25 + 30 + 20)  # two evaluators: the plain mean
    assert top["score"] == pytest.approx(75.0) and top["rank"] == 1
    explained = {r["node"]: r for r in work.explanation(competition, a)}
    assert explained["novelty"]["points"] == pytest.approx(25)
    assert explained["index"]["score"] == pytest.approx(75)
    resolution = Resolution.objects.create(
        unit=org.bac_ninh, code="01-NQ", title="CCHC", issued_on=timezone.localdate()
    )
    client.force_login(people["organiser"])
    client.post(
        f"/contests/initiative/{a.pk}/adopt",
        {"resolution": resolution.pk, "deadline": "2026-06-30"},
    )
    a.refresh_from_db()
    task = Task.objects.get(pk=a.task_id)
    assert a.adopted and task.owner == org.d256 and task.resolution == resolution
    assert task.deadline == dt.date(2026, 6, 30)
    client.force_login(people["outsider"])
    assert (
        client.post(
            f"/contests/initiative/{b.pk}/adopt",
            {"resolution": resolution.pk, "deadline": "2026-06-30"},
        ).status_code
        == 404
    )


def test_the_trimmed_mean_drops_the_highest_and_lowest(client, competition, people):
    a = submitted(client, competition, people["owner"], "Một cửa số")
    for who, novelty in [("evaluator2", 0), ("organiser", 20), ("evaluator3", 30)]:
        work.assign(people["organiser"], a, people[who])
        work.score(
            people[who],
            Assignment.objects.get(initiative=a, evaluator=people[who]),
            {"novelty": novelty, "effect": 10, "scope": 10},
        )
    assert work.combined(competition)[a.pk]["novelty"] == 20
