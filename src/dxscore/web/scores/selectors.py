"""Reads of score runs: published runs are public; unpublished ones are for administrators
and steering officers. The run pages and the API read runs through here; the explanation
page reads where each raw value of a run came from through ``run_sources``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dxscore import numbers
from dxscore.index.methodology import ROOT
from dxscore.web.data import selectors as values
from dxscore.web.data.models import Channel, Indicator, Status, Value
from dxscore.web.l10n import language
from dxscore.web.orgs import scope
from dxscore.web.orgs.selectors import RolesThen
from dxscore.web.scores.models import NodeScore, RunCarry, RunInput, ScoreRun


def visible_runs(user) -> QuerySet:
    runs = ScoreRun.objects.select_related("methodology", "period", "created_by", "coverage")
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

        now, changed = _now(i, may_see)
        node = m.nodes.get(i.indicator)
        indicator = i.source.indicator if i.source is not None else None
        out.append(
            Source(
                input=i,
                name=node.name if node else (indicator.name if indicator else "") or i.indicator,
                origin=_origin(i, entered, indicator, may_see),
                entered_by=None if i.origin else actor(entered),
                entered_at=None if i.origin or entered is None else entered.at,
                approved_by=None if i.origin else actor(approved),
                approved_at=None if i.origin or approved is None else approved.at,
                now=now,
                changed=changed,
                history=i.source if may_see and i.source is not None else None,
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


def _now(i: RunInput, may_see: bool) -> tuple[str, bool]:
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
                "value": _number(value.value),
            }, True
        return _("no longer approved"), True
    if value.value != i.value:
        if may_see:
            return _("approved since as %(value)s") % {"value": _number(value.value)}, True
        return _("changed and approved again since the run"), True
    return _("unchanged"), False


def _number(x: float | None) -> str:
    return "–" if x is None else numbers.format_number(x, language())


def published_runs_scoring(unit) -> QuerySet:
    """The published runs (public to everyone) with an index score of ``unit``."""
    scored = NodeScore.objects.filter(unit=unit, node=ROOT).values("run_id")
    return ScoreRun.objects.filter(published_at__isnull=False, pk__in=scored).select_related(
        "methodology", "period", "coverage"
    )
