"""The demo workspace builds once, keeps the published facts, and serves every role."""

import pandas as pd
import pytest

from dxscore.demo import langson, workspace
from dxscore.demo.dti import ranking_2022
from dxscore.plans import summarise

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.HOME = tmp_path
    return workspace.build()


def test_the_demo_builds_published_runs_with_the_published_2022_order(demo):
    from dxscore.web.scores.models import NodeScore, ScoreRun

    assert not demo.already and demo.runs == 7  # DTI 2020-2024 + two district indices
    run = ScoreRun.objects.get(methodology__code="vn-dti-2022", period__code="2022")
    assert run.published_at is not None
    ranks = dict(NodeScore.objects.filter(run=run, node="index").values_list("unit__code", "rank"))
    published = ranking_2022().set_index("code")["rank_2022"]
    assert pd.Series(ranks).reindex(published.index).tolist() == published.tolist()
    assert workspace.build().already  # building again changes nothing
    assert ScoreRun.objects.count() == 7


def test_lang_son_resolution_has_22_of_30_targets_met_at_the_end_of_2024(demo):
    from dxscore.web.plans import assessing
    from dxscore.web.plans.models import Resolution

    resolution = Resolution.objects.get(code="49-NQ/TU")
    targets = list(resolution.targets.all())
    assert len(targets) == 30 and resolution.tasks.count() == len(langson.KEY_TASKS) == 8
    items = assessing.assess_targets(targets, "2024")
    assert summarise(a.status for a in items)["met"] == 22


def test_every_demo_person_logs_in_and_sees_the_public_leaderboard(demo, client):
    from django.urls import reverse

    for username, _role, _about in demo.people:
        response = client.post(
            reverse("login"), {"username": username, "password": workspace.PASSWORD}
        )
        assert response.status_code == 302, username
        client.logout()
    page = client.get("/public/vn-dti-2022/2022/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Đà Nẵng" in text and "0.8002" in text and "synthetic" in text.lower()


def test_reset_empties_the_workspace(demo):
    from dxscore.web.scores.models import ScoreRun

    workspace.reset()
    assert not workspace.is_built() and ScoreRun.objects.count() == 0
