"""The contest of the demo: two finished rounds with about a thousand people across
Lạng Sơn's units (results published), an open round, and an initiatives round whose
evaluations rank through the engine; built once."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.utils import timezone

from dxscore.demo import contests as demo
from dxscore.demo.platform import load as load_langson
from dxscore.web.contests import initiatives, results, work
from dxscore.web.contests.models import Contest, InitiativeRound
from dxscore.web.orgs.models import Person


def test_the_demo_contest(db):
    load_langson(user=None)
    users = get_user_model().objects
    for name in ("steering", "approver", "viewer", "district", "officer"):
        Person.objects.create(user=users.create_user(name), role="viewer")
    started = time.perf_counter()
    made = demo.load(participants=1000)
    assert made == 600 + 750
    assert demo.load() == 0  # once
    print(f"demo contest in {time.perf_counter() - started:.1f} s")
    contest = Contest.objects.get(slug=demo.SLUG)
    states = [work.round_state(r) for r in contest.rounds.all()]
    assert states == ["closed", "closed", "open"]
    rows, true_count = results.round_ranking(contest.rounds.get(number=1))
    assert len(rows) == 600 and rows[0].prize == "Giải Nhất" and true_count > 0
    units = results.ranked_units(contest)
    shown = results.participation(contest, units)
    assert (
        sum(p.participants for p in shown)
        == contest.participants.filter(attempts__isnull=False).distinct().count()
    )
    assert all(p.rate is not None for p in shown if p.participants)
    competition = InitiativeRound.objects.get()
    standing = initiatives.standing(competition)
    assert len(standing.rows) == 4 and standing.rows[0]["rank"] == 1
    assert competition.closes_on > timezone.localdate()
