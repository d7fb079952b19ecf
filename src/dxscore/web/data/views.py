"""Data collection pages: completeness, the entry form, templates and uploads, the
workflow buttons, a value's history and its evidence."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dxscore.web.data import imports, selectors, workflow
from dxscore.web.data.collect import completeness as unit_progress
from dxscore.web.data.collect import entry_rows
from dxscore.web.data.forms import ReasonForm, ValuesUploadForm
from dxscore.web.data.models import Methodology, Period, Status, Upload, Value
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit
from dxscore.web.upload_limits import check_received, upload_limits

EVIDENCE_TYPES = (".pdf", ".png", ".jpg", ".jpeg", ".xlsx", ".docx", ".odt", ".ods", ".csv", ".txt")


def _context(request, mid: int, period: str, unit: str | None = None):
    methodology = get_object_or_404(Methodology, pk=mid)
    period_obj = get_object_or_404(Period, code=period)
    if unit is None:
        return methodology, period_obj, None
    visible = scope.restrict(Unit.objects.all(), request.user, scope.VIEW, via="")
    return methodology, period_obj, get_object_or_404(visible, code=unit)


@login_required
def completeness(request, mid: int, period: str):
    methodology, period_obj, _unit = _context(request, mid, period)
    rows = unit_progress(methodology, period_obj, request.user)
    totals = {s: sum(1 for r in rows if r.state == s) for s in Status.values}
    return render(
        request,
        "dxscore/completeness.html",
        {
            "methodology": methodology,
            "period": period_obj,
            "rows": rows,
            "required": sum(1 for _ in methodology.engine().indicators),
            "totals": totals,
            "late": sum(1 for r in rows if r.late),
        },
    )


class EvidenceField(forms.FileField):
    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and not upload.name.lower().endswith(EVIDENCE_TYPES):
            raise forms.ValidationError(
                gettext_lazy("Evidence must be one of: %(t)s") % {"t": ", ".join(EVIDENCE_TYPES)}
            )
        from django.conf import settings

        if upload and upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext_lazy("The file is too large."))
        if upload:
            check_received(upload, upload_limits(), workbook=False)
        return upload


def _entry_form(rows, editable: bool, data=None, files=None) -> forms.Form:
    form = forms.Form(data, files)
    for row in rows:
        spec, value = row.input, row.value
        locked = not editable or spec.computed or (value is not None and not value.editable)
        form.fields[f"v_{spec.code}"] = forms.FloatField(
            required=False,
            min_value=spec.low,
            max_value=spec.high,
            label=spec.name,
            disabled=locked,
            initial=value.value if value else None,
            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        )
        form.fields[f"c_{spec.code}"] = forms.CharField(
            required=False,
            max_length=2000,
            disabled=locked,
            initial=value.comment if value else "",
            widget=forms.Textarea(attrs={"rows": 1}),
            label=_("Comment"),
        )
        form.fields[f"l_{spec.code}"] = forms.URLField(
            required=False,
            max_length=500,
            disabled=locked,
            assume_scheme="https",
            initial=value.evidence_link if value else "",
            label=_("Evidence link"),
        )
        form.fields[f"f_{spec.code}"] = EvidenceField(
            required=False, disabled=locked, label=_("Evidence file")
        )
    return form


@login_required
def entry(request, mid: int, period: str, unit: str):
    methodology, period_obj, unit_obj = _context(request, mid, period, unit)
    rows = entry_rows(methodology, period_obj, unit_obj)
    can_enter = scope.allows(request.user, scope.ENTER, unit_obj)
    can_approve = scope.allows(request.user, scope.APPROVE, unit_obj)
    form = _entry_form(rows, can_enter)
    if request.method == "POST":
        if not can_enter:
            raise PermissionDenied
        form = _entry_form(rows, can_enter, request.POST, request.FILES)
        if form.is_valid():
            entries = [
                workflow.Entry(
                    code=row.input.code,
                    value=form.cleaned_data[f"v_{row.input.code}"],
                    comment=form.cleaned_data[f"c_{row.input.code}"],
                    link=form.cleaned_data[f"l_{row.input.code}"],
                    file=form.cleaned_data[f"f_{row.input.code}"],
                )
                for row in rows
                if not form.fields[f"v_{row.input.code}"].disabled
            ]
            try:
                changed = workflow.save_entries(
                    request.user, methodology, period_obj, unit_obj, entries
                )
                messages.success(request, _("%(n)d value(s) saved.") % {"n": changed})
                if request.POST.get("action") == "submit":
                    n = workflow.submit(request.user, methodology, period_obj, unit_obj)
                    messages.success(request, _("%(n)d value(s) submitted.") % {"n": n})
            except workflow.WorkflowError as exc:
                messages.error(request, str(exc))
            return redirect("entry", mid, period, unit)
    for row in rows:
        code = row.input.code
        row.fields = [form[f"v_{code}"], form[f"c_{code}"], form[f"l_{code}"], form[f"f_{code}"]]
    statuses = {r.value.status for r in rows if r.value is not None}
    return render(
        request,
        "dxscore/entry.html",
        {
            "methodology": methodology,
            "period": period_obj,
            "unit": unit_obj,
            "rows": rows,
            "form": form,
            "can_enter": can_enter,
            "can_approve": can_approve,
            "statuses": statuses,
            "upload_form": ValuesUploadForm(),
            "reason_form": ReasonForm(),
            "uploads": Upload.objects.filter(
                methodology=methodology, period=period_obj, unit=unit_obj
            )[:5],
        },
    )


@login_required
@require_POST
def entry_action(request, mid: int, period: str, unit: str):
    methodology, period_obj, unit_obj = _context(request, mid, period, unit)
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")
    steps = {
        "submit": lambda: workflow.submit(request.user, methodology, period_obj, unit_obj),
        "approve": lambda: workflow.approve(request.user, methodology, period_obj, unit_obj),
        "return": lambda: workflow.return_values(
            request.user, methodology, period_obj, unit_obj, reason
        ),
        "reopen": lambda: workflow.reopen(request.user, methodology, period_obj, unit_obj, reason),
    }
    if action not in steps:
        raise Http404
    try:
        n = steps[action]()
    except workflow.NotAllowed:
        raise PermissionDenied from None
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        done = {
            "submit": _("%(n)d value(s) submitted."),
            "approve": _("%(n)d value(s) approved."),
            "return": _("%(n)d value(s) returned."),
            "reopen": _("%(n)d value(s) reopened."),
        }[action]
        messages.success(request, done % {"n": n})
    return redirect("entry", mid, period, unit)


@login_required
def template(request, mid: int, period: str, unit: str):
    methodology, period_obj, unit_obj = _context(request, mid, period, unit)
    units = imports.template_units(methodology, period_obj, unit_obj, request.user)
    if not scope.allows(request.user, scope.ENTER, unit_obj) and not all(
        scope.allows(request.user, scope.ENTER, u) for u in units
    ):
        raise PermissionDenied
    content = imports.build_template(methodology, period_obj, units)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{methodology.code}-{period_obj.code}-{unit_obj.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def upload(request, mid: int, period: str, unit: str):
    methodology, period_obj, unit_obj = _context(request, mid, period, unit)
    if not scope.allows(request.user, scope.ENTER, unit_obj):
        raise PermissionDenied
    form = ValuesUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, error)
        return redirect("entry", mid, period, unit)
    stored = imports.preview(
        form.cleaned_data["file"], methodology, period_obj, unit_obj, request.user
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
    return render(request, "dxscore/upload.html", {"upload": found})


@login_required
@require_POST
def upload_commit(request, pk: int):
    found = _own_upload(request, pk)
    if request.POST.get("action") == "cancel":
        if found.state == Upload.State.PREVIEW and found.uploaded_by_id == request.user.pk:
            found.state = Upload.State.CANCELLED
            found.save(update_fields=["state"])
            messages.success(request, _("Upload cancelled: nothing was stored."))
        return redirect("entry", found.methodology_id, found.period.code, found.unit.code)
    try:
        n = imports.commit(found, request.user)
    except workflow.NotAllowed:
        raise PermissionDenied from None
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc) + " " + _("Nothing was stored."))
        return redirect("upload", pk)
    messages.success(
        request, _("%(n)d value(s) stored from %(f)s.") % {"n": n, "f": found.filename}
    )
    return redirect("entry", found.methodology_id, found.period.code, found.unit.code)


def _visible_value(request, pk: int) -> Value:
    return get_object_or_404(selectors.visible_values(request.user), pk=pk)


@login_required
def value_history(request, pk: int):
    value = _visible_value(request, pk)
    records = list(value.history.select_related("history_user").order_by("history_date", "pk"))
    changes = []
    previous = None
    for record in records:
        changes.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "old": previous.value if previous else None,
                "new": record.value,
                "old_status": previous.get_status_display() if previous else "",
                "status": record.get_status_display(),
                "comment": record.comment,
                "reason": record.history_change_reason or "",
                "changed_value": previous is None or previous.value != record.value,
            }
        )
        previous = record
    changes.reverse()
    return render(request, "dxscore/value_history.html", {"value": value, "changes": changes})


@login_required
def value_evidence(request, pk: int):
    value = _visible_value(request, pk)
    if not value.evidence:
        raise Http404
    return FileResponse(value.evidence.open("rb"), as_attachment=True)
