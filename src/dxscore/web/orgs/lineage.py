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
import re
import time
from dataclasses import dataclass, field
from threading import Lock

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dxscore import lineage as ln
from dxscore.errors import Problems
from dxscore.lineage.model import ONE_DAY
from dxscore.web.orgs.models import Level, Person, Unit, UnitChange
from dxscore.web.orgs.models import unit_key as key_of

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


# --- importing a lineage ------------------------------------------------------------------

FAR = dt.date.max


class LineageRejected(Problems):
    """A lineage that contradicts the stored units: nothing was stored."""


@dataclass
class Plan:
    """What importing a lineage changes (a preview until ``committed``)."""

    name: str
    levels: list[str] = field(default_factory=list)  # levels to create
    create: list[ln.Unit] = field(default_factory=list)  # units to create
    end: list[tuple[str, str, dt.date]] = field(default_factory=list)  # key, label, last day
    changes: list[tuple[dt.date, str, str, str, float]] = field(default_factory=list)
    names: list[tuple[str, str, str]] = field(default_factory=list)  # key, stored, lineage
    scopes: list[tuple[str, str, dt.date]] = field(default_factory=list)  # person, unit, end
    problems: list[tuple[str, str]] = field(default_factory=list)
    committed: bool = False
    seconds: float = 0.0

    @property
    def empty(self) -> bool:
        return not (self.levels or self.create or self.end or self.changes)


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    return (a_start or dt.date.min) <= (b_end or FAR) and (b_start or dt.date.min) <= (a_end or FAR)


def _span(start: dt.date | None, end: dt.date | None) -> str:
    start_text = date_format(start, "SHORT_DATE_FORMAT") if start else ""
    end_text = date_format(end, "SHORT_DATE_FORMAT") if end else ""
    if start_text and end_text:
        return _("%(start)s to %(end)s") % {"start": start_text, "end": end_text}
    if start_text:
        return _("from %(start)s") % {"start": start_text}
    if end_text:
        return _("until %(end)s") % {"end": end_text}
    return _("always")


class _Planner:
    """Maps a lineage onto the stored units (read once, in a few queries)."""

    def __init__(self, lineage: ln.Lineage):
        self.lineage = lineage
        self.plan = Plan(name=lineage.name)
        fields = ("pk", "code", "key", "name", "level_id", "parent_id", "valid_from", "valid_to")
        self.stored = {row[2]: row for row in Unit.objects.values_list(*fields)}
        self.by_pk = {row[0]: row for row in self.stored.values()}
        self.by_code: dict[str, list[tuple]] = {}
        for row in self.stored.values():
            self.by_code.setdefault(row[1], []).append(row)
        self.level_parents: dict[int, set[int | None]] = {}
        for row in self.stored.values():
            self.level_parents.setdefault(row[4], set()).add(row[5])
        self.levels = {lv.name: lv for lv in Level.objects.all()}
        self.level_names = {lv.pk: lv.name for lv in self.levels.values()}
        self.ends: dict[int, tuple[dt.date, int | None]] = {}  # pk -> new last day, row
        self.parent: dict[str, tuple[str, object]] = {}  # new key -> ("key"|"pk", ref)

    def fail(self, row: int | None, message: str) -> None:
        numbers = getattr(self.lineage, "file_rows", None)
        where = _("row %(r)d") % {"r": _file_row(row, numbers)} if row is not None else ""
        where = where or self.lineage.name
        self.plan.problems.append((where, message))

    def run(self) -> Plan:
        units = self.lineage.units
        for key, unit in units.items():
            row = self.stored.get(key)
            if row is None:
                self.plan.create.append(unit)
            else:
                if unit.end is not None and row[7] != unit.end:
                    self.ends[row[0]] = (unit.end, self._row_of(unit))
                if unit.name and unit.name != row[3]:
                    self.plan.names.append((key, row[3], unit.name))
        self._abolished_levels()
        for unit in self.plan.create:
            self._check_overlap(unit)
        self._parents_and_levels()
        self._check_values()
        self._flows()
        self._scopes()
        self.plan.create.sort(key=lambda u: (self._depth(u.key), u.code, u.start or dt.date.min))
        for pk, (end, _row) in sorted(self.ends.items(), key=lambda i: self.by_pk[i[0]][1]):
            row = self.by_pk[pk]
            self.plan.end.append((row[2], f"{row[3]} ({row[1]})", end))
        return self.plan

    def _row_of(self, unit: ln.Unit) -> int | None:
        """The row that made the unit, else the first row that ends it."""
        if unit.row is not None:
            return unit.row
        if not hasattr(self, "_ending_rows"):
            self._ending_rows: dict[str, int] = {}
            for event in self.lineage.events:
                if event.from_code and event.from_code not in self._ending_rows:
                    self._ending_rows[event.from_code] = event.row
        return self._ending_rows.get(unit.code)

    def _abolished_levels(self) -> None:
        """A level abolished on a day ends the stored units of that level the lineage
        does not list (the workspace's own units of that level)."""
        for event in self.lineage.events:
            if event.kind != "abolish" or event.from_code or not event.level or not event.date:
                continue
            level = self.levels.get(event.level)
            if level is None:
                continue
            last = event.date - ONE_DAY
            for row in self.stored.values():
                if row[4] != level.pk or row[2] in self.lineage.units or row[0] in self.ends:
                    continue
                if _overlap(row[6], row[7], last, last) and (row[7] is None or row[7] > last):
                    self.ends[row[0]] = (last, event.row)

    def _validity(self, row: tuple) -> tuple[dt.date | None, dt.date | None]:
        end = self.ends.get(row[0], (row[7],))[0]
        return row[6], end

    def _check_overlap(self, unit: ln.Unit) -> None:
        for row in self.by_code.get(unit.code, []):
            start, end = self._validity(row)
            if _overlap(start, end, unit.start, unit.end):
                self.fail(
                    unit.row,
                    _(
                        "%(unit)s (%(code)s, %(span)s) overlaps the stored unit %(name)s "
                        "(%(code)s, %(stored)s): one code denotes one unit at a time"
                    )
                    % {
                        "unit": unit.name or unit.code,
                        "code": unit.code,
                        "span": _span(unit.start, unit.end),
                        "name": row[3],
                        "stored": _span(start, end),
                    },
                )

    def _resolve_parent(self, unit: ln.Unit) -> tuple[str, object] | None:
        """The parent on the unit's first day: ("key", new unit key) or ("pk", stored)."""
        day = unit.start or dt.date.min
        code = self.lineage.parent_on(unit, day)
        if code:
            if self.lineage.knows(code):
                found = self.lineage.unit_at(code, day)
                if found is not None:
                    if found.key in self.stored:
                        return ("pk", self.stored[found.key][0])
                    return ("key", found.key)
            else:
                for row in self.by_code.get(code, []):
                    if _overlap(*self._validity(row), day, day):
                        return ("pk", row[0])
            self.fail(
                unit.row,
                _("the parent '%(p)s' of %(u)s denotes no unit on %(d)s")
                % {"p": code, "u": unit.label(), "d": _span(unit.start, None) or "-"},
            )
            return None
        # no parent in the lineage: where its predecessors were, else where every stored
        # unit of its level is (the provinces of a lineage under the workspace's country)
        for flow in self.lineage.predecessors(unit):
            source = self.stored.get(flow.source)
            if source is not None and source[5] is not None:
                return ("pk", source[5])
            if flow.source in self.parent:
                return self.parent[flow.source]
        level = self.levels.get(unit.level)
        parents = self.level_parents.get(level.pk, set()) if level is not None else set()
        if len(parents) == 1 and None not in parents:
            return ("pk", next(iter(parents)))
        return None

    def _parents_and_levels(self) -> None:
        # parents first: a unit's predecessors begin before it, so by start date
        for unit in sorted(self.plan.create, key=lambda u: u.start or dt.date.min):
            parent = self._resolve_parent(unit)
            if parent is not None:
                self.parent[unit.key] = parent
            if not unit.level:
                self.fail(
                    unit.row,
                    _("%(u)s has no level: give it in the column 'level'") % {"u": unit.label()},
                )
        new_levels: dict[str, int] = {}
        for unit in self.plan.create:
            if unit.level and unit.level not in self.levels and unit.level not in new_levels:
                new_levels[unit.level] = self._depth(unit.key)
        self.plan.levels = sorted(new_levels, key=lambda n: (new_levels[n], n))
        self.new_level_depths = new_levels

    def _depth(self, key: str, seen: int = 0) -> int:
        ref = self.parent.get(key)
        if ref is None or seen > 50:
            return 0
        kind, target = ref
        if kind == "pk":
            row = self.by_pk[target]
            level = self.levels.get(self.level_names.get(row[4], ""))
            return (level.depth if level else 0) + 1
        return self._depth(str(target), seen + 1) + 1

    def _check_values(self) -> None:
        """A unit cannot end before the periods it has stored values for."""
        if not self.ends:
            return
        from dxscore.web.data.models import Value

        rows = (
            Value.objects.filter(unit_id__in=list(self.ends))
            .values_list("unit_id", "period__code", "period__start")
            .distinct()
        )
        reported: set[int] = set()
        for unit_id, period, start in rows.order_by("period__start"):
            end, row = self.ends[unit_id]
            if start > end and unit_id not in reported:
                reported.add(unit_id)
                stored = self.by_pk[unit_id]
                self.fail(
                    row,
                    _(
                        "the lineage ends %(u)s on %(d)s, but values of period %(p)s (after "
                        "its end) are stored for it"
                    )
                    % {
                        "u": f"{stored[3]} ({stored[1]})",
                        "d": date_format(end, "SHORT_DATE_FORMAT"),
                        "p": period,
                    },
                )

    def _flows(self) -> None:
        have = set(UnitChange.objects.values_list("date", "source__key", "target__key", "kind"))
        pairs = {(d, s, t) for d, s, t, _k in have}
        changes = self.plan.changes
        outgoing: set[tuple[str, dt.date]] = set()
        for flows in self.lineage.flows.values():
            for f in flows:
                outgoing.add((f.source, f.date))
                if (f.date, f.source, f.target) not in pairs:
                    changes.append((f.date, f.kind, f.source, f.target, f.share))
        # units that end without going anywhere: an abolition (no target)
        for key, unit in self.lineage.units.items():
            if unit.end is None or (key, unit.end + ONE_DAY) in outgoing:
                continue
            if (unit.end + ONE_DAY, key, None) not in pairs:
                changes.append((unit.end + ONE_DAY, "abolish", key, "", 1.0))
        for pk, (end, _row) in self.ends.items():
            key = self.by_pk[pk][2]
            if key not in self.lineage.units and (end + ONE_DAY, key, None) not in pairs:
                changes.append((end + ONE_DAY, "abolish", key, "", 1.0))
        changes.sort()

    def _scopes(self) -> None:
        ending = {pk: end for pk, (end, _row) in self.ends.items()}
        people = Person.objects.filter(entry_scope_id__in=list(ending)).select_related(
            "user", "entry_scope"
        )
        for person in people.order_by("user__username"):
            self.plan.scopes.append(
                (person.user.get_username(), str(person.entry_scope), ending[person.entry_scope_id])
            )


def plan_lineage(lineage: ln.Lineage) -> Plan:
    return _Planner(lineage).run()


def import_lineage(lineage: ln.Lineage, *, commit: bool, user=None) -> Plan:
    """Map ``lineage`` onto the stored units: create the units it has and the workspace
    lacks (matched by key), set validities, store its changes. With ``commit``, all in one
    transaction, or nothing (``LineageRejected`` lists every problem). Importing the same
    lineage again changes nothing."""
    started = time.monotonic()
    with transaction.atomic():
        planner = _Planner(lineage)
        plan = planner.run()
        if commit:
            if plan.problems:
                raise LineageRejected(plan.problems, lineage.name)
            _apply(planner, plan, user)
            plan.committed = True
    plan.seconds = time.monotonic() - started
    return plan


def _apply(planner: _Planner, plan: Plan, user) -> None:
    for name in plan.levels:
        planner.levels[name] = Level.objects.create(name=name, depth=planner.new_level_depths[name])
    # units, parents before children (each layer's parents have ids when it is inserted)
    ids = {key: row[0] for key, row in planner.stored.items()}
    layers: dict[int, list[ln.Unit]] = {}
    for unit in plan.create:
        layers.setdefault(_layer(planner, unit.key), []).append(unit)
    for depth in sorted(layers):
        batch = []
        for unit in layers[depth]:
            ref = planner.parent.get(unit.key)
            parent_id = None
            if ref is not None:
                parent_id = ref[1] if ref[0] == "pk" else ids[str(ref[1])]
            batch.append(
                Unit(
                    code=unit.code,
                    key=key_of(unit.code, unit.start),
                    name=(unit.name or unit.code)[:200],
                    level=planner.levels[unit.level],
                    parent_id=parent_id,
                    valid_from=unit.start,
                    valid_to=unit.end,
                    path="",
                )
            )
        for created in Unit.objects.bulk_create(batch, batch_size=1000):
            ids[created.key] = created.pk
    _fill_paths()
    # validities
    by_end: dict[dt.date, list[int]] = {}
    for pk, (end, _row) in planner.ends.items():
        by_end.setdefault(end, []).append(pk)
    now = timezone.now()
    for end, pks in by_end.items():
        for i in range(0, len(pks), 500):
            Unit.objects.filter(pk__in=pks[i : i + 500]).update(valid_to=end, updated=now)
    # changes
    UnitChange.objects.bulk_create(
        [
            UnitChange(
                date=day,
                kind=kind,
                source_id=ids[source],
                target_id=ids[target] if target else None,
                share=share,
                continues=kind == "rename",
            )
            for day, kind, source, target, share in plan.changes
        ],
        batch_size=1000,
    )


def _layer(planner: _Planner, key: str, seen: int = 0) -> int:
    ref = planner.parent.get(key)
    if ref is None or ref[0] == "pk" or seen > 50:
        return 0
    return _layer(planner, str(ref[1]), seen + 1) + 1


def _fill_paths() -> None:
    """Materialised paths of the units inserted without one, worked out in memory from
    the parents' and written in batches. (A correlated ``UPDATE ... SET path = (SELECT
    parent's path)`` per depth was planned as nested loops over the whole table on
    PostgreSQL when its statistics were stale, right after a bulk insert: minutes at
    14,000 units instead of a second.)"""
    stored = Unit.objects.values_list("pk", "parent_id", "path")
    rows = {pk: [parent, path] for pk, parent, path in stored}

    def path_of(pk: int, depth: int = 0) -> str:
        row = rows[pk]
        if row[1] or depth > 64:
            return str(row[1])
        parent = row[0]
        row[1] = f"/{pk}/" if parent is None else f"{path_of(parent, depth + 1)}{pk}/"
        return str(row[1])

    missing = [pk for pk, (_parent, path) in rows.items() if not path]
    changed = [Unit(pk=pk, path=path_of(pk)) for pk in missing]
    Unit.objects.bulk_update(changed, ["path"], batch_size=500)


def lineage_from_upload(data: bytes, filename: str) -> ln.Lineage:
    """A lineage file people sent (``.csv`` or ``.xlsx``, the first sheet), read within
    the upload limits (``web/sheets.py``) and checked by ``dxscore.lineage``. Raises
    ``FileProblem`` (the file) or ``ln.LineageError`` (its rows), both ``Problems``."""
    import pandas as pd

    from dxscore.web.sheets import FileProblem, cell_text, read_csv, read_xlsx

    name = filename.lower()
    table = read_xlsx(data, "lineage") if name.endswith(".xlsx") else read_csv(data)
    if table.formulas:
        raise FileProblem(
            [
                (table.where(r, c), _("formulas are not accepted: type the value"))
                for r, c in table.formulas
            ]
        )
    width = len(table.header)
    frame = pd.DataFrame(
        [[cell_text(c) for c in (cells + [""] * width)[:width]] for _n, cells in table.rows],
        columns=[h or f"column {i + 1}" for i, h in enumerate(table.header)],
        dtype=object,
    )
    stem = filename.rsplit("/", 1)[-1].split(".")[0] or "lineage"
    numbers = [n for n, _cells in table.rows]
    try:
        lineage = ln.from_frame(frame, source=filename, name=stem, first_row=0)
    except ln.LineageError as exc:
        raise ln.LineageError(
            filename,
            [(_renumber(where, numbers), _renumber(text, numbers)) for where, text in exc.problems],
        ) from None
    lineage.file_rows = numbers  # type: ignore[attr-defined]  # rows by position -> file
    return lineage


def _file_row(row: int, numbers: list[int] | None) -> int:
    return numbers[row] if numbers is not None and 0 <= row < len(numbers) else row


def _renumber(text: str, numbers: list[int]) -> str:
    """Rows counted by position in the table, named by the file's own row numbers (the
    reader leaves empty rows out)."""

    def rows(match: re.Match) -> str:
        listed = ", ".join(str(_file_row(int(n), numbers)) for n in match.group(2).split(", "))
        return f"{match.group(1)} {listed}"

    return re.sub(r"\b(rows?) (\d+(?:, \d+)*)", rows, text)
