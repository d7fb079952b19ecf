"""The initiatives competition's pages: the competition (submissions, the organisers'
assignment of evaluators, the ranking from the engine), an initiative (blind for its
evaluators when the competition says so), scoring by the rubric, adoption as a task,
the score sheets and attachments."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxscore.web.contests import access
from dxscore.web.contests import initiatives as work
from dxscore.web.contests.forms import InitiativeForm
from dxscore.web.contests.models import Assignment, Initiative, InitiativeRound
from dxscore.web.contests.work import ContestError, ContestNotAllowed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attempt(request, action, success: str) -> bool:
    try:
        action()
    except ContestNotAllowed:
        raise PermissionDenied from None
    except ContestError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


def competition(request, pk: int):
    found = get_object_or_404(InitiativeRound.objects.select_related("organiser_unit"), pk=pk)
    user = request.user
    organiser = access.organises(user, found)
    mine = []
    assigned = []
    if user.is_authenticated:
        mine = list(found.initiatives.filter(submitted_by=user))
        assigned = list(
            Assignment.objects.filter(initiative__round=found, evaluator=user).select_related(
                "initiative"
            )
        )
    standing = work.shown_standing(user, found)
    everyone = list(found.initiatives.select_related("unit")) if organiser else []
    evaluators = (
        get_user_model().objects.filter(person__isnull=False).order_by("username")
        if organiser
        else []
    )
    return render(
        request,
        "contests/competition.html",
        {
            "competition": found,
            "organiser": organiser,
            "mine": mine,
            "assigned": assigned,
            "standing": standing,
            "criteria": work.criteria(found),
            "everyone": everyone,
            "evaluators": evaluators,
            "can_submit": access.can_submit(user, found),
            "form": InitiativeForm(),
        },
    )


def standing_download(request, pk: int, fmt: str):
    """The standing the competition page shows, as CSV, XLSX or JSON, by the page's
    rule: organisers, and everybody once published; 404 for others (the page shows
    them no standing)."""
    from dxscore.web.dashboards import exports

    if fmt not in exports.FORMATS:
        raise Http404
    found = get_object_or_404(InitiativeRound.objects.select_related("organiser_unit"), pk=pk)
    standing = work.shown_standing(request.user, found)
    if standing is None:
        raise Http404
    return exports.download(work.standing_table(found, standing), fmt, decimals=work.SCORE_DECIMALS)


@login_required
@require_POST
def submit(request, pk: int):
    found = get_object_or_404(InitiativeRound, pk=pk)
    form = InitiativeForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}")
        return redirect("contests:competition", pk)
    d = dict(form.cleaned_data)
    upload = d.pop("attachment", None)
    made = []
    if _attempt(
        request,
        lambda: made.append(work.submit(request.user, found, d, upload)),
        _("Initiative submitted."),
    ):
        return redirect("contests:initiative", made[0].pk)
    return redirect("contests:competition", pk)


@login_required
@require_POST
def assign(request, pk: int):
    found = get_object_or_404(InitiativeRound, pk=pk)
    initiative = get_object_or_404(Initiative, round=found, pk=request.POST.get("initiative") or 0)
    evaluator = get_object_or_404(get_user_model(), pk=request.POST.get("evaluator") or 0)
    _attempt(
        request,
        lambda: work.assign(request.user, initiative, evaluator),
        _("Evaluator assigned."),
    )
    return redirect("contests:competition", pk)


@login_required
@require_POST
def publish(request, pk: int):
    found = get_object_or_404(InitiativeRound, pk=pk)
    _attempt(request, lambda: work.publish(request.user, found), _("Results published."))
    return redirect("contests:competition", pk)


def _readable(request, pk: int) -> Initiative:
    found = get_object_or_404(
        Initiative.objects.select_related("round__organiser_unit", "unit", "submitted_by"), pk=pk
    )
    if not access.can_read(request.user, found):
        raise Http404
    return found


def initiative(request, pk: int):
    found = _readable(request, pk)
    user = request.user
    mine = None
    if user.is_authenticated:
        mine = Assignment.objects.filter(initiative=found, evaluator=user).first()
    organiser = access.organises(user, found.round)
    from dxscore.web.plans.models import Resolution

    return render(
        request,
        "contests/initiative.html",
        {
            "initiative": found,
            "competition": found.round,
            "author": access.sees_author(user, found),
            "assignment": mine,
            "can_score": mine is not None and access.can_score(user, mine),
            "score_rows": [
                (c, n, m, (mine.scores or {}).get(c) if mine else None)
                for c, n, m in work.criteria(found.round)
            ],
            "organiser": organiser,
            "explanation": work.shown_explanation(user, found) or [],
            "resolutions": Resolution.objects.order_by("-issued_on") if organiser else [],
        },
    )


def explanation_download(request, pk: int, fmt: str):
    """The initiative page's "How the score is made" as CSV, XLSX or JSON, by the page's
    rule: an initiative the person may read (else 404, as the page), its explanation for
    the organisers and, once the results are published, for everybody; 404 for others
    (the page shows them none)."""
    from dxscore.web.dashboards import exports

    if fmt not in exports.FORMATS:
        raise Http404
    found = _readable(request, pk)
    rows = work.shown_explanation(request.user, found)
    if rows is None:
        raise Http404
    return exports.download(work.explanation_table(found, rows), fmt, decimals=work.SCORE_DECIMALS)


@login_required
@require_POST
def score(request, pk: int):
    found = _readable(request, pk)
    assignment = Assignment.objects.filter(initiative=found, evaluator=request.user).first()
    if assignment is None:
        raise PermissionDenied
    points = {}
    for code, _name, _max in work.criteria(found.round):
        raw = request.POST.get(code, "").strip().replace(",", ".")
        try:
            points[code] = float(raw)
        except ValueError:
            points[code] = None
    _attempt(
        request,
        lambda: work.score(request.user, assignment, points, request.POST.get("comment", "")),
        _("Scores saved."),
    )
    return redirect("contests:initiative", pk)


@login_required
@require_POST
def adopt(request, pk: int):
    found = _readable(request, pk)
    from dxscore.web.plans.models import Resolution

    resolution = get_object_or_404(Resolution, pk=request.POST.get("resolution") or 0)
    try:
        deadline = dt.date.fromisoformat(request.POST.get("deadline", ""))
    except ValueError:
        messages.error(request, _("Give the deadline as a date."))
        return redirect("contests:initiative", pk)
    _attempt(
        request,
        lambda: work.adopt(request.user, found, resolution, deadline),
        _("Adopted: its follow-up is a task of %(r)s.") % {"r": resolution.code},
    )
    return redirect("contests:initiative", pk)


@login_required
def score_sheet(request, pk: int):
    found = get_object_or_404(InitiativeRound, pk=pk)
    if not access.organises(request.user, found):
        raise PermissionDenied
    response = HttpResponse(work.score_sheet(found), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="initiatives-{found.pk}.xlsx"'
    return response


def attachment(request, pk: int, file: int):
    found = _readable(request, pk)
    if not access.sees_author(request.user, found) and not access.is_evaluator(request.user, found):
        raise Http404
    stored = get_object_or_404(found.files, pk=file)
    return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.name)
