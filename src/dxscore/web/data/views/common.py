"""What every collection page starts from: the methodology, period and unit asked for."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from dxscore.web.data.models import Methodology, Period
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit


def collection_or_404(request, mid: int, period: str, unit: str | None = None):
    methodology = get_object_or_404(Methodology, pk=mid)
    period_obj = get_object_or_404(Period, code=period)
    if unit is None:
        return methodology, period_obj, None
    visible = scope.restrict(Unit.objects.all(), request.user, scope.VIEW, via="")
    return methodology, period_obj, get_object_or_404(visible, code=unit)
