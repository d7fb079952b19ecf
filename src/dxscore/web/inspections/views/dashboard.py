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
from dxscore.web.dashboards import exports
from dxscore.web.inspections import access, downloads, excel, selectors
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
    rows = selectors.dashboard_inspections(user, today)
    mine = selectors.reported_on(user, today)
    staff = bool(access.bodies(user)) or selectors.full_access(user).exists()
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


@login_required
def dashboard_download(request, fmt: str):
    """The dashboard's "Inspections you may read" as CSV, XLSX or JSON: the same
    inspections by the same reading rule, in the same order, with the stage shown."""
    if fmt not in exports.FORMATS:
        raise Http404
    listed = selectors.dashboard_inspections(request.user, timezone.localdate())
    return exports.download(downloads.inspections_table(listed), fmt)


@login_required
def reported_on_download(request, fmt: str):
    """The dashboard's "Recommendations you report on" as CSV, XLSX or JSON."""
    if fmt not in exports.FORMATS:
        raise Http404
    listed = selectors.reported_on(request.user, timezone.localdate())
    return exports.download(downloads.reported_on_table(listed), fmt)


def public_list(request):
    return render(
        request,
        "inspections/public_list.html",
        {"inspections": selectors.published_conclusions()},
    )


def public_list_download(request, fmt: str):
    """The published conclusions, as the public list shows them (for everybody)."""
    if fmt not in exports.FORMATS:
        raise Http404
    return exports.download(downloads.published_table(selectors.published_conclusions()), fmt)


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
