"""Resolutions: the list a person may read, creating and editing (the steering office), and
a resolution's page with its targets by pillar and unit and "N of M met" over time."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dxscore.web.plans import access, assessing, selectors, work
from dxscore.web.plans.forms import (
    PlanUploadForm,
    ResolutionForm,
)
from dxscore.web.plans.views.common import (
    assignable_or_404,
    resolution_or_404,
)


def _listed(request) -> list:
    """The resolutions the person may read, each with its targets' and tasks' summary
    (what the list and its downloads show)."""
    resolutions = list(selectors.visible_resolutions(request.user).prefetch_related("targets"))
    for r in resolutions:
        r.summary = assessing.summary(assessing.assess_targets(r.targets.all()))
        r.tasks_summary = work.task_summary(r.tasks.all())
    return resolutions


@login_required
def resolution_list(request):
    resolutions = _listed(request)
    return render(
        request,
        "plans/resolutions.html",
        {"resolutions": resolutions, "can_create": access.assigning_units(request.user).exists()},
    )


@login_required
def resolution_list_download(request, fmt: str):
    """The resolutions list as CSV, XLSX or JSON: the same resolutions by the same
    reading rule, with the counts the list shows (targets met of all, tasks done of all,
    tasks overdue)."""
    from dxscore.web.dashboards import exports
    from dxscore.web.dashboards.tables import COUNT, Column, Table

    if fmt not in exports.FORMATS:
        raise Http404
    columns = [
        Column("code", _("Resolution")),
        Column("title", _("Title")),
        Column("issuer", _("Issuer")),
        Column("issued_on", _("Issued on")),
        Column("unit", _("Unit")),
        Column("horizon", _("Horizon")),
        Column("targets_met", _("Targets met"), COUNT),
        Column("targets", _("Targets"), COUNT),
        Column("tasks_done", _("Tasks done"), COUNT),
        Column("tasks", _("Tasks"), COUNT),
        Column("tasks_overdue", _("Overdue tasks"), COUNT),
    ]
    rows = [
        {
            "code": r.code,
            "title": r.label,
            "issuer": r.issuer,
            "issued_on": r.issued_on,
            "unit": r.unit.name,
            "horizon": r.horizon,
            "targets_met": r.summary.get("met", 0),
            "targets": r.summary.get("total", 0),
            "tasks_done": r.tasks_summary.get("done", 0),
            "tasks": r.tasks_summary.get("total", 0),
            "tasks_overdue": r.tasks_summary.get("overdue", 0),
        }
        for r in _listed(request)
    ]
    table = Table(name="resolutions", title=_("Resolutions"), columns=columns, rows=rows)
    return exports.download(table, fmt)


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
    resolution = assignable_or_404(request, pk)
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
    resolution = resolution_or_404(request, pk)
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
