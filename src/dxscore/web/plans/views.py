"""Pages for resolutions, targets and tasks. Reading goes through ``selectors``;
every change checks ``access`` (the steering office assigns, the owner unit reports)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxscore.web.data.forms import ReasonForm
from dxscore.web.orgs.models import Unit
from dxscore.web.plans import access, assessing, selectors, work
from dxscore.web.plans.forms import (
    EvidenceForm,
    PlanUploadForm,
    ProgressForm,
    ResolutionForm,
    TargetForm,
    TaskForm,
)
from dxscore.web.plans.models import Notice, ProgressUpdate, Resolution, Target, Task, TaskStatus


def _resolution(request, pk: int) -> Resolution:
    return get_object_or_404(selectors.visible_resolutions(request.user), pk=pk)


def _assignable(request, pk: int) -> Resolution:
    resolution = _resolution(request, pk)
    if not access.can_assign(request.user, resolution):
        raise PermissionDenied
    return resolution


def _target(request, pk: int) -> Target:
    target = get_object_or_404(
        Target.objects.select_related("resolution", "unit", "indicator", "pillar"), pk=pk
    )
    if not selectors.sees(request.user, target.resolution):
        raise Http404
    return target


def _task(request, pk: int) -> Task:
    return get_object_or_404(
        selectors.visible_tasks(request.user).prefetch_related("cooperating", "assignees"), pk=pk
    )


# --- resolutions ------------------------------------------------------------------------


@login_required
def resolution_list(request):
    resolutions = list(selectors.visible_resolutions(request.user).prefetch_related("targets"))
    for r in resolutions:
        r.summary = assessing.summary(assessing.assess_targets(r.targets.all()))
        r.tasks_summary = work.task_summary(r.tasks.all())
    return render(
        request,
        "plans/resolutions.html",
        {"resolutions": resolutions, "can_create": access.assigning_units(request.user).exists()},
    )


@login_required
def resolution_new(request):
    units = access.assigning_units(request.user)
    if not units.exists():
        raise PermissionDenied
    form = ResolutionForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.instance.created_by = request.user
            resolution = form.save()
            form.save_pillars(resolution)
        messages.success(request, _("Resolution %(c)s created.") % {"c": resolution.code})
        return redirect("plans:resolution", resolution.pk)
    return render(request, "plans/form.html", {"form": form, "title": _("New resolution")})


@login_required
def resolution_edit(request, pk: int):
    resolution = _assignable(request, pk)
    form = ResolutionForm(request.POST or None, instance=resolution)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            form.save_pillars(resolution)
        messages.success(request, _("Resolution %(c)s saved.") % {"c": resolution.code})
        return redirect("plans:resolution", pk)
    return render(
        request,
        "plans/form.html",
        {"form": form, "title": resolution.code, "resolution": resolution},
    )


@login_required
def resolution_detail(request, pk: int):
    resolution = _resolution(request, pk)
    targets = list(
        resolution.targets.select_related("unit", "indicator", "pillar").prefetch_related("tasks")
    )
    items = assessing.assess_targets(targets)
    pillars = list(resolution.pillars.all())
    history = assessing.history(resolution, targets, key=lambda t: t.pillar_id)
    by_unit = sorted(assessing.grouped(items, lambda t: t.unit), key=lambda g: g[0].path)
    units = [u for u, _ in by_unit]
    unit_history = assessing.history(resolution, targets, key=lambda t: t.unit_id)
    tasks = list(resolution.tasks.select_related("owner"))
    return render(
        request,
        "plans/resolution.html",
        {
            "resolution": resolution,
            "items": items,
            "summary": assessing.summary(items),
            "by_pillar": assessing.grouped(items, lambda t: t.pillar),
            "by_unit": by_unit,
            "history": [
                (h.period, h.summary, [h.groups.get(p.pk) for p in pillars]) for h in history
            ],
            "history_units": units,
            "unit_history": [(h.period, [h.groups.get(u.pk) for u in units]) for h in unit_history],
            "pillars": pillars,
            "tasks_summary": work.task_summary(tasks),
            "tasks": tasks,
            "can_assign": access.can_assign(request.user, resolution),
            "upload_form": PlanUploadForm(),
            "statuses": assessing.STATUS_LABELS,
            "as_of": assessing.today_code(),
        },
    )


# --- targets ----------------------------------------------------------------------------


@login_required
def target_new(request, pk: int):
    resolution = _assignable(request, pk)
    form = TargetForm(request.POST or None, resolution=resolution)
    if request.method == "POST" and form.is_valid():
        target = form.save()
        messages.success(request, _("Target %(n)d saved.") % {"n": target.number})
        return redirect("plans:resolution", pk)
    return render(
        request,
        "plans/form.html",
        {"form": form, "title": _("New target"), "resolution": resolution},
    )


@login_required
def target_edit(request, pk: int):
    target = _target(request, pk)
    if not access.can_assign(request.user, target.resolution):
        raise PermissionDenied
    form = TargetForm(request.POST or None, instance=target, resolution=target.resolution)
    if request.method == "POST" and form.is_valid():
        target._history_user = request.user
        form.save()
        messages.success(request, _("Target %(n)d saved.") % {"n": target.number})
        return redirect("plans:target", pk)
    return render(
        request,
        "plans/form.html",
        {"form": form, "title": str(target), "resolution": target.resolution},
    )


@login_required
def target_detail(request, pk: int):
    target = _target(request, pk)
    item = assessing.assess_targets([target])[0]
    return render(
        request,
        "plans/target.html",
        {
            "target": target,
            "item": item,
            "observations": sorted(item.observations.items()),
            "history": assessing.history(target.resolution, [target]),
            "tasks": target.tasks.select_related("owner"),
            "can_assign": access.can_assign(request.user, target.resolution),
            "can_submit": access.can_submit_evidence(request.user, target)
            and target.evidence_state != "approved",
            "can_approve": access.can_approve_evidence(request.user, target),
            "evidence_form": EvidenceForm(initial={"link": target.evidence_link}),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def target_evidence(request, pk: int):
    target = _target(request, pk)
    action = request.POST.get("action")
    try:
        if action == "submit":
            form = EvidenceForm(request.POST, request.FILES)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
                return redirect("plans:target", pk)
            d = form.cleaned_data
            work.submit_evidence(request.user, target, d["note"], d["file"], d["link"])
            messages.success(request, _("Evidence submitted for approval."))
        elif action == "approve":
            work.approve_evidence(request.user, target)
            messages.success(request, _("Evidence approved: the target is met."))
        elif action == "return":
            work.return_evidence(request.user, target, request.POST.get("reason", ""))
            messages.success(request, _("Evidence returned."))
        else:
            raise Http404
    except work.NotAllowed:
        raise PermissionDenied from None
    except work.PlanError as exc:
        messages.error(request, str(exc))
    return redirect("plans:target", pk)


@login_required
def target_evidence_file(request, pk: int):
    target = _target(request, pk)
    if not target.evidence_file:
        raise Http404
    return FileResponse(target.evidence_file.open("rb"), as_attachment=True)


# --- tasks ------------------------------------------------------------------------------


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def task_query(user, q) -> tuple[selectors.TaskQuery, dict]:
    """The task filters of a page's query string, and the chosen values for its form."""
    chosen = {
        k: q.get(k, "") for k in ("unit", "resolution", "status", "due_from", "due_to", "mine")
    }
    owner = Unit.objects.filter(code=chosen["unit"]).first() if chosen["unit"] else None
    query = selectors.TaskQuery(
        owner=owner,
        no_owner=bool(chosen["unit"]) and owner is None,
        resolution=int(chosen["resolution"]) if chosen["resolution"].isdigit() else None,
        status=chosen["status"] or None,
        due_from=_date(chosen["due_from"]),
        due_to=_date(chosen["due_to"]),
        mine=bool(chosen["mine"]),
    )
    return query, chosen


def filtered_tasks(request):
    """Visible tasks filtered by ``unit`` (and below), ``resolution``, ``status``,
    ``due_from``, ``due_to`` and ``mine``, plus the filter values for the form."""
    query, chosen = task_query(request.user, request.GET)
    found = selectors.tasks(request.user, query).prefetch_related("cooperating")
    return selectors.with_status(found, query.status, timezone.localdate()), chosen


@login_required
def task_list(request):
    tasks, chosen = filtered_tasks(request)
    board = request.GET.get("view") == "board"
    today = timezone.localdate()
    columns = []
    if board:
        for status in TaskStatus:
            columns.append((status, [t for t in tasks if t.status(today) == status]))
    query = request.GET.copy()
    query.pop("view", None)
    return render(
        request,
        "plans/tasks.html",
        {
            "tasks": tasks,
            "board": board,
            "columns": columns,
            "chosen": chosen,
            "query": query.urlencode(),
            "summary": work.task_summary(tasks, today),
            "statuses": TaskStatus.choices,
            "resolutions": selectors.visible_resolutions(request.user),
            "units": Unit.objects.filter(
                plan_tasks__in=selectors.visible_tasks(request.user)
            ).distinct(),
        },
    )


@login_required
def task_new(request, pk: int):
    resolution = _assignable(request, pk)
    form = TaskForm(request.POST or None, resolution=resolution)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        task = form.save()
        messages.success(request, _("Task %(n)d assigned.") % {"n": task.number})
        return redirect("plans:task", task.pk)
    return render(
        request,
        "plans/form.html",
        {"form": form, "title": _("New task"), "resolution": resolution},
    )


@login_required
def task_edit(request, pk: int):
    task = _task(request, pk)
    if not access.can_assign(request.user, task.resolution):
        raise PermissionDenied
    form = TaskForm(request.POST or None, instance=task, resolution=task.resolution)
    if request.method == "POST" and form.is_valid():
        task._history_user = request.user
        form.save()
        messages.success(request, _("Task %(n)d saved.") % {"n": task.number})
        return redirect("plans:task", pk)
    return render(
        request,
        "plans/form.html",
        {"form": form, "title": str(task), "resolution": task.resolution},
    )


@login_required
def task_detail(request, pk: int):
    task = _task(request, pk)
    Notice.objects.filter(user=request.user, task=task, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render(
        request,
        "plans/task.html",
        {
            "task": task,
            "updates": task.updates.select_related("reported_by"),
            "targets": task.targets.all(),
            "can_report": access.can_report(request.user, task) and task.cancelled_on is None,
            "can_assign": access.can_assign(request.user, task.resolution),
            "progress_form": ProgressForm(initial={"percent": task.percent}),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def task_progress(request, pk: int):
    task = _task(request, pk)
    if not access.can_report(request.user, task):
        raise PermissionDenied
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("plans:task", pk)
    d = form.cleaned_data
    try:
        work.report_progress(
            request.user,
            task,
            d["percent"],
            d["text"],
            d["reported_on"],
            d["evidence_file"],
            d["evidence_link"],
        )
    except work.NotAllowed:
        raise PermissionDenied from None
    except work.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Progress reported: %(p)d%%.") % {"p": d["percent"]})
    return redirect("plans:task", pk)


@login_required
@require_POST
def task_cancel(request, pk: int):
    task = _task(request, pk)
    try:
        work.cancel_task(request.user, task, request.POST.get("reason", ""))
    except work.NotAllowed:
        raise PermissionDenied from None
    except work.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Task cancelled."))
    return redirect("plans:task", pk)


@login_required
def update_evidence(request, pk: int):
    update = get_object_or_404(ProgressUpdate.objects.select_related("task"), pk=pk)
    if not selectors.visible_tasks(request.user).filter(pk=update.task_id).exists():
        raise Http404
    if not update.evidence_file:
        raise Http404
    return FileResponse(update.evidence_file.open("rb"), as_attachment=True)


# --- notices ----------------------------------------------------------------------------


@login_required
def notice_list(request):
    if request.method == "POST":
        Notice.objects.filter(user=request.user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return redirect("plans:notices")
    notices = Notice.objects.filter(user=request.user).select_related("task", "task__owner")
    return render(request, "plans/notices.html", {"notices": notices[:200]})
