"""Inspections: opening one by its decision, its page (stages, team, findings,
conclusion, recommendations — what the person may read of it), its changes, the
decision file and a follow-up inspection. Every read of a confidential part is logged."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxscore.web.dashboards import exports
from dxscore.web.inspections import access, downloads, reads, selectors, work
from dxscore.web.inspections.forms import (
    ConclusionForm,
    FindingForm,
    FollowUpForm,
    InspectionForm,
    RecommendationForm,
    StageForm,
)
from dxscore.web.inspections.models import PlannedInspection, TeamMember
from dxscore.web.inspections.views.common import (
    attempt,
    form_errors,
    inspection_or_404,
    whole_or_404,
)
from dxscore.web.orgs.models import Unit


@login_required
def inspection_new(request):
    led = Unit.objects.filter(pk__in=access.led_bodies(request.user))
    if not led.exists():
        raise PermissionDenied
    initial = {}
    planned = PlannedInspection.objects.filter(
        pk=request.GET.get("planned") or 0, plan__body__in=led
    ).first()
    if planned is not None:
        initial = {
            "body": planned.plan.body,
            "planned": planned,
            "topic": planned.topic,
            "scope": planned.period_inspected,
            "subjects": list(planned.subjects.all()),
        }
    form = InspectionForm(request.POST or None, request.FILES or None, bodies=led, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        inspection = form.save(commit=False)
        if d.get("decision_file"):
            inspection.decision_file = d["decision_file"]
        team = [(d["lead"], TeamMember.Role.LEAD, d.get("lead_conflict", ""))]
        team += [(m, TeamMember.Role.MEMBER, "") for m in d["members"] if m != d["lead"]]
        if attempt(
            request,
            lambda: work.open_inspection(request.user, inspection, d["subjects"], team),
            _("Inspection opened by decision %(n)s.") % {"n": inspection.decision_number},
        ):
            return redirect("inspections:inspection", inspection.pk)
    return render(
        request, "inspections/form.html", {"form": form, "title": _("Open an inspection")}
    )


@login_required
def inspection_detail(request, pk: int):
    inspection = inspection_or_404(request, pk)
    user = request.user
    whole = access.sees_all(user, inspection)
    if not whole and not access.sees_conclusion(user, inspection):
        raise Http404
    today = timezone.localdate()
    reads.log(user, inspection, "inspection" if whole else "conclusion")
    rows = selectors.recommendations_of(inspection, today)
    context = {
        "inspection": inspection,
        "whole": whole,
        "state": inspection.progress(today),
        "rows": rows,
        "can_edit": whole and access.can_edit(user, inspection),
        "can_lead": access.is_leader(user, inspection.body),
        "follow_ups": inspection.follow_ups.all() if whole else [],
    }
    if whole:
        context |= {
            "team": selectors.team_of(inspection),
            "findings": selectors.findings_of(inspection),
            "stage_form": StageForm(),
            "finding_form": FindingForm(),
            "rec_form": RecommendationForm(inspection=inspection),
            "conclusion_form": ConclusionForm(
                initial={"number": inspection.conclusion_number, "text": inspection.conclusion}
            ),
            "follow_up_form": FollowUpForm(initial={"days": 30}),
            "unfinished": len(work.unfinished(inspection, today)),
            "people": get_user_model().objects.filter(is_active=True).order_by("username"),
        }
    return render(request, "inspections/inspection.html", context)


@login_required
@require_POST
def inspection_change(request, pk: int):
    inspection = whole_or_404(request, pk)
    user, post = request.user, request.POST
    action = post.get("action")
    if action == "stage":
        form = StageForm(post)
        if form.is_valid():
            d = form.cleaned_data
            attempt(
                request,
                lambda: work.record_stage(user, inspection, d["stage"], d["day"]),
                _("Stage recorded."),
            )
        else:
            form_errors(request, form)
    elif action == "finding":
        form = FindingForm(post)
        if form.is_valid():
            attempt(
                request,
                lambda: work.add_finding(user, inspection, form.save(commit=False)),
                _("Finding recorded."),
            )
        else:
            form_errors(request, form)
    elif action == "recommendation":
        form = RecommendationForm(post, inspection=inspection)
        if form.is_valid():
            attempt(
                request,
                lambda: work.add_recommendation(user, inspection, form.save(commit=False)),
                _("Recommendation recorded."),
            )
        else:
            form_errors(request, form)
    elif action == "conclusion":
        form = ConclusionForm(post)
        if form.is_valid():
            d = form.cleaned_data
            attempt(
                request,
                lambda: work.write_conclusion(user, inspection, d["number"], d["text"]),
                _("Conclusion saved."),
            )
        else:
            form_errors(request, form)
    elif action == "member":
        member = get_user_model().objects.filter(pk=post.get("user") or 0, is_active=True).first()
        if member is None:
            messages.error(request, _("Choose a person."))
        else:
            attempt(
                request,
                lambda: work.add_member(user, inspection, member, post.get("conflict", "")),
                _("Team member added."),
            )
    elif action == "extend":
        try:
            days = int(post.get("days", ""))
        except ValueError:
            days = 0
        attempt(
            request,
            lambda: work.extend(user, inspection, days, post.get("reason", "")),
            _("Time limit extended."),
        )
    elif action == "follow_up":
        form = FollowUpForm(post)
        if form.is_valid():
            d = form.cleaned_data
            made = []
            if attempt(
                request,
                lambda: made.append(
                    work.open_follow_up(
                        user, inspection, d["decision_number"], d["signer"], d["days"]
                    )
                ),
                _("Follow-up inspection opened."),
            ):
                return redirect("inspections:inspection", made[0].pk)
        else:
            form_errors(request, form)
    else:
        raise Http404
    return redirect("inspections:inspection", pk)


@login_required
def findings_download(request, pk: int, fmt: str):
    """An inspection's findings (the main table of its page) as CSV, XLSX or JSON, for
    those who read it whole (team, the body's leaders), refused as the decision file is
    (404 to whom the inspection is unknown, 403 to a reader of its conclusion only); the
    read is logged."""
    if fmt not in exports.FORMATS:
        raise Http404
    inspection = whole_or_404(request, pk)
    reads.log(request.user, inspection, "findings", "download")
    table = downloads.findings_table(inspection, selectors.findings_of(inspection))
    return exports.download(table, fmt)


@login_required
def team_download(request, pk: int, fmt: str):
    """An inspection's team as CSV, XLSX or JSON, refused as the findings download is
    (the page shows the team only to those who read the inspection whole); the read is
    logged."""
    if fmt not in exports.FORMATS:
        raise Http404
    inspection = whole_or_404(request, pk)
    reads.log(request.user, inspection, "team", "download")
    return exports.download(downloads.team_table(inspection, selectors.team_of(inspection)), fmt)


@login_required
def recommendations_download(request, pk: int, fmt: str):
    """An inspection's recommendations as CSV, XLSX or JSON, to whom the page shows them:
    those who read the inspection whole, and the readers of its conclusion (the subject
    units, an addressee; the public once it is published); 404 to others, as the page.
    The read is logged."""
    if fmt not in exports.FORMATS:
        raise Http404
    inspection = inspection_or_404(request, pk)
    user = request.user
    if not access.sees_all(user, inspection) and not access.sees_conclusion(user, inspection):
        raise Http404
    reads.log(user, inspection, "recommendations", "download")
    listed = selectors.recommendations_of(inspection, timezone.localdate())
    return exports.download(downloads.recommendations_table(inspection, listed), fmt)


@login_required
def decision_file(request, pk: int):
    inspection = whole_or_404(request, pk)
    if not inspection.decision_file:
        raise Http404
    reads.log(request.user, inspection, "decision file", "file")
    return FileResponse(inspection.decision_file.open("rb"), as_attachment=True)
