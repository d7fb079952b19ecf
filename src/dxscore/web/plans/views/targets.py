"""Targets: creating and editing (the steering office), a target's page with why its status
is what it is, and the evidence of a qualitative target (submitted by its unit, approved
by someone else)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxscore.web.data.forms import ReasonForm
from dxscore.web.plans import access, assessing, work
from dxscore.web.plans.forms import (
    EvidenceForm,
    TargetForm,
)
from dxscore.web.plans.views.common import (
    assignable_or_404,
    target_or_404,
)


@login_required
def target_new(request, pk: int):
    resolution = assignable_or_404(request, pk)
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
    target = target_or_404(request, pk)
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
    target = target_or_404(request, pk)
    reading = assessing.target_reading(target)
    return render(
        request,
        "plans/target.html",
        {
            "target": target,
            "item": reading.item,
            "observations": reading.observations,
            "history": reading.history,
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
def target_download(request, pk: int, fmt: str):
    """A target's table of approved values as CSV, XLSX or JSON, for whoever may read
    its page (the plans reading rule): the same rows in the same order (the baseline
    first, then each approved value by period), in their stored precision; the
    workbook formats them as the page shows the indicator's figures (a rate as 0.0%).
    JSON's ``meta`` (the workbook's about sheet) holds the target, its status now and
    its status at the end of each past year (the page's history table)."""
    from dxscore.web.dashboards import exports
    from dxscore.web.dashboards.tables import Column, Table

    if fmt not in exports.FORMATS:
        raise Http404
    target = target_or_404(request, pk)
    if target.qualitative:  # its page shows evidence, no table of values
        raise Http404
    reading = assessing.target_reading(target)
    columns = [
        Column("period", _("Period")),
        Column("value", _("Value"), target.figure),
        Column("kind", _("Kind")),
    ]
    rows = [
        {**r, "kind": str(_("baseline") if r["baseline"] else _("approved value"))}
        for r in reading.observations
    ]
    resolution = target.resolution
    code = "".join(c if c.isascii() and c.isalnum() else "-" for c in resolution.code)
    table = Table(
        name=f"target-{code}-{target.number}",
        title=f"{resolution.code} · {target} · {target.unit.name}",
        columns=columns,
        rows=rows,
        meta={
            "resolution": resolution.code,
            "target": target.number,
            "title": target.label,
            "unit": target.unit.code,
            "unit_name": target.unit.name,
            "indicator": target.indicator.code,
            "measure": target.indicator.measure,
            "baseline": target.baseline,
            "baseline_period": target.baseline_period or None,
            "comparison": target.comparison,
            "goal": target.value,
            "deadline": target.deadline,
            "status": reading.item.status,
            "history": [
                {"as_of": h.period, "status": assessing.single_status(h)} for h in reading.history
            ],
        },
    )
    return exports.download(table, fmt)


@login_required
@require_POST
def target_evidence(request, pk: int):
    target = target_or_404(request, pk)
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
    except work.PlanNotAllowed:
        raise PermissionDenied from None
    except work.PlanError as exc:
        messages.error(request, str(exc))
    return redirect("plans:target", pk)


@login_required
def target_evidence_file(request, pk: int):
    target = target_or_404(request, pk)
    if not target.evidence_file:
        raise Http404
    return FileResponse(target.evidence_file.open("rb"), as_attachment=True)
