"""Data collection: a period's completeness per unit, the generated entry form, its
workflow buttons (submit, approve, return, reopen) and the Excel template."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from dxscore.web.data import imports, workflow
from dxscore.web.data.collect import completeness as unit_progress
from dxscore.web.data.collect import entry_rows
from dxscore.web.data.forms import ReasonForm, ValuesUploadForm
from dxscore.web.data.models import Status, Upload
from dxscore.web.data.views.common import collection_or_404
from dxscore.web.l10n import figure_field, rate_rule
from dxscore.web.orgs import scope
from dxscore.web.upload_limits import check_received, upload_limits

EVIDENCE_TYPES = (".pdf", ".png", ".jpg", ".jpeg", ".xlsx", ".docx", ".odt", ".ods", ".csv", ".txt")


STATE_FILTERS = {  # ?state=...: which units the list shows
    "todo": ("not started", Status.DRAFT),
    Status.DRAFT: (Status.DRAFT,),
    Status.SUBMITTED: (Status.SUBMITTED,),
    Status.RETURNED: (Status.RETURNED,),
    Status.APPROVED: (Status.APPROVED,),
    "not started": ("not started",),
}


@login_required
def completeness(request, mid: int, period: str):
    """Every reporting unit's progress, filtered by state (``?state=submitted``: the
    approver's queue), late ones (``?late=1``) or a part of a name or code (``?q=``)."""
    context = _completeness(request, mid, period)
    context["formats"] = ("csv", "xlsx", "json")
    context["querystring"] = request.GET.urlencode()
    return render(request, "dxscore/completeness.html", context)


STATE_WORDS = {
    "not started": gettext_lazy("not started"),
    Status.DRAFT: gettext_lazy("draft"),
    Status.SUBMITTED: gettext_lazy("submitted"),
    Status.APPROVED: gettext_lazy("approved"),
    Status.RETURNED: gettext_lazy("returned"),
}


@login_required
def completeness_download(request, mid: int, period: str, fmt: str):
    """The completeness page's rows (same filters) as CSV, XLSX or JSON: each unit's
    state, values entered of those required, when it was last submitted (the workspace's
    time, to the minute) and whether on time."""
    from django.utils import timezone

    from dxscore.web.dashboards import exports
    from dxscore.web.dashboards.tables import NUMBER, Column, Table

    if fmt not in exports.FORMATS:
        raise Http404
    context = _completeness(request, mid, period)
    methodology, period_obj = context["methodology"], context["period"]

    def local(moment):
        if moment is None:
            return None
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.replace(second=0, microsecond=0, tzinfo=None)

    columns = [
        Column("unit", _("Code")),
        Column("name", _("Unit")),
        Column("state", _("State")),
        Column("entered", _("Values entered"), NUMBER),
        Column("required", _("Values required"), NUMBER),
        Column("submitted", _("Submitted"), "datetime"),
        Column("on_time", _("On time")),
    ]
    rows = [
        {
            "unit": r.unit.code,
            "name": r.unit.name,
            "state": str(STATE_WORDS.get(r.state, r.state)),
            "entered": r.entered,
            "required": context["required"],
            "submitted": local(r.last_submitted),
            "on_time": _("late") if r.late else _("on time") if r.last_submitted else "",
        }
        for r in context["rows"]
    ]
    table = Table(
        name=f"completeness-{methodology.code}-{period_obj.code}",
        title=f"{methodology.title} · {period_obj.code}",
        columns=columns,
        rows=rows,
        meta={
            "methodology": methodology.code,
            "methodology_version": methodology.version,
            "period": period_obj.code,
            "deadline": period_obj.deadline.isoformat() if period_obj.deadline else None,
            "state": context["state"],
            "late": context["late_only"],
            "q": context["q"],
            "units": context["every"],
        },
    )
    return exports.download(table, fmt)


def _completeness(request, mid: int, period: str) -> dict:
    methodology, period_obj, _unit = collection_or_404(request, mid, period)
    every = unit_progress(methodology, period_obj, request.user)
    totals = {s: sum(1 for r in every if r.state == s) for s in Status.values}
    totals["not started"] = sum(1 for r in every if r.state == "not started")
    totals["todo"] = totals["not started"] + totals[Status.DRAFT]
    state = request.GET.get("state", "")
    rows = every
    if state in STATE_FILTERS:
        rows = [r for r in rows if r.state in STATE_FILTERS[state]]
    else:
        state = ""
    late_only = request.GET.get("late") == "1"
    if late_only:
        rows = [r for r in rows if r.late]
    q = request.GET.get("q", "").strip()[:100]
    if q:
        folded = q.casefold()
        rows = [r for r in rows if folded in r.unit.name.casefold() or folded in r.unit.code]
    return {
        "methodology": methodology,
        "period": period_obj,
        "rows": rows,
        "every": len(every),
        "required": sum(1 for _ in methodology.compiled().indicators),
        "totals": totals,
        "late": sum(1 for r in every if r.late),
        "state": state,
        "late_only": late_only,
        "q": q,
    }


def returns(rows) -> list[dict]:
    """The form's returns, once each: reason, who returned it and when, and the inputs it
    concerns (a return sends every submitted value back with one reason)."""
    found: dict[tuple, dict] = {}
    for row in rows:
        value = row.value
        if value is None or value.status != Status.RETURNED or not value.return_reason:
            continue
        record = value.history.order_by("-history_date").first()  # the return itself
        by = record.history_user if record is not None else None
        key = (value.return_reason, by.pk if by else None)
        entry = found.setdefault(
            key, {"reason": value.return_reason, "by": by, "at": value.updated_at, "n": 0}
        )
        entry["n"] += 1
        entry["at"] = max(entry["at"], value.updated_at)
    return sorted(found.values(), key=lambda e: e["at"], reverse=True)


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
        form.fields[f"v_{spec.code}"] = figure_field(
            spec.figure,
            required=False,
            min_value=spec.low,
            max_value=spec.high,
            label=spec.name,
            disabled=locked,
            initial=value.value if value else None,
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
        # the table shows each field under its column's header: a screen reader hears
        # which indicator and which column it is in
        for kind in "vclf":
            field = form.fields[f"{kind}_{spec.code}"]
            name = f"{spec.name} ({spec.code})"
            field.widget.attrs["aria-label"] = name if kind == "v" else f"{field.label}: {name}"
        if (
            spec.figure == "rate" and not locked
        ):  # the rule of typing a rate, said next to the field
            form.fields[f"v_{spec.code}"].widget.attrs["aria-describedby"] = f"rule-{spec.code}"
    return form


@login_required
def entry(request, mid: int, period: str, unit: str):
    methodology, period_obj, unit_obj = collection_or_404(request, mid, period, unit)
    rows = entry_rows(methodology, period_obj, unit_obj)
    ended = workflow.scope_ended(request.user, period_obj)  # the person's scope ended
    can_enter = scope.allows(request.user, scope.ENTER, unit_obj) and not ended
    can_approve = scope.allows(request.user, scope.APPROVE, unit_obj) and not (
        workflow.scope_ended(request.user, period_obj, scope.APPROVE)
    )
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
                messages.success(
                    request,
                    ngettext("%(n)d value saved.", "%(n)d values saved.", changed) % {"n": changed},
                )
                if request.POST.get("action") == "submit":
                    n = workflow.submit(request.user, methodology, period_obj, unit_obj)
                    messages.success(
                        request,
                        ngettext("%(n)d value submitted.", "%(n)d values submitted.", n) % {"n": n},
                    )
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
            "scope_ended": ended,
            "statuses": statuses,
            "returns": returns(rows),
            "rate_rule": rate_rule(),
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
    methodology, period_obj, unit_obj = collection_or_404(request, mid, period, unit)
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
    except workflow.EntryNotAllowed:
        raise PermissionDenied from None
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        done = {
            "submit": ngettext("%(n)d value submitted.", "%(n)d values submitted.", n),
            "approve": ngettext("%(n)d value approved.", "%(n)d values approved.", n),
            "return": ngettext("%(n)d value returned.", "%(n)d values returned.", n),
            "reopen": ngettext("%(n)d value reopened.", "%(n)d values reopened.", n),
        }[action]
        messages.success(request, done % {"n": n})
    return redirect("entry", mid, period, unit)


@login_required
def template(request, mid: int, period: str, unit: str):
    methodology, period_obj, unit_obj = collection_or_404(request, mid, period, unit)
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
