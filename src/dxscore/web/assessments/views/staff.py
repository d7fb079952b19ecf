"""The staff pages: every questionnaire, and its figures per unit, sector and size with
the trend across periods, in the person's viewing scope; the same as an Excel file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook

from dxscore import assessments as qa
from dxscore.tables import append, workbook_bytes
from dxscore.web.assessments import access, selectors
from dxscore.web.assessments.figures import latest
from dxscore.web.assessments.models import Sector, Size
from dxscore.web.data.models import Period
from dxscore.web.orgs import scope
from dxscore.web.sheets import style_header

DIMENSIONS = ("all", "sector", "size")


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


def _labels(q: qa.Questionnaire, lang: str) -> list[tuple[str, str]]:
    labels = {
        "responses": _("Sheets"),
        "response_rate": _("Response rate"),
        "score": _("Mean score"),
    }
    labels |= {p.code: p.name.get(lang) for p in q.spec.pillars}
    labels |= {f"share_{lv.code}": lv.name.get(lang) for lv in q.spec.levels}
    return [(m, labels[m]) for m in qa.measures(q)]


def _group_name(dimension: str, group: str) -> str:
    if dimension == "sector":
        return str(dict(Sector.choices).get(group, group))
    if dimension == "size":
        return str(dict(Size.choices).get(group, group))
    return ""


def _text(measure: str, f) -> str:
    if f is None or f.value is None:
        return "–"
    if measure == "responses":
        return f"{f.value:.0f}"
    if measure == "response_rate" or measure.startswith("share_"):
        return f"{100 * f.value:.0f}%"
    return f"{f.value:.1f}"


def _cells(row, q: qa.Questionnaire, lang: str) -> list[tuple[str, str, str]]:
    return [(m, label, _text(m, row.values.get(m))) for m, label in _labels(q, lang)]


@login_required
def figures_page(request, series: str):
    _staff(request)
    questionnaire, known, period, dimension = _choice(request, series)
    q = questionnaire.compiled()
    lang = get_language()
    rows = selectors.table(request.user, series, period, dimension) if period else []
    root = scope.scope_root(request.user, scope.VIEW)
    top = rows[0].unit if rows and dimension == "all" else None
    trend = selectors.trend(request.user, series, top.pk, "score") if top else []
    return render(
        request,
        "assessments/figures.html",
        {
            "questionnaire": questionnaire,
            "title": q.spec.title.get(lang),
            "periods": known,
            "period": period,
            "dimension": dimension,
            "dimensions": [
                ("all", _("Units")),
                ("sector", _("Sector")),
                ("size", _("Size")),
            ],
            "measures": _labels(q, lang),
            "rows": [(r, _group_name(dimension, r.group), _cells(r, q, lang)) for r in rows],
            "trend": trend,
            "top": top,
            "root": root,
        },
    )


@login_required
def figures_workbook(request, series: str):
    _staff(request)
    questionnaire, _known, period, _dimension = _choice(request, series)
    if period is None:
        raise Http404
    q = questionnaire.compiled()
    labels = _labels(q, get_language())
    header = [_("Unit code"), _("Unit"), _("Breakdown"), _("Group"), _("Sheets")]
    header += [label for _m, label in labels]
    wb = Workbook()
    ws = wb.active
    ws.title = period.code
    append(ws, header)
    for dimension in DIMENSIONS:
        for r in selectors.table(request.user, series, period, dimension):
            line = [r.unit.code, r.unit.name, dimension, _group_name(dimension, r.group), r.count]
            for m, _label in labels:
                f = r.values.get(m)
                line.append(None if f is None or f.value is None else round(f.value, 4))
            append(ws, line)
    style_header(ws, 14, {"B": 36})
    body = workbook_bytes(wb)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{series}-{period.code}.xlsx"'
    return response
