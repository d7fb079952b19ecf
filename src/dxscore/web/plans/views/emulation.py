"""Emulation rankings: a unit's departments or districts ranked with a methodology for a
period, from approved values and figures computed from the plans, and stored as a score
run (``emulation.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dxscore.web.data.models import Methodology, Period
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Level, Unit
from dxscore.web.plans import emulation as ranking
from dxscore.web.plans import selectors
from dxscore.web.plans.views.common import record_id


def _emulation_choice(request, q):
    """What the emulation form chose: methodology, parent unit, level, period (each may be
    None), with the choices offered."""
    visible = scope.restrict(Unit.objects.all(), request.user, scope.VIEW, via="")
    parents = visible.filter(children__isnull=False).distinct()
    methodologies = Methodology.objects.order_by("code", "-uploaded_at")
    levels = Level.objects.all()
    periods = Period.objects.all()
    methodology = methodologies.filter(pk=record_id(q.get("methodology")) or 0).first() or (
        methodologies.filter(code="province-emulation", active=True).first()
    )
    level = levels.filter(pk=record_id(q.get("level")) or 0).first()
    period = periods.filter(code=q.get("period", "")).first()
    # the parent's code is read on the map of the period's last day (a key names any unit)
    text = q.get("unit", "")
    parent = parents.lookup(text, period.end if period else None) if text else None
    if parent is not None and not scope.allows(request.user, scope.VIEW, parent):
        raise PermissionDenied
    return methodologies, parents, levels, periods, methodology, parent, level, period


def _ranked(request):
    """The form's choices and the ranking they ask for (None until all are chosen)."""
    choice = _emulation_choice(request, request.GET)
    _m, _p, _l, _ps, methodology, parent, level, period = choice
    result = None
    if methodology and parent and period:
        units = ranking.units_to_rank(parent, level, period)
        result = ranking.rank(methodology, period, units)
    return choice, result


@login_required
@require_GET
def emulation_download(request, fmt: str, part: str = "ranking"):
    """The page's ranking (or its inputs) for the same choices, as CSV, XLSX or JSON; a
    ranking that cannot be computed has no download (the page says why)."""
    from dxscore.web.dashboards import exports

    if fmt not in exports.FORMATS:
        raise Http404
    (_m, _p, _l, _ps, methodology, parent, level, period), result = _ranked(request)
    if result is None or result.problems:
        raise Http404
    build = ranking.inputs_table if part == "inputs" else ranking.ranking_table
    note = _(
        "Computed now from today's approved values, tasks and targets, as the page shows it; "
        "a stored score run keeps its own inputs."
    )
    table = build(result, methodology, parent, level, period)
    return exports.download(table, fmt, decimals=2, notes=[note])  # the page shows 2


@login_required
def emulation(request):
    """Rank the departments or districts of a unit with a methodology for a period."""
    choice, result = _ranked(request)
    methodologies, parents, levels, periods, methodology, parent, level, period = choice
    return render(
        request,
        "plans/emulation.html",
        {
            "methodologies": methodologies,
            "parents": parents,
            "levels": levels,
            "periods": periods,
            "methodology": methodology,
            "parent": parent,
            "level": level,
            "period": period,
            "result": result,
            "can_see_tasks": selectors.visible_tasks(request.user).exists(),
            "can_store": scope.can_manage(request.user),
            "querystring": request.GET.urlencode(),
            "formats": ("csv", "xlsx", "json"),
        },
    )


@login_required
@require_POST
def emulation_store(request):
    """Store the ranking the page shows as a score run (the same inputs: approved values
    and the figures computed from the plans), to be checked and published like any run:
    a published ranking no longer moves when tasks or targets change later."""
    from dxscore.web.scores import runs

    if not scope.can_manage(request.user):
        raise PermissionDenied
    _m, _p, _l, _ps, methodology, parent, level, period = _emulation_choice(request, request.POST)
    if not (methodology and parent and period):
        raise Http404
    units = ranking.units_to_rank(parent, level, period)
    try:
        run = runs.compute_run(
            request.user,
            methodology,
            period,
            units=units,
            computed=ranking.delivery(units, period),
            coverage=parent,
        )
    except runs.RunError as exc:
        for where, message in exc.problems:
            messages.error(request, f"{where}: {message}")
        return redirect(request.META.get("HTTP_REFERER") or reverse("plans:emulation"))
    messages.success(request, _("Stored the ranking as %(run)s.") % {"run": run})
    return redirect("run", run.pk)
