"""The organisers' pages of a contest: rounds with their participation, flags and
tab-switch counts, publishing results, participation per unit in Excel, the question
bank down and up (preview, then all or nothing) and the purge of personal data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dxscore.web.contests import access, excel, results, work
from dxscore.web.contests.forms import UploadForm
from dxscore.web.contests.models import Attempt, QuestionUpload, Round
from dxscore.web.contests.views.common import contest_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _organised(request, slug):
    contest = contest_or_404(slug)
    if not access.is_organiser(request.user, contest):
        raise PermissionDenied
    return contest


@login_required
def manage(request, slug: str):
    contest = _organised(request, slug)
    rounds = []
    for r in contest.rounds.all():
        work.finalise_expired(r)
        rounds.append(
            {
                "round": r,
                "state": work.round_state(r),
                "attempts": Attempt.objects.filter(round=r).count(),
                "people": Attempt.objects.filter(round=r).values("participant").distinct().count(),
                "flags": results.flags(r),
            }
        )
    units = results.ranked_units(contest)
    rows = list(zip(units, results.participation(contest, units), strict=True))
    return render(
        request,
        "contests/manage.html",
        {
            "contest": contest,
            "rounds": rounds,
            "participation": rows,
            "questions": contest.questions.count(),
            "form": UploadForm(),
        },
    )


@login_required
@require_POST
def publish(request, slug: str, number: int):
    contest = _organised(request, slug)
    r = get_object_or_404(Round, contest=contest, number=number)
    try:
        work.publish(request.user, r)
    except work.ContestNotAllowed:
        raise PermissionDenied from None
    except work.ContestError as exc:
        messages.error(request, str(exc))
        return redirect("contests:manage", slug)
    messages.success(request, _("Results of round %(n)d published.") % {"n": r.number})
    return redirect("contests:results", slug, number)


@login_required
def participation_xlsx(request, slug: str):
    contest = _organised(request, slug)
    units = results.ranked_units(contest)
    rows = list(zip(units, results.participation(contest, units), strict=True))
    response = HttpResponse(excel.participation_workbook(contest, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="participation-{contest.slug}.xlsx"'
    return response


@login_required
def questions_xlsx(request, slug: str):
    contest = _organised(request, slug)
    response = HttpResponse(excel.export(contest), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="questions-{contest.slug}.xlsx"'
    return response


@login_required
@require_POST
def questions_upload(request, slug: str):
    contest = _organised(request, slug)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, error)
        return redirect("contests:manage", slug)
    stored = excel.preview(form.cleaned_data["file"], contest, request.user)
    return redirect("contests:upload_preview", slug, stored.pk)


def _own_upload(request, slug, pk) -> QuestionUpload:
    contest = _organised(request, slug)
    found = get_object_or_404(QuestionUpload, pk=pk, contest=contest)
    if found.uploaded_by_id != request.user.pk:
        raise Http404
    return found


@login_required
def upload_preview(request, slug: str, pk: int):
    found = _own_upload(request, slug, pk)
    return render(request, "contests/upload.html", {"upload": found, "contest": found.contest})


@login_required
@require_POST
def upload_commit(request, slug: str, pk: int):
    found = _own_upload(request, slug, pk)
    if request.POST.get("action") == "cancel":
        if found.state == QuestionUpload.State.PREVIEW:
            found.state = QuestionUpload.State.CANCELLED
            found.save(update_fields=["state"])
            messages.success(request, _("Upload cancelled: nothing was stored."))
        return redirect("contests:manage", slug)
    try:
        n = excel.commit(found, request.user)
    except excel.UploadError as exc:
        messages.error(request, str(exc) + " " + _("Nothing was stored."))
        return redirect("contests:upload_preview", slug, pk)
    messages.success(
        request,
        ngettext("%(n)d question stored from %(f)s.", "%(n)d questions stored from %(f)s.", n)
        % {"n": n, "f": found.filename},
    )
    return redirect("contests:manage", slug)


@login_required
@require_POST
def purge(request, slug: str):
    contest = _organised(request, slug)
    try:
        n = work.purge(request.user, contest)
    except work.ContestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext(
                "Personal data of %(n)d participant removed.",
                "Personal data of %(n)d participants removed.",
                n,
            )
            % {"n": n},
        )
    return redirect("contests:manage", slug)
