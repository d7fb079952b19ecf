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
