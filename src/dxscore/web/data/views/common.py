"""What every collection page starts from: the methodology, period and unit asked for."""

from __future__ import annotations

from django.http import Http404
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
    # the code is read on the map of the period's last day; a key (``15@2025-07-01``, or
    # the code of a unit that ended within the period) names any unit of the period
    found = visible.at(unit, period_obj.end) or (
        visible.filter(key=unit).valid_between(period_obj.start, period_obj.end).first()
    )
    if found is None:
        raise Http404
    return methodology, period_obj, found
