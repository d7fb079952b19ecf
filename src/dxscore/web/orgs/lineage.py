"""The workspace's administrative map over time, as a ``dxscore.lineage.Lineage``.

The units (with their validity) and their changes (``UnitChange``) are the stored
lineage; ``workspace_lineage`` gives it to the engine layer (carrying values onto the map
of a day, re-basing dossier measures) in the same form as a lineage file gives it, so a
score run on the map of a day is computed exactly as ``dxscore index compute --lineage
FILE --as-of DAY`` would on the same units. It is built once per process and change of
the stored units (the version is the count and the latest ``updated`` of units and
changes, one cheap query), and kept in the process: a national map has some 15,000
units, too many to unpickle from a cache on every request.
"""

from __future__ import annotations

import datetime as dt
from threading import Lock

from django.db.models import Count, Max

from dxscore import lineage as ln
from dxscore.web.orgs.models import Unit, UnitChange

_memo: dict[str, ln.Lineage] = {}
_lock = Lock()


def lineage_version() -> str:
    """Changes whenever a unit or a change of units is added, edited or removed."""
    units = Unit.objects.aggregate(n=Count("pk"), last=Max("updated"))
    changes = UnitChange.objects.aggregate(n=Count("pk"), last=Max("updated"))
    return f"{units['n']}.{units['last']}.{changes['n']}.{changes['last']}"


def workspace_lineage() -> ln.Lineage:
    """The stored units and their changes as a lineage (keys as ``Unit.key``)."""
    version = lineage_version()
    found = _memo.get(version)
    if found is None:
        found = build_lineage()
        with _lock:
            _memo.clear()  # one map per process: the latest
            _memo[version] = found
    return found


def build_lineage() -> ln.Lineage:
    rows = Unit.objects.values_list(
        "pk", "code", "key", "name", "valid_from", "valid_to", "level__name", "parent__code"
    )
    units: dict[str, ln.Unit] = {}
    keys: dict[int, str] = {}
    parents: dict[str, list[tuple[dt.date | None, str]]] = {}
    for pk, code, unit_key, name, start, end, level, parent in rows:
        units[unit_key] = ln.Unit(code, start, end, name=name, level=level)
        keys[pk] = unit_key
        if parent:
            parents[unit_key] = [(None, parent)]
    flows: dict[str, list[ln.Flow]] = {}
    touched: dict[str, set[dt.date]] = {}
    changes = UnitChange.objects.exclude(target__isnull=True).values_list(
        "pk", "date", "kind", "source_id", "target_id", "share", "continues"
    )
    for pk, day, kind, source, target, share, continues in changes.order_by("date", "pk"):
        flow = ln.Flow(day, kind, keys[source], keys[target], share, continues, pk)
        flows.setdefault(flow.source, []).append(flow)
        if kind == "transfer":
            touched.setdefault(flow.target, set()).add(day)
    return ln.Lineage(
        name="workspace", events=[], units=units, flows=flows, touched=touched, parents=parents
    )


def on_map(day: dt.date) -> set[str]:
    """The keys of the units in force on ``day``."""
    return set(Unit.objects.in_force(day).values_list("key", flat=True))
