"""Reads of score runs: published runs are public; unpublished ones are for administrators
and steering officers. The run pages and the API read runs through here.

``coverage(run)`` is what publishing shows and records: of the units the run should rank
(``units_to_rank``), how many have every required input of the methodology in the run's
period (``required_inputs``), some, none; the share of the values it should have that it
has (compared with ``DXSCORE_PUBLISH_MIN_COVERAGE``), and the share of the indicator
values its ranking rests on that the engine imputed. The counting is a plain function
(``count_coverage``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Q, QuerySet

from dxscore import index as ix
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit
from dxscore.web.scores.models import PublishedCoverage, ScoreRun


def visible_runs(user) -> QuerySet:
    """The runs ``user`` may see: every run for those who manage runs, else the published
    ones (withdrawn ones too: their pages say so)."""
    runs = ScoreRun.objects.select_related(
        "methodology", "period", "created_by", "coverage", "withdrawn_by", "published_coverage"
    )
    if not scope.can_manage(user):
        runs = runs.filter(published_at__isnull=False)
    return runs


def published_coverage(run: ScoreRun) -> PublishedCoverage | None:
    """The coverage recorded when ``run`` was published (None before, and for runs
    published before it was recorded)."""
    try:
        return run.published_coverage
    except PublishedCoverage.DoesNotExist:
        return None


# --- coverage ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """A unit the run should rank that lacks values: the inputs it has no value of and
    how many of its indicator values the engine imputed."""

    code: str
    name: str
    missing: tuple[str, ...] = ()
    imputed: int = 0


@dataclass(frozen=True)
class Coverage:
    units: int  # the units the run should rank
    complete: int  # ... with a value of every input
    partial: list[Gap] = field(default_factory=list)  # some inputs, not all
    without_data: list[Gap] = field(default_factory=list)  # no input at all
    inputs: int = 0  # inputs (indicators and denominators) a unit should have
    values_given: int = 0  # values the units have, of units x inputs
    values_ranked: int = 0  # indicator values of the units ranked (with some data)
    imputed: int = 0  # ... that the engine imputed
    threshold: float = 0.9

    @property
    def values_expected(self) -> int:
        return self.units * self.inputs

    @property
    def share(self) -> float:
        """The share of the values the run should have that it has (0 with none)."""
        return self.values_given / self.values_expected if self.values_expected else 0.0

    @property
    def imputed_share(self) -> float:
        return self.imputed / self.values_ranked if self.values_ranked else 0.0

    @property
    def below(self) -> bool:
        return self.share < self.threshold


def count_coverage(
    expected: Sequence[tuple[str, str]],
    inputs: Sequence[str],
    indicators: int,
    given: Mapping[str, Collection[str]],
    imputed: Mapping[str, int],
    threshold: float,
) -> Coverage:
    """The coverage of ``expected`` units (``(code, name)``) that should each have a value
    of every code of ``inputs``, ``indicators`` of which are indicators (the rest
    denominators): ``given`` the codes each unit has a value of, ``imputed`` how many of
    a unit's indicator values the engine imputed. Units the run has values of but that
    it should not rank are left out."""
    wanted = list(dict.fromkeys(inputs))
    complete, partial, without = 0, [], []
    values_given = values_ranked = imputed_total = 0
    for code, name in expected:
        have = set(given.get(code, ())) & set(wanted)
        values_given += len(have)
        if not have:
            without.append(Gap(code, name, tuple(wanted)))
            continue
        values_ranked += indicators
        imputed_total += imputed.get(code, 0)
        missing = tuple(c for c in wanted if c not in have)
        if missing:
            partial.append(Gap(code, name, missing, imputed.get(code, 0)))
        else:
            complete += 1
    return Coverage(
        units=len(expected),
        complete=complete,
        partial=partial,
        without_data=without,
        inputs=len(wanted),
        values_given=values_given,
        values_ranked=values_ranked,
        imputed=imputed_total,
        threshold=threshold,
    )


def units_to_rank(run: ScoreRun) -> list[Unit]:
    """The units ``run`` should rank, by code: on its period's own map, the units it was
    asked to rank (``ScoreRun.to_rank``); on the map of a day, and for runs that did not
    record them, the units of the methodology's reporting level (the tree's leaves when
    none is set) in force on the run's map (``as_of``, else some time in its period)
    within the unit it ranks (``coverage``; on a later map, the units that took over its
    territory), as ``compute_run`` chooses them."""
    if run.as_of is None and run.to_rank:
        return list(Unit.objects.filter(pk__in=run.to_rank).order_by("code", "pk"))
    units = run.period.units() if run.as_of is None else Unit.objects.in_force(run.as_of)
    if run.methodology.reporting_level_id:
        units = units.filter(level_id=run.methodology.reporting_level_id)
    else:
        units = units.filter(children__isnull=True)
    if run.coverage_id is not None:
        roots = [run.coverage]
        if run.as_of is not None and not run.coverage.in_force(run.as_of):
            roots = [u for u in run.coverage.successor_units() if u.in_force(run.as_of)] or roots
        within = Q()
        for root in roots:
            within |= Q(path__startswith=root.path)
        units = units.filter(within)
    return list(units.distinct().order_by("code", "pk"))


def required_inputs(m: ix.CompiledMethodology) -> tuple[list[str], list[str]]:
    """The inputs every unit should have a value of, and the indicators among them: the
    indicators not marked ``required: false`` and their denominators."""
    indicators = [c for c in m.indicators if m.nodes[c].indicator_spec.required]
    denominators = [m.nodes[c].indicator_spec.denominator for c in indicators]
    inputs = [*indicators, *(d for d in denominators if d)]
    return list(dict.fromkeys(inputs)), indicators


def coverage(run: ScoreRun) -> Coverage:
    """The run's coverage now (``count_coverage``), from the engine's result for its
    stored inputs on its own map (values carried onto a later map count for the unit
    they were carried onto): what the publish page shows and ``runs.publish`` records."""
    # the engine's result is computed by the runs module (which reads this one)
    from dxscore.web.scores.runs import recompute_from_inputs

    m = run.methodology.compiled()
    inputs, indicators = required_inputs(m)
    expected = [(u.code, u.name) for u in units_to_rank(run)]
    result = recompute_from_inputs(run)
    data = result.data
    given: dict[str, set[str]] = {}
    imputed: dict[str, int] = {}
    if run.period.code in data.periods:
        p = data.period_index(run.period.code)
        present = np.asarray(data.present[p], dtype=bool)
        has = {
            c: present & ~np.isnan(np.asarray(data.values[c][p], dtype=float))
            for c in inputs
            if c in data.values
        }
        filled = np.zeros(len(data.units), dtype=int)
        for c in indicators:
            mask = result.stages.imputed_mask.get(c)
            if mask is not None:
                filled += present & np.asarray(mask[p], dtype=bool)
        for j, code in enumerate(data.units):
            if present[j]:
                given[code] = {c for c, row in has.items() if row[j]}
                imputed[code] = int(filled[j])
    return count_coverage(
        expected, inputs, len(indicators), given, imputed, settings.DXSCORE_PUBLISH_MIN_COVERAGE
    )
