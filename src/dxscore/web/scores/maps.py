"""Which administrative map a score run is computed on, and the map it carried on.

A run has an optional ``as_of`` day: empty, each value stays on its own unit (the map of
its period); a day, the values of units that changed since are carried onto the units
in force on that day by the methodology's ``carry:`` rules (``dxscore.lineage.carry``
on ``orgs.lineage.workspace_lineage``). What carrying needs of the map (every input
unit, where its territory is on ``as_of`` with its shares) is recorded with the run
(``ScoreRun.carry_map``), and the run is computed from that record: recomputing it from
its stored inputs gives the same scores even after the workspace's map changed.

Pages name a map by the count of the units it ranks and its day: "63 provinces (map of
2024)", "34 provinces (map of 1 July 2025)". Two runs are on the same map when no
change of units took effect between their days (``same_map``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dxscore import lineage as ln
from dxscore.periods import parse as parse_period
from dxscore.web.orgs.models import Unit, UnitChange


class StoredMap(ln.Lineage):
    """A lineage answered from a run's record: the units it knows (``unit_at`` as in
    any lineage) and, per input unit and period end, where it is on ``as_of``."""

    steps: dict[tuple[str, str], tuple[list[ln.Step], float]]

    def trace(self, unit: ln.Unit, after: dt.date, until: dt.date):
        found = self.steps.get((unit.key, after.isoformat()))
        if found is None:  # a unit the record does not list did not change
            return [ln.Step(unit, 1.0, True)], 0.0
        return found


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def record(lineage: ln.Lineage, rows, as_of: dt.date) -> dict[str, Any]:
    """What carrying ``rows`` (``(unit code, period code, indicator, value)``) onto the
    map of ``as_of`` needs of ``lineage``, as JSON: ``units`` (key -> code, first day,
    last day, name, level) and ``steps`` (``[period end, unit key, [[target key, share,
    same], ...], share lost]``) for every input unit whose territory changed. Codes
    that denote no unit in their period are left for the carry's own checks."""
    units: dict[str, list] = {}
    steps: list[list] = []
    seen: set[tuple[str, str]] = set()

    def keep(u: ln.Unit) -> None:
        start = u.start.isoformat() if u.start else None
        end = u.end.isoformat() if u.end else None
        units[u.key] = [u.code, start, end, u.name, u.level]

    for code, period, *_rest in rows:
        if (code, period) in seen:
            continue
        seen.add((code, period))
        end = parse_period(period).end
        unit = lineage.unit_at(code, end)
        if unit is None:
            continue
        keep(unit)
        if end >= as_of:
            continue
        found, lost = lineage.trace(unit, end, as_of)
        if lost == 0 and len(found) == 1 and found[0].same and found[0].unit.key == unit.key:
            continue
        for step in found:
            keep(step.unit)
        targets = [[s.unit.key, s.share, s.same] for s in found]
        steps.append([end.isoformat(), unit.key, targets, lost])
    # every unit of a recorded code, so a code is read on the right day
    for code in {u[0] for u in units.values()}:
        for other in lineage.units_of(code):
            keep(other)
    return {"lineage": lineage.name, "units": units, "steps": steps}


def stored_map(recorded: dict[str, Any]) -> StoredMap:
    units = {
        key: ln.Unit(code, _day(start), _day(end), name=name or "", level=level or "")
        for key, (code, start, end, name, level) in recorded.get("units", {}).items()
    }
    found = StoredMap(name=recorded.get("lineage") or "run", events=[], units=units, flows={})
    found.steps = {
        (key, end): ([ln.Step(units[t], share, same) for t, share, same in targets], lost)
        for end, key, targets, lost in recorded.get("steps", [])
    }
    return found


# --- maps as people choose and read them -------------------------------------------------


def change_days() -> list[dt.date]:
    """The days the workspace's map changed (a unit began or ended), oldest first."""
    days = set(UnitChange.objects.values_list("date", flat=True).distinct())
    days |= set(
        Unit.objects.filter(valid_from__isnull=False)
        .values_list("valid_from", flat=True)
        .distinct()
    )
    return sorted(days)


def map_day(run) -> dt.date:
    """The day whose map a run ranks: its ``as_of``, else its period's last day."""
    return run.as_of or run.period.end


def same_map(a: dt.date, b: dt.date, days: list[dt.date] | None = None) -> bool:
    """Whether the maps of two days are the same: no change took effect in between."""
    low, high = min(a, b), max(a, b)
    return not any(low < d <= high for d in (change_days() if days is None else days))


def todays_map(period, today: dt.date | None = None) -> dt.date | None:
    """The compute form's default map for ``period``: the map in force today when the map
    changed after the period's end (the day of the latest change), else ``None`` (the
    period's own map, which is today's too)."""
    today = today or dt.date.today()
    later = [d for d in change_days() if period.end < d <= today]
    return later[-1] if later else None


def long_day(day: dt.date) -> str:
    """1 July 2025 (1 tháng 7 năm 2025)."""
    return date_format(day, _("j F Y"))


LEVEL_COUNTS = {
    "province": lambda n: ngettext("%(n)s province", "%(n)s provinces", n),
    "district": lambda n: ngettext("%(n)s district", "%(n)s districts", n),
    "commune": lambda n: ngettext("%(n)s commune", "%(n)s communes", n),
    "country": lambda n: ngettext("%(n)s country", "%(n)s countries", n),
    "department": lambda n: ngettext("%(n)s department", "%(n)s departments", n),
}


def count_label(n: int, level: str | None) -> str:
    """63 provinces; 12 units for a level without its own words."""
    words = LEVEL_COUNTS.get(level or "")
    text = words(n) if words else ngettext("%(n)s unit", "%(n)s units", n)
    return text % {"n": n}


def map_label(run, count: int, level: str | None) -> str:
    """ "63 provinces (map of 2024)", "34 provinces (map of 1 July 2025)"."""
    units = count_label(count, level)
    if run.as_of is None:
        return _("%(units)s (map of %(period)s)") % {"units": units, "period": run.period.code}
    return _("%(units)s (map of %(day)s)") % {"units": units, "day": long_day(run.as_of)}
