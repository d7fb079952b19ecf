"""Computing, storing, explaining, publishing and withdrawing score runs with the engine.

Publishing records the run's coverage then (``selectors.coverage``) and refuses a run
whose share of the values it should have is below ``DXSCORE_PUBLISH_MIN_COVERAGE``
unless the person publishes it anyway; a published run that was wrong is withdrawn
with a reason, never deleted or changed (public pages stop showing it)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dxscore import index as ix
from dxscore import lineage as ln
from dxscore.errors import Problems
from dxscore.numbers import format_percent
from dxscore.periods import kind_of as period_kind
from dxscore.web.data.collect import reporting_units
from dxscore.web.data.models import Methodology, Period, Status, Value
from dxscore.web.l10n import number_language
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit, UnitGroup
from dxscore.web.scores import maps, selectors
from dxscore.web.scores.models import (
    Immutable,
    NodeScore,
    PublishedCoverage,
    RunCarry,
    RunInput,
    ScoreRun,
)


class RunError(Problems):
    """The run cannot be computed; ``problems`` lists ``(where, message)`` pairs."""


class RunNotAllowed(RunError, scope.NotAllowed):
    """The person may not do this (role or scope)."""


class LowCoverage(RunError):
    """The run's coverage is below the threshold and the person did not publish anyway;
    ``coverage`` holds the figures."""

    def __init__(self, problems, coverage: selectors.Coverage):
        super().__init__(problems)
        self.coverage = coverage


WITHDRAWAL_REASON_MAX = 2000  # characters


def input_periods(m: ix.CompiledMethodology, period: Period) -> list[Period]:
    """The periods a run of ``period`` reads approved values of: the period itself, and
    every stored earlier period of the same kind when the methodology imputes over time
    or pools normalisation over periods (later periods never change a run)."""
    if not m.uses_other_periods:
        return [period]
    kind = period_kind(period.code)
    earlier = Period.objects.filter(start__lte=period.start).order_by("start")
    return [p for p in earlier if period_kind(p.code) == kind]


def _approved_values(methodology: Methodology, units, periods: list[Period]) -> list[Value]:
    """Approved values of ``units`` for ``periods``, oldest period first."""
    return list(
        Value.objects.filter(
            period__in=periods,
            unit__in=units,
            indicator__code__in=methodology.inputs(),
            status=Status.APPROVED,
            value__isnull=False,
        )
        .select_related("unit", "indicator", "period")
        .order_by("period__start", "unit__code", "indicator__code")
    )


@dataclass
class Inputs:
    """What a run of a methodology for a period computes from."""

    values: list[Value]  # approved values (of earlier periods too, see input_periods)
    computed: list[tuple[Unit, str, float]]  # figures computed by the platform
    rows: list[tuple[str, str, str, float]]  # (unit, period, indicator, value): the engine's
    units: list[Unit]  # every unit with an input, by code


def gather_inputs(
    methodology: Methodology,
    period: Period,
    units,
    computed: dict[str, dict[str, float | None]] | None = None,
) -> Inputs:
    """The inputs of a run over ``units``: their approved values, and the ``computed``
    figures per unit code (the emulation ranking's task delivery and targets met), which
    replace any value entered under the same codes. Raises ``RunError`` when the period
    has no input at all. The emulation page ranks from these too, so a stored ranking
    is the one the page showed."""
    m = methodology.compiled()
    computed = computed or {}
    codes = {c for figures in computed.values() for c in figures} & set(methodology.inputs())
    values = [
        v
        for v in _approved_values(methodology, units, input_periods(m, period))
        if v.indicator.code not in codes
    ]
    by_code = {u.code: u for u in units}
    extra = [
        (by_code[unit], code, value)
        for unit, figures in sorted(computed.items())
        for code, value in sorted(figures.items())
        if code in codes and value is not None and unit in by_code
    ]
    if not any(v.period_id == period.pk for v in values) and not extra:
        raise RunError([("values", _("no approved values for %(p)s") % {"p": period.code})])
    rows = [(v.unit.code, v.period.code, v.indicator.code, v.value) for v in values]
    rows += [(u.code, period.code, code, value) for u, code, value in extra]
    used = dict.fromkeys([*(v.unit for v in values), *(u for u, _c, _v in extra)])
    return Inputs(values, extra, rows, sorted(used, key=lambda u: u.code))


def _unit_table(units: list[Unit], groups: list[str]) -> list[dict]:
    labels = {g: {} for g in groups}
    for group in UnitGroup.objects.filter(kind__in=groups, units__in=units).prefetch_related(
        "units"
    ):
        for u in group.units.all():
            labels[group.kind][u.code] = group.code
    rows = {  # one row a code: a code read on several maps keeps its latest unit
        u.code: {"unit": u.code, "name": u.name, **{g: labels[g].get(u.code, "") for g in groups}}
        for u in units
    }
    return list(rows.values())


def input_hash(period: str, rows: list[tuple[str, str, str, float]]) -> str:
    """SHA-256 of the run's period and its sorted ``(unit, period, indicator, value)``
    inputs. Inputs all of the run's period hash as ``(unit, indicator, value)``, the form
    runs had before they could read other periods, so their hashes stay the same."""
    if all(p == period for _u, p, _i, _v in rows):
        inputs = sorted((u, i, repr(float(v))) for u, _p, i, v in rows)
    else:
        inputs = sorted((u, p, i, repr(float(v))) for u, p, i, v in rows)
    payload = json.dumps([period, inputs])
    return hashlib.sha256(payload.encode()).hexdigest()


def _engine_result(
    m: ix.CompiledMethodology,
    period: str,
    rows,
    unit_table,
    as_of: dt.date | None = None,
    carry_map: dict | None = None,
) -> ix.Result:
    """The engine's result for ``(unit, period, indicator, value)`` rows; with ``as_of``,
    on the map of that day, carried by the recorded ``carry_map`` (``scores.maps``):
    the result's ``carried`` is the trail."""
    frame = pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])
    units = pd.DataFrame(unit_table) if unit_table else None
    source = f"{m.label} {period}"
    try:
        data = ix.dataset_from_frame(frame, m, units=units, source=source)
        if as_of is None:
            return ix.compute(m, data)
        carried = ln.carry(data, maps.stored_map(carry_map or {}), as_of, m, source=source)
        result = ix.compute(m, carried.dataset)
        result.carried = carried.trail
        return result
    except ix.DataError as exc:
        raise RunError(list(exc.problems)) from None
    except ix.EngineError as exc:
        raise RunError([("engine", str(exc))]) from None


def compute_inputs(
    m: ix.CompiledMethodology, period: Period, inputs: Inputs, as_of: dt.date | None = None
) -> tuple[list, ix.Result, dict]:
    """The units' table (their groups), the engine's result for gathered inputs and,
    with ``as_of``, the record of the map they were carried on (``scores.maps``)."""
    unit_table = _unit_table(inputs.units, m.groups)
    if as_of is None:
        return unit_table, _engine_result(m, period.code, inputs.rows, unit_table), {}
    from dxscore.web.orgs.lineage import workspace_lineage

    recorded = maps.record(workspace_lineage(), inputs.rows, as_of)
    recorded["inputs_table"] = unit_table
    result = _engine_result(m, period.code, inputs.rows, unit_table, as_of, recorded)
    return unit_table, result, recorded


def compute_run(
    user,
    methodology: Methodology,
    period: Period,
    units: list[Unit] | None = None,
    computed: dict[str, dict[str, float | None]] | None = None,
    coverage: Unit | None = None,
    as_of: dt.date | None = None,
) -> ScoreRun:
    """Compute ``methodology`` for ``period`` from the approved values and store the run.

    ``units``: the units to rank (default: those that report for the methodology in the
    period, in the person's scope) and ``coverage`` the unit they were chosen within
    (default: the root of the person's viewing scope, None for everywhere); ``computed``:
    figures computed by the platform, stored as inputs of origin ``plans`` without a
    source value (see ``gather_inputs``); ``as_of``: the map to compute on (``None``:
    each value on its own unit; a day: the values carried onto the units in force on
    that day, see ``scores.maps``). Inputs are stored on their own units either way."""
    if not scope.can_manage(user):
        raise RunNotAllowed([("user", _("only administrators and steering officers compute runs"))])
    m = methodology.compiled()
    if units is None:
        units = reporting_units(methodology, period, user)
        root = scope.scope_root(user, scope.VIEW)
        coverage = root if isinstance(root, Unit) else None
    elif coverage is None:
        coverage = _common_ancestor(units)
    coverage = None if coverage is None or _covers_all(coverage) else coverage
    to_rank = [u.pk for u in units]
    inputs = gather_inputs(methodology, period, units, computed)
    values, extra, rows = inputs.values, inputs.computed, inputs.rows
    unit_table, result, recorded = compute_inputs(m, period, inputs, as_of)
    table = result.to_frame(period.code)
    if as_of is not None:
        on_map = _units_on_map(recorded, result, as_of)
        unit_table = _unit_table([on_map[c] for c in result.data.units], m.groups)
    else:
        on_map = {u.code: u for u in inputs.units}
    latest_history = {
        h["id"]: h["last"]
        for h in Value.history.filter(id__in=[v.pk for v in values])
        .values("id")
        .annotate(last=Max("history_id"))
    }
    with transaction.atomic():
        runs_before = ScoreRun.objects.select_for_update().filter(
            methodology=methodology, period=period
        )
        last = runs_before.order_by("-number").first()
        # the run it changes: the latest of the same map (a run on another map is
        # another view of the period, not an earlier version of this one)
        previous = runs_before.filter(as_of=as_of).order_by("-number").first()
        run = ScoreRun.objects.create(
            methodology=methodology,
            period=period,
            number=(last.number + 1) if last else 1,
            input_hash=input_hash(period.code, rows),
            methodology_digest=methodology.digest,
            created_by=user,
            previous=previous,
            unit_table=unit_table,
            coverage=coverage,
            as_of=as_of,
            carry_map=recorded,
            to_rank=to_rank,
        )
        stored = RunInput.objects.bulk_create(
            RunInput(
                run=run,
                unit=v.unit,
                period=v.period,
                indicator=v.indicator.code,
                value=v.value,
                source=v,
                history_id=latest_history.get(v.pk),
            )
            for v in values
        )
        RunInput.objects.bulk_create(
            RunInput(run=run, unit=u, period=period, indicator=code, value=value, origin="plans")
            for u, code, value in extra
        )
        NodeScore.objects.bulk_create(
            NodeScore(
                run=run,
                unit=on_map[r.unit],
                node=r.node,
                kind=r.kind,
                score=_float(r.score),
                rank=None if pd.isna(r.rank) else int(r.rank),
                points=_float(getattr(r, "points", None)),
            )
            for r in table.itertuples(index=False)
        )
        if as_of is not None and result.carried is not None:
            _store_trail(run, result.carried, recorded, stored, on_map)
    return run


def _units_on_map(recorded: dict, result: ix.Result, as_of: dt.date) -> dict[str, Unit]:
    """The stored units of a carried result's codes (the units in force on ``as_of``)."""
    lineage = maps.stored_map(recorded)
    keys = {}
    for code in result.data.units:
        unit = lineage.unit_at(code, as_of)
        keys[code] = unit.key if unit is not None else code
    found = {u.key: u for u in Unit.objects.filter(key__in=keys.values())}
    missing = sorted(c for c, k in keys.items() if k not in found)
    if missing:
        raise RunError(
            [
                (f"unit '{c}'", _("no stored unit on the map of %(day)s") % {"day": as_of})
                for c in missing
            ]
        )
    return {c: found[k] for c, k in keys.items()}


def _store_trail(run, trail: pd.DataFrame, recorded: dict, stored, on_map) -> None:
    """The carried values (``RunCarry``), each linked to the run input it came from."""
    if trail.empty:
        return
    lineage = maps.stored_map(recorded)
    periods = {p.code: p for p in Period.objects.filter(code__in=set(trail["period"]))}
    source_keys: dict[tuple[str, str], str] = {}
    for code, period in set(zip(trail["from_unit"], trail["period"], strict=True)):
        unit = lineage.unit_at(code, periods[period].end)
        source_keys[(code, period)] = unit.key if unit is not None else code
    sources = {u.key: u for u in Unit.objects.filter(key__in=set(source_keys.values()))}
    del stored  # bulk_create sets no primary keys on every database: read them back
    inputs = {(i.unit_id, i.period_id, i.indicator): i for i in run.inputs.filter(origin="")}
    rows = []
    for r in trail.itertuples(index=False):
        period = periods[r.period]
        source = sources[source_keys[(r.from_unit, r.period)]]
        rows.append(
            RunCarry(
                run=run,
                period=period,
                unit=on_map[r.unit],
                indicator=r.indicator,
                rule=r.carry,
                value=_float(r.value),
                source=source,
                share=float(r.share),
                from_value=_float(r.from_value),
                input=inputs.get((source.pk, period.pk, r.indicator)),
            )
        )
    RunCarry.objects.bulk_create(rows)


def _float(x) -> float | None:
    if x is None or (isinstance(x, float) and np.isnan(x)) or pd.isna(x):
        return None
    return float(x)


def recompute_from_inputs(run: ScoreRun) -> ix.Result:
    """The engine's result for the run's stored inputs and methodology version."""
    rows = list(run.inputs.values_list("unit__code", "period__code", "indicator", "value"))
    m = run.methodology.compiled()
    if run.as_of is None:
        return _engine_result(m, run.period.code, rows, run.unit_table)
    table = run.carry_map.get("inputs_table") or None
    return _engine_result(m, run.period.code, rows, table, run.as_of, run.carry_map)


def explain(run: ScoreRun, unit: Unit, inputs: list[RunInput] | None = None) -> list[dict]:
    """One unit's trail, top-down; indicator rows carry the run input they came from
    (``input``; ``earlier``, the latest earlier one, for a value imputed over time). On a
    run on the map of a day, a carried indicator is followed by one ``predecessor`` row
    per unit it came from, with that unit's run input. ``inputs``: the run's inputs
    already read (``selectors.run_sources``), else they are read here."""
    table = recompute_from_inputs(run).explain(unit.code, run.period.code)
    if inputs is None:
        inputs = list(run.inputs.filter(unit=unit).select_related("source", "period"))
    mine = sorted((i for i in inputs if i.unit_id == unit.pk), key=lambda i: i.period.start)
    by_pk = {i.pk: i for i in inputs}
    sources, earlier = {}, {}
    for i in mine:
        if i.period_id == run.period_id:
            sources[i.indicator] = i
        else:
            earlier[i.indicator] = i  # the latest earlier period wins
    carried = {
        (c.indicator, c.source.code): c
        for c in run.carried.filter(unit=unit, period=run.period).select_related("source")
    }
    rows = []
    for r in table.to_dict("records"):
        clean = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
        clean["rank"] = None if pd.isna(r["rank"]) else int(r["rank"])
        if r["kind"] == "predecessor":
            found = carried.get((r["node"], r.get("from_unit")))
            clean["carry_row"] = found
            if found is None or found.input_id is None:
                clean["input"] = None
            else:  # read with the others, else on its own
                clean["input"] = by_pk.get(found.input_id) or found.input
            clean["source_unit"] = found.source if found else None
            clean["earlier"] = None
            rows.append(clean)
            continue
        clean["input"] = sources.get(r["node"])
        # an imputed value over time: the unit's latest earlier input of the indicator
        clean["earlier"] = earlier.get(r["node"]) if clean.get("imputed") else None
        rows.append(clean)
    return rows


def carried_from(run: ScoreRun) -> dict[int, list[Unit]]:
    """Per unit (id) of a run on the map of a day: the units its values in the run's
    period were carried from (none for a unit that is its own)."""
    out: dict[int, dict[int, Unit]] = {}
    for c in run.carried.filter(period=run.period).select_related("source"):
        out.setdefault(c.unit_id, {})[c.source_id] = c.source
    return {u: sorted(s.values(), key=lambda x: x.name) for u, s in out.items()}


def map_label(run: ScoreRun) -> str:
    """The map a run ranks, in words: "34 provinces (map of 1 July 2025)"."""
    scores = run.scores.filter(node="index").select_related("unit__level")
    levels = {s.unit.level.name for s in scores}
    level = next(iter(levels)) if len(levels) == 1 else None
    return maps.map_label(run, scores.count(), level)


def may_publish(run: ScoreRun, user) -> bool:
    """Publishing a ranking needs the scope it covers: steering officers publish rankings
    within their own unit, only someone whose scope is the whole workspace publishes a
    whole-workspace (national) ranking."""
    if not scope.can_manage(user):
        return False
    root = scope.scope_root(user, scope.APPROVE)
    if root == scope.EVERYWHERE:
        return True
    if not isinstance(root, Unit):
        return False
    if run.coverage_id is None:
        return _covers_all(root)
    return run.coverage.path.startswith(root.path)


def _common_ancestor(units) -> Unit | None:
    """The lowest unit whose subtree holds all ``units`` (None when they have no common
    root): what a run over units chosen one by one covers."""
    paths = [u.path.strip("/").split("/") for u in units]
    if not paths:
        return None
    common = []
    for parts in zip(*paths, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return Unit.objects.filter(pk=int(common[-1])).first() if common else None


def _covers_all(unit: Unit) -> bool:
    """Whether ``unit``'s subtree is the whole workspace (it is the one root unit)."""
    return (
        unit.parent_id is None
        and not Unit.objects.filter(parent__isnull=True).exclude(pk=unit.pk).exists()
    )


def check_may_publish(run: ScoreRun, user, refusal: str) -> None:
    """``RunNotAllowed`` unless ``user`` may publish (and so withdraw) ``run``: someone who
    manages data and whose scope covers what the run ranks."""
    if not scope.can_manage(user):
        raise RunNotAllowed([("user", refusal)])
    if not may_publish(run, user):
        raise RunNotAllowed(
            [
                (
                    "user",
                    _("this run ranks %(what)s: only someone whose scope covers it may publish it")
                    % {"what": coverage_label(run)},
                )
            ]
        )


def publish(run: ScoreRun, user, *, anyway: bool = False) -> PublishedCoverage:
    """Publish ``run`` (public and immutable from now on) and record its coverage now.
    A run whose coverage is below ``DXSCORE_PUBLISH_MIN_COVERAGE`` is refused
    (``LowCoverage``) unless ``anyway``; a withdrawn run is never published again."""
    check_may_publish(run, user, _("only administrators and steering officers publish runs"))
    if run.withdrawn:
        raise Immutable(_("This run was withdrawn: compute a new run and publish that one."))
    figures = selectors.coverage(run)
    if figures.below and not anyway:
        raise LowCoverage(
            [
                (
                    "coverage",
                    _(
                        "the run has %(share)s of the values it should have, below the "
                        "%(threshold)s needed: publish it anyway or compute it again when "
                        "more values are approved"
                    )
                    % {
                        "share": format_percent(figures.share, number_language(), 1),
                        "threshold": format_percent(figures.threshold, number_language()),
                    },
                )
            ],
            figures,
        )
    with transaction.atomic():
        locked = ScoreRun.objects.select_for_update().get(pk=run.pk)
        if locked.withdrawn:
            raise Immutable(_("This run was withdrawn: compute a new run and publish that one."))
        if locked.published:
            raise Immutable(_("This run is already published."))
        recorded = PublishedCoverage.objects.create(
            run=locked,
            units=figures.units,
            complete=figures.complete,
            partial=len(figures.partial),
            without_data=len(figures.without_data),
            values_expected=figures.values_expected,
            values_given=figures.values_given,
            values_ranked=figures.values_ranked,
            imputed=figures.imputed,
            threshold=figures.threshold,
            anyway=figures.below,
            missing_units=[[g.code, g.name] for g in figures.without_data],
        )
        locked.published_at = timezone.now()
        locked.published_by = user
        locked.save()
    run.refresh_from_db()
    return recorded


def withdraw(run: ScoreRun, user, reason: str) -> None:
    """Withdraw a published run that was wrong: by someone who may publish it, with a
    reason. The run and its scores stay as they are (in its history, on its own page with
    who withdrew it, when and why); public pages no longer show it, and it is never
    published again (a new run is computed instead)."""
    check_may_publish(run, user, _("only administrators and steering officers withdraw runs"))
    reason = (reason or "").strip()
    if not reason:
        raise RunError([("reason", _("say why the run is withdrawn"))])
    if len(reason) > WITHDRAWAL_REASON_MAX:
        raise RunError(
            [
                (
                    "reason",
                    _("the reason is longer than %(n)d characters") % {"n": WITHDRAWAL_REASON_MAX},
                )
            ]
        )
    with transaction.atomic():
        locked = ScoreRun.objects.select_for_update().get(pk=run.pk)
        if not locked.published:
            raise RunError([("run", _("only a published run is withdrawn"))])
        if locked.withdrawn:
            raise Immutable(_("This run is already withdrawn."))
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = user
        locked.withdrawal_reason = reason
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    run.refresh_from_db()


def coverage_label(run: ScoreRun) -> str:
    """What a run ranks, in words: the whole workspace or the units within one unit."""
    if run.coverage_id is None:
        return _("the whole workspace")
    return _("the units within %(unit)s") % {"unit": run.coverage.name}


def widest_first(runs):
    """Runs ordered for a public page: those that rank the whole workspace first, then
    those within a unit higher in the tree, the latest published first within each. A
    ranking within one province, published by its steering office, never takes the place
    of the national one. Withdrawn runs are left out: no public page shows them."""
    from django.db.models.functions import Coalesce, Length

    shown = runs.filter(withdrawn_at__isnull=True)
    return shown.annotate(depth=Coalesce(Length("coverage__path"), 0)).order_by(
        "depth", "-published_at"
    )


def diff(run: ScoreRun) -> list[dict]:
    """What changed from the previous run of the same methodology and period."""
    if run.previous_id is None:
        return []
    old = {(s.unit.code, s.node): s for s in run.previous.scores.select_related("unit")}
    new = {(s.unit.code, s.node): s for s in run.scores.select_related("unit")}
    changes = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a and b and _same(a.score, b.score) and a.rank == b.rank:
            continue
        changes.append(
            {
                "unit": key[0],
                "node": key[1],
                "old_score": a.score if a else None,
                "new_score": b.score if b else None,
                "old_rank": a.rank if a else None,
                "new_rank": b.rank if b else None,
            }
        )
    return changes


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def published_table(methodology_code: str, period: str) -> tuple[ScoreRun, pd.DataFrame]:
    """The scores of the published run a public page shows (``widest_first``):
    ``unit,node,score,rank``."""
    run = widest_first(
        ScoreRun.objects.in_force().filter(methodology__code=methodology_code, period__code=period)
    ).first()
    if run is None:
        raise LookupError(f"no published run of '{methodology_code}' for period {period}")
    rows = run.scores.select_related("unit").order_by("node", "rank", "unit__code")
    frame = pd.DataFrame(
        [(s.unit.code, s.node, s.score, s.rank) for s in rows],
        columns=["unit", "node", "score", "rank"],
    )
    frame["rank"] = frame["rank"].astype("Int64")
    return run, frame
