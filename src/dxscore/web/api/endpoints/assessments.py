"""Figures of self-assessments and surveys (``docs/assessments.md``): per unit of the
person's viewing scope, all sheets or per sector or size, with the count behind each
and suppressed figures without value."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema

from dxscore.web.api.common import not_found
from dxscore.web.assessments import selectors
from dxscore.web.assessments.figures import latest
from dxscore.web.data.models import Period

router = Router(tags=["assessments"])


class QuestionnaireOut(Schema):
    code: str
    version: str
    kind: str
    title: str
    open_period: str | None


class FigureOut(Schema):
    unit: str
    unit_name: str
    dimension: Literal["all", "sector", "size"]
    group: str
    measure: str
    value: float | None
    count: int
    suppressed: bool


class SurveyFiguresOut(Schema):
    questionnaire: str
    period: str
    min_count: int
    items: list[FigureOut]


@router.get("/assessments", response=list[QuestionnaireOut], summary="Questionnaires")
def list_questionnaires(request):
    return [
        {
            "code": q.code,
            "version": q.version,
            "kind": q.kind,
            "title": q.title,
            "open_period": q.period.code if q.active and q.period_id else None,
        }
        for q in selectors.questionnaires()
    ]


@router.get(
    "/assessments/{code}/figures", response=SurveyFiguresOut, summary="Figures of a questionnaire"
)
def figures(
    request,
    code: str = Path(..., max_length=60),
    period: str = Query(..., max_length=10),
    dimension: Literal["all", "sector", "size"] = Query("all"),
):
    """Response counts and rates, mean scores (index and pillars, 0-100) and shares of
    levels; a figure of fewer sheets than the minimum has ``value`` null and
    ``suppressed`` true."""
    from django.conf import settings

    if latest(code) is None:
        raise not_found(_("No questionnaire %(code)s.") % {"code": code})
    found = Period.objects.filter(code=period).first()
    if found is None:
        raise not_found(_("No period %(code)s.") % {"code": period})
    rows = selectors.figures(request.user, code, found, dimension).order_by(
        "unit__path", "group", "pk"
    )
    return {
        "questionnaire": code,
        "period": found.code,
        "min_count": settings.DXSCORE_SURVEY_MIN_COUNT,
        "items": [
            {
                "unit": f.unit.code,
                "unit_name": f.unit.name,
                "dimension": f.dimension,
                "group": f.group,
                "measure": f.measure,
                "value": f.value,
                "count": f.count,
                "suppressed": f.suppressed,
            }
            for f in rows
        ],
    }
