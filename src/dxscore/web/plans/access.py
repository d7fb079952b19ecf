"""Who may do what with resolutions, targets and tasks, on top of ``orgs/scope.py``
(what a person reads is in ``selectors.py``).

- **Read**: a resolution (with its targets and tasks) is read by everyone whose viewing
  scope lies on its unit's branch: at or below the unit (its departments, districts and
  communes) or above it (the ministry, the country). Others do not see it at all.
- **Assign**: the steering office (administrators and steering officers whose entry
  scope covers the resolution's unit) creates and changes resolutions, targets and tasks.
- **Report**: the owner unit of a task (people who may enter values for it) and the
  task's assignees report progress; the unit of a qualitative target submits its evidence.
- **Approve evidence**: people who may approve values for the target's unit, never the
  person who submitted it.
"""

from __future__ import annotations

from django.db.models import QuerySet

from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit
from dxscore.web.plans.models import Resolution, Target, Task


def assigning_units(user) -> QuerySet:
    """Units for which ``user`` may set up resolutions."""
    if not scope.can_manage(user):
        return Unit.objects.none()
    return scope.restrict(Unit.objects.all(), user, scope.ENTER, via="")


def can_assign(user, resolution: Resolution) -> bool:
    return scope.can_manage(user) and scope.allows(user, scope.ENTER, resolution.unit)


def can_report(user, task: Task) -> bool:
    if scope.allows(user, scope.ENTER, task.owner):
        return True
    return scope.role_of(user) is not None and task.assignees.filter(pk=user.pk).exists()


def can_submit_evidence(user, target: Target) -> bool:
    return target.qualitative and scope.allows(user, scope.ENTER, target.unit)


def can_approve_evidence(user, target: Target) -> bool:
    return (
        target.qualitative
        and scope.allows(user, scope.APPROVE, target.unit)
        and target.evidence_by_id != user.pk
    )
