"""Tasks: the list (filters, board view), assigning and editing, a task's page, progress
reports with evidence, cancelling; the calendar download and the personal subscription
feed (signed, dated, rotatable addresses: ``ical.py``)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxscore.web.data.forms import ReasonForm
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit
from dxscore.web.plans import access, ical, selectors, work
from dxscore.web.plans.forms import (
    ProgressForm,
    TaskForm,
)
from dxscore.web.plans.models import Notice, ProgressUpdate, TaskStatus
from dxscore.web.plans.views.common import (
    assignable_or_404,
    record_id,
    task_or_404,
)


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
    # a code names the unit in force today (else the latest); a key names any unit
    owner = Unit.objects.lookup(chosen["unit"]) if chosen["unit"] else None
    query = selectors.TaskQuery(
        owner=owner,
        no_owner=bool(chosen["unit"]) and owner is None,
        resolution=record_id(chosen["resolution"]),
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
def task_list_download(request, fmt: str):
    """The task list with the page's filters (resolution, unit, status, mine), as CSV,
    XLSX or JSON: what the list shows, by the same reading rule."""
    from dxscore.web.dashboards import exports
    from dxscore.web.dashboards.tables import COUNT, Column, Table

    if fmt not in exports.FORMATS:
        raise Http404
    tasks, _chosen = filtered_tasks(request)
    today = timezone.localdate()
    columns = [
        Column("resolution", _("Resolution")),
        Column("number", _("Task"), COUNT),
        Column("title", _("Title")),
        Column("owner", _("Owner unit")),
        Column("deadline", _("Deadline")),
        Column("status", _("Status")),
        Column("percent", _("Progress (%)"), COUNT),
        Column("done_on", _("done on")),
    ]
    rows = [
        {
            "resolution": t.resolution.code,
            "number": t.number,
            "title": t.label,
            "owner": t.owner.name,
            "deadline": t.deadline,
            "status": str(TaskStatus(t.status(today)).label),
            "percent": t.percent,
            "done_on": t.done_on,
        }
        for t in tasks
    ]
    table = Table(name=f"tasks-{today.isoformat()}", title=_("Tasks"), columns=columns, rows=rows)
    return exports.download(table, fmt)


@login_required
def task_new(request, pk: int):
    resolution = assignable_or_404(request, pk)
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
    task = task_or_404(request, pk)
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
    task = task_or_404(request, pk)
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
    task = task_or_404(request, pk)
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
    except work.PlanNotAllowed:
        raise PermissionDenied from None
    except work.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Progress reported: %(p)d%%.") % {"p": d["percent"]})
    return redirect("plans:task", pk)


@login_required
@require_POST
def task_cancel(request, pk: int):
    task = task_or_404(request, pk)
    try:
        work.cancel_task(request.user, task, request.POST.get("reason", ""))
    except work.PlanNotAllowed:
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


def _calendar_response(tasks, name: str) -> HttpResponse:
    response = HttpResponse(ical.build(tasks, name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dxscore-tasks.ics"'
    return response


@login_required
def task_calendar(request):
    """The tasks of the list's filters as an .ics file; shows the subscription address."""
    if request.GET.get("subscribe"):
        url = request.build_absolute_uri(
            reverse("plans:feed", args=[ical.feed_token(request.user)])
        )
        return render(request, "plans/subscribe.html", {"url": url, "days": ical.feed_days()})
    tasks, _chosen = filtered_tasks(request)
    return _calendar_response(tasks, _("dxscore tasks"))


@login_required
@require_POST
def task_feed_rotate(request):
    """A new subscription address; every address given out before stops working."""
    ical.feed_token(request.user, rotate=True)
    messages.success(request, _("A new address was made; the earlier ones no longer work."))
    return redirect(reverse("plans:calendar") + "?subscribe=1")  # shows the new address


def task_feed(request, token: str):
    """A calendar program's subscription: the person's own tasks (owner unit in their
    entry scope or assigned to them), without a log-in session."""
    user = ical.feed_user(token)
    if user is None or scope.role_of(user) is None:
        raise Http404
    tasks = selectors.tasks(user, selectors.TaskQuery(mine=True))
    return _calendar_response(tasks.order_by("deadline", "pk"), _("My dxscore tasks"))
