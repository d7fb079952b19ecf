"""The administrative map over time: units with validity, and the flows between them.

A *unit* is a code in force over an interval of days (``Unit``): the same code may denote
different units in different periods (the new Lào Cai is ``15``, which was Yên Bái's
code). A *flow* moves a share of one unit into another on an effective date (``Flow``):
merges, splits, transfers of part of a unit and renames are all flows; a re-parent only
changes a unit's parent, and an abolition ends a unit without a successor (its children
move to its parent). ``Lineage`` holds them and answers the questions the rest of the
project asks: which unit a code denotes on a day, which units are in force on a day, and
where a unit's territory is on a later day (``Lineage.trace``).

Pure Python, no Django. Lineages are read and checked by ``dxscore.lineage.files``.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

Kind = Literal["unit", "merge", "split", "transfer", "rename", "reparent", "abolish"]
KINDS: tuple[Kind, ...] = ("unit", "merge", "split", "transfer", "rename", "reparent", "abolish")
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Unit:
    """One unit: ``code`` in force from ``start`` to ``end`` (both inclusive). ``start``
    is ``None`` for a unit in force before the lineage's first change, ``end`` is ``None``
    for a unit still in force. ``row`` is the lineage row that created it (``None`` when
    it is only mentioned as a predecessor)."""

    code: str
    start: dt.date | None
    end: dt.date | None
    name: str = ""
    level: str = ""
    row: int | None = None

    @property
    def key(self) -> str:
        """Unique in a lineage: the code, with ``@start`` for a unit that began on a
        recorded date (``15`` is Yên Bái, ``15@2025-07-01`` the new Lào Cai)."""
        return self.code if self.start is None else f"{self.code}@{self.start.isoformat()}"

    def in_force(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def validity(self) -> str:
        """The validity as people read it: ``until 2025-06-30``, ``from 2025-07-01``."""
        if self.start is None and self.end is None:
            return "always"
        if self.start is None:
            return f"until {self.end}"
        if self.end is None:
            return f"from {self.start}"
        return f"{self.start} to {self.end}"

    def label(self) -> str:
        return f"{self.code} {self.name}".strip()


@dataclass(frozen=True)
class Flow:
    """``share`` of unit ``source`` goes into unit ``target`` (keys) on ``date``.
    ``continues`` marks a rename: the target is the source under another code or name."""

    date: dt.date
    kind: Kind
    source: str
    target: str
    share: float
    continues: bool
    row: int


@dataclass(frozen=True)
class Event:
    """One row of a lineage file, as written (see ``docs/units.md``)."""

    row: int
    date: dt.date | None
    kind: Kind | Literal[""]  # "" in a row without kind, until ``build`` resolves it
    from_code: str
    to_code: str
    share: float | None
    from_name: str = ""
    to_name: str = ""
    level: str = ""
    parent: str = ""


@dataclass(frozen=True)
class Step:
    """Where a unit's territory went between two days: ``share`` of it is in ``unit``;
    ``same`` when ``unit`` is that unit unchanged (or only renamed or re-parented)."""

    unit: Unit
    share: float
    same: bool


@dataclass
class Lineage:
    """A checked lineage: every unit it knows with its validity, the flows, the parents.

    A code the lineage never mentions denotes one unchanged unit for all time."""

    name: str
    events: list[Event]
    units: dict[str, Unit]  # key -> unit
    flows: dict[str, list[Flow]]  # source key -> its outgoing flows, by date
    touched: dict[str, set[dt.date]] = field(default_factory=dict)  # received a part
    parents: dict[str, list[tuple[dt.date | None, str]]] = field(default_factory=dict)
    _by_code: dict[str, list[Unit]] = field(default_factory=dict, repr=False)
    _inflows: dict[str, list[Flow]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        by_code: dict[str, list[Unit]] = {}
        for unit in self.units.values():
            by_code.setdefault(unit.code, []).append(unit)
        for units in by_code.values():
            units.sort(key=lambda u: u.start or dt.date.min)
        self._by_code = by_code
        inflows: dict[str, list[Flow]] = {}
        for flows in self.flows.values():
            for flow in flows:
                inflows.setdefault(flow.target, []).append(flow)
        self._inflows = inflows

    # --- the map on a day -----------------------------------------------------------

    def knows(self, code: str) -> bool:
        return code in self._by_code

    def units_of(self, code: str) -> list[Unit]:
        """Every unit the code has denoted, earliest first (empty if never mentioned)."""
        return list(self._by_code.get(code, []))

    def unit_at(self, code: str, day: dt.date) -> Unit | None:
        """The unit ``code`` denotes on ``day``: ``None`` if that code denotes no unit
        then. A code the lineage does not know is an unchanged unit (returned as such)."""
        units = self._by_code.get(code)
        if units is None:
            return Unit(code, None, None)
        starts = [u.start or dt.date.min for u in units]
        i = bisect.bisect_right(starts, day) - 1
        if i >= 0 and units[i].in_force(day):
            return units[i]
        return None

    def units_on(self, day: dt.date) -> list[Unit]:
        """The units this lineage knows that are in force on ``day``, by code."""
        found = [u for u in self.units.values() if u.in_force(day)]
        return sorted(found, key=lambda u: u.code)

    def parent_on(self, unit: Unit, day: dt.date) -> str:
        """The code of ``unit``'s parent on ``day`` ("" if none is recorded)."""
        parent = ""
        for since, code in self.parents.get(unit.key, []):
            if since is None or since <= day:
                parent = code
        return parent

    def predecessors(self, unit: Unit) -> list[Flow]:
        """The flows into ``unit`` (on the day it began, and transfers later)."""
        return list(self._inflows.get(unit.key, []))

    @cached_property
    def dates(self) -> list[dt.date]:
        """Every effective date of a change, in order."""
        return sorted({f.date for fs in self.flows.values() for f in fs} | self._end_dates())

    def _end_dates(self) -> set[dt.date]:
        return {u.end + ONE_DAY for u in self.units.values() if u.end is not None}

    # --- carrying -------------------------------------------------------------------

    def trace(self, unit: Unit, after: dt.date, until: dt.date) -> tuple[list[Step], float]:
        """Where ``unit`` (in force on ``after``) is on ``until`` (not before ``after``):
        the units in force on ``until`` that hold a share of it, and the share of it
        that went nowhere (a unit abolished without successor)."""
        state: dict[str, tuple[float, bool]] = {unit.key: (1.0, True)}
        lost = 0.0
        for day in (d for d in self.dates if after < d <= until):
            new: dict[str, tuple[float, bool]] = {}
            for key, (mass, same) in state.items():
                for target, part, still in self._step(key, day, same):
                    if part <= 0:
                        continue
                    if target in new:
                        new[target] = (new[target][0] + mass * part, False)
                    else:
                        new[target] = (mass * part, still)
                if self._ends(key, day) and not self.flows_on(key, day):
                    lost += mass  # abolished without successor
            state = new
        steps = [
            Step(self.units.get(key, Unit(key, None, None)), mass, same)
            for key, (mass, same) in state.items()
        ]
        return steps, lost

    def flows_on(self, key: str, day: dt.date) -> list[Flow]:
        return [f for f in self.flows.get(key, []) if f.date == day]

    def _ends(self, key: str, day: dt.date) -> bool:
        unit = self.units.get(key)
        return unit is not None and unit.end == day - ONE_DAY

    def _step(self, key: str, day: dt.date, same: bool) -> list[tuple[str, float, bool]]:
        """One day of a unit: ``(unit key, share of it, still the same unit)``."""
        out = self.flows_on(key, day)
        if self._ends(key, day):
            whole = len(out) == 1
            return [(f.target, f.share, same and whole and f.continues) for f in out]
        changed = bool(out) or day in self.touched.get(key, set())
        kept = 1.0 - sum(f.share for f in out)
        return [(f.target, f.share, False) for f in out] + [(key, kept, same and not changed)]

    def rebase(self, as_of: dt.date, level: str | None = None) -> list[tuple[Unit, Unit, float]]:
        """For every unit the lineage knows that began by ``as_of`` (of ``level``, if
        given): the unit in force on ``as_of`` that holds the largest share of it, and
        that share. A record (a dossier) cannot be split, so this is where a record of
        the old unit counts on the map of ``as_of``: with the built-in ``vn-2025``, a
        divided commune's records go to its default successor. Units in force on
        ``as_of`` map to themselves; units abolished without successor are left out.
        Join a record's unit code on the unit in force on its own date (``Unit.in_force``)."""
        out: list[tuple[Unit, Unit, float]] = []
        for unit in self.units.values():
            if level is not None and unit.level != level:
                continue
            if unit.start is not None and unit.start > as_of:
                continue
            if unit.in_force(as_of):
                out.append((unit, unit, 1.0))
                continue
            assert unit.end is not None
            steps, _ = self.trace(unit, unit.end, as_of)
            if steps:
                best = max(steps, key=lambda s: (s.share, s.unit.code))
                out.append((unit, best.unit, best.share))
        return out
