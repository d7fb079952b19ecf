"""Emulation rankings: a province ranks its own departments or districts with any
methodology, from their approved values plus two figures computed from the plans:

- ``tasks_on_time_share``: of the unit's tasks due in the period (not cancelled), the
  share done by their deadline;
- ``targets_met_share``: of the targets the unit owns, the share met at the end of the
  period (empty when it owns none).

A figure computed here always replaces a value entered under the same code, so nobody
can type their own task delivery. The ranking is computed by ``dxscore.index``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from django.utils.translation import gettext as _

from dxscore.web.data.models import Methodology, Period
from dxscore.web.l10n import raw_kind
from dxscore.web.orgs.models import Level, Unit
from dxscore.web.plans import assessing
from dxscore.web.plans.models import Target, Task

COMPUTED = ("tasks_on_time_share", "targets_met_share")


def delivery(units: list[Unit], period: Period) -> dict[str, dict[str, float | None]]:
    """The two delivery figures per unit code for ``period``."""
    out = {u.code: {c: None for c in COMPUTED} for u in units}
    by_pk = {u.pk: u.code for u in units}
    due: dict[str, list[Task]] = {}
    for task in Task.objects.filter(
        owner__in=units,
        cancelled_on__isnull=True,
        deadline__gte=period.start,
        deadline__lte=period.end,
    ):
        due.setdefault(by_pk[task.owner_id], []).append(task)
    for code, tasks in due.items():
        out[code]["tasks_on_time_share"] = sum(t.on_time for t in tasks) / len(tasks)
    targets = list(Target.objects.filter(unit__in=units))
    owned: dict[str, list[str]] = {}
    for item in assessing.assess_targets(targets, period.code):
        owned.setdefault(by_pk[item.target.unit_id], []).append(item.status)
    for code, statuses in owned.items():
        out[code]["targets_met_share"] = statuses.count("met") / len(statuses)
    from dxscore.web.inspections import figures as inspections

    for code, figures in inspections.delivery(units, period).items():
        out[code].update(figures)  # recommendations implemented on time (docs/inspections.md)
    from dxscore.web.contests import results as contests

    for code, figures in contests.delivery(units, period).items():
        out[code].update(figures)  # contest participation and mean score (docs/contests.md)
    return out


def units_to_rank(parent: Unit, level: Level | None, period: Period) -> list[Unit]:
    units = (
        Unit.objects.subtree(parent).exclude(pk=parent.pk).valid_between(period.start, period.end)
    )
    units = units.filter(level=level) if level else units.filter(parent=parent)
    return list(units.order_by("code"))


@dataclass
class Ranking:
    rows: list[dict] = field(default_factory=list)  # unit, index score and rank, pillars
    columns: list[tuple[str, str]] = field(default_factory=list)
    inputs: list[dict] = field(default_factory=list)  # unit, code, value, source
    problems: list[tuple[str, str]] = field(default_factory=list)


def rank(methodology: Methodology, period: Period, units: list[Unit]) -> Ranking:
    """The ranking from the same inputs a stored run of it reads (``gather_inputs``):
    the units' approved values, with the delivery figures computed here in place of any
    value entered under their codes."""
    from dxscore.web.scores import runs

    m = methodology.compiled()
    by_code = {u.code: u for u in units}
    result = Ranking()
    try:
        gathered = runs.gather_inputs(methodology, period, units, delivery(units, period))
    except runs.RunError as exc:
        result.problems = list(exc.problems)
        return result
    shown = [
        {
            "unit": v.unit.code,
            "code": v.indicator.code,
            "value": v.value,
            "source": _("approved value"),
        }
        for v in gathered.values
        if v.period_id == period.pk
    ]
    shown += [
        {"unit": u.code, "code": c, "value": v, "source": _("plans")}
        for u, c, v in gathered.computed
    ]
    for row in shown:  # shown by the indicator's declared kind: a rate as 96.8%
        row["figure"] = raw_kind(m, row["code"])
    result.inputs = sorted(shown, key=lambda r: (r["unit"], r["code"]))
    try:
        computed = runs.compute_inputs(m, period, gathered)[1].to_frame(period.code)
    except runs.RunError as exc:
        result.problems = list(exc.problems)
        return result
    top = list(m.side_nodes) or list(m.nodes["index"].children)
    result.columns = [(c, m.nodes[c].name) for c in ["index", *top]]
    cells: dict[str, dict] = {}
    for r in computed.itertuples(index=False):
        if r.node in dict(result.columns):
            rank_ = None if pd.isna(r.rank) else int(r.rank)
            cells.setdefault(r.unit, {})[r.node] = (r.score, rank_)
    for code, nodes in cells.items():
        result.rows.append(
            {
                "unit": by_code[code],
                "rank": nodes.get("index", (None, None))[1],
                "cells": [nodes.get(c, (None, None)) for c, _n in result.columns],
            }
        )
    result.rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["unit"].code))
    return result


def _meta(methodology: Methodology, parent: Unit, level: Level | None, period: Period) -> dict:
    return {
        "methodology": methodology.code,
        "methodology_version": methodology.version,
        "methodology_title": methodology.title,
        "units_of": parent.code,
        "units_of_name": parent.name,
        "level": level.name if level else None,
        "period": period.code,
        "computed": "now, from today's approved values, tasks and targets (not stored)",
    }


def ranking_table(result: Ranking, methodology: Methodology, parent, level, period):
    """The page's ranking as a download table: rank, unit, the index's and each top
    node's score, best first (``dashboards.exports`` writes it)."""
    from dxscore.web.dashboards.tables import RANK, SCORE, Column, Table

    columns = [
        Column("rank", _("Rank"), RANK),
        Column("unit", _("Code")),
        Column("name", _("Unit")),
    ] + [Column(code, name, SCORE) for code, name in result.columns]
    rows = []
    for r in result.rows:
        row = {"rank": r["rank"], "unit": r["unit"].code, "name": r["unit"].name}
        for (code, _name), (score, _rank) in zip(result.columns, r["cells"], strict=True):
            row[code] = None if score is None or pd.isna(score) else float(score)
        rows.append(row)
    return Table(
        name=f"emulation-{methodology.code}-{parent.code}-{period.code}",
        title=_("Emulation ranking") + f" · {methodology.title} · {parent.name} · {period.code}",
        columns=columns,
        rows=rows,
        meta=_meta(methodology, parent, level, period),
    )


def inputs_table(result: Ranking, methodology: Methodology, parent, level, period):
    """The page's inputs (unit, indicator, value, where it came from) with the units'
    and indicators' names."""
    from dxscore.web.dashboards.tables import NUMBER, Column, Table

    m = methodology.compiled()
    names = dict(
        Unit.objects.filter(code__in={i["unit"] for i in result.inputs}).values_list("code", "name")
    )
    columns = [
        Column("unit", _("Code")),
        Column("unit_name", _("Unit")),
        Column("indicator", _("Indicator code")),
        Column("indicator_name", _("Indicator")),
        Column("value", _("Value"), NUMBER),
        Column("source", _("Source")),
    ]
    rows = [
        {
            "unit": i["unit"],
            "unit_name": names.get(i["unit"], ""),
            "indicator": i["code"],
            "indicator_name": m.nodes[i["code"]].name if i["code"] in m.nodes else "",
            "value": i["value"],
            "value_kind": i.get("figure"),  # the cell's format by the indicator's kind
            "source": str(i["source"]),
        }
        for i in result.inputs
    ]
    return Table(
        name=f"emulation-inputs-{methodology.code}-{parent.code}-{period.code}",
        title=_("Inputs") + f" · {methodology.title} · {parent.name} · {period.code}",
        columns=columns,
        rows=rows,
        meta=_meta(methodology, parent, level, period),
    )
