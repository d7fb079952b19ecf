"""The staff dashboard of inspections: the figures of a year (per inspecting body and per
subject unit, over the inspections the person reads whole), the inspections they may
read with their current stage, and the recommendations they report on; the same
figures as a workbook. Public pages list published conclusions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from dxscore import periods
from dxscore.web.inspections import access, excel, selectors
from dxscore.web.inspections import figures as numbers
from dxscore.web.orgs.models import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request) -> str:
    code = (request.GET.get("period") or "").strip()
    return code if periods.is_period(code) else str(timezone.localdate().year)


def _named(found: dict) -> list[tuple[Unit | None, object]]:
    units = Unit.objects.in_bulk([k for k in found if k], field_name="key")
    return [(units.get(k), f) for k, f in found.items()]


@login_required
def dashboard(request):
    user = request.user
    period = _period(request)
    today = timezone.localdate()
    inspections = selectors.visible_inspections(user).prefetch_related("subjects")[:200]
    whole = set(selectors.full_access(user).values_list("pk", flat=True))
    rows = [(i, i.progress(today), i.pk in whole) for i in inspections]
    mine = [(r, r.state(today)) for r in selectors.to_report(user)]
    staff = bool(access.bodies(user) or whole)
    context = {
        "period": period,
        "rows": rows,
        "mine": mine,
        "staff": staff,
        "can_open": bool(access.led_bodies(user)),
    }
    if staff:
        context |= {
            "total": numbers.for_body_staff(user, period, "all").get(""),
            "by_body": _named(numbers.for_body_staff(user, period, "body")),
            "by_subject": _named(numbers.for_body_staff(user, period, "subject")),
        }
    return render(request, "inspections/dashboard.html", context)


@login_required
def figures_workbook(request):
    period = _period(request)
    user = request.user
    data = excel.figures_workbook(
        period,
        {by: _named(numbers.for_body_staff(user, period, by)) for by in ("body", "subject")},
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="inspection-figures-{period}.xlsx"'
    return response


def public_list(request):
    return render(
        request,
        "inspections/public_list.html",
        {"inspections": selectors.public_inspections().order_by("-published_on")},
    )


def public_detail(request, pk: int):
    inspection = get_object_or_404(selectors.public_inspections(), pk=pk)
    if not inspection.public:
        raise Http404
    return render(
        request,
        "inspections/public.html",
        {
            "inspection": inspection,
            "recs": inspection.recommendations.select_related("addressee_unit"),
        },
    )
