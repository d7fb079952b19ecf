"""Target statuses in the platform: computed from APPROVED values through the status
library, never typed, with "N of M met" per resolution, unit and pillar and its history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dxscore.demo import platform as langson
from dxscore.demo.langson import target_statuses
from dxscore.web.data.models import Indicator, Period, Status, Value
from dxscore.web.plans import assessing
from dxscore.web.plans.models import Evidence, Resolution, Target


@pytest.fixture
def resolution(org):
    return Resolution.objects.create(
        unit=org.bac_ninh,
        code="52-NQ/TU",
        title="Digital transformation to 2025",
        issuer="Bắc Ninh Party Committee",
        issued_on=dt.date(2022, 3, 18),
        horizon="2025",
    )


@pytest.fixture
def online(db):
    return Indicator.objects.create(code="online", name="Online dossiers", measure="%")


def _value(unit, indicator, period, x, status=Status.APPROVED):
    p = Period.objects.get_or_create(code=period)[0]
    return Value.objects.create(unit=unit, indicator=indicator, period=p, value=x, status=status)


def _target(resolution, unit, indicator=None, number=1, **fields):
    defaults = {"title": f"Target {number}", "deadline": "2025"}
    if indicator is not None:
        defaults |= {"comparison": ">=", "value": 70.0}
    t = Target(
        resolution=resolution, number=number, unit=unit, indicator=indicator, **(defaults | fields)
    )
    t.full_clean()
    t.save()
    return t


def _status(target, as_of):
    return assessing.assess_targets([target], as_of)[0].status


def test_the_langson_resolution_has_22_of_30_targets_met_at_the_end_of_2024(org):
    resolution = langson.load()
    items = assessing.assess_targets(resolution.targets.all(), "2024")
    assert assessing.summary(items)["met"] == 22
    assert assessing.summary(items)["total"] == 30
    # the platform agrees with the library target by target
    assert {a.target.number: a.status for a in items} == target_statuses("2024")
    by_pillar = dict(assessing.grouped(items, lambda t: t.pillar.code))
    assert by_pillar["party"]["met"] == 3 and by_pillar["party"]["total"] == 4
    assert by_pillar["border"] == {**by_pillar["border"], "met": 2, "total": 3}


def test_history_gives_the_summary_at_each_year_end_and_now(org):
    resolution = langson.load()
    targets = list(resolution.targets.all())
    rows = assessing.history(resolution, targets, as_of="2025-03-31")
    assert [r.period for r in rows] == ["2021", "2022", "2023", "2024", "2025-03-31"]
    met = [r.summary["met"] for r in rows]
    assert met[3] == 22
    assert met == sorted(met)  # the demo only improves
    assert met[0] < 22


def test_no_approved_value_is_no_data_and_drafts_do_not_count(resolution, online, org):
    target = _target(resolution, org.d256, online)
    assert _status(target, "2024") == "no_data"
    _value(org.d256, online, "2024", 90, status=Status.SUBMITTED)
    assert _status(target, "2024") == "no_data"
    _value(org.d257, online, "2023", 90)  # another unit's value is not this target's
    assert _status(target, "2024") == "no_data"


def test_met_on_track_and_at_risk_follow_the_approved_values(resolution, online, org):
    target = _target(resolution, org.d256, online, baseline=30, baseline_period="2020")
    _value(org.d256, online, "2022", 50)
    _value(org.d256, online, "2023", 60)
    assert _status(target, "2023") == "on_track"  # +10 a year reaches 80 by 2025
    _value(org.d256, online, "2024", 61)
    assert _status(target, "2024") == "at_risk"  # 50, 60, 61 projects about 67
    Value.objects.filter(period__code="2024").update(value=72)
    assert _status(target, "2024") == "met"


def test_after_the_deadline_the_last_value_by_the_deadline_decides(resolution, online, org):
    target = _target(resolution, org.d256, online, deadline="2023")
    _value(org.d256, online, "2023", 65)
    _value(org.d256, online, "2024", 90)  # too late
    assert _status(target, "2024") == "missed"
    assert _status(target, "2026-01-15") == "missed"


def test_lower_is_better_targets_use_at_most(resolution, org):
    days = Indicator.objects.create(code="days", name="Processing time", measure="days")
    target = _target(
        resolution, org.d256, days, comparison="<=", value=5, baseline=9, baseline_period="2020"
    )
    _value(org.d256, days, "2023", 5.8)
    assert _status(target, "2023") == "on_track"  # from 9 in 2020 to 5.8 in 2023
    _value(org.d256, days, "2024", 4.9)
    assert _status(target, "2024") == "met"


def test_a_qualitative_target_is_met_only_from_the_day_its_evidence_is_approved(resolution, org):
    target = _target(resolution, org.d256, deadline="2025")
    assert _status(target, "2024") == "no_data"
    assert _status(target, "2025-06-30") == "at_risk"  # in the deadline period
    target.evidence_state = Evidence.SUBMITTED
    target.save()
    assert _status(target, "2025-06-30") == "at_risk"  # submitted is not approved
    target.evidence_state = Evidence.APPROVED
    target.evidence_approved_on = dt.date(2025, 8, 1)
    target.save()
    assert _status(target, "2025-06-30") == "at_risk"
    assert _status(target, "2025") == "met"
    assert _status(target, "2026-02-01") == "met"


def test_a_qualitative_target_without_evidence_is_missed_after_its_deadline(resolution, org):
    target = _target(resolution, org.d256, deadline="2024")
    assert _status(target, "2025-01-10") == "missed"


def test_a_baseline_after_the_deadline_is_refused(resolution, online, org):
    with pytest.raises(ValidationError) as err:
        _target(resolution, org.d256, online, baseline=30, baseline_period="2026")
    assert "after the deadline" in str(err.value)
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"comparison": ""}, "comparison"),
        ({"value": None}, "value"),
        ({"deadline": "next year"}, "deadline"),
        ({"baseline": 30}, "baseline_period"),
    ],
)
def test_incomplete_quantitative_targets_are_refused(resolution, online, org, fields, field):
    with pytest.raises(ValidationError) as err:
        _target(resolution, org.d256, online, **fields)
    assert field in err.value.message_dict
