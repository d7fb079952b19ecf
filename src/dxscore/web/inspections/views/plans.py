"""Annual inspection plans: list, create, planned inspections, approve and amend (with
history)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxscore.web.dashboards import exports
from dxscore.web.inspections import access, downloads, selectors, work
from dxscore.web.inspections.forms import PlanForm, PlannedForm, PlanUploadForm
from dxscore.web.inspections.views.common import attempt, plan_or_404
from dxscore.web.orgs.models import Unit


@login_required
def plan_list(request):
    led = Unit.objects.filter(pk__in=access.led_bodies(request.user))
    form = PlanForm(request.POST or None, bodies=led)
    if request.method == "POST":
        if not led.exists():
            raise PermissionDenied
        if form.is_valid():
            plan = form.save(commit=False)
            plan._history_user = request.user
            plan.save()
            messages.success(request, _("Plan saved as a draft."))
            return redirect("inspections:plan", plan.pk)
    return render(
        request,
        "inspections/plans.html",
        {"plans": selectors.listed_plans(request.user), "form": form if led.exists() else None},
    )


@login_required
def plan_list_download(request, fmt: str):
    """The plans list as CSV, XLSX or JSON: the plans the person reads, as listed."""
    if fmt not in exports.FORMATS:
        raise Http404
    return exports.download(downloads.plans_table(selectors.listed_plans(request.user)), fmt)


@login_required
def plan_detail(request, pk: int):
    plan = plan_or_404(request, pk)
    manage = access.can_manage_plan(request.user, plan)
    form = PlannedForm(request.POST or None, plan=plan) if manage and plan.editable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            item = form.save(commit=False)
            if attempt(
                request,
                lambda: work.add_planned(request.user, plan, item, form.cleaned_data["subjects"]),
                _("Planned inspection %(n)d saved.") % {"n": item.number},
            ):
                return redirect("inspections:plan", pk)
    items = selectors.planned_of(plan)
    return render(
        request,
        "inspections/plan.html",
        {
            "plan": plan,
            "items": items,
            "form": form,
            "can_manage": manage,
            "upload_form": PlanUploadForm() if manage and plan.editable else None,
            "history": selectors.plan_history(plan),
        },
    )


@login_required
def planned_download(request, pk: int, fmt: str):
    """A plan's planned inspections as CSV, XLSX or JSON, to whom the plan's page shows
    them (404 to others, as the page)."""
    if fmt not in exports.FORMATS:
        raise Http404
    plan = plan_or_404(request, pk)
    return exports.download(downloads.planned_table(plan, selectors.planned_of(plan)), fmt)


@login_required
def plan_history_download(request, pk: int, fmt: str):
    """A plan's history (the last changes its page lists) as CSV, XLSX or JSON, to whom
    the plan's page shows it (404 to others, as the page)."""
    if fmt not in exports.FORMATS:
        raise Http404
    plan = plan_or_404(request, pk)
    return exports.download(downloads.plan_history_table(plan, selectors.plan_history(plan)), fmt)


@login_required
@require_POST
def plan_state(request, pk: int):
    plan = plan_or_404(request, pk)
    if request.POST.get("action") == "approve":
        attempt(request, lambda: work.approve_plan(request.user, plan), _("Plan approved."))
    else:
        attempt(
            request,
            lambda: work.amend_plan(request.user, plan, request.POST.get("note", "")),
            _("The plan is open for amendment."),
        )
    return redirect("inspections:plan", pk)
