"""Targets and tasks in Excel: the export of a resolution's workbook, and the upload of an
edited one, previewed first and committed all or nothing (``excel.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dxscore.web.plans import excel
from dxscore.web.plans.forms import (
    PlanUploadForm,
)
from dxscore.web.plans.models import (
    PlanUpload,
)
from dxscore.web.plans.views.common import (
    assignable_or_404,
    resolution_or_404,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def export_workbook(request, pk: int):
    resolution = resolution_or_404(request, pk)
    response = HttpResponse(excel.export(resolution), content_type=XLSX)
    name = "".join(c if c.isalnum() else "-" for c in resolution.code)
    response["Content-Disposition"] = f'attachment; filename="targets-tasks-{name}.xlsx"'
    return response


@login_required
@require_POST
def upload_workbook(request, pk: int):
    resolution = assignable_or_404(request, pk)
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
        request,
        ngettext(
            "%(n)d target or task stored from %(f)s.",
            "%(n)d targets and tasks stored from %(f)s.",
            n,
        )
        % {"n": n, "f": found.filename},
    )
    return redirect("plans:resolution", found.resolution_id)
