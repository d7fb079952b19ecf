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

from dxscore import index as ix
from dxscore.web.data.models import Methodology, Period, Status, Value
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
    m = methodology.engine()
    codes = [*m.indicators, *m.denominators]
    by_code = {u.code: u for u in units}
    entered = Value.objects.filter(
        period=period,
        unit__in=units,
        indicator__code__in=[c for c in codes if c not in COMPUTED],
        status=Status.APPROVED,
        value__isnull=False,
    ).values_list("unit__code", "indicator__code", "value")
    inputs = [
        {"unit": u, "code": c, "value": v, "source": _("approved value")} for u, c, v in entered
    ]
    for code, figures in delivery(units, period).items():
        for c, v in figures.items():
            if c in codes and v is not None:
                inputs.append({"unit": code, "code": c, "value": v, "source": _("plans")})
    result = Ranking(inputs=sorted(inputs, key=lambda r: (r["unit"], r["code"])))
    if not inputs:
        result.problems = [("values", _("no approved values for %(p)s") % {"p": period.code})]
        return result
    frame = pd.DataFrame(
        [(r["unit"], period.code, r["code"], r["value"]) for r in inputs],
        columns=["unit", "period", "indicator", "value"],
    )
    try:
        data = ix.dataset_from_frame(frame, m, source=f"{m.label} {period.code}")
        computed = ix.compute(m, data).to_frame(period.code)
    except ix.DataError as exc:
        result.problems = list(exc.problems)
        return result
    except ix.EngineError as exc:
        result.problems = [("engine", str(exc))]
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
