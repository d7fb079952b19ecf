"""Reads of figures in a person's scope, for the staff pages, their downloads and the
API alike; the staff page's tables (:func:`figures_table`, :func:`trend_table`) are built
here once, for the page and its CSV, XLSX and JSON downloads."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dxscore import assessments as qa
from dxscore.web.assessments import figures as store
from dxscore.web.assessments.models import Figure, FigureState, Questionnaire, Sector, Size
from dxscore.web.dashboards.tables import COUNT, RATE, SCORE, Column, Table
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


# --- the staff page's tables (page and downloads) ---------------------------------------

DIMENSIONS = ("all", "sector", "size")


def shown(f: Figure | None) -> float | None:
    """A figure's value as the page shows it: none when it is missing or suppressed
    (made of fewer sheets than the minimum), so no download carries it either."""
    if f is None or f.suppressed or f.value is None:
        return None
    return f.value


def measure_columns(q: qa.Questionnaire, lang: str) -> list[Column]:
    """A column per measure, in the questionnaire's order, with its kind of figure."""
    labels = {
        "responses": _("Sheets"),
        "response_rate": _("Response rate"),
        "score": _("Mean score"),
    }
    labels |= {p.code: p.name.get(lang) for p in q.spec.pillars}
    labels |= {f"share_{lv.code}": lv.name.get(lang) for lv in q.spec.levels}
    out = []
    for m in qa.measures(q):
        if m == "responses":
            kind = COUNT
        elif m == "response_rate" or m.startswith("share_"):
            kind = RATE
        else:
            kind = SCORE  # the mean overall score and each pillar's (0-100)
        out.append(Column(m, labels[m], kind))
    return out


def group_name(dimension: str, group: str) -> str:
    if dimension == "sector":
        return str(dict(Sector.choices).get(group, group))
    if dimension == "size":
        return str(dict(Size.choices).get(group, group))
    return ""


def _meta(questionnaire: Questionnaire, period: Period | None, dimension: str) -> dict:
    return {
        "questionnaire": questionnaire.code,
        "version": questionnaire.version,
        "period": period.code if period else None,
        "by": dimension,
        "min_count": settings.DXSCORE_SURVEY_MIN_COUNT,
    }


def figures_table(
    user, questionnaire: Questionnaire, period: Period | None, dimension: str, lang: str
) -> Table:
    """The staff page's table of figures: each unit (and group) of the person's viewing
    scope with a value per measure; a suppressed figure has none (the page's "–")."""
    q = questionnaire.compiled()
    measures = measure_columns(q, lang)
    columns = [Column("unit", _("Code")), Column("name", _("Unit"))]
    if dimension != "all":
        columns.append(Column("group", _("Group")))
    columns += measures
    rows = []
    for r in table(user, questionnaire.code, period, dimension) if period else []:
        row = {
            "unit": r.unit.code,
            "name": r.unit.name,
            "group": group_name(dimension, r.group),
            "group_code": r.group,  # the page's row id, not a column
            "unit_id": r.unit.pk,
        }
        for c in measures:
            row[c.key] = shown(r.values.get(c.key))
        rows.append(row)
    code = period.code if period else "none"
    return Table(
        name=f"{questionnaire.code}-{code}-{dimension}",
        title=f"{q.spec.title.get(lang)} · {code}",
        columns=columns,
        rows=rows,
        meta=_meta(questionnaire, period, dimension),
    )


def top_unit(user, series: str, period: Period | None, dimension: str):
    """The unit whose trend the staff page shows: the first unit of its table (the top of
    the viewing scope) when the page lists whole units; else none."""
    if period is None or dimension != "all":
        return None
    first = figures(user, series, period, "all").order_by("unit__path", "group").first()
    return first.unit if first is not None else None


def trend_table(
    user, questionnaire: Questionnaire, period: Period | None, dimension: str, lang: str
) -> tuple[object, Table]:
    """The staff page's trend: the top unit's sheets and mean score in every period
    (none suppressed is shown), and that unit (none: no trend on the page)."""
    q = questionnaire.compiled()
    top = top_unit(user, questionnaire.code, period, dimension)
    found = trend(user, questionnaire.code, top.pk, "score") if top is not None else []
    rows = [{"period": code, "responses": f.count, "score": shown(f)} for code, f in found]
    return top, Table(
        name=f"{questionnaire.code}-trend-{top.code if top is not None else 'none'}",
        title=f"{q.spec.title.get(lang)} · {top.name if top is not None else ''}",
        columns=[
            Column("period", _("Period")),
            Column("responses", _("Sheets"), COUNT),
            Column("score", _("Mean score"), SCORE),
        ],
        rows=rows,
        meta=_meta(questionnaire, period, dimension)
        | {"unit": top.code if top is not None else None},
    )
