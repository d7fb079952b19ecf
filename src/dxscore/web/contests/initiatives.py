"""The initiatives competition: submitting, assigning evaluators (never one of the
submitting unit, ``access.conflict``), scoring by the rubric's criteria, and the
ranking, explanation and score sheets from the index engine: each criterion's points
are aggregated across the evaluators (``dxscore.contests.aggregate``), divided by its
maximum, and the rubric (a methodology of ``points`` criteria) is computed with
``dxscore.index.compute`` over the initiatives as units. Adopted initiatives are
followed up as tasks of a resolution (``plans.Task``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from dxscore import contests as rules
from dxscore import index as ix
from dxscore.tables import append, workbook_bytes
from dxscore.web.contests import access
from dxscore.web.contests.models import Assignment, Initiative, InitiativeFile, InitiativeRound
from dxscore.web.contests.work import ContestError, ContestNotAllowed
from dxscore.web.sheets import style_header

RUBRIC_EXAMPLE = """\
id: initiative-rubric
version: "1"
title: Administrative-reform initiative rubric
scale: [0, 100]
defaults:
  indicator:
    unit: share of the maximum points
    range: [0, 1]
    normalisation: {method: goalposts, lower: 0, upper: 1}
  aggregate: {aggregation: points}
tree:
  code: index
  name: Initiative score
  children:
    - {code: novelty, name: Novelty and creativity, max_points: 30}
    - {code: effect, name: Effect and benefit, max_points: 40}
    - {code: scope, name: Scope of application, max_points: 30}
"""


def criteria(competition: InitiativeRound) -> list[tuple[str, str, float]]:
    """The rubric's criteria: (code, name, maximum points)."""
    m = competition.rubric.compiled()
    return [(c, m.nodes[c].name, float(m.nodes[c].spec.max_points or 0)) for c in m.indicators]


def submit(user, competition: InitiativeRound, fields: dict, upload=None) -> Initiative:
    if not access.can_submit(user, competition):
        raise ContestNotAllowed(_("You cannot submit to this competition."))
    if timezone.localdate() > competition.closes_on:
        raise ContestError(_("Submissions are closed."))
    with transaction.atomic():
        n = (competition.initiatives.aggregate(n=Max("pk"))["n"] or 0) + 1
        found = Initiative.objects.create(
            round=competition,
            code=f"SK-{competition.initiatives.count() + 1:03d}-{n}",
            unit=access.own_unit(user),
            submitted_by=user,
            **fields,
        )
        if upload is not None:
            stored = InitiativeFile(initiative=found, name=upload.name[:200])
            stored.file.save(upload.name, upload, save=False)
            stored.save()
        return found


def assign(user, initiative: Initiative, evaluator) -> Assignment:
    if not access.organises(user, initiative.round):
        raise ContestNotAllowed(_("Only the organisers assign evaluators."))
    if access.conflict(evaluator, initiative):
        raise ContestError(
            _("%(e)s belongs to the submitting unit (or submitted it) and cannot score it.")
            % {"e": evaluator.get_username()}
        )
    return Assignment.objects.get_or_create(initiative=initiative, evaluator=evaluator)[0]


def score(user, assignment: Assignment, points: dict[str, float], comment: str = "") -> None:
    if not access.can_score(user, assignment):
        raise ContestNotAllowed(_("You cannot score this initiative."))
    problems = []
    clean: dict[str, float] = {}
    for code, name, maximum in criteria(assignment.initiative.round):
        value = points.get(code)
        if value is None or not 0 <= value <= maximum:
            problems.append(_("%(c)s: give 0 to %(m)s points") % {"c": name, "m": f"{maximum:g}"})
        else:
            clean[code] = float(value)
    if problems:
        raise ContestError("; ".join(problems))
    assignment.scores = clean
    assignment.comment = comment[:4000]
    assignment.scored_at = timezone.now()
    assignment.save(update_fields=["scores", "comment", "scored_at"])


@dataclass
class Standing:
    rows: list[dict]  # initiative, rank, score, points, evaluators, by criterion
    result: ix.Result | None
    problems: list[tuple[str, str]]


def combined(competition: InitiativeRound) -> dict[int, dict[str, float]]:
    """Per initiative, each criterion's points aggregated across its evaluators."""
    out: dict[int, dict[str, float]] = {}
    by: dict[int, dict[str, list[float]]] = {}
    for a in Assignment.objects.filter(initiative__round=competition, scored_at__isnull=False):
        for code, value in a.scores.items():
            by.setdefault(a.initiative_id, {}).setdefault(code, []).append(float(value))
    for pk, codes in by.items():
        out[pk] = {
            c: v
            for c, values in codes.items()
            if (v := rules.aggregate(values, competition.aggregation)) is not None
        }
    return out


def standing(competition: InitiativeRound) -> Standing:
    """The ranking from the index engine (scores as shares of the rubric's maximum on
    its scale, points alongside)."""
    m = competition.rubric.compiled()
    crit = criteria(competition)
    points = combined(competition)
    initiatives = {i.pk: i for i in competition.initiatives.select_related("unit")}
    rows = [
        (initiatives[pk].code, competition.period, code, value / maximum if maximum else 0.0)
        for pk, codes in points.items()
        for code, _n, maximum in crit
        if (value := codes.get(code)) is not None
    ]
    if not rows:
        return Standing([], None, [])
    frame = pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])
    try:
        result = ix.compute(m, ix.dataset_from_frame(frame, m, source=competition.title))
    except (ix.DataError, ix.EngineError) as exc:
        problems = list(getattr(exc, "problems", [("engine", str(exc))]))
        return Standing([], None, problems)
    table = result.to_frame(competition.period)
    top = table[table.node == "index"]
    by_code = {i.code: i for i in initiatives.values()}
    counts: dict[int, int] = {}
    for a in Assignment.objects.filter(initiative__round=competition, scored_at__isnull=False):
        counts[a.initiative_id] = counts.get(a.initiative_id, 0) + 1
    out = []
    for r in top.itertuples(index=False):
        i = by_code[r.unit]
        out.append(
            {
                "initiative": i,
                "rank": None if pd.isna(r.rank) else int(r.rank),
                "score": float(r.score),
                "points": sum(points[i.pk].values()),
                "evaluators": counts.get(i.pk, 0),
                "criteria": [points[i.pk].get(c) for c, _n, _m in crit],
            }
        )
    out.sort(key=lambda x: (x["rank"] is None, x["rank"] or 0))
    return Standing(out, result, [])


def shown_standing(user, competition: InitiativeRound) -> Standing | None:
    """The standing by the competition page's rule: for its organisers, and for
    everybody once the results are published; ``None`` for anyone else."""
    if access.organises(user, competition) or competition.published_at is not None:
        return standing(competition)
    return None


SCORE_DECIMALS = 2  # the page shows a standing's scores (on the rubric's scale) with 2


def _competition_meta(competition: InitiativeRound) -> dict:
    """What a download of the competition says of it (JSON's ``meta``, the about sheet)."""
    published = competition.published_at
    return {
        "competition": competition.pk,
        "period": competition.period,
        "aggregation": competition.aggregation,
        "rubric": str(competition.rubric),
        "published_at": published.isoformat() if published else None,
    }


def standing_table(competition: InitiativeRound, found: Standing):
    """The competition page's standing as a download: the same rows in the same order,
    scores and points at the stored precision."""
    from dxscore.web.dashboards.tables import COUNT, POINTS, RANK, SCORE, Column, Table

    columns = [
        Column("rank", _("Rank"), RANK),
        Column("code", _("Code")),
        Column("title", _("Initiative")),
        Column("adopted", _("adopted")),
        Column("score", _("Score"), SCORE),
        Column("points", _("Points"), POINTS),
        Column("evaluators", _("Evaluators"), COUNT),
    ]
    rows = [
        {
            "rank": row["rank"],
            "code": row["initiative"].code,
            "title": row["initiative"].title,
            "adopted": row["initiative"].adopted,
            "score": row["score"],
            "points": row["points"],
            "evaluators": row["evaluators"],
        }
        for row in found.rows
    ]
    return Table(
        name=f"initiatives-standing-{competition.pk}",
        title=competition.title,
        columns=columns,
        rows=rows,
        meta=_competition_meta(competition)
        | {"problems": [f"{where}: {message}" for where, message in found.problems]},
    )


def explanation(competition: InitiativeRound, initiative: Initiative) -> list[dict]:
    found = standing(competition)
    if found.result is None:
        return []
    try:
        frame = found.result.explain(initiative.code, competition.period)
    except KeyError:
        return []
    return frame.to_dict("records")


def shown_explanation(user, initiative: Initiative) -> list[dict] | None:
    """The initiative page's "How the score is made" by the page's rule: for the
    competition's organisers, and for everybody once the results are published; ``None``
    for anyone else (the page shows them no explanation)."""
    competition = initiative.round
    if access.organises(user, competition) or competition.published_at is not None:
        return explanation(competition, initiative)
    return None


def _stored(value) -> float | None:
    """A number of the engine's frame as stored; ``None`` for a missing one (NaN)."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def explanation_table(initiative: Initiative, rows: list[dict]):
    """The initiative page's explanation of its score as a download: every row the page
    lists, in its order (name, points, maximum points, score), at the stored precision."""
    from dxscore.web.dashboards.tables import POINTS, SCORE, Column, Table

    competition = initiative.round
    return Table(
        name=f"initiative-{initiative.pk}-explanation",
        title=f"{initiative.code} · {initiative.title}",
        columns=[
            Column("name", _("Criterion")),
            Column("points", _("Points"), POINTS),
            Column("max_points", _("Maximum"), POINTS),
            Column("score", _("Score"), SCORE),
        ],
        rows=[
            {
                "name": r["name"],
                "points": _stored(r.get("points")),
                "max_points": _stored(r.get("max_points")),
                "score": _stored(r.get("score")),
            }
            for r in rows
        ],
        meta=_competition_meta(competition) | {"initiative": initiative.code},
    )


def score_sheet(competition: InitiativeRound) -> bytes:
    """Every evaluator's points, the combined points and the engine's score and rank."""
    crit = criteria(competition)
    found = standing(competition)
    wb = Workbook()
    ws = wb.active
    ws.title = "ranking"
    append(
        ws,
        [
            "rank",
            "code",
            "title",
            "unit",
            "score",
            "points",
            "evaluators",
            *[c for c, _n, _m in crit],
        ],
    )
    for row in found.rows:
        i = row["initiative"]
        append(
            ws,
            [
                row["rank"],
                i.code,
                i.title,
                i.unit.code,
                row["score"],
                row["points"],
                row["evaluators"],
                *row["criteria"],
            ],
        )
    # the stored numbers, shown as the page shows them (number formats, not rounding)
    shown = {5: SCORE_DECIMALS, 6: 2, **{8 + j: 2 for j in range(len(crit))}}
    for cells in ws.iter_rows(min_row=2):
        for column, places in shown.items():
            cells[column - 1].number_format = "0." + "0" * places
    style_header(ws, 14, {"C": 50})
    sheet = wb.create_sheet("evaluations")
    append(sheet, ["code", "evaluator", *[c for c, _n, _m in crit], "comment"])
    for a in Assignment.objects.filter(
        initiative__round=competition, scored_at__isnull=False
    ).select_related("initiative", "evaluator"):
        append(
            sheet,
            [
                a.initiative.code,
                a.evaluator.get_username(),
                *[a.scores.get(c) for c, _n, _m in crit],
                a.comment,
            ],
        )
    style_header(sheet, 14)
    return workbook_bytes(wb)


def publish(user, competition: InitiativeRound) -> None:
    if not access.organises(user, competition):
        raise ContestNotAllowed(_("Only the organisers publish results."))
    competition.published_at = timezone.now()
    competition.save(update_fields=["published_at"])


def adopt(user, initiative: Initiative, resolution, deadline: dt.date):
    """Adopt an initiative and follow it up as a task of ``resolution`` owned by the
    submitting unit."""
    from dxscore.web.plans.models import Task

    if not access.organises(user, initiative.round):
        raise ContestNotAllowed(_("Only the organisers adopt initiatives."))
    if initiative.task_id:
        raise ContestError(_("This initiative is followed up already."))
    with transaction.atomic():
        number = (resolution.tasks.aggregate(n=Max("number"))["n"] or 0) + 1
        task = Task.objects.create(
            resolution=resolution,
            number=number,
            title=(_("Apply initiative: %(t)s") % {"t": initiative.title})[:300],
            description=initiative.solution,
            owner=initiative.unit,
            deadline=deadline,
            expected_result=initiative.effect,
            created_by=user,
        )
        initiative.adopted = True
        initiative.task = task
        initiative.save(update_fields=["adopted", "task"])
        return task
