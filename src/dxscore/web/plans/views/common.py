"""What every plans page starts from: the resolution, target or task asked for, if the
person may see it (``selectors``), or may assign in it (``access``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from dxscore.web.plans import access, selectors
from dxscore.web.plans.models import Resolution, Target, Task


def record_id(text) -> int | None:
    """A record id from a query parameter; None for anything but a few ASCII digits
    (``int("²")`` fails though ``"²".isdigit()``)."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def resolution_or_404(request, pk: int) -> Resolution:
    return get_object_or_404(selectors.visible_resolutions(request.user), pk=pk)


def assignable_or_404(request, pk: int) -> Resolution:
    resolution = resolution_or_404(request, pk)
    if not access.can_assign(request.user, resolution):
        raise PermissionDenied
    return resolution


def target_or_404(request, pk: int) -> Target:
    target = get_object_or_404(
        Target.objects.select_related("resolution", "unit", "indicator", "pillar"), pk=pk
    )
    if not selectors.sees(request.user, target.resolution):
        raise Http404
    return target


def task_or_404(request, pk: int) -> Task:
    return get_object_or_404(
        selectors.visible_tasks(request.user).prefetch_related("cooperating", "assignees"), pk=pk
    )
