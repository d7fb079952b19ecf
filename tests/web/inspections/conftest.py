"""An inspectorate in Bắc Ninh (unit ``27-TT``) inspecting district 256.

Personas on top of ``tests/web/conftest.py``'s: ``leader`` leads the inspectorate,
``lead`` leads the inspection's team, ``inspector`` works in the inspectorate but is not
on the team; ``owner`` (district 256, the subject unit) receives the recommendation;
``colleague`` (district 257, sees all of Bắc Ninh) and ``outsider`` (Lào Cai) do not.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dxscore.web.inspections.models import (
    Inspection,
    InspectionPlan,
    Inspector,
    PlannedInspection,
    Recommendation,
    TeamMember,
)
from dxscore.web.orgs.models import Level, Role, Unit
from tests.web.support import TODAY, make_person


@pytest.fixture
def body(org):
    level = Level.objects.create(name="department", depth=2)
    return Unit.objects.create(
        code="27-TT", name="Thanh tra tỉnh", level=level, parent=org.bac_ninh
    )


@pytest.fixture
def staff(people, body):
    made = {
        "leader": make_person("leader", Role.VIEWER, body, body),
        "lead": make_person("lead", Role.VIEWER, body, body),
        "inspector": make_person("inspector", Role.VIEWER, body, body),
    }
    Inspector.objects.create(user=made["leader"], body=body, leader=True)
    Inspector.objects.create(user=made["lead"], body=body)
    Inspector.objects.create(user=made["inspector"], body=body)
    people.update(made)
    return made


@pytest.fixture
def case(org, body, staff):
    """An approved plan with one planned inspection, opened 100 days ago; on-site work
    done, the conclusion not issued yet; one financial recommendation to district 256."""
    plan = InspectionPlan.objects.create(
        body=body, year=TODAY.year, title="Kế hoạch thanh tra", state="approved"
    )
    item = PlannedInspection.objects.create(
        plan=plan, number=1, topic="Chi ngân sách", period_inspected="2023-2024", quarter=1
    )
    item.subjects.add(org.d256)
    decided = TODAY - dt.timedelta(days=100)
    inspection = Inspection.objects.create(
        body=body,
        planned=item,
        topic="Chi ngân sách",
        scope="2023-2024",
        decision_number="12/QĐ-TTr",
        decided_on=decided,
        signer="Chánh Thanh tra",
        time_limit_days=30,
        announced_on=decided + dt.timedelta(days=2),
        onsite_ended_on=decided + dt.timedelta(days=20),
        conclusion="Kết luận",
        conclusion_number="05/KL-TTr",
    )
    inspection.subjects.add(org.d256)
    TeamMember.objects.create(
        inspection=inspection, user=staff["lead"], role="lead", declared_on=decided
    )
    rec = Recommendation.objects.create(
        inspection=inspection,
        number=1,
        kind="financial",
        text="Thu hồi",
        addressee_unit=org.d256,
        amount=100_000_000,
        deadline=TODAY + dt.timedelta(days=30),
    )
    return {"plan": plan, "item": item, "inspection": inspection, "rec": rec}


def issue(inspection, days_ago: int = 1):
    inspection.reported_on = inspection.onsite_ended_on
    inspection.drafted_on = inspection.onsite_ended_on
    inspection.concluded_on = TODAY - dt.timedelta(days=days_ago)
    inspection.save()
