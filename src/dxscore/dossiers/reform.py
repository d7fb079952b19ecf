"""Dossier measures across changes of the administrative map (``dxscore.lineage``).

A record's unit code is read on the map of its received date (the local day): ``15``
received in 2024 is Yên Bái, ``15`` received in August 2025 the new Lào Cai. Measures
are then counted on one map per period:

- **its own map** (``OnMap(lineage)``): each period on the map in force on its last
  day, what the portal showed then;
- **the map of a day** (``OnMap(lineage, as_of)``): every period on the map of
  ``as_of``, so that a series runs on one map across the change.

A record counts, on a map, for the unit in force then that holds the largest share of
its own unit (``Lineage.trace``, as ``Lineage.rebase``: a record is not split); a record
of a unit abolished without successor (a district in 2025) counts for its nearest
ancestor that goes on (the province). Counts are counted from the records on that map
and rates computed from those counts: nothing is averaged. The tree the measures are
rolled up by is the lineage's (each unit's parent on the map's day).

The records of one dossier exported by two units of the same tree (the district that
received it in June, the commune that took it over and finished it in August) are
versions of one dossier: among the records with one ``dossier_id`` whose units the
lineage knows and that lie under one top unit (a province), the latest version counts
(``updated_at``, then the later import and row, as in the store), so it counts once.

Pure: no engine here. ``plan_maps`` gives, per run of periods with one map, the tables
the Ibis expressions join (``measures.read_on_map``).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from dxscore.dossiers.periods import EPOCH, period_days
from dxscore.periods import Kind

if TYPE_CHECKING:  # only types: the lineage package imports the index engine
    from dxscore.lineage import Lineage, Unit

# local days of a unit in force "always" (before the lineage begins, still in force)
FIRST_DAY, LAST_DAY = -(10**6), 10**6
READING_COLUMNS = ["code", "first_day", "last_day", "top", "unit", "why"]


@dataclass(frozen=True)
class OnMap:
    """Which map the measures are counted on: ``as_of`` None is each period on its own
    map (the one in force on the period's last day)."""

    lineage: Lineage
    as_of: dt.date | None = None

    def describe(self) -> str:
        where = f"the map of {self.as_of}" if self.as_of else "the map of each period"
        return f"{where} ({self.lineage.name})"


@dataclass
class MapRun:
    """Consecutive periods counted on one map (the map of ``day``).

    ``reading``: one row per unit a code of the records denotes: ``code``, the local
    days it denotes that unit (``first_day``, ``last_day``, inclusive), ``top`` (the
    group in which records with one dossier_id are one dossier) and ``unit``, the code
    its records count for on this map (None: nowhere, ``why``: ``lost`` or ``later``,
    see ``target_of``). ``tree``: the closure table
    (``member, unit``) of the units on the map the records count for."""

    first_period: int
    last_period: int
    day: dt.date
    reading: pd.DataFrame
    tree: pd.DataFrame
    lost: list[str] = field(default_factory=list)  # units whose records count nowhere
    later: list[str] = field(default_factory=list)  # units that began after ``day``


def _days(unit: Unit) -> tuple[int, int]:
    first = FIRST_DAY if unit.start is None else (unit.start - EPOCH).days
    last = LAST_DAY if unit.end is None else (unit.end - EPOCH).days
    return first, last


def _parent(lineage: Lineage, unit: Unit, day: dt.date) -> Unit | None:
    code = lineage.parent_on(unit, day)
    return lineage.unit_at(code, day) if code else None


def top_of(lineage: Lineage, unit: Unit) -> str:
    """The key of the top of ``unit``'s tree on its last day (or, still in force, on
    the lineage's last recorded day of parents)."""
    day = unit.end or dt.date.max
    node, seen = unit, {unit.key}
    while (parent := _parent(lineage, node, day)) is not None and parent.key not in seen:
        node = parent
        seen.add(node.key)
    return node.key


def target_of(lineage: Lineage, unit: Unit, day: dt.date) -> tuple[Unit | None, str]:
    """The unit on the map of ``day`` that ``unit``'s records count for, and why there
    is none: ``later`` (it began after ``day``), ``lost`` (abolished without a
    successor or an ancestor that goes on)."""
    seen: set[str] = set()
    node: Unit | None = unit
    while node is not None and node.key not in seen:
        seen.add(node.key)
        if node.in_force(day):
            return node, ""
        if node.start is not None and node.start > day:
            return None, "later"
        assert node.end is not None  # not in force and not later: it ended before day
        steps, _lost = lineage.trace(node, node.end, day)
        if steps:
            best = max(steps, key=lambda s: (s.share, s.unit.code))
            return best.unit, ""
        node = _parent(lineage, node, node.end)  # abolished: its nearest ancestor
    return None, "lost"


def reading(
    lineage: Lineage, codes: list[str], day: dt.date
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The ``reading`` table of ``MapRun`` for the records' ``codes`` on the map of
    ``day``, with the units whose records count nowhere and those that began later."""
    rows: list[tuple[str, int, int, str, str | None, str]] = []
    lost: list[str] = []
    later: list[str] = []
    for code in codes:
        if not lineage.knows(code):  # one unchanged unit for all time
            rows.append((code, FIRST_DAY, LAST_DAY, code, code, ""))
            continue
        for unit in lineage.units_of(code):
            target, why = target_of(lineage, unit, day)
            if why == "lost":
                lost.append(unit.key)
            elif why == "later":
                later.append(unit.key)
            first, last = _days(unit)
            top = top_of(lineage, unit)
            rows.append((code, first, last, top, None if target is None else target.code, why))
    return pd.DataFrame(rows, columns=READING_COLUMNS), lost, later


def tree_on(lineage: Lineage, codes: set[str], day: dt.date) -> pd.DataFrame:
    """``member, unit``: each unit of the map of ``day`` named in ``codes`` with itself
    and every ancestor on that day (a code the lineage does not know stands alone)."""
    rows = []
    for code in sorted(codes):
        rows.append((code, code))
        node = lineage.unit_at(code, day) if lineage.knows(code) else None
        seen = {code}
        while node is not None and (parent := _parent(lineage, node, day)) is not None:
            if parent.code in seen:
                break
            seen.add(parent.code)
            rows.append((code, parent.code))
            node = parent
    return pd.DataFrame(rows, columns=["member", "unit"])


def plan_maps(
    on_map: OnMap, codes: list[str], kind: Kind, first_period: int, last_period: int
) -> list[MapRun]:
    """The runs of periods ``first_period..last_period`` (indices at ``kind``) that
    share a map, each with its tables: one run on the map of ``as_of``, else one per
    stretch of periods whose last days fall between the same two changes of the map."""
    lineage = on_map.lineage
    groups: list[tuple[int, int, dt.date]] = []
    if on_map.as_of is not None:
        groups.append((first_period, last_period, on_map.as_of))
    else:
        changes, era = lineage.dates, -1
        for p in range(first_period, last_period + 1):
            end = EPOCH + dt.timedelta(days=period_days(p, kind)[1])
            this = bisect.bisect_right(changes, end)  # changes in force by its last day
            if groups and this == era:
                groups[-1] = (groups[-1][0], p, end)
            else:
                groups.append((p, p, end))
            era = this
    runs = []
    for first, last, day in groups:
        table, lost, later = reading(lineage, codes, day)
        targets = {u for u in table["unit"] if u is not None}
        runs.append(MapRun(first, last, day, table, tree_on(lineage, targets, day), lost, later))
    return runs
