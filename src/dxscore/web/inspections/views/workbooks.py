"""A plan's planned inspections in Excel: download, upload with a dry-run preview, commit
all or nothing (``excel.py``); the figures workbook is on the dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dxscore.web.inspections import access, excel
from dxscore.web.inspections.forms import PlanUploadForm
from dxscore.web.inspections.models import PlanUpload
from dxscore.web.inspections.views.common import plan_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def plan_export(request, pk: int):
    plan = plan_or_404(request, pk)
    response = HttpResponse(excel.export(plan), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="inspection-plan-{plan.year}-{plan.body.code}.xlsx"'
    )
    return response


@login_required
@require_POST
def plan_upload(request, pk: int):
    plan = plan_or_404(request, pk)
    if not access.can_manage_plan(request.user, plan):
        raise PermissionDenied
    form = PlanUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, error)
        return redirect("inspections:plan", pk)
    stored = excel.preview(form.cleaned_data["file"], plan, request.user)
    return redirect("inspections:upload", stored.pk)


def _own(request, pk: int) -> PlanUpload:
    found = get_object_or_404(PlanUpload.objects.select_related("plan"), pk=pk)
    if found.uploaded_by_id != request.user.pk:
        raise Http404
    return found


@login_required
def upload_preview(request, pk: int):
    return render(request, "inspections/upload.html", {"upload": _own(request, pk)})


@login_required
@require_POST
def upload_commit(request, pk: int):
    found = _own(request, pk)
    if request.POST.get("action") == "cancel":
        if found.state == PlanUpload.State.PREVIEW:
            found.state = PlanUpload.State.CANCELLED
            found.save(update_fields=["state"])
            messages.success(request, _("Upload cancelled: nothing was stored."))
        return redirect("inspections:plan", found.plan_id)
    try:
        n = excel.commit(found, request.user)
    except excel.UploadError as exc:
        messages.error(request, str(exc) + " " + _("Nothing was stored."))
        return redirect("inspections:upload", pk)
    messages.success(
        request,
        ngettext(
            "%(n)d planned inspection stored from %(f)s.",
            "%(n)d planned inspections stored from %(f)s.",
            n,
        )
        % {"n": n, "f": found.filename},
    )
    return redirect("inspections:plan", found.plan_id)
