"""What every inspections page starts from: the record asked for, if the person may read
it (``selectors``/``access``); a refusal from ``work`` becomes 403, a bad request a
message."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from dxscore.web.inspections import access, selectors, work
from dxscore.web.inspections.models import Inspection, InspectionPlan, Recommendation


def plan_or_404(request, pk: int) -> InspectionPlan:
    plan = get_object_or_404(InspectionPlan.objects.select_related("body"), pk=pk)
    if not access.can_see_plan(request.user, plan):
        raise Http404
    return plan


def inspection_or_404(request, pk: int) -> Inspection:
    return get_object_or_404(selectors.visible_inspections(request.user), pk=pk)


def whole_or_404(request, pk: int) -> Inspection:
    """An inspection the person reads whole (team, leaders)."""
    found = inspection_or_404(request, pk)
    if not access.sees_all(request.user, found):
        raise PermissionDenied
    return found


def recommendation_or_404(request, pk: int) -> Recommendation:
    return get_object_or_404(selectors.visible_recommendations(request.user), pk=pk)


def attempt(request, action, success: str) -> bool:
    """Run a change; its refusal is 403, its error a message on the page."""
    try:
        action()
    except work.InspectionNotAllowed:
        raise PermissionDenied from None
    except work.InspectionError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


def form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
