"""Changing tasks and targets: progress reports, cancelling, qualitative evidence.
Every change checks ``access`` and runs in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dxscore.web.orgs import scope
from dxscore.web.plans import access
from dxscore.web.plans.models import Evidence, ProgressUpdate, Target, Task, TaskStatus


class PlanError(ValueError):
    pass


class PlanNotAllowed(PlanError, scope.NotAllowed):
    """The person may not do this (role or scope)."""


def report_progress(
    user,
    task: Task,
    percent: int,
    text: str,
    reported_on: dt.date | None = None,
    file=None,
    link: str = "",
) -> ProgressUpdate:
    """Record how far the task is; 100% marks it done on ``reported_on``."""
    if not access.can_report(user, task):
        raise PlanNotAllowed(_("Only the owner unit and the assignees report progress."))
    today = timezone.localdate()
    reported_on = reported_on or today
    if reported_on > today:
        raise PlanError(_("Progress cannot be reported for a future date."))
    if not 0 <= percent <= 100:
        raise PlanError(_("Progress is a percentage from 0 to 100."))
    if not text.strip():
        raise PlanError(_("Say what was done."))
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.cancelled_on is not None:
            raise PlanError(_("The task was cancelled."))
        update = ProgressUpdate.objects.create(
            task=locked,
            reported_on=reported_on,
            percent=percent,
            text=text.strip(),
            evidence_file=file or "",
            evidence_link=link,
            reported_by=user,
        )
        latest = locked.updates.order_by("-reported_on", "-pk").first()
        locked.percent = latest.percent
        locked.done_on = latest.reported_on if latest.percent == 100 else None
        locked._history_user = user
        locked.save(update_fields=["percent", "done_on"])
    task.refresh_from_db()
    return update


def cancel_task(user, task: Task, reason: str) -> None:
    if not access.can_assign(user, task.resolution):
        raise PlanNotAllowed(_("Only the steering office cancels tasks."))
    if not reason.strip():
        raise PlanError(_("Say why the task is cancelled."))
    task.cancelled_on = timezone.localdate()
    task.cancel_reason = reason.strip()
    task._history_user = user
    task.save(update_fields=["cancelled_on", "cancel_reason"])


def submit_evidence(user, target: Target, note: str, file=None, link: str = "") -> None:
    if not access.can_submit_evidence(user, target):
        raise PlanNotAllowed(_("Only the target's unit submits its evidence."))
    if target.evidence_state == Evidence.APPROVED:
        raise PlanError(_("The evidence is already approved."))
    if not (note.strip() and (file or link or target.evidence_file)):
        raise PlanError(_("Describe the evidence and attach a file or a link."))
    target.evidence_note = note.strip()
    if file:
        target.evidence_file = file
    target.evidence_link = link
    target.evidence_state = Evidence.SUBMITTED
    target.evidence_by = user
    target.evidence_return_reason = ""
    target._history_user = user
    target.save()


def approve_evidence(user, target: Target) -> None:
    if target.evidence_state != Evidence.SUBMITTED:
        raise PlanError(_("No evidence is waiting for approval."))
    if not access.can_approve_evidence(user, target):
        raise PlanNotAllowed(_("You may not approve this evidence."))
    target.evidence_state = Evidence.APPROVED
    target.evidence_approved_by = user
    target.evidence_approved_on = timezone.localdate()
    target._history_user = user
    target.save()


def return_evidence(user, target: Target, reason: str) -> None:
    if target.evidence_state not in (Evidence.SUBMITTED, Evidence.APPROVED):
        raise PlanError(_("No evidence to return."))
    if not access.can_approve_evidence(user, target):
        raise PlanNotAllowed(_("You may not return this evidence."))
    if not reason.strip():
        raise PlanError(_("Say why the evidence is returned."))
    target.evidence_state = Evidence.RETURNED
    target.evidence_return_reason = reason.strip()
    target.evidence_approved_by = None
    target.evidence_approved_on = None
    target._history_user = user
    target.save()


def task_summary(tasks: Iterable[Task], today: dt.date | None = None) -> dict[str, int]:
    """Tasks per status, ``total`` and ``on_time`` (done by the deadline)."""
    counts = dict.fromkeys(TaskStatus.values, 0)
    total = on_time = 0
    for task in tasks:
        counts[task.status(today)] += 1
        total += 1
        on_time += task.on_time
    return {**counts, "total": total, "on_time": on_time}
