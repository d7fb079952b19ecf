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

    # DTI 2020-2024 on the old map and again on the 34 provinces, DTI 2025, the
    # districts' index 2023-2024 and the communes' 2025, published
    assert not demo.already and demo.runs == 14
    run = ScoreRun.objects.get(
        methodology__code="vn-dti-2022", period__code="2022", as_of__isnull=True
    )
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
    # and two a commune in the second half of 2025
    assert resolution.tasks.count() == 8 + 11 * 2 * 4 + 65 * 2
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
    assert index_run.methodology.code == "province-emulation"
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
    assert ScoreRun.objects.count() == 14


def test_the_demo_lives_in_2026(demo):
    import datetime as dt

    from dxscore.web.dossierdata.models import DossierMeasure
    from dxscore.web.orgs.models import Unit, UnitChange
    from dxscore.web.scores.models import NodeScore, ScoreRun

    new_map = dt.date(2025, 7, 1)
    provinces = Unit.objects.filter(level__name="province")
    assert provinces.valid_between(dt.date(2024, 12, 31), dt.date(2024, 12, 31)).count() == 63
    assert provinces.in_force(new_map).count() == 34
    lao_cai = Unit.objects.at("15", new_map)
    assert (
        lao_cai.name == "Lào Cai" and Unit.objects.at("15", dt.date(2024, 1, 1)).name == "Yên Bái"
    )
    assert sorted(u.name for u in lao_cai.predecessor_units()) == ["Lào Cai", "Yên Bái"]
    assert UnitChange.objects.filter(target__level__name="province").count() == 52

    # DTI 2024 on the 34 provinces, as published: Hà Nội first with 0.8241
    on_34 = ScoreRun.objects.get(
        methodology__code="vn-dti-2022", period__code="2024", as_of=new_map
    )
    scores = NodeScore.objects.filter(run=on_34, node="index").select_related("unit")
    assert scores.count() == 34
    first = scores.get(rank=1)
    assert (first.unit.name, round(first.score, 4)) == ("Hà Nội", 0.8241)
    assert all(
        ScoreRun.objects.filter(period__code=y, as_of=new_map, published_at__isnull=False).exists()
        for y in ("2020", "2021", "2022", "2023", "2024")
    )
    # a 2025 period on the new map
    run_2025 = ScoreRun.objects.get(methodology__code="vn-dti-2022", period__code="2025")
    assert NodeScore.objects.filter(run=run_2025, node="index").count() == 34

    # Lạng Sơn kept its borders; its communes sit directly under it from 1 July 2025
    lang_son = Unit.objects.get(code="20")
    communes = Unit.objects.in_force(new_map).filter(parent=lang_son, level__name="commune")
    assert communes.count() == 65
    assert not Unit.objects.in_force(new_map).filter(code__startswith="20-D").exists()
    # dossiers in both halves of 2025: the old units' in the first, the communes' after
    half = DossierMeasure.objects.filter(kind="quarter", measure="received", value__gt=0)
    assert half.filter(unit__code__startswith="20-D", period="2025Q2").exists()
    assert half.filter(unit__in=communes, period="2025Q3").exists()
    assert not half.filter(unit__code__startswith="20-D", period="2025Q3").exists()
    # the emulation ranking moves from the districts to the communes
    emulation = ScoreRun.objects.get(methodology__code="province-emulation", period__code="2025")
    ranked = NodeScore.objects.filter(run=emulation, node="index").select_related("unit__level")
    assert ranked.count() == 65 and {s.unit.level.name for s in ranked} == {"commune"}


def test_every_demo_person_logs_in_the_public_pages_say_what_is_synthetic_and_reset(demo, client):
    from django.urls import reverse

    from dxscore.web.scores.models import ScoreRun

    for username, _role, _about in demo.people:
        response = client.post(
            reverse("login"), {"username": username, "password": workspace.PASSWORD}
        )
        assert response.status_code == 302, username
        client.logout()
    # the 34 provinces by default, the 63 of the published 2022 ranking one click away
    text = client.get("/public/vn-dti-2022/2022/").content.decode()
    assert "34 provinces (map of 1 July 2025)" in text and "?map=own" in text
    page = client.get("/public/vn-dti-2022/2022/?map=own")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Đà Nẵng" in text and "0.8002" in text and "synthetic" in text.lower()
    assert "63 provinces (map of 2022)" in text

    workspace.reset()
    assert not workspace.is_built() and ScoreRun.objects.count() == 0
