"""Reads of score runs: published runs are public; unpublished ones are for administrators
and steering officers. The run pages and the API read runs through here; the explanation
page reads where each raw value of a run came from through ``run_sources``.

``coverage(run)`` is what publishing shows and records: of the units the run should rank
(``units_to_rank``), how many have every required input of the methodology in the run's
period (``required_inputs``), some, none; the share of the values it should have that it
has (compared with ``DXSCORE_PUBLISH_MIN_COVERAGE``), and the share of the indicator
values its ranking rests on that the engine imputed. The counting is a plain function
(``count_coverage``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dxscore import figures
from dxscore import index as ix
from dxscore.index.methodology import ROOT
from dxscore.web.data import selectors as values
from dxscore.web.data.models import Channel, Indicator, Status, Value
from dxscore.web.l10n import number_language
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit
from dxscore.web.orgs.selectors import RolesThen
from dxscore.web.scores.models import NodeScore, PublishedCoverage, RunCarry, RunInput, ScoreRun


def visible_runs(user) -> QuerySet:
    """The runs ``user`` may see: every run for those who manage runs, else the published
    ones (withdrawn ones too: their pages say so)."""
    runs = ScoreRun.objects.select_related(
        "methodology", "period", "created_by", "coverage", "withdrawn_by", "published_coverage"
    )
    if not scope.can_manage(user):
        runs = runs.filter(published_at__isnull=False)
    return runs


@dataclass(frozen=True)
class Actor:
    """Someone who did something to a value: their ``role`` and unit at the time for
    everyone, their ``name`` only for people whose scope covers the value (names of
    people are not shown to the public, ``docs/dashboards.md``)."""

    name: str
    role: str

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.name else self.role


@dataclass(frozen=True)
class Source:
    """One raw input of a run and where it came from, as the run used it: the number
    stored in the run, how it came in, who entered it and when, who approved it and
    when (from the value's history up to the record the run read), and how the value
    stands today. The run never changes: ``now`` says whether it still holds."""

    input: RunInput
    name: str  # the indicator's name
    origin: str  # how the number came in, in words
    entered_by: Actor | None
    entered_at: dt.datetime | None
    approved_by: Actor | None
    approved_at: dt.datetime | None
    now: str  # the value today against the run's, in words
    changed: bool  # the value today is not the one the run used
    history: Value | None  # the value whose history the person may open
    figure: str = "number"  # how the value is shown (``dxscore.figures``): a rate as 96.8%

    @property
    def anchor(self) -> str:
        return f"v-{self.input.pk}"


def run_sources(run: ScoreRun, unit, user) -> list[Source]:
    """Every raw input of ``unit`` in ``run`` (of every period the run read, and on a
    run on the map of a day the inputs of the units its values were carried from), the
    run's period first, in the methodology's order, each with its ``Source``. A fixed
    number of queries whatever the number of inputs: the inputs with their values, the
    values' histories (``data.selectors.trails``), the people's roles then."""
    carried = RunCarry.objects.filter(run=run, unit=unit, input__isnull=False).values("input_id")
    inputs = list(
        RunInput.objects.filter(run=run)
        .filter(Q(unit=unit) | Q(pk__in=carried))
        .select_related("unit", "period", "source__indicator")
    )
    m = run.methodology.compiled()
    order = {code: n for n, code in enumerate([*m.indicators, *m.denominators])}
    inputs.sort(
        key=lambda i: (
            i.period_id != run.period_id,
            -i.period.start.toordinal(),
            order.get(i.indicator, len(order)),
            i.indicator,
            i.unit_id != unit.pk,
            i.unit.code,
        )
    )
    found = values.trails(i.history_id for i in inputs)
    people = [
        step.user
        for trail in found.values()
        for step in (trail.entered, trail.approved)
        if step is not None
    ]
    roles = RolesThen(people)
    out = []
    for i in inputs:
        may_see = scope.allows(user, scope.VIEW, i.unit)
        trail = found.get(i.history_id) if i.history_id is not None else None
        entered = trail.entered if trail else None
        approved = trail.approved if trail else None

        def actor(step, may_see=may_see):
            if step is None or step.user is None:
                return None
            name = (step.user.get_full_name() or step.user.get_username()) if may_see else ""
            return Actor(name, roles.words(step.user, step.at))

        node = m.nodes.get(i.indicator)
        figure = figures.declared_kind(node.spec) if node is not None else figures.NUMBER
        now, changed = _now(i, may_see, figure)
        indicator = i.source.indicator if i.source is not None else None
        out.append(
            Source(
                input=i,
                name=node.name if node else (indicator.label if indicator else "") or i.indicator,
                origin=_origin(i, entered, indicator, may_see),
                entered_by=None if i.origin else actor(entered),
                entered_at=None if i.origin or entered is None else entered.at,
                approved_by=None if i.origin else actor(approved),
                approved_at=None if i.origin or approved is None else approved.at,
                now=now,
                changed=changed,
                history=i.source if may_see and i.source is not None else None,
                figure=figure,
            )
        )
    return out


def _origin(i: RunInput, entered, indicator: Indicator | None, may_see: bool) -> str:
    """How the number came in, in words; the name of an uploaded file only for people
    whose scope covers the value (a file's name is the uploader's text)."""
    if i.origin == "plans":
        return _("computed from the plans")
    channel = entered.channel if entered else ""
    if not channel and indicator is not None and indicator.source in Indicator.COMPUTED:
        sources = {
            Indicator.Source.DOSSIERS: Channel.DOSSIERS,
            Indicator.Source.ASSESSMENTS: Channel.ANSWERS,
        }
        channel = sources[indicator.source]
    if channel == Channel.UPLOAD and may_see and entered.upload is not None:
        return _("imported from file %(file)s") % {"file": entered.upload.filename}
    if channel:
        return str(Channel(channel).label)
    if may_see and entered is not None and entered.reason not in ("", _("entered")):
        # recorded before the channel was kept: the reason the history recorded
        return _("entered (recorded: %(reason)s)") % {"reason": entered.reason}
    return _("entered")


def _now(i: RunInput, may_see: bool, figure: str = "number") -> tuple[str, bool]:
    """The value today against the number the run used, in words, and whether it
    differs. The number and status of today only for people whose scope covers the
    value; the public learns that it changed, not to what."""
    if i.origin:
        return "", False
    value = i.source
    if value is None:
        return _("deleted since the run"), True
    if value.status != Status.APPROVED:
        if may_see:
            return _("now %(status)s: %(value)s") % {
                "status": value.get_status_display(),
                "value": _number(value.value, figure),
            }, True
        return _("no longer approved"), True
    if value.value != i.value:
        if may_see:
            return _("approved since as %(value)s") % {"value": _number(value.value, figure)}, True
        return _("changed and approved again since the run"), True
    return _("unchanged"), False


def _number(x: float | None, figure: str = "number") -> str:
    return figures.format_figure(x, figure, number_language())


def published_runs_scoring(unit) -> QuerySet:
    """The published runs (public to everyone) with an index score of ``unit``, but the
    withdrawn ones (no public page shows them)."""
    scored = NodeScore.objects.filter(unit=unit, node=ROOT).values("run_id")
    return (
        ScoreRun.objects.in_force()
        .filter(pk__in=scored)
        .select_related("methodology", "period", "coverage")
    )


def withdrawn_by(run: ScoreRun, user) -> str:
    """Who withdrew ``run``, for ``user``: their role and unit then ("steering officer of
    Bắc Ninh", ``RolesThen``) for everyone, with their name first for people whose
    viewing scope covers what the run ranks (names of people are not shown to the
    public, as on the explanation page). Empty for a run not withdrawn."""
    if not run.withdrawn or run.withdrawn_by is None:
        return ""
    words = RolesThen([run.withdrawn_by]).words(run.withdrawn_by, run.withdrawn_at)
    root = scope.scope_root(user, scope.VIEW)
    covers = root == scope.EVERYWHERE or (
        isinstance(root, Unit)
        and run.coverage_id is not None
        and run.coverage.path.startswith(root.path)
    )
    if not covers:
        return words
    name = run.withdrawn_by.get_full_name() or run.withdrawn_by.get_username()
    return f"{name} ({words})"


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
