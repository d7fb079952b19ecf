"""Resolutions, targets (with their computed status), tasks and progress reports, seen
and changed under the rules of ``web/plans/access.py``."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from dxscore.web.api import schemas as s
from dxscore.web.api.common import (
    MAX_ID,
    Limit,
    Offset,
    invalid,
    not_found,
    page,
    username,
    visible_unit,
)
from dxscore.web.api.problems import CONFLICT, FORBIDDEN, ApiProblem
from dxscore.web.orgs.models import Unit
from dxscore.web.plans import assessing, selectors, work
from dxscore.web.plans.models import Pillar, ProgressUpdate, Resolution, Task

router = Router(tags=["plans"])

TaskStatusName = Literal["not_started", "in_progress", "done", "overdue", "cancelled"]
TargetStatusName = Literal["met", "on_track", "at_risk", "missed", "no_data"]


def resolution_out(r: Resolution) -> dict:
    return {
        "id": r.pk,
        "unit": r.unit.code,
        "code": r.code,
        "title": r.label,
        "translations": r.translations,
        "issuer": r.issuer,
        "issued_on": r.issued_on,
        "horizon": r.horizon,
        "description": r.description,
        "pillars": [
            {"code": p.code, "name": p.label, "translations": p.translations}
            for p in r.pillars.all()
        ],
    }


def _resolutions(user):
    return selectors.visible_resolutions(user).prefetch_related(
        Prefetch("pillars", queryset=Pillar.objects.order_by("order", "code"))
    )


@router.get("/resolutions", response=s.ResolutionPage, summary="Resolutions you may read")
def list_resolutions(
    request,
    unit: str | None = Query(
        None, max_length=52, description="Unit code (or key) of the resolution."
    ),
    limit: int = Limit,
    offset: int = Offset,
):
    rows = _resolutions(request.user)
    if unit:
        rows = rows.filter(unit__in=Unit.objects.filter(Q(code=unit) | Q(key=unit)))
    return page(request, rows.order_by("-issued_on", "code", "pk"), limit, offset, resolution_out)


@router.get("/resolutions/{id}", response=s.ResolutionOut, summary="One resolution")
def get_resolution(request, id: int = Path(..., ge=1, le=MAX_ID)):
    found = _resolutions(request.user).filter(pk=id).first()
    if found is None:
        raise not_found(_("No resolution %(id)d that you may read.") % {"id": id})
    return resolution_out(found)


def _targets(user):
    return (
        selectors.visible_targets(user)
        .select_related("unit", "indicator", "pillar", "resolution")
        .order_by("resolution_id", "number")
    )


def target_out(a: assessing.Assessed) -> dict:
    t = a.target
    return {
        "id": t.pk,
        "resolution": t.resolution_id,
        "number": t.number,
        "pillar": t.pillar.code if t.pillar_id else None,
        "title": t.label,
        "translations": t.translations,
        "unit": t.unit.code,
        "indicator": t.indicator.code if t.indicator_id else None,
        "comparison": t.comparison,
        "value": t.value,
        "deadline": t.deadline,
        "baseline": t.baseline,
        "baseline_period": t.baseline_period,
        "status": a.status,
        "reason": str(a.assessment.reason),
        "latest_value": a.assessment.latest_value,
        "latest_period": a.assessment.latest_period,
    }


@router.get("/targets", response=s.TargetPage, summary="Targets with their computed status")
def list_targets(
    request,
    resolution: int | None = Query(None, ge=1, le=MAX_ID),
    unit: str | None = Query(
        None, max_length=52, description="A unit code (or key): it and below."
    ),
    status: TargetStatusName | None = None,
    limit: int = Limit,
    offset: int = Offset,
):
    targets = _targets(request.user)
    if resolution:
        targets = targets.filter(resolution_id=resolution)
    if unit:
        root = visible_unit(request.user, unit, "query", "unit")
        targets = targets.filter(unit__path__startswith=root.path)
    assessed = assessing.assess_targets(targets)
    if status:
        assessed = [a for a in assessed if a.status == status]
    return page(request, assessed, limit, offset, target_out)


@router.get("/targets/{id}", response=s.TargetOut, summary="One target")
def get_target(request, id: int = Path(..., ge=1, le=MAX_ID)):
    target = _targets(request.user).filter(pk=id).first()
    if target is None:
        raise not_found(_("No target %(id)d that you may read.") % {"id": id})
    return target_out(assessing.assess_targets([target])[0])


def _tasks(user):
    return (
        selectors.visible_tasks(user)
        .select_related("owner")
        .prefetch_related("cooperating", "assignees", "targets")
        .order_by("deadline", "resolution_id", "number")
    )


def task_out(t: Task, today: dt.date | None = None) -> dict:
    return {
        "id": t.pk,
        "resolution": t.resolution_id,
        "number": t.number,
        "title": t.label,
        "translations": t.translations,
        "description": t.description,
        "owner": t.owner.code,
        "cooperating": [u.code for u in t.cooperating.all()],
        "assignees": [u.get_username() for u in t.assignees.all()],
        "start": t.start,
        "deadline": t.deadline,
        "expected_result": t.expected_result,
        "process_notes": t.process_notes,
        "targets": [x.pk for x in t.targets.all()],
        "percent": t.percent,
        "status": t.status(today),
        "done_on": t.done_on,
        "cancelled_on": t.cancelled_on,
        "on_time": t.on_time,
    }


@router.get("/tasks", response=s.TaskPage, summary="Tasks you may read")
def list_tasks(
    request,
    resolution: int | None = Query(None, ge=1, le=MAX_ID),
    owner: str | None = Query(
        None, max_length=52, description="A unit code (or key): it and below."
    ),
    status: TaskStatusName | None = None,
    due_from: s.Day | None = Query(None, description="Deadline on or after."),
    due_to: s.Day | None = Query(None, description="Deadline on or before."),
    mine: bool = Query(False, description="Your unit's tasks and those assigned to you."),
    limit: int = Limit,
    offset: int = Offset,
):
    root = visible_unit(request.user, owner, "query", "owner") if owner else None
    query = selectors.TaskQuery(
        owner=root,
        resolution=resolution,
        status=status,
        due_from=due_from,
        due_to=due_to,
        mine=mine,
    )
    tasks = selectors.tasks(request.user, query, base=_tasks(request.user))
    today = timezone.localdate()
    if status:
        rows = selectors.with_status(tasks, status, today)
        return page(request, rows, limit, offset, lambda t: task_out(t, today))
    return page(request, tasks, limit, offset, lambda t: task_out(t, today))


def _task(user, task_id: int) -> Task:
    task = _tasks(user).filter(pk=task_id).first()
    if task is None:
        raise not_found(_("No task %(id)d that you may read.") % {"id": task_id})
    return task


@router.get("/tasks/{id}", response=s.TaskOut, summary="One task")
def get_task(request, id: int = Path(..., ge=1, le=MAX_ID)):
    return task_out(_task(request.user, id))


def progress_out(u: ProgressUpdate) -> dict:
    return {
        "id": u.pk,
        "task": u.task_id,
        "reported_on": u.reported_on,
        "percent": u.percent,
        "text": u.text,
        "evidence_link": u.evidence_link,
        "reported_by": username(u.reported_by),
        "created_at": u.created_at,
    }


@router.get("/tasks/{id}/progress", response=s.ProgressPage, summary="A task's progress reports")
def list_progress(
    request, id: int = Path(..., ge=1, le=MAX_ID), limit: int = Limit, offset: int = Offset
):
    task = _task(request.user, id)
    updates = task.updates.select_related("reported_by").order_by("-reported_on", "-pk")
    return page(request, updates, limit, offset, progress_out)


@router.post(
    "/tasks/{id}/progress", response={201: s.ProgressOut}, summary="Report a task's progress"
)
def report_progress(request, payload: s.ProgressIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """By the task's owner unit or its assignees; 100% marks the task done on that date."""
    task = _task(request.user, id)
    if payload.evidence_link:
        try:
            URLValidator(schemes=["http", "https"])(payload.evidence_link)
        except ValidationError:
            raise invalid(_("not a web address (http or https)"), "evidence_link") from None
    if not payload.text.strip():
        raise invalid(_("Say what was done."), "text")
    today = timezone.localdate()
    if payload.reported_on and payload.reported_on > today:
        raise invalid(_("Progress cannot be reported for a future date."), "reported_on")
    try:
        update = work.report_progress(
            request.user,
            task,
            payload.percent,
            payload.text,
            reported_on=payload.reported_on,
            link=payload.evidence_link,
        )
    except work.PlanNotAllowed as exc:
        raise ApiProblem(403, _("Forbidden"), str(exc), FORBIDDEN) from None
    except work.PlanError as exc:
        raise ApiProblem(409, _("Not possible now"), str(exc), CONFLICT) from None
    return Status(201, progress_out(update))
