"""Public pages on either map: a methodology and period published on two maps shows a
switch (default the newest map); rank changes compare runs on one map; scorecards run
across the reform with carried values marked and the predecessors' own history."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from dxscore.web.dashboards import queries
from dxscore.web.scores import runs
from tests.web.scores import reform
from tests.web.support import approved

AFTER = reform.AFTER
carrying = reform.carrying  # fixtures
reformed = reform.reformed


@pytest.fixture
def both_maps(people, carrying, periods, org, reformed):
    """2023 and 2024 published on the map of each period and on the map of 1 July 2025."""
    admin = people | {"approver": people["admin"]}
    p23 = periods["2023"]
    approved(people, carrying, p23, org.d256, online=40, ontime=40)
    approved(people, carrying, p23, org.d257, online=90, ontime=90)
    approved(admin, carrying, p23, org.d80, online=50, ontime=50)
    made = {}
    for code in ("2023", "2024"):
        for as_of in (None, AFTER):
            run = runs.compute_run(people["admin"], carrying, periods[code], as_of=as_of)
            runs.publish(run, people["admin"])
            made[(code, as_of)] = run
    return made


def _page(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _ranks(text: str) -> dict[str, str]:
    """unit code -> the text of its leaderboard row."""
    return {
        m.group(1): " ".join(re.sub("<[^>]+>", " ", m.group(2)).split())
        for m in re.finditer(r'<tr id="u-([^"]+)">(.*?)</tr>', text, re.S)
    }


def test_the_leaderboard_defaults_to_the_newest_map_and_switches(both_maps, carrying):
    url = reverse("dash_leaderboard", args=[carrying.code, "2024"])
    text = _page(url)
    assert 'id="map-switch"' in text
    switch = text[text.index('id="map-switch"') :].split("</nav>")[0]
    # the older map first, the current one not a link
    assert switch.index("3 districts (map of 2024)") < switch.index(
        "2 districts (map of 1 July 2025)"
    )
    assert "<strong" in switch and "?map=own" in switch
    rows = _ranks(text)
    assert set(rows) == {"257", "80"}
    assert "Bắc Ninh mới" in rows["257"] and "carried from TP. Bắc Ninh, Từ Sơn" in rows["257"]
    old = _ranks(_page(url + "?map=own"))
    assert set(old) == {"256", "257", "80"} and "Từ Sơn" in old["257"]
    assert "carried from" not in old["257"]
    # a map the period has no run on falls back to the newest
    assert set(_ranks(_page(url + "?map=2030-01-01"))) == {"257", "80"}


def test_rank_changes_compare_runs_on_one_map(both_maps, carrying, people, periods):
    new24 = queries.Board(both_maps[("2024", AFTER)])
    assert new24.previous == both_maps[("2023", AFTER)]
    assert queries.Board(both_maps[("2024", None)]).previous == both_maps[("2023", None)]
    rows = {r.code: r for r in new24.rows()}
    # 2023 on the new map: 257 = mean(256, 257) = 65 beats 80 (50); 2024: 55 < 99
    assert (rows["257"].previous.rank, rows["257"].index.rank, rows["257"].rank_change) == (
        1,
        2,
        -1,
    )
    # without a run of 2023 on the new map, no change is shown rather than a wrong one
    unpublished = both_maps[("2023", AFTER)]
    type(unpublished).objects.filter(pk=unpublished.pk).update(published_at=None)
    assert queries.Board(both_maps[("2024", AFTER)]).previous is None


def test_a_new_units_scorecard_runs_across_the_reform(both_maps, carrying, org, reformed):
    text = _page(reverse("dash_scorecard", args=[carrying.code, "2024", "257"]))
    assert "Bắc Ninh mới" in text
    history = text[text.index('id="t-history"') :].split("</table>")[0]
    assert history.count("carried from TP. Bắc Ninh, Từ Sơn") == 2  # 2023 and 2024
    assert "55.00" in history and "65.00" in history
    predecessors = text[text.index('id="t-predecessors"') :].split("</table>")[0]
    assert "TP. Bắc Ninh" in predecessors and "Từ Sơn" in predecessors
    # their own scores on their own map, linked to their scorecards there
    assert "70.00" in predecessors and "40.00" in predecessors
    own_card = reverse("dash_scorecard", args=[carrying.code, "2024", "256"]) + "?map=own"
    assert own_card in predecessors
    # a predecessor's scorecard says when it ended and what it is part of now
    card = _page(own_card)
    assert "TP. Bắc Ninh" in card and 'id="unit-ended"' in card
    ended = card[card.index('id="unit-ended"') :].split("</p>")[0]
    assert "Ended 30/06/2025, now part of" in ended or "Ended 06/30/2025, now part of" in ended
    new_card = reverse("dash_scorecard", args=[carrying.code, "2024", "257"])
    assert f'href="{new_card}?map=2025-07-01"' in ended and "Bắc Ninh mới" in ended
    # Từ Sơn (257 on the old map) is not the new 257: its own history only
    tu_son = _page(reverse("dash_scorecard", args=[carrying.code, "2024", "257"]) + "?map=own")
    history = tu_son[tu_son.index('id="t-history"') :].split("</table>")[0]
    assert "carried from" not in history and "40.00" in history and "90.00" in history
    assert "t-predecessors" not in tu_son
