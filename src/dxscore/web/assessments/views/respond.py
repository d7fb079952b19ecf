"""The public pages of respondents (no account): choose a questionnaire, say who you
are (a business confirms an e-mail code), answer on a phone with drafts saved as you
go, submit, read your result as a page and a PDF, and how the score is computed (with its
table as CSV, XLSX and JSON)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxscore import assessments as qa
from dxscore.web.assessments import access, results, work
from dxscore.web.assessments.models import Confirmation, Kind, Sector, Sheet, Size
from dxscore.web.assessments.selectors import questionnaires


def survey_list(request):
    rows = [q for q in questionnaires() if q.active and q.period_id]
    lang = get_language()
    items = [(q, q.compiled().spec.title.get(lang), q.compiled().spec.description) for q in rows]
    return render(request, "assessments/surveys.html", {"items": items, "lang": lang})


def _open(code: str):
    found = work.current(code)
    if found is None:
        raise Http404
    return found


def start(request, code: str):
    questionnaire = _open(code)
    q = questionnaire.compiled()
    lang = get_language()
    if request.method == "POST":
        try:
            if questionnaire.kind == Kind.BUSINESS:
                c = work.request_code(request, questionnaire, request.POST.dict())
                request.session["assess_confirmation"] = c.pk
                messages.success(
                    request,
                    _("We sent a code to %(email)s.") % {"email": work.masked(c.email)},
                )
                return redirect("assessments:confirm", code=code)
            sheet = work.start_rating(
                request, questionnaire, request.POST.get("dossier", ""), request.POST.get("commune")
            )
            return redirect("assessments:sheet", pk=sheet.pk)
        except work.SurveyError as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "assessments/start.html",
        {
            "questionnaire": questionnaire,
            "title": q.spec.title.get(lang),
            "description": q.spec.description.get(lang) if q.spec.description else "",
            "business": questionnaire.kind == Kind.BUSINESS,
            "communes": work.communes(),
            "sectors": Sector.choices,
            "sizes": Size.choices,
            "posted": request.POST,
        },
    )


def confirm(request, code: str):
    questionnaire = _open(code)
    pk = request.session.get("assess_confirmation")
    confirmation = Confirmation.objects.filter(pk=pk).first() if pk else None
    if confirmation is None:
        return redirect("assessments:start", code=code)
    if request.method == "POST":
        try:
            sheet = work.confirm_code(request, confirmation, request.POST.get("code", ""))
        except work.SurveyError as exc:
            messages.error(request, str(exc))
        else:
            request.session.pop("assess_confirmation", None)
            if not sheet.editable:
                return redirect("assessments:result", pk=sheet.pk)
            return redirect("assessments:sheet", pk=sheet.pk)
    return render(
        request,
        "assessments/confirm.html",
        {"questionnaire": questionnaire, "email": work.masked(confirmation.email)},
    )


def _sheet(request, pk: int) -> Sheet:
    sheet = get_object_or_404(
        Sheet.objects.select_related("questionnaire", "period", "respondent"), pk=pk
    )
    if not access.owns(request, sheet):
        raise Http404
    return sheet


def answers_from(request, q: qa.Questionnaire) -> dict:
    """The answers in a posted form (one field per question; a list for multiple)."""
    out: dict = {}
    for code, question in q.questions.items():
        if question.type == "multiple":
            chosen = request.POST.getlist(code)
            if chosen:
                out[code] = chosen
        else:
            value = request.POST.get(code, "").strip()
            if value != "":
                out[code] = value
    return out


def sheet_view(request, pk: int):
    sheet = _sheet(request, pk)
    if not sheet.editable:
        return redirect("assessments:result", pk=sheet.pk)
    q = sheet.questionnaire.compiled()
    problems: dict[str, str] = {}
    answers = sheet.answers
    if request.method == "POST":
        answers = answers_from(request, q)
        try:
            if "submit" in request.POST:
                found = work.submit(request, sheet, answers)
                if not found:
                    return redirect("assessments:result", pk=sheet.pk)
                messages.error(request, _("Some answers need your attention."))
            else:
                found = work.save(request, sheet, answers)
                messages.success(request, _("Draft saved."))
        except work.SurveyNotAllowed:
            raise Http404 from None
        problems = {c: _(r) for c, r in found}
    return render(
        request, "assessments/sheet.html", results.form_context(sheet, q, answers, problems)
    )


@require_POST
def autosave(request, pk: int):
    """The form's script saves the draft as the person answers (JSON answer)."""
    sheet = _sheet(request, pk)
    q = sheet.questionnaire.compiled()
    try:
        found = work.save(request, sheet, answers_from(request, q))
    except work.SurveyNotAllowed:
        return JsonResponse({"saved": False}, status=409)
    return JsonResponse(
        {
            "saved": True,
            "visible": qa.visible(q, sheet.answers),
            "problems": {c: _(r) for c, r in found},
        }
    )


def result(request, pk: int):
    sheet = _sheet(request, pk)
    if sheet.editable:
        return redirect("assessments:sheet", pk=sheet.pk)
    return render(request, "assessments/result.html", results.context(sheet, get_language()))


# the result page shows scores with one decimal; its workbook's score cells say the same
RESULT_DECIMALS = 1


def result_download(request, pk: int, fmt: str, which: str = "pillars"):
    """The result page's pillars (``result.<fmt>``) or levels (``levels.<fmt>``) as CSV,
    XLSX or JSON, to the same session as the page (a draft has no result: 404)."""
    from dxscore.web.dashboards import exports

    sheet = _sheet(request, pk)
    if sheet.editable or fmt not in exports.FORMATS:
        raise Http404
    ctx = results.context(sheet, get_language())
    table = results.levels_table(ctx) if which == "levels" else results.pillars_table(ctx)
    return exports.download(table, fmt, decimals=RESULT_DECIMALS)


def levels_download(request, pk: int, fmt: str):
    return result_download(request, pk, fmt, "levels")


def result_pdf(request, pk: int):
    sheet = _sheet(request, pk)
    if sheet.editable:
        raise Http404
    body = results.pdf(request, sheet)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{sheet.series}-{sheet.period.code}.pdf"'
    )
    return response


def explain(request, pk: int):
    sheet = _sheet(request, pk)
    table = results.explanation(sheet, get_language())
    return render(request, "assessments/explain.html", {"sheet": sheet, "rows": table.rows})


# the page shows a contribution with two decimals, a score with one; the workbook's score
# cells show two (a contribution's)
EXPLAIN_DECIMALS = 2


def explain_download(request, pk: int, fmt: str):
    """The explanation's table as CSV, XLSX or JSON, to the same session as the page."""
    from dxscore.web.dashboards import exports

    sheet = _sheet(request, pk)
    if fmt not in exports.FORMATS:
        raise Http404
    table = results.explanation(sheet, get_language())
    return exports.download(table, fmt, decimals=EXPLAIN_DECIMALS)
