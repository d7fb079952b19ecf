"""The staff pages: every questionnaire, and its figures per unit, sector and size with
the trend across periods, in the person's viewing scope; each table as CSV, XLSX and JSON
(the same rows as the page, built once in ``selectors``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dxscore.web.assessments import access, selectors
from dxscore.web.assessments.figures import latest
from dxscore.web.assessments.selectors import DIMENSIONS
from dxscore.web.data.models import Period
from dxscore.web.orgs import scope

# the page shows a score with one decimal; the workbook's score cells say the same
SCORE_DECIMALS = 1


def _staff(request):
    if not access.is_staff(request.user):
        raise PermissionDenied


@login_required
def dashboard(request):
    _staff(request)
    lang = get_language()
    rows = [(q, q.compiled().spec.title.get(lang)) for q in selectors.questionnaires()]
    return render(request, "assessments/dashboard.html", {"rows": rows})


def _choice(request, series: str):
    questionnaire = latest(series)
    if questionnaire is None:
        raise Http404
    known = selectors.periods(series)
    code = request.GET.get("period") or (
        questionnaire.period.code if questionnaire.period_id else (known[-1].code if known else "")
    )
    period = Period.objects.filter(code=code).first()
    dimension = request.GET.get("by", "all")
    if dimension not in DIMENSIONS:
        dimension = "all"
    return questionnaire, known, period, dimension


@login_required
def figures_page(request, series: str):
    _staff(request)
    questionnaire, known, period, dimension = _choice(request, series)
    lang = get_language()
    table = selectors.figures_table(request.user, questionnaire, period, dimension, lang)
    top, trend = selectors.trend_table(request.user, questionnaire, period, dimension, lang)
    measures = selectors.measure_columns(questionnaire.compiled(), lang)
    query = urlencode({"period": period.code if period else "", "by": dimension})
    return render(
        request,
        "assessments/figures.html",
        {
            "questionnaire": questionnaire,
            "title": questionnaire.compiled().spec.title.get(lang),
            "periods": known,
            "period": period,
            "dimension": dimension,
            "dimensions": [
                ("all", _("Units")),
                ("sector", _("Sector")),
                ("size", _("Size")),
            ],
            "measures": measures,
            "rows": [(row, [(c, row[c.key]) for c in measures]) for row in table.rows],
            "trend": trend.rows,
            "top": top,
            "root": scope.scope_root(request.user, scope.VIEW),
            "query": query,
        },
    )


def _download(request, series: str, fmt: str, which: str):
    _staff(request)
    from dxscore.web.dashboards import exports

    if fmt not in exports.FORMATS:
        raise Http404
    questionnaire, _known, period, dimension = _choice(request, series)
    lang = get_language()
    if which == "trend":
        _top, table = selectors.trend_table(request.user, questionnaire, period, dimension, lang)
    else:
        table = selectors.figures_table(request.user, questionnaire, period, dimension, lang)
    note = _(
        "Figures of submitted sheets. A mean or share made of fewer sheets than the minimum "
        "is not shown (–), to protect respondents. Published as indicator values for "
        "methodologies."
    )
    return exports.download(table, fmt, decimals=SCORE_DECIMALS, notes=[note])


@login_required
def figures_download(request, series: str, fmt: str):
    """The page's table of figures (its period and breakdown), by the page's rule."""
    return _download(request, series, fmt, "figures")


@login_required
def trend_download(request, series: str, fmt: str):
    """The page's trend (the top unit's sheets and mean score in every period)."""
    return _download(request, series, fmt, "trend")
