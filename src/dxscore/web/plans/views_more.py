"""Pages around the plans: Excel export and upload of targets and tasks, the calendar
(download and subscription feed) and emulation rankings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxscore.web.data.models import Methodology, Period
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Level, Unit
from dxscore.web.plans import emulation as ranking
from dxscore.web.plans import excel, ical, selectors
from dxscore.web.plans.forms import PlanUploadForm
from dxscore.web.plans.models import PlanUpload
from dxscore.web.plans.views import _assignable, _resolution, filtered_tasks

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def export_workbook(request, pk: int):
    resolution = _resolution(request, pk)
    response = HttpResponse(excel.export(resolution), content_type=XLSX)
    name = "".join(c if c.isalnum() else "-" for c in resolution.code)
    response["Content-Disposition"] = f'attachment; filename="targets-tasks-{name}.xlsx"'
    return response


@login_required
@require_POST
def upload_workbook(request, pk: int):
    resolution = _assignable(request, pk)
    form = PlanUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, error)
        return redirect("plans:resolution", pk)
    stored = excel.preview(form.cleaned_data["file"], resolution, request.user)
    return redirect("plans:upload_preview", stored.pk)


def _own_upload(request, pk: int) -> PlanUpload:
    found = get_object_or_404(PlanUpload.objects.select_related("resolution"), pk=pk)
    if found.uploaded_by_id != request.user.pk:
        raise Http404
    return found


@login_required
def upload_preview(request, pk: int):
    return render(request, "plans/upload.html", {"upload": _own_upload(request, pk)})


@login_required
@require_POST
def upload_commit(request, pk: int):
    found = _own_upload(request, pk)
    if request.POST.get("action") == "cancel":
        if found.state == PlanUpload.State.PREVIEW:
            found.state = PlanUpload.State.CANCELLED
            found.save(update_fields=["state"])
            messages.success(request, _("Upload cancelled: nothing was stored."))
        return redirect("plans:resolution", found.resolution_id)
    try:
        n = excel.commit(found, request.user)
    except excel.UploadError as exc:
        messages.error(request, str(exc) + " " + _("Nothing was stored."))
        return redirect("plans:upload_preview", pk)
    messages.success(
        request, _("%(n)d target(s) and task(s) stored from %(f)s.") % {"n": n, "f": found.filename}
    )
    return redirect("plans:resolution", found.resolution_id)


def _calendar_response(tasks, name: str) -> HttpResponse:
    response = HttpResponse(ical.build(tasks, name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dxscore-tasks.ics"'
    return response


@login_required
def task_calendar(request):
    """The tasks of the list's filters as an .ics file; shows the subscription address."""
    if request.GET.get("subscribe"):
        url = request.build_absolute_uri(
            reverse("plans:feed", args=[ical.feed_token(request.user)])
        )
        return render(request, "plans/subscribe.html", {"url": url, "days": ical.feed_days()})
    tasks, _chosen = filtered_tasks(request)
    return _calendar_response(tasks, _("dxscore tasks"))


@login_required
@require_POST
def task_feed_rotate(request):
    """A new subscription address; every address given out before stops working."""
    url = request.build_absolute_uri(
        reverse("plans:feed", args=[ical.feed_token(request.user, rotate=True)])
    )
    messages.success(request, _("A new address was made; the earlier ones no longer work."))
    return render(request, "plans/subscribe.html", {"url": url, "days": ical.feed_days()})


def task_feed(request, token: str):
    """A calendar program's subscription: the person's own tasks (owner unit in their
    entry scope or assigned to them), without a log-in session."""
    user = ical.feed_user(token)
    if user is None or scope.role_of(user) is None:
        raise Http404
    tasks = selectors.tasks(user, selectors.TaskQuery(mine=True))
    return _calendar_response(tasks.order_by("deadline", "pk"), _("My dxscore tasks"))


def _id(text) -> int:
    """A record id from a query parameter; 0 (no record) for anything but digits."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else 0


def _emulation_choice(request, q):
    """What the emulation form chose: methodology, parent unit, level, period (each may be
    None), with the choices offered."""
    visible = scope.restrict(Unit.objects.all(), request.user, scope.VIEW, via="")
    parents = visible.filter(children__isnull=False).distinct()
    methodologies = Methodology.objects.order_by("code", "-uploaded_at")
    levels = Level.objects.all()
    periods = Period.objects.all()
    methodology = methodologies.filter(pk=_id(q.get("methodology"))).first() or (
        methodologies.filter(code="province-emulation", active=True).first()
    )
    parent = parents.filter(code=q.get("unit", "")).first()
    level = levels.filter(pk=_id(q.get("level"))).first()
    period = periods.filter(code=q.get("period", "")).first()
    if parent is not None and not scope.allows(request.user, scope.VIEW, parent):
        raise PermissionDenied
    return methodologies, parents, levels, periods, methodology, parent, level, period


@login_required
def emulation(request):
    """Rank the departments or districts of a unit with a methodology for a period."""
    methodologies, parents, levels, periods, methodology, parent, level, period = _emulation_choice(
        request, request.GET
    )
    result = None
    if methodology and parent and period:
        units = ranking.units_to_rank(parent, level, period)
        result = ranking.rank(methodology, period, units)
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
