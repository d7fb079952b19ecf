"""Values files: an upload is checked and previewed first, then committed all or nothing
by the person who uploaded it (``imports.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dxscore.web.data import imports, workflow
from dxscore.web.data.collect import inputs
from dxscore.web.data.forms import ValuesUploadForm
from dxscore.web.data.models import Upload
from dxscore.web.data.views.common import collection_or_404
from dxscore.web.l10n import language
from dxscore.web.orgs import scope


@login_required
@require_POST
def upload(request, mid: int, period: str, unit: str):
    methodology, period_obj, unit_obj = collection_or_404(request, mid, period, unit)
    if not scope.allows(request.user, scope.ENTER, unit_obj):
        raise PermissionDenied
    form = ValuesUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, error)
        return redirect("entry", mid, period, unit)
    stored = imports.preview(
        form.cleaned_data["file"],
        methodology,
        period_obj,
        unit_obj,
        request.user,
        form.cleaned_data["numbers"] or language(request),
    )
    return redirect("upload", stored.pk)


def _own_upload(request, pk: int) -> Upload:
    found = get_object_or_404(Upload.objects.select_related("methodology", "period", "unit"), pk=pk)
    if found.uploaded_by_id != request.user.pk and not scope.allows(
        request.user, scope.VIEW, found.unit
    ):
        raise Http404
    return found


@login_required
def upload_preview(request, pk: int):
    found = _own_upload(request, pk)
    kinds = {s.code: s.figure for s in inputs(found.methodology)}
    rows = [{**r, "figure": kinds.get(r.get("indicator"), "number")} for r in found.rows or []]
    return render(request, "dxscore/upload.html", {"upload": found, "rows": rows})


@login_required
@require_POST
def upload_commit(request, pk: int):
    found = _own_upload(request, pk)
    if request.POST.get("action") == "cancel":
        if found.state == Upload.State.PREVIEW and found.uploaded_by_id == request.user.pk:
            found.state = Upload.State.CANCELLED
            found.save(update_fields=["state"])
            messages.success(request, _("Upload cancelled: nothing was stored."))
        return redirect("entry", found.methodology_id, found.period.code, found.unit.key)
    try:
        n = imports.commit(found, request.user)
    except workflow.EntryNotAllowed:
        raise PermissionDenied from None
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc) + " " + _("Nothing was stored."))
        return redirect("upload", pk)
    messages.success(
        request,
        ngettext("%(n)d value stored from %(f)s.", "%(n)d values stored from %(f)s.", n)
        % {"n": n, "f": found.filename},
    )
    return redirect("entry", found.methodology_id, found.period.code, found.unit.key)
