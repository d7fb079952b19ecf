"""Reads of figures in a person's scope, for the staff pages, the Excel download and
the API alike."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from dxscore.web.assessments import figures as store
from dxscore.web.assessments.models import Figure, FigureState, Questionnaire
from dxscore.web.data.models import Period
from dxscore.web.orgs import scope


def questionnaires() -> QuerySet[Questionnaire]:
    """One row per questionnaire: its open version, else its latest."""
    seen, keep = set(), []
    for q in Questionnaire.objects.order_by("code", "-active", "-uploaded_at"):
        if q.code not in seen:
            seen.add(q.code)
            keep.append(q.pk)
    return Questionnaire.objects.filter(pk__in=keep).select_related("period")


def periods(series: str) -> list[Period]:
    ids = FigureState.objects.filter(series=series).values_list("period_id", flat=True)
    return list(Period.objects.filter(pk__in=ids).order_by("start"))


def figures(user, series: str, period: Period, dimension: str = "all") -> QuerySet[Figure]:
    """The figures of units in the person's viewing scope (fresh)."""
    store.ensure_fresh(series, period)
    rows = Figure.objects.filter(series=series, period=period, dimension=dimension)
    return scope.restrict(rows, user, scope.VIEW).select_related("unit", "unit__level")


@dataclass
class Row:
    unit: object
    group: str
    count: int
    values: dict[str, Figure]


def table(user, series: str, period: Period, dimension: str = "all") -> list[Row]:
    """Figures as rows (unit and group) with a figure per measure."""
    rows: dict[tuple[int, str], Row] = {}
    for f in figures(user, series, period, dimension).order_by("unit__path", "group"):
        row = rows.setdefault((f.unit_id, f.group), Row(f.unit, f.group, f.count, {}))
        row.values[f.measure] = f
    return list(rows.values())


def trend(user, series: str, unit_id: int, measure: str) -> list[tuple[str, Figure]]:
    """One unit's figure over the periods (fresh), in the person's scope."""
    out = []
    for period in periods(series):
        f = figures(user, series, period).filter(unit_id=unit_id, measure=measure).first()
        if f is not None:
            out.append((period.code, f))
    return out
