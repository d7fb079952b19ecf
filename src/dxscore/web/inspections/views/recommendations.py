"""A recommendation's page: its computed status and why, its implementation reports with
evidence (reported by the addressee, reviewed by the inspectorate) and extension
requests."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxscore.web.dashboards import exports
from dxscore.web.inspections import access, downloads, reads, selectors, work
from dxscore.web.inspections.forms import ExtensionForm, ImplementationForm
from dxscore.web.inspections.views.common import attempt, form_errors, recommendation_or_404


@login_required
def recommendation_detail(request, pk: int):
    rec = recommendation_or_404(request, pk)
    user = request.user
    today = timezone.localdate()
    reads.log(user, rec.inspection, f"recommendation {rec.number}")
    reports = selectors.reports_of(rec)
    return render(
        request,
        "inspections/recommendation.html",
        {
            "rec": rec,
            "state": rec.state(today),
            "reports": [(r, access.can_review(user, r)) for r in reports],
            "extensions": selectors.extensions_of(rec),
            "can_report": access.can_report(user, rec),
            "can_decide": access.can_decide_extension(user, rec),
            "whole": access.sees_all(user, rec.inspection),
            "report_form": ImplementationForm(),
            "extension_form": ExtensionForm(),
        },
    )


@login_required
def reports_download(request, pk: int, fmt: str):
    """A recommendation's implementation reports as CSV, XLSX or JSON, to whom its page
    shows them (404 to others, as the page); the read is logged as the page's is."""
    if fmt not in exports.FORMATS:
        raise Http404
    rec = recommendation_or_404(request, pk)
    reads.log(request.user, rec.inspection, f"recommendation {rec.number} reports", "download")
    return exports.download(downloads.reports_table(rec, selectors.reports_of(rec)), fmt)


@login_required
def extensions_download(request, pk: int, fmt: str):
    """A recommendation's extension requests as CSV, XLSX or JSON, to whom its page shows
    them (404 to others, as the page); the read is logged as the page's is."""
    if fmt not in exports.FORMATS:
        raise Http404
    rec = recommendation_or_404(request, pk)
    reads.log(request.user, rec.inspection, f"recommendation {rec.number} extensions", "download")
    return exports.download(downloads.extensions_table(rec, selectors.extensions_of(rec)), fmt)


@login_required
@require_POST
def recommendation_change(request, pk: int):
    rec = recommendation_or_404(request, pk)
    user, post = request.user, request.POST
    action = post.get("action")
    if action == "report":
        form = ImplementationForm(post, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            attempt(
                request,
                lambda: work.report_implementation(
                    user,
                    rec,
                    d["text"],
                    d["recovered"] or 0,
                    d["complete"],
                    d["reported_on"],
                    d["evidence_file"],
                    d["evidence_link"],
                ),
                _("Implementation reported: it counts once the inspectorate approves it."),
            )
        else:
            form_errors(request, form)
    elif action in ("approve", "return"):
        report = get_object_or_404(rec.reports.all(), pk=post.get("report") or 0)
        attempt(
            request,
            lambda: work.review_report(user, report, action == "approve", post.get("reason", "")),
            _("Report approved.") if action == "approve" else _("Report returned."),
        )
    elif action == "extension":
        form = ExtensionForm(post)
        if form.is_valid():
            d = form.cleaned_data
            attempt(
                request,
                lambda: work.request_extension(user, rec, d["new_deadline"], d["reason"]),
                _("Extension requested."),
            )
        else:
            form_errors(request, form)
    elif action in ("grant", "refuse"):
        ext = get_object_or_404(rec.extensions.all(), pk=post.get("extension") or 0)
        attempt(
            request,
            lambda: work.decide_extension(user, ext, action == "grant"),
            _("Extension granted.") if action == "grant" else _("Extension refused."),
        )
    else:
        raise Http404
    return redirect("inspections:recommendation", pk)


@login_required
def evidence_file(request, pk: int, report: int):
    rec = recommendation_or_404(request, pk)
    found = get_object_or_404(rec.reports.all(), pk=report)
    if not (
        access.sees_all(request.user, rec.inspection)
        or found.reported_by_id == request.user.pk
        or access.can_report(request.user, rec)
    ):
        raise PermissionDenied
    if not found.evidence_file:
        raise Http404
    reads.log(request.user, rec.inspection, f"evidence {found.pk}", "file")
    return FileResponse(found.evidence_file.open("rb"), as_attachment=True)
