"""Who may do what with inspections, on top of ``orgs/scope.py`` (what a person reads in
lists is in ``selectors.py``). Inspection files are **confidential by default**:

- **Everything** of an inspection (decision, team, findings, reports, evidence) is read
  by its team and by the leaders of its inspecting body (``Inspector.leader``), and by
  nobody else: a platform administrator's role does not open it.
- The **subject units** (people whose own unit — entry scope, else viewing scope — lies
  at or below a subject unit) and the addressee of a recommendation read the
  conclusion and its recommendations once the conclusion is issued.
- The **public** reads published conclusions (``Inspection.published_on``).
- **Plans**: the body's inspectors read and its leaders manage its plans; an approved
  plan is read by every signed-in person.
- **Follow-up**: people of the addressee unit with entry rights there, and the addressee
  person, report implementation and ask for extensions; the team and the leaders review
  reports (never the person who reported), the leaders decide extensions.

Every read of a confidential document is logged (``reads.log``).
"""

from __future__ import annotations

from dxscore.web.inspections.models import (
    ImplementationReport,
    Inspection,
    InspectionPlan,
    Inspector,
    PlanState,
    Recommendation,
)
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def own_unit(user) -> Unit | None:
    """The unit a person belongs to: their entry scope, else their viewing scope."""
    if not _active(user):
        return None
    person = getattr(user, "person", None)
    if person is None:
        return None
    return person.entry_scope or person.view_scope


def led_bodies(user) -> list[int]:
    if not _active(user):
        return []
    return list(Inspector.objects.filter(user=user, leader=True).values_list("body_id", flat=True))


def bodies(user) -> list[int]:
    """Inspecting bodies the person works in (as inspector or leader)."""
    if not _active(user):
        return []
    return list(Inspector.objects.filter(user=user).values_list("body_id", flat=True))


def is_leader(user, body: Unit) -> bool:
    return body.pk in led_bodies(user)


def on_team(user, inspection: Inspection) -> bool:
    return _active(user) and inspection.team.filter(user=user).exists()


def sees_all(user, inspection: Inspection) -> bool:
    return on_team(user, inspection) or is_leader(user, inspection.body)


def is_subject(user, inspection: Inspection) -> bool:
    unit = own_unit(user)
    if unit is not None and any(unit.is_within(s) for s in inspection.subjects.all()):
        return True
    return _active(user) and inspection.recommendations.filter(addressee_person=user).exists()


def sees_conclusion(user, inspection: Inspection) -> bool:
    if inspection.public or sees_all(user, inspection):
        return True
    return inspection.issued and is_subject(user, inspection)


def can_edit(user, inspection: Inspection) -> bool:
    """Record stages, team, findings, the conclusion and recommendations."""
    return sees_all(user, inspection)


def can_open(user, body: Unit) -> bool:
    return is_leader(user, body)


def can_see_plan(user, plan: InspectionPlan) -> bool:
    if plan.body_id in bodies(user):
        return True
    return _active(user) and plan.state != PlanState.DRAFT


def can_manage_plan(user, plan: InspectionPlan) -> bool:
    return is_leader(user, plan.body)


def can_report(user, rec: Recommendation) -> bool:
    if not rec.inspection.issued or not _active(user):
        return False
    if rec.addressee_person_id == user.pk:
        return True
    unit = own_unit(user)
    return (
        unit is not None
        and unit.is_within(rec.addressee_unit)
        and scope.allows(user, scope.ENTER, rec.addressee_unit)
    )


def can_review(user, report: ImplementationReport) -> bool:
    return sees_all(user, report.recommendation.inspection) and report.reported_by_id != user.pk


def can_decide_extension(user, rec: Recommendation) -> bool:
    return is_leader(user, rec.inspection.body)
