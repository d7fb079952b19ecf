"""Score runs on the map of a day: inputs stay on their own units, the values of units
that changed are carried onto the units in force on ``as_of`` by the carry rules, the
trail is stored, and the run recomputes the same from what it stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dxscore.web.orgs.models import UnitChange
from dxscore.web.scores import maps, runs
from dxscore.web.scores.models import RunCarry
from tests.web.scores import reform

AFTER = reform.AFTER
carrying = reform.carrying  # fixtures
reformed = reform.reformed


def _scores(run, node="index"):
    return {
        s.unit.key: (round(s.score, 10), s.rank)
        for s in run.scores.filter(node=node).select_related("unit")
    }


def test_a_run_on_the_new_map_carries_the_predecessors_and_keeps_their_raw_inputs(
    people, carrying, periods, org, reformed
):
    own = runs.compute_run(people["admin"], carrying, periods["2024"])
    assert _scores(own) == {"256": (70.0, 2), "257": (40.0, 3), "80": (99.0, 1)}
    run = runs.compute_run(people["admin"], carrying, periods["2024"], as_of=AFTER)
    # the new 257 is the mean of its predecessors: online 45, on time 75
    assert _scores(run) == {"257@2025-07-01": (55.0, 2), "80": (99.0, 1)}
    assert run.as_of == AFTER and run.previous is None  # another map, not a new version
    # inputs stay on their own units, as entered and approved
    assert sorted(run.inputs.values_list("unit__key", "indicator", "value")) == [
        ("256", "online", 60.0),
        ("256", "ontime", 90.0),
        ("257", "online", 30.0),
        ("257", "ontime", 60.0),
        ("80", "online", 99.0),
        ("80", "ontime", 99.0),
    ]
    assert run.input_hash == own.input_hash  # the same inputs
    trail = {
        (c.indicator, c.source.key): (c.unit.key, c.value, c.share, c.from_value, c.input.source)
        for c in RunCarry.objects.filter(run=run).select_related("unit", "source", "input")
    }
    assert trail[("online", "256")][:4] == ("257@2025-07-01", 45.0, 1.0, 60.0)
    assert trail[("ontime", "257")][:4] == ("257@2025-07-01", 75.0, 1.0, 60.0)
    assert trail[("online", "256")][4].unit == org.d256  # down to the approved value
    assert [r["unit"] for r in run.unit_table] == ["257", "80"]
    assert runs.carried_from(run) == {reformed.pk: [org.d256, org.d257]}
    assert runs.map_label(run) == "2 districts (map of 1 July 2025)"
    assert runs.map_label(own) == "3 districts (map of 2024)"


def test_a_run_on_a_map_recomputes_the_same_from_what_it_stored(
    people, carrying, periods, org, reformed
):
    run = runs.compute_run(people["admin"], carrying, periods["2024"], as_of=AFTER)
    stored = _scores(run)
    # the workspace's map changes afterwards: the run keeps the map it carried on
    UnitChange.objects.filter(source=org.d256).delete()
    frame = runs.recompute_from_inputs(run).to_frame("2024")
    index = frame[frame["node"] == "index"].set_index("unit")["score"].to_dict()
    assert index == {"257": pytest.approx(55.0), "80": pytest.approx(99.0)}
    assert {k.split("@")[0]: v[0] for k, v in stored.items()} == pytest.approx(index)


def test_the_explanation_shows_a_carried_value_down_to_the_predecessors(
    as_user, people, carrying, periods, org, reformed
):
    run = runs.compute_run(people["admin"], carrying, periods["2024"], as_of=AFTER)
    rows = runs.explain(run, reformed)
    online = [r for r in rows if r["node"] == "online"]
    assert online[0]["kind"] == "indicator" and online[0]["raw"] == pytest.approx(45.0)
    parts = {r["from_unit"]: r for r in online[1:]}
    assert {u: (r["kind"], r["raw"], r["share"]) for u, r in parts.items()} == {
        "256": ("predecessor", 60.0, 1.0),
        "257": ("predecessor", 30.0, 1.0),
    }
    assert parts["256"]["input"].source.approved_by == people["approver"]
    page = as_user("admin").get(reverse("run_explain", args=[run.pk, "257"]))
    text = page.content.decode()
    assert "Bắc Ninh mới" in text and 'id="carried-note"' in text
    # each predecessor's value says who entered and approved it (names: the admin's scope
    # covers every unit), and links to where it came from
    who = "entered by owner (data officer of TP. Bắc Ninh), "
    assert who + "approved by approver (approver of Bắc Ninh)" in text
    assert f'href="#v-{parts["256"]["input"].pk}"' in text
    assert reverse("value_history", args=[parts["256"]["input"].source_id]) in text
    # on the old map, 257 is still Từ Sơn
    own = runs.compute_run(people["admin"], carrying, periods["2024"])
    text = as_user("admin").get(reverse("run_explain", args=[own.pk, "257"])).content.decode()
    assert "Từ Sơn" in text and "carried-note" not in text


def test_the_compute_form_defaults_to_todays_map_and_keeps_the_periods_own(
    as_user, people, carrying, periods, org, reformed
):
    client = as_user("admin")
    form = client.get(reverse("runs")).content.decode()
    assert 'name="as_of"' in form and 'value="2025-07-01"' in form
    post = {"methodology": carrying.pk, "period": "2024"}
    client.post(reverse("run_compute"), post | {"as_of": "today"})
    client.post(reverse("run_compute"), post | {"as_of": ""})
    made = list(carrying.runs.order_by("number"))
    assert [r.as_of for r in made] == [AFTER, None]
    page = client.get(reverse("run", args=[made[0].pk])).content.decode()
    assert "2 districts (map of 1 July 2025)" in page and "carried from" in page
    # a recompute stays on its map
    client.post(reverse("run_recompute", args=[made[0].pk]))
    assert carrying.runs.order_by("-number").first().as_of == AFTER
    # a bad day is a clear error, nothing stored
    response = client.post(reverse("run_compute"), post | {"as_of": "1 July"}, follow=True)
    assert "is not a date" in response.content.decode()
    assert carrying.runs.count() == 3
    assert maps.todays_map(periods["2024"], today=dt.date(2025, 6, 1)) is None
    assert maps.todays_map(periods["2024"], today=dt.date(2026, 1, 1)) == AFTER
