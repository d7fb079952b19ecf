"""Safe publishing (issue 18): the publish step shows the run's coverage (the units it
should rank with every value, some, none; the share of the values it should have; the
imputed share of what it ranks) and always asks to confirm; below the threshold it asks
to publish anyway; the coverage is recorded. A published run that was wrong is withdrawn
with a reason by someone who may publish it: it stays (scores unchanged), public pages
and the API's published runs leave it out, and its page says who withdrew it, when and
why. A withdrawn run is never published again."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dxscore import numbers
from dxscore.web.data.methodologies import store
from dxscore.web.orgs.models import Role, Unit
from dxscore.web.scores import runs, selectors
from dxscore.web.scores.models import Immutable, NodeScore, PublishedCoverage, ScoreRun
from tests.web.scores import reform
from tests.web.support import approved, make_person, problem

carrying = reform.carrying  # fixtures
reformed = reform.reformed

IMPUTING_YAML = """\
id: test-cover
version: "1"
title: District index with gaps
scale: [0, 100]
defaults:
  indicator: {normalisation: identity, range: [0, 100], imputation: mean}
tree:
  code: index
  name: District index
  children:
    - {code: online, name: Online dossiers, weight: 2}
    - {code: ontime, name: On-time processing, weight: 1}
    - {code: portal, name: Portal visits, weight: 0, required: false}
"""


@pytest.fixture
def gappy(people, org, periods):
    """A methodology that imputes by the mean, with an optional indicator: TP. Bắc Ninh
    (256) has both required values, Từ Sơn (257) only online dossiers, TP. Lào Cai (80)
    nothing. The whole workspace's run (the administrator's) should rank all three."""
    m = store(IMPUTING_YAML, purpose="district ranking")
    m.reporting_level = org.district
    m.save()
    p = periods["2024"]
    approved(people, m, p, org.d256, online=60, ontime=90)
    approved(people, m, p, org.d257, online=30)
    return runs.compute_run(people["admin"], m, p)


@pytest.fixture
def scored(people, methodology, periods, org):
    """Every district approved with both values: full coverage."""
    p = periods["2024"]
    approved(people, methodology, p, org.d256, online=60, ontime=90)
    approved(people, methodology, p, org.d257, online=30, ontime=60)
    approved(people | {"approver": people["admin"]}, methodology, p, org.d80, online=99, ontime=99)
    return p


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# --- the figures ---------------------------------------------------------------------------


def test_coverage_is_counted_from_the_units_to_rank_and_the_required_inputs():
    figures = selectors.count_coverage(
        expected=[("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")],
        inputs=["x", "y", "pop"],
        indicators=2,
        given={"a": {"x", "y", "pop"}, "b": {"x", "pop"}, "c": set(), "z": {"x", "y", "pop"}},
        imputed={"b": 1},
        threshold=0.9,
    )
    assert (figures.units, figures.complete) == (4, 1)
    assert figures.partial == [selectors.Gap("b", "B", ("y",), 1)]
    assert [g.code for g in figures.without_data] == ["c", "d"]  # "z" is not to rank
    assert (figures.values_given, figures.values_expected) == (5, 12)
    assert (figures.values_ranked, figures.imputed) == (4, 1)
    assert figures.share == pytest.approx(5 / 12) and figures.imputed_share == 0.25
    assert figures.below
    empty = selectors.count_coverage([], ["x"], 1, {}, {}, 0.9)
    assert empty.share == 0.0 and empty.below  # nothing to rank is no coverage


def test_a_runs_coverage_reads_its_stored_inputs_and_the_engines_imputations(gappy, org):
    figures = selectors.coverage(gappy)
    assert [u.code for u in selectors.units_to_rank(gappy)] == ["256", "257", "80"]
    assert (figures.units, figures.complete, figures.inputs) == (3, 1, 2)  # portal optional
    assert figures.partial == [selectors.Gap("257", "Từ Sơn", ("ontime",), 1)]
    assert figures.without_data == [selectors.Gap("80", "TP. Lào Cai", ("online", "ontime"))]
    assert (figures.values_given, figures.values_expected) == (3, 6)
    assert (figures.values_ranked, figures.imputed) == (4, 1)
    assert figures.share == 0.5 and figures.imputed_share == 0.25 and figures.below
    # the run ranks the units it has values of: Lào Cai's district is not ranked at all
    assert set(gappy.scores.filter(node="index").values_list("unit__code", flat=True)) == {
        "256",
        "257",
    }


def test_the_publish_page_shows_the_coverage_and_lists_the_units_without_data(gappy, people):
    page = _client(people["admin"]).get(reverse("run_publish", args=[gappy.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="coverage-warning"' in body and "50.0%" in body and "90%" in body
    assert "3 of 6 (50.0%)" in body and "1 of 4 (25.0%)" in body
    without = body[body.index('id="without-data"') :]
    assert "TP. Lào Cai" in without[: without.index("</table>")]
    assert 'name="anyway"' in body and 'name="confirm"' in body


def test_a_run_on_a_later_map_should_rank_the_units_of_that_map(
    people, carrying, periods, org, reformed
):
    Unit.objects.create(
        code="82", name="Sa Pa mới", level=org.district, parent=org.lao_cai, valid_from=reform.AFTER
    )
    own = runs.compute_run(people["admin"], carrying, periods["2024"])
    later = runs.compute_run(people["admin"], carrying, periods["2024"], as_of=reform.AFTER)
    assert [u.key for u in selectors.units_to_rank(own)] == ["256", "257", "80"]
    assert [u.code for u in selectors.units_to_rank(later)] == ["257", "80", "82"]
    figures = selectors.coverage(later)
    # the new 257 has the values carried from its predecessors; 82 began after 2024
    assert (figures.units, figures.complete) == (3, 2)
    assert [g.code for g in figures.without_data] == ["82"]
    assert selectors.coverage(own).complete == 3


# --- publishing ----------------------------------------------------------------------------


def test_publishing_always_asks_to_confirm_and_records_the_coverage(
    people, methodology, scored, settings
):
    run = runs.compute_run(people["admin"], methodology, scored)
    client = _client(people["admin"])
    address = reverse("run_publish", args=[run.pk])
    page = client.get(address).content.decode()
    assert 'id="coverage-warning"' not in page and 'name="anyway"' not in page
    refused = client.post(address, {})
    assert refused.status_code == 200 and "Tick the box" in refused.content.decode()  # again
    assert not ScoreRun.objects.get(pk=run.pk).published
    answer = client.post(address, {"confirm": "on"})
    assert answer.status_code == 302 and answer["Location"] == reverse("run", args=[run.pk])
    run.refresh_from_db()
    assert run.published and run.published_by == people["admin"] and run.published_at
    recorded = PublishedCoverage.objects.get(run=run)
    assert (recorded.units, recorded.complete, recorded.partial, recorded.without_data) == (
        3,
        3,
        0,
        0,
    )
    assert recorded.share == 1.0 and recorded.imputed_share == 0.0 and not recorded.anyway
    assert recorded.threshold == settings.DXSCORE_PUBLISH_MIN_COVERAGE == 0.9
    shown = Client().get(reverse("run", args=[run.pk])).content.decode()
    assert "Coverage when published: 3 of 3 units with every value, 100.0%" in shown
    # published: the step sends back to the run, and a run is published once
    assert client.get(address)["Location"] == reverse("run", args=[run.pk])
    with pytest.raises(Immutable):
        runs.publish(run, people["admin"])


def test_below_the_threshold_publishing_needs_publish_anyway(gappy, people):
    client = _client(people["admin"])
    address = reverse("run_publish", args=[gappy.pk])
    refused = client.post(address, {"confirm": "on"})
    assert refused.status_code == 200 and 'id="publish-form"' in refused.content.decode()
    assert "below the 90% needed: publish it anyway" in refused.content.decode()
    assert not ScoreRun.objects.get(pk=gappy.pk).published
    with pytest.raises(runs.LowCoverage) as caught:
        runs.publish(gappy, people["admin"])
    assert caught.value.coverage.share == 0.5
    # "anyway" without the confirmation is no publishing either
    assert "Tick the box" in client.post(address, {"anyway": "on"}).content.decode()
    assert not ScoreRun.objects.get(pk=gappy.pk).published
    assert client.post(address, {"confirm": "on", "anyway": "on"}).status_code == 302
    recorded = PublishedCoverage.objects.get(run=gappy)
    assert recorded.anyway and recorded.share == 0.5 and recorded.imputed_share == 0.25
    assert (recorded.complete, recorded.partial, recorded.without_data) == (1, 1, 1)
    assert recorded.missing_units == [["80", "TP. Lào Cai"]]
    shown = Client().get(reverse("run", args=[gappy.pk])).content.decode()
    assert "Published anyway, below the 90% expected." in shown


def test_the_threshold_is_a_setting(gappy, people, settings):
    settings.DXSCORE_PUBLISH_MIN_COVERAGE = 0.5
    assert not selectors.coverage(gappy).below  # 50% of the values is not below 50%
    runs.publish(gappy, people["admin"])
    assert not PublishedCoverage.objects.get(run=gappy).anyway


# --- withdrawing ---------------------------------------------------------------------------


def test_withdrawing_needs_a_reason_and_keeps_the_run_as_it_was(people, methodology, scored):
    run = runs.compute_run(people["admin"], methodology, scored)
    with pytest.raises(runs.RunError, match="only a published run is withdrawn"):
        runs.withdraw(run, people["admin"], "too early")
    runs.publish(run, people["admin"])
    before = sorted(NodeScore.objects.filter(run=run).values_list("unit__code", "node", "score"))
    client = _client(people["admin"])
    address = reverse("run_withdraw", args=[run.pk])
    assert client.get(address).status_code == 200
    refused = client.post(address, {"reason": "   "})
    assert (
        refused.status_code == 200 and "Say why the run is withdrawn." in refused.content.decode()
    )
    with pytest.raises(runs.RunError, match="say why"):
        runs.withdraw(run, people["admin"], "")
    assert not ScoreRun.objects.get(pk=run.pk).withdrawn
    assert client.post(address, {"reason": "Wrong values of TP. Lào Cai"}).status_code == 302
    run.refresh_from_db()
    assert run.withdrawn and run.withdrawn_by == people["admin"] and run.withdrawn_at
    assert run.withdrawal_reason == "Wrong values of TP. Lào Cai"
    assert run.published and not run.in_force  # still published once, in its history
    after = sorted(NodeScore.objects.filter(run=run).values_list("unit__code", "node", "score"))
    assert after == before and ScoreRun.objects.filter(pk=run.pk).exists()
    # once: never withdrawn again, never published again, never changed or deleted
    with pytest.raises(Immutable):
        runs.withdraw(run, people["admin"], "again")
    with pytest.raises(Immutable, match="compute a new run"):
        runs.publish(run, people["admin"], anyway=True)
    with pytest.raises(Immutable):
        run.save()
    with pytest.raises(Immutable):
        run.delete()
    run.withdrawal_reason = "another story"
    with pytest.raises(Immutable):
        run.save(update_fields=["withdrawal_reason"])
    assert client.get(address)["Location"] == reverse("run", args=[run.pk])
    assert client.get(reverse("run_publish", args=[run.pk]))["Location"] == reverse(
        "run", args=[run.pk]
    )


def test_a_withdrawn_run_leaves_the_public_pages_and_says_why_on_its_own(
    people, methodology, scored, api
):
    admin = people["admin"]
    admin.first_name, admin.last_name = "An", "Nguyễn Văn"
    admin.save()
    first = runs.compute_run(admin, methodology, scored)
    runs.publish(first, admin)
    second = runs.compute_run(admin, methodology, scored)
    runs.publish(second, admin)
    public = Client()
    board = reverse("dash_leaderboard", args=[methodology.code, "2024"])
    assert f"Score run #{second.number}" in public.get(board).content.decode()  # cached now
    runs.withdraw(second, admin, "Entered twice: <b>recount</b>")

    shown = public.get(board).content.decode()
    assert f"Score run #{first.number}" in shown and f"Score run #{second.number}" not in shown
    assert public.get(board + f"?run={second.number}").status_code == 404
    assert f"?run={second.number}" not in public.get(reverse("dash_index")).content.decode()
    card = reverse("dash_scorecard", args=[methodology.code, "2024", "256"])
    assert f"Score run #{first.number}" in public.get(card).content.decode()
    assert runs.published_table(methodology.code, "2024")[0] == first
    # the run's own page stays, with the notice (the reason escaped, as all user text)
    page = public.get(reverse("run", args=[second.pk]))
    assert page.status_code == 200
    # the public reads who withdrew it as role and unit; staff whose scope covers the run
    # read the name too (names of people are not shown to the public)
    when = numbers.format_date(timezone.localtime(second.withdrawn_at), "en")
    reason = "Entered twice: &lt;b&gt;recount&lt;/b&gt;"
    assert f"Withdrawn on {when} by administrator: {reason}" in page.content.decode()
    assert "Nguyễn" not in page.content.decode()
    staff = _client(admin).get(reverse("run", args=[second.pk])).content.decode()
    assert f"Withdrawn on {when} by An Nguyễn Văn (administrator): {reason}" in staff
    assert "withdrawn" in _client(admin).get(reverse("runs")).content.decode()
    # the API: published=true is what public pages show; the run says it was withdrawn
    listed = api.get("runs", "outsider", published=True).json()["items"]
    assert [r["id"] for r in listed] == [first.pk]
    found = api.get("runs", "outsider", withdrawn=True).json()["items"]
    assert [(r["id"], r["withdrawn"]) for r in found] == [(second.pk, True)]
    assert found[0]["withdrawal_reason"] == "Entered twice: <b>recount</b>"
    # the last published run withdrawn: no public ranking of the period at all
    assert methodology.title in public.get(reverse("home")).content.decode()
    runs.withdraw(first, admin, "Wrong methodology")
    assert public.get(board).status_code == 404
    assert methodology.title not in public.get(reverse("home")).content.decode()


# --- who may -------------------------------------------------------------------------------


def test_who_may_publish_and_withdraw(people, methodology, scored, org):
    """The steering officer of Bắc Ninh publishes and withdraws Bắc Ninh's ranking; Lào
    Cai's steering officer (a colleague without the scope) and Bắc Ninh's data officer
    may not; the anonymous public is sent to log in; the outsider does not see the run
    before it is published."""
    run = runs.compute_run(people["steering"], methodology, scored)
    assert run.coverage == org.bac_ninh
    lao_cai = make_person("lc-steering", Role.STEERING, org.lao_cai, org.lao_cai)
    publish = reverse("run_publish", args=[run.pk])
    withdraw = reverse("run_withdraw", args=[run.pk])
    confirmed = {"confirm": "on"}

    for user, status in ((lao_cai, 403), (people["colleague"], 404), (people["outsider"], 404)):
        assert _client(user).get(publish).status_code == status
        assert _client(user).post(publish, confirmed).status_code == status
    anonymous = Client().post(publish, confirmed)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert (
        f'href="{publish}"'
        not in _client(lao_cai).get(reverse("run", args=[run.pk])).content.decode()
    )
    with pytest.raises(runs.RunNotAllowed):
        runs.publish(run, lao_cai)
    with pytest.raises(runs.RunNotAllowed):
        runs.publish(run, people["colleague"])
    assert not ScoreRun.objects.get(pk=run.pk).published

    owner = _client(people["steering"])
    assert f'href="{publish}"' in owner.get(reverse("run", args=[run.pk])).content.decode()
    assert owner.get(publish).status_code == 200
    assert owner.post(publish, confirmed).status_code == 302
    assert ScoreRun.objects.get(pk=run.pk).published

    reason = {"reason": "wrong"}
    for user in (lao_cai, people["colleague"], people["outsider"]):
        assert _client(user).get(withdraw).status_code == 403
        assert _client(user).post(withdraw, reason).status_code == 403
    anonymous = Client().post(withdraw, reason)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    with pytest.raises(runs.RunNotAllowed):
        runs.withdraw(run, lao_cai, "wrong")
    with pytest.raises(runs.RunNotAllowed):
        runs.withdraw(run, people["colleague"], "wrong")
    assert not ScoreRun.objects.get(pk=run.pk).withdrawn
    assert f'href="{withdraw}"' in owner.get(reverse("run", args=[run.pk])).content.decode()
    assert owner.post(withdraw, reason).status_code == 302
    assert ScoreRun.objects.get(pk=run.pk).withdrawn_by == people["steering"]
    page = reverse("run", args=[run.pk])
    for user in (None, lao_cai, people["outsider"]):
        text = _client(user).get(page).content.decode()
        assert "by steering officer of Bắc Ninh: wrong" in text and "by steering (" not in text
    assert "by steering (steering officer of Bắc Ninh): wrong" in owner.get(page).content.decode()


# --- the API -------------------------------------------------------------------------------


def test_the_api_publishes_anyway_only_when_asked_and_withdraws_with_a_reason(api, gappy, people):
    address = f"runs/{gappy.pk}/publish"
    low = problem(api.post(address, {}, "admin"), 422)
    assert low["errors"][0]["field"] == "anyway" and "50.0%" in low["detail"]
    problem(api.post(address, {"anyway": True}, "steering"), 403)  # Bắc Ninh's only
    published = api.post(address, {"anyway": True}, "admin").json()
    assert published["published"] and not published["withdrawn"]
    assert published["published_coverage"] == {
        "units": 3,
        "complete": 1,
        "partial": 1,
        "without_data": 1,
        "share": 0.5,
        "imputed_share": 0.25,
        "threshold": 0.9,
        "anyway": True,
        "missing_units": ["80"],
    }
    problem(api.post(address, {"anyway": True}, "admin"), 409)
    withdraw = f"runs/{gappy.pk}/withdraw"
    assert problem(api.post(withdraw, {}, "admin"), 422)["errors"][0]["field"] == "reason"
    problem(api.post(withdraw, {"reason": "wrong"}, "owner"), 403)
    done = api.post(withdraw, {"reason": "wrong"}, "admin").json()
    assert done["withdrawn"] and done["withdrawal_reason"] == "wrong" and done["withdrawn_at"]
    problem(api.post(withdraw, {"reason": "again"}, "admin"), 409)
    problem(api.post(address, {"anyway": True}, "admin"), 409)  # never published again
    assert api.get("runs", "outsider", published=True).json()["count"] == 0


def test_the_api_publishes_a_run_without_a_body(api, people, methodology, scored):
    run = runs.compute_run(people["admin"], methodology, scored)
    answer = api.client.post(  # as docs/api.md's call() sends it: JSON, no body
        f"/api/v1/runs/{run.pk}/publish",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token('admin')}",
    )
    assert answer.status_code == 200 and answer.json()["published_coverage"]["share"] == 1.0
    assert ScoreRun.objects.get(pk=run.pk).published_by == people["admin"]
