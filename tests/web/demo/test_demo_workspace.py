"""The demo workspace builds once, keeps the published facts, and serves every role.

Building takes a while, so each test builds once and checks several facts.
"""

import pandas as pd
import pytest

from dxscore.demo import langson, workspace
from dxscore.demo.dti import ranking_2022
from dxscore.plans import summarise

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.HOME = tmp_path
    settings.DXSCORE_DOSSIER_STORE = tmp_path / "dossiers"
    return workspace.build(dossier_rows=20_000)


def test_the_demo_keeps_the_published_facts_and_builds_once(demo):
    from dxscore.web.dossierdata.models import DossierMeasure
    from dxscore.web.plans import assessing
    from dxscore.web.plans.models import Resolution
    from dxscore.web.scores.models import NodeScore, ScoreRun

    # DTI 2020-2024 and the districts' index 2023-2024, published
    assert not demo.already and demo.runs == 7
    run = ScoreRun.objects.get(methodology__code="vn-dti-2022", period__code="2022")
    assert run.published_at is not None
    ranks = dict(NodeScore.objects.filter(run=run, node="index").values_list("unit__code", "rank"))
    published = ranking_2022().set_index("code")["rank_2022"]
    assert pd.Series(ranks).reindex(published.index).tolist() == published.tolist()

    # Resolution 49-NQ/TU: 22 of 30 targets met at the end of 2024, eight key tasks
    resolution = Resolution.objects.get(code="49-NQ/TU")
    targets = list(resolution.targets.all())
    key_tasks = resolution.tasks.filter(number__lte=len(langson.KEY_TASKS))
    assert len(targets) == 30 and key_tasks.count() == len(langson.KEY_TASKS) == 8
    # and four routine reports a year for each district (the emulation's task delivery)
    assert resolution.tasks.count() == 8 + 11 * 2 * 4
    items = assessing.assess_targets(targets, "2024")
    assert summarise(a.status for a in items)["met"] == 22

    # dossiers: the province rolls up its districts; the districts' index uses the measures
    def received(code):
        return DossierMeasure.objects.get(
            unit__code=code, kind="year", period="2024", measure="received"
        ).value

    districts = sum(received(code) for code, _name in langson.DISTRICTS)
    assert 0 < districts < received("20")
    online = DossierMeasure.objects.get(
        unit__code="20-D01", kind="year", period="2024", measure="online_share"
    ).value
    index_run = ScoreRun.objects.get(methodology__code="province-emulation", period__code="2024")
    stored = index_run.inputs.get(unit__code="20-D01", indicator="online_share").value
    assert stored == pytest.approx(online, abs=5e-5)
    assert NodeScore.objects.filter(run=index_run, node="index").count() == 11
    # the emulation page, from the plans, ranks the districts as the stored run does
    from dxscore.web.data.models import Methodology, Period
    from dxscore.web.orgs.models import Level, Unit
    from dxscore.web.plans import emulation

    units = emulation.units_to_rank(
        Unit.objects.get(code="20"), Level.objects.get(name="district"), index_run.period
    )
    live = emulation.rank(
        Methodology.objects.get(pk=index_run.methodology_id), Period.objects.get(code="2024"), units
    )
    assert not live.problems
    stored_ranks = dict(
        NodeScore.objects.filter(run=index_run, node="index").values_list("unit__code", "rank")
    )
    assert {r["unit"].code: r["rank"] for r in live.rows} == stored_ranks

    # building again changes nothing
    assert workspace.build(dossier_rows=20_000).already
    assert ScoreRun.objects.count() == 7


def test_every_demo_person_logs_in_the_public_pages_say_what_is_synthetic_and_reset(demo, client):
    from django.urls import reverse

    from dxscore.web.scores.models import ScoreRun

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

    workspace.reset()
    assert not workspace.is_built() and ScoreRun.objects.count() == 0
