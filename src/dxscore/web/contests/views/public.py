"""The public pages of a contest, phone first: the contest page with its rounds and
rules, joining (an official in one click; a citizen or business with a one-time code),
starting a round, the attempt page (answers saved one by one as they are given; the
time left is the server's), submitting, one's own result, the published results and a
certificate. Before an attempt is submitted no answer of this module says which options
are correct: the attempt page gets option ids and texts only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxscore import contests as rules
from dxscore.web.contests import access, results, work
from dxscore.web.contests.forms import CodeForm, JoinForm
from dxscore.web.contests.models import Answer, Contest, Option, Question, Round
from dxscore.web.contests.views.common import (
    address,
    contest_or_404,
    limited,
    own_attempt,
    participant,
    remember,
)

PENDING = "dxscore-contest-pending"


def contest_list(request):
    from dxscore.web.contests.models import InitiativeRound

    contests = Contest.objects.select_related("organiser_unit")
    if not request.user.is_authenticated:
        contests = contests.filter(public=True)
    return render(
        request,
        "contests/list.html",
        {
            "contests": contests,
            "competitions": InitiativeRound.objects.select_related("organiser_unit"),
            "can_create": access.can_create(request.user),
        },
    )


def contest_page(request, slug: str):
    contest = contest_or_404(slug)
    me = participant(request, contest)
    now = timezone.now()
    rounds = []
    for r in contest.rounds.all():
        mine = list(r.attempts.filter(participant=me)) if me else []
        rounds.append(
            {
                "round": r,
                "state": work.round_state(r, now),
                "mine": mine,
                "left": r.attempts_allowed - len(mine),
                "running": next(
                    (a for a in mine if a.submitted_at is None and now < a.deadline), None
                ),
            }
        )
    form = None
    if me is None and not request.user.is_authenticated and contest.public:
        form = JoinForm(contest=contest)
    return render(
        request,
        "contests/contest.html",
        {
            "contest": contest,
            "me": me,
            "rounds": rounds,
            "form": form,
            "organiser": access.is_organiser(request.user, contest),
        },
    )


@require_POST
def join(request, slug: str):
    contest = contest_or_404(slug)
    if (answer := limited(request)) is not None:
        return answer
    if request.user.is_authenticated:
        try:
            work.join_official(contest, request.user)
        except work.ContestError as exc:
            messages.error(request, str(exc))
        return redirect("contests:contest", slug)
    form = JoinForm(request.POST, contest=contest)
    if not form.is_valid():
        return render(
            request,
            "contests/contest.html",
            {"contest": contest, "form": form, "rounds": [], "me": None},
            status=400,
        )
    d = form.cleaned_data
    try:
        identity = work.normalise_identity(d["identity"])
        details = {
            "type": d["type"],
            "name": d["name"],
            "unit": d["unit"].pk,
            "business": d["business"] if d["type"] == "business" else "",
        }
        work.request_code(contest, identity, details, address(request))
    except work.ContestError as exc:
        form.add_error("identity", str(exc))
        return render(
            request,
            "contests/contest.html",
            {"contest": contest, "form": form, "rounds": [], "me": None},
            status=400,
        )
    request.session[PENDING] = {"contest": contest.pk, "identity": identity}
    return redirect("contests:confirm", slug)


def confirm(request, slug: str):
    contest = contest_or_404(slug)
    pending = request.session.get(PENDING) or {}
    if pending.get("contest") != contest.pk:
        return redirect("contests:contest", slug)
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if (answer := limited(request)) is not None:
            return answer
        if form.is_valid():
            try:
                found = work.confirm_code(contest, pending["identity"], form.cleaned_data["code"])
            except work.ContestError as exc:
                form.add_error("code", str(exc))
            else:
                request.session.pop(PENDING, None)
                response = redirect("contests:contest", slug)
                remember(response, contest, found)
                messages.success(request, _("Confirmed: you can take the rounds now."))
                return response
    return render(
        request,
        "contests/confirm.html",
        {"contest": contest, "form": form, "identity": pending["identity"]},
    )


@require_POST
def start(request, slug: str, number: int):
    contest = contest_or_404(slug)
    if (answer := limited(request)) is not None:
        return answer
    r = get_object_or_404(Round, contest=contest, number=number)
    me = participant(request, contest)
    if me is None:
        messages.error(request, _("Join the contest first."))
        return redirect("contests:contest", slug)
    try:
        attempt = work.start(r, me, address(request))
    except work.ContestError as exc:
        messages.error(request, str(exc))
        return redirect("contests:contest", slug)
    return redirect("contests:attempt", attempt.key)


def _items(attempt) -> list[dict]:
    """The attempt's questions in its order, each with its options in its order: ids and
    texts only (never whether an option is correct)."""
    questions = {q.pk: q for q in Question.objects.filter(pk__in=attempt.questions)}
    texts = {
        o["pk"]: o["text"]
        for o in Option.objects.filter(question_id__in=attempt.questions).values("pk", "text")
    }
    chosen = dict(Answer.objects.filter(attempt=attempt).values_list("question_id", "chosen"))
    items = []
    for n, qid in enumerate(attempt.questions, start=1):
        q = questions[qid]
        items.append(
            {
                "number": n,
                "id": qid,
                "text": q.text,
                "multiple": q.kind == "multiple",
                "options": [
                    {"id": oid, "text": texts[oid], "chosen": oid in (chosen.get(qid) or [])}
                    for oid in attempt.orders[str(qid)]
                ],
            }
        )
    return items


def attempt_page(request, key):
    attempt = own_attempt(request, key)
    if attempt.submitted_at is None and not rules.accepts(timezone.now(), attempt.deadline):
        attempt = work.finalise(attempt)
    if attempt.submitted_at is not None:
        return redirect("contests:result", attempt.key)
    return render(
        request,
        "contests/attempt.html",
        {
            "attempt": attempt,
            "contest": attempt.round.contest,
            "items": _items(attempt),
            "remaining": rules.remaining(timezone.now(), attempt.deadline),
            "answered": attempt.answers.count(),
        },
    )


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_POST
def answer(request, key):
    """Save one answer: ``question`` and its ``option`` (repeated for several)."""
    if (refused := limited(request)) is not None:
        return refused
    attempt = own_attempt(request, key)
    try:
        question = int(request.POST.get("question", ""))
        chosen = [int(v) for v in request.POST.getlist("option")]
        work.save_answer(attempt, question, chosen)
    except ValueError as exc:
        if isinstance(exc, work.TimeUp):
            return _json_error(str(exc), 409)
        if isinstance(exc, work.ContestError):
            return _json_error(str(exc), 400)
        return _json_error(_("Send a question and its options."), 400)
    return JsonResponse(
        {
            "saved": True,
            "answered": attempt.answers.count(),
            "remaining": rules.remaining(timezone.now(), attempt.deadline),
        }
    )


@require_POST
def tab(request, key):
    attempt = own_attempt(request, key)
    work.tab_switch(attempt)
    return JsonResponse({"ok": True})


@require_POST
def submit(request, key):
    """Submit: the answers in the form (without JavaScript they come only here) are
    saved first while the time runs, then the attempt is scored."""
    if (refused := limited(request)) is not None:
        return refused
    attempt = own_attempt(request, key)
    late = False
    for qid in attempt.questions:
        chosen = [int(v) for v in request.POST.getlist(f"q{qid}") if v.isdigit()]
        if not chosen:
            continue
        try:
            work.save_answer(attempt, qid, chosen)
        except work.TimeUp:
            late = True
            break
        except work.ContestError:
            continue
    raw = request.POST.get("prediction", "").strip()
    prediction = int(raw) if raw.isdigit() and len(raw) < 9 else None
    done = work.finalise(attempt, prediction)
    if late:
        messages.warning(request, _("The time was up: only answers saved before it count."))
    return redirect("contests:result", done.key)


def result(request, key):
    """One's own attempt after submission: the score and, now, the correct options."""
    attempt = own_attempt(request, key)
    if attempt.submitted_at is None:
        if rules.accepts(timezone.now(), attempt.deadline):
            return redirect("contests:attempt", attempt.key)
        attempt = work.finalise(attempt)
    questions = {
        q.pk: q
        for q in Question.objects.filter(pk__in=attempt.questions).prefetch_related("options")
    }
    given = {a.question_id: a for a in attempt.answers.all()}
    review = [
        {
            "question": questions[qid],
            "answer": given.get(qid),
            "chosen": set(given[qid].chosen) if qid in given else set(),
        }
        for qid in attempt.questions
    ]
    return render(
        request,
        "contests/result.html",
        {"attempt": attempt, "contest": attempt.round.contest, "review": review},
    )


def _round_results(request, slug: str, number: int) -> dict:
    """What a round's results page and its downloads read, by the page's rule: published
    results for everybody, unpublished ones for the contest's organisers only (404)."""
    contest = contest_or_404(slug)
    r = get_object_or_404(Round, contest=contest, number=number)
    organiser = access.is_organiser(request.user, contest)
    if r.results_published_at is None and not organiser:
        raise Http404
    rows, true_count = results.round_ranking(r)
    return {
        "contest": contest,
        "round": r,
        "rows": rows,
        "true_count": true_count,
        "organiser": organiser,
    }


def round_results(request, slug: str, number: int):
    context = _round_results(request, slug, number)
    return render(
        request,
        "contests/results.html",
        {**context, "me": participant(request, context["contest"])},
    )


def round_results_download(request, slug: str, number: int, fmt: str):
    """The round's ranking as CSV, XLSX or JSON: every row (the page shows 200)."""
    from dxscore.web.dashboards import exports

    if fmt not in exports.FORMATS:
        raise Http404
    c = _round_results(request, slug, number)
    return exports.download(results.round_table(c["round"], c["rows"], c["true_count"]), fmt)


def overall(request, slug: str):
    contest = contest_or_404(slug)
    rows = results.overall_ranking(contest)
    return render(
        request,
        "contests/overall.html",
        {"contest": contest, "rows": rows, "me": participant(request, contest)},
    )


def overall_download(request, slug: str, fmt: str):
    """The overall ranking (published rounds) as CSV, XLSX or JSON: every row."""
    from dxscore.web.dashboards import exports

    if fmt not in exports.FORMATS:
        raise Http404
    contest = contest_or_404(slug)
    rows = results.overall_ranking(contest)
    return exports.download(results.overall_table(contest, rows), fmt)


def certificate(request, key):
    """A PDF certificate of a submitted attempt in a published round: for its
    participant, or the organisers."""
    from dxscore.web.contests.models import Attempt

    found = get_object_or_404(
        Attempt.objects.select_related("round__contest", "participant"), key=key
    )
    contest = found.round.contest
    me = participant(request, contest)
    if not access.is_organiser(request.user, contest) and (
        me is None or me.pk != found.participant_id
    ):
        raise Http404
    if found.round.results_published_at is None:
        raise PermissionDenied
    rows, _true = results.round_ranking(found.round)
    row = next((x for x in rows if x.participant.pk == found.participant_id), None)
    if row is None:
        raise Http404
    from dxscore.web.contests.certificates import certificate_pdf

    pdf = certificate_pdf(request, contest, found.round, row)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{contest.slug}-{found.round.number}.pdf"'
    )
    return response
