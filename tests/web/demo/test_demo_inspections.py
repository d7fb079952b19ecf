"""The inspection pilot of the demo: twelve inspections at every stage, recommendations
in every status, the five pilot agencies, built once."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from dxscore.demo import inspections as demo
from dxscore.demo.platform import load as load_langson
from dxscore.web.inspections.models import Inspection, Recommendation
from dxscore.web.inspections.selectors import with_follow_up
from dxscore.web.orgs.models import Person, Unit


def test_the_pilot_has_every_stage_and_status(db):
    from dxscore.inspections import STAGES, STATUSES

    load_langson(user=None)
    demo.units()
    users = get_user_model().objects
    for name in (demo.LEADER, demo.INSPECTOR):
        Person.objects.create(user=users.create_user(name), role="viewer")
    admin = users.create_user("admin")
    today = dt.date(2026, 3, 1)
    assert demo.load(admin, today) == 12
    assert demo.load(admin, today) == 0  # once
    assert set(Unit.objects.filter(code__in=demo.PILOT).values_list("code", flat=True)) == set(
        demo.PILOT
    )
    stages = {i.progress(today).stage for i in Inspection.objects.all()}
    assert stages == set(STAGES)
    recs = with_follow_up(Recommendation.objects.all())
    assert {r.state(today).status for r in recs} == set(STATUSES)
