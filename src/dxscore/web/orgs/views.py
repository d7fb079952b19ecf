from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit


@login_required
def unit_list(request):
    """The units the person may see, as an indented tree."""
    units = scope.restrict(Unit.objects.select_related("level", "parent"), request.user, via="")
    return render(request, "dxscore/units.html", {"units": units})
