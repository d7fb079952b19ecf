"""Lineage files: read, check and write the CSV that records changes of the map.

The format (``docs/units.md``): one row per flow or change, columns
``date,from,to,share`` and optionally ``kind,from_name,to_name,level,parent``.
``date`` is the effective date (the first day of the new map; the ``from`` unit's last
day is the day before). Every problem names the file, the row and the column, and all
problems are reported together; nothing is built from a file that has any.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from dxscore.errors import Problems
from dxscore.lineage.model import KINDS, ONE_DAY, Event, Flow, Kind, Lineage, Unit
from dxscore.tables import read_frame

COLUMNS = ("date", "kind", "from", "to", "share", "from_name", "to_name", "level", "parent")
REQUIRED = ("date", "from", "to")
ENDING: tuple[Kind, ...] = ("merge", "split", "rename")  # the ``from`` unit ends
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CODE_PATTERN = re.compile(r"^[^\s\x00-\x1f\x7f]{1,80}$")
TOLERANCE = 1e-6  # shares of one unit add up to 1 within this


class LineageError(Problems):
    """A lineage file is not valid: ``problems`` lists ``(where, message)`` pairs."""

    max_listed = 50

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        super().__init__(problems, source)


# --- reading --------------------------------------------------------------------------


def read(path: str | Path, name: str | None = None, trusted: bool = False) -> Lineage:
    """Read and check a lineage file (CSV, optionally gzipped, or XLSX). ``trusted``:
    a file shipped with dxscore (its text is taken as it is)."""
    path = Path(path)
    source = str(path)
    if not path.exists():
        raise LineageError(source, [("file", "no such file")])
    suffixes = "".join(path.suffixes[-2:]).lower()
    try:
        if path.suffix.lower() in (".csv", ".txt") or suffixes.endswith(".csv.gz"):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            if not trusted:  # a file dxscore ships is written without formula escapes
                frame = read_frame(frame)  # a file the project wrote: '=x is the text =x
        elif path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, engine="calamine").fillna("")
        else:
            raise LineageError(source, [("file", f"unsupported file type '{path.suffix}'")])
    except LineageError:
        raise
    except UnicodeDecodeError as exc:
        raise LineageError(source, [("file", f"not UTF-8 text ({exc.reason})")]) from None
    except Exception as exc:  # noqa: BLE001 - any reader failure is a file problem
        raise LineageError(source, [("file", f"cannot read: {exc}")]) from None
    return from_frame(frame, source=source, name=name or path.name.split(".")[0])


def from_frame(
    frame: pd.DataFrame, source: str = "<table>", name: str = "", first_row: int = 2
) -> Lineage:
    """Check a lineage table (as read, text cells) and build the ``Lineage``."""
    frame = frame.copy()
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    problems: list[tuple[str, str]] = []
    problems += [
        (f"column '{c}'", "required column is missing") for c in REQUIRED if c not in frame
    ]
    problems += [
        (f"column '{c}'", f"unknown column (use {', '.join(COLUMNS)})")
        for c in frame.columns
        if c not in COLUMNS
    ]
    if problems:
        raise LineageError(source, problems)
    for col in COLUMNS:
        if col not in frame:
            frame[col] = ""
    events: list[Event] = []
    columns = [[_cell(v) for v in frame[c].tolist()] for c in COLUMNS]
    for i, cells in enumerate(zip(*columns, strict=True)):
        event = _event(dict(zip(COLUMNS, cells, strict=True)), i + first_row, problems)
        if event is not None:
            events.append(event)
    if problems:
        raise LineageError(source, problems)
    return build(events, source=source, name=name or source)


def _cell(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _event(cells: dict[str, str], row: int, problems: list[tuple[str, str]]) -> Event | None:
    """One row as an ``Event``, or ``None`` with its problems added."""
    found: list[tuple[str, str]] = []

    def bad(column: str, message: str) -> None:
        found.append((f"row {row}, column '{column}'", message))

    kind_text = cells["kind"].lower()
    if kind_text and kind_text not in KINDS:
        bad("kind", f"unknown kind '{cells['kind']}' (use {', '.join(KINDS)})")
    kind: Kind | None = next((k for k in KINDS if k == kind_text), None)
    day: dt.date | None = None
    if cells["date"]:
        try:
            if not DATE_PATTERN.match(cells["date"]):
                raise ValueError
            day = dt.date.fromisoformat(cells["date"])
        except ValueError:
            bad("date", f"'{cells['date']}' is not a date (use YYYY-MM-DD, e.g. 2025-07-01)")
    elif kind != "unit":
        bad("date", "empty date (the first day of the new map, YYYY-MM-DD)")
    share: float | None = None
    if cells["share"]:
        try:
            share = float(cells["share"])
            if not 0 <= share <= 1:
                bad("share", f"{share:g} is not a share between 0 and 1")
        except ValueError:
            bad("share", f"'{cells['share']}' is not a number")
    for column in ("from", "to", "parent"):
        if cells[column] and not CODE_PATTERN.match(cells[column]):
            bad(column, f"'{cells[column]}' is not a unit code (no spaces, at most 80 characters)")
    src, dst = cells["from"], cells["to"]
    needs = {
        None: ("from", "to"),
        "merge": ("from", "to"),
        "split": ("from", "to"),
        "transfer": ("from", "to"),
        "rename": ("from", "to"),
        "reparent": ("from", "parent"),
        "unit": ("to",),
    }
    for column in needs.get(kind, ()):
        if not cells[column]:
            bad(column, f"a {kind or 'change'} needs '{column}'")
    if kind == "unit" and src:
        bad("from", "a 'unit' row declares the unit in 'to'; 'from' stays empty")
    if kind == "abolish":
        if dst:
            bad("to", "an abolished unit has no successor; 'to' stays empty")
        if not src and not cells["level"]:
            bad("from", "an abolition names the unit ('from') or the whole level ('level')")
    if kind == "reparent" and dst and dst != src:
        bad("to", "a re-parent keeps the unit's code: leave 'to' empty or repeat 'from'")
    if kind in ("unit", "reparent", "abolish") and share is not None:
        bad("share", f"a '{kind}' row has no share")
    if found:
        problems.extend(found)
        return None
    return Event(
        row=row,
        date=day,
        kind=kind or "",  # "" is resolved by ``build``: merge, split or rename
        from_code=src,
        to_code=dst if kind != "reparent" else src,
        share=share,
        from_name=cells["from_name"],
        to_name=cells["to_name"],
        level=cells["level"],
        parent=cells["parent"],
    )


# --- building --------------------------------------------------------------------------


@dataclass
class _Draft:
    """A unit while the builder replays the events (its end is set when it ends)."""

    code: str
    start: dt.date | None
    end: dt.date | None
    name: str
    level: str
    row: int | None


class _Builder:
    """Replays the events date by date on the map and records every unit and flow."""

    def __init__(self, events: list[Event], source: str):
        self.events = events
        self.source = source
        self.problems: list[tuple[str, str]] = []
        self.units: dict[str, _Draft] = {}  # key -> the unit as built so far
        self.seen: dict[str, dt.date | None] = {}  # code -> first start of a unit with it
        self.current: dict[str, str] = {}  # code -> key of the unit in force
        self.ended: dict[str, tuple[dt.date, int]] = {}  # code -> (last day, row) if ended
        self.flows: dict[str, list[Flow]] = {}
        self.touched: dict[str, set[dt.date]] = {}
        self.parents: dict[str, list[tuple[dt.date | None, str]]] = {}
        self.created_by: dict[str, int] = {}  # key -> row
        self.kinds: dict[int, Kind] = {}  # row -> the kind of a flow, resolved
        self.parent_rows: dict[str, int] = {}  # key -> the row that last set its parent

    def fail(self, rows: Iterable[int], message: str) -> None:
        rows = sorted(set(rows))
        where = (
            "row " + ", ".join(str(r) for r in rows)
            if len(rows) < 2
            else "rows " + ", ".join(str(r) for r in rows)
        )
        self.problems.append((where, message))

    def _new(self, code: str, start: dt.date | None, name: str, level: str, row: int | None) -> str:
        key = code if start is None else f"{code}@{start.isoformat()}"
        self.units[key] = _Draft(code, start, None, name, level, row)
        self.seen.setdefault(code, start)
        self.current[code] = key
        self.ended.pop(code, None)
        return key

    def _resolve(self, code: str, event: Event, day: dt.date) -> str | None:
        """The key of the unit ``code`` denotes the day before ``day``; creates a unit
        that was in force before the lineage begins when the code is new."""
        if code in self.current:
            return self.current[code]
        if code in self.ended:
            last, row = self.ended[code]
            self.fail(
                [event.row, row],
                f"unit '{code}' ends twice: it ended on {last} (row {row}), so it is not in "
                f"force on {day - ONE_DAY}",
            )
            return None
        if code in self.seen:
            first = self.seen[code]
            self.fail(
                [event.row],
                f"unit '{code}' does not exist on {day - ONE_DAY} (it begins on {first})",
            )
            return None
        return self._new(code, None, event.from_name, event.level, None)

    def run(self) -> Lineage:
        undated = [e for e in self.events if e.date is None]
        for e in undated:  # 'unit' rows without date: in force from the start
            if e.to_code in self.current:
                first = self.created_by.get(self.current[e.to_code], e.row)
                self.fail([first, e.row], f"unit '{e.to_code}' is declared twice")
                continue
            key = self._new(e.to_code, None, e.to_name, e.level, e.row)
            self.created_by[key] = e.row
            if e.parent:
                self.parents[key] = [(None, e.parent)]
                self.parent_rows[key] = e.row
        self._check_cycles(None)
        dated = sorted({e.date for e in self.events if e.date is not None})
        for day in dated:
            self._day(day, [e for e in self.events if e.date == day])
            self._check_cycles(day)
        if self.problems:
            raise LineageError(self.source, self.problems)
        units = {
            key: Unit(code=f.code, start=f.start, end=f.end, name=f.name, level=f.level, row=f.row)
            for key, f in self.units.items()
        }
        for flows in self.flows.values():
            flows.sort(key=lambda f: f.date)
        return Lineage(
            name=self.source,
            events=[
                replace(e, kind=self.kinds[e.row]) if e.row in self.kinds else e
                for e in self.events
            ],
            units=units,
            flows=self.flows,
            touched=self.touched,
            parents=self.parents,
        )

    def _day(self, day: dt.date, events: list[Event]) -> None:
        flows = [e for e in events if e.kind in ("", "merge", "split", "rename", "transfer")]
        self._check_duplicates(flows)
        kinds = self._resolve_kinds(flows)
        # 1. the units the rows start from, on the map of the day before
        source: dict[int, str] = {}
        starting = [e for e in events if e.kind in ("reparent", "abolish") and e.from_code]
        for e in flows + starting:
            key = self._resolve(e.from_code, e, day)
            if key is not None:
                source[e.row] = key
        abolished: dict[str, int] = {}  # key -> row
        levels: list[Event] = []  # abolitions of a whole level
        for e in events:
            if e.kind != "abolish":
                continue
            if e.from_code:
                if e.row in source:
                    abolished[source[e.row]] = e.row
                continue
            levels.append(e)
        # 2. shares: a unit that ends gives all of itself away; transfers give part of it
        ending: dict[str, list[Event]] = {}
        transfers: dict[str, list[Event]] = {}
        for e in flows:
            if e.row not in source:
                continue
            (transfers if kinds[e.row] == "transfer" else ending).setdefault(
                source[e.row], []
            ).append(e)
        for key, rows in ending.items():
            code = str(self.units[key].code)
            if key in abolished:
                self.fail(
                    [r.row for r in rows],
                    f"unit '{code}' ends twice on {day}: it is abolished and also has successors",
                )
            if len(rows) > 1 and any(r.share is None for r in rows):
                tos = ", ".join(f"'{r.to_code}'" for r in rows)
                self.fail(
                    [r.row for r in rows],
                    f"unit '{code}' has {len(rows)} successors on {day} ({tos}) without shares: "
                    "give each the share of it that it takes (adding up to 1)",
                )
                continue
            total = sum(1.0 if r.share is None else r.share for r in rows)
            if abs(total - 1) > TOLERANCE:
                self.fail(
                    [r.row for r in rows],
                    f"the shares of unit '{code}' on {day} add up to {total:g}, not 1 (a part "
                    "that moves while the unit goes on is a 'transfer')",
                )
            if key in transfers:
                self.fail(
                    [r.row for r in rows + transfers[key]],
                    f"unit '{code}' ends on {day} and also transfers a part: give that part as "
                    "a share of its end",
                )
        for e in levels:  # every unit of the level that does not go on in successors
            level_units = [k for k in self.current.values() if self.units[k].level == e.level]
            if not level_units:
                self.fail([e.row], f"no unit of level '{e.level}' is in force on {day - ONE_DAY}")
            for k in level_units:
                if k not in ending:
                    abolished.setdefault(k, e.row)
        for key, rows in transfers.items():
            for r in rows:
                if r.to_code == r.from_code:
                    self.fail([r.row], f"unit '{r.from_code}' transfers a part to itself")
            if any(r.share is None for r in rows):
                self.fail(
                    [r.row for r in rows if r.share is None],
                    "a transfer needs the share of the unit that moves",
                )
                continue
            total = sum(r.share or 0.0 for r in rows)
            if total > 1 + TOLERANCE:
                self.fail(
                    [r.row for r in rows],
                    f"unit '{self.units[key].code}' transfers {total:g} of itself on {day}, "
                    "more than all of it",
                )
        # 3. end the units that end, create the units that begin
        last = day - ONE_DAY
        for key in set(ending) | set(abolished):
            code = str(self.units[key].code)
            self.units[key].end = last
            row = ending[key][0].row if key in ending else abolished[key]
            self.ended[code] = (last, row)
            if self.current.get(code) == key:
                del self.current[code]
        targets: dict[str, str] = {}  # code -> key of the unit that begins (or continues)
        creating = [e for e in flows if kinds[e.row] != "transfer"] + [
            e for e in events if e.kind == "unit"
        ]
        refused: set[str] = set()  # codes whose new unit overlaps another (reported once)
        for e in creating:
            code = e.to_code
            if code in refused:
                continue
            if code in targets:
                if e.kind == "unit":
                    self.fail(
                        [e.row, self.created_by[targets[code]]],
                        f"unit '{code}' is declared twice on {day}",
                    )
                self._describe(targets[code], e)
                continue
            if code in self.current:
                other = self.current[code]
                since = self.units[other].start
                first = self.created_by.get(other)
                where = f" (row {first})" if first else ""
                self.fail(
                    [e.row] + ([first] if first else []),
                    f"overlapping validities of code '{code}': a new unit '{code}' begins on "
                    f"{day} while the unit '{code}' in force "
                    + (f"since {since}" if since else "before")
                    + f"{where} does not end; list it among the predecessors, or use a "
                    "'transfer' if it keeps its identity",
                )
                refused.add(code)
                continue
            key = self._new(code, day, e.to_name, e.level, e.row)
            self.created_by[key] = e.row
            targets[code] = key
            if e.parent:
                self.parents[key] = [(day, e.parent)]
                self.parent_rows[key] = e.row
        for e in flows:
            if e.row not in source:
                continue
            if kinds[e.row] == "transfer":
                if e.to_code in self.current:
                    target = self.current[e.to_code]
                elif e.to_code in self.ended or e.to_code in self.seen:
                    self.fail(
                        [e.row],
                        f"unit '{e.to_code}' is not in force on {day}: a part can only move into "
                        "a unit in force (declare a new one with a 'unit' row of that date)",
                    )
                    continue
                else:  # a unit the lineage did not know: in force before it begins
                    target = self._new(e.to_code, None, e.to_name, e.level, None)
                self.touched.setdefault(target, set()).add(day)
                self.touched.setdefault(source[e.row], set()).add(day)
                share = e.share or 0.0
            else:
                target = targets.get(e.to_code, "")
                if not target:
                    continue
                share = 1.0 if e.share is None else e.share
            self.flows.setdefault(source[e.row], []).append(
                Flow(
                    day, kinds[e.row], source[e.row], target, share, kinds[e.row] == "rename", e.row
                )
            )
        # 4. re-parent, and the children of abolished units move to the level above
        new_keys = set(targets.values())
        moved: set[str] = set()
        for e in events:
            if e.kind != "reparent" or e.row not in source:
                continue
            key = source[e.row]
            if self.units[key].end is not None:
                self.fail(
                    [e.row],
                    f"unit '{e.from_code}' ends on {last}: it cannot be re-parented on {day}",
                )
                continue
            self.parents.setdefault(key, []).append((day, e.parent))
            self.parent_rows[key] = e.row
            moved.add(key)
        if not abolished:
            return
        children: dict[str, list[str]] = {}  # parent code -> keys of units in force
        for child in self.current.values():
            if child not in moved and child not in new_keys:
                children.setdefault(self._parent_of(child, last), []).append(child)
        ended_on = {str(self.units[k].code): k for k in set(ending) | set(abolished)}
        for key in abolished:
            up = self._parent_of(key, last)
            if up in ended_on:  # the parent ends too: its one successor, if it has one
                outs = {f.target for f in self.flows.get(ended_on[up], []) if f.date == day}
                up = str(self.units[outs.pop()].code) if len(outs) == 1 else up
            for child in children.get(str(self.units[key].code), []):
                self.parents.setdefault(child, []).append((day, up))

    def _describe(self, key: str, event: Event) -> None:
        """Several rows name one new unit (a merge): fill its name, level and parent."""
        unit = self.units[key]
        if event.to_name and not unit.name:
            unit.name = event.to_name
        if event.level and not unit.level:
            unit.level = event.level
        if event.parent and key not in self.parents:
            self.parents[key] = [(event.date, event.parent)]
            self.parent_rows[key] = event.row

    def _parent_of(self, key: str, day: dt.date) -> str:
        parent = ""
        for since, code in self.parents.get(key, []):
            if since is None or since <= day:
                parent = code
        return parent

    def _check_duplicates(self, flows: list[Event]) -> None:
        seen: dict[tuple[str, str], int] = {}
        for e in flows:
            pair = (e.from_code, e.to_code)
            if pair in seen:
                self.fail(
                    [seen[pair], e.row],
                    f"'{e.from_code}' to '{e.to_code}' is given twice on {e.date}",
                )
            seen.setdefault(pair, e.row)

    def _check_cycles(self, day: dt.date | None) -> None:
        """The map of ``day`` is a tree: no unit is its own ancestor (``A`` in ``B`` in
        ``A``). Flows cannot form cycles: each goes from the map of the day before to the
        map of the day, so codes exchanged on one day (the 2025 communes have some) are
        fine."""
        on = day or dt.date.min
        parent: dict[str, str] = {}
        for code, key in self.current.items():
            up = self._parent_of(key, on)
            if up:
                parent[code] = up
        done: set[str] = set()
        for start in parent:
            trail: list[str] = []
            code = start
            while code in parent and code not in done and code not in trail:
                trail.append(code)
                code = parent[code]
            if code in trail:
                loop = trail[trail.index(code) :] + [code]
                rows = [self.parent_rows.get(self.current[c], 0) for c in loop[:-1]]
                self.fail(
                    [r for r in rows if r],
                    f"cycle in the units' parents on {day or 'the first day'}: "
                    + " in ".join(f"'{c}'" for c in loop),
                )
                done.update(loop)
            done.update(trail)

    def _resolve_kinds(self, flows: list[Event]) -> dict[int, Kind]:
        """A row without ``kind``: a split when its unit has several successors, a merge
        when its successor has several predecessors, else a rename (one to one). An
        explicit rename is one to one."""
        outs: dict[str, int] = {}
        ins: dict[str, int] = {}
        for e in flows:
            if e.kind != "transfer":
                outs[e.from_code] = outs.get(e.from_code, 0) + 1
                ins[e.to_code] = ins.get(e.to_code, 0) + 1
        kinds: dict[int, Kind] = {}
        for e in flows:
            if e.kind == "":
                if outs[e.from_code] > 1:
                    kinds[e.row] = "split"
                elif ins[e.to_code] > 1:
                    kinds[e.row] = "merge"
                else:
                    kinds[e.row] = "rename"
                continue
            if e.kind == "rename" and (outs[e.from_code] > 1 or ins[e.to_code] > 1):
                self.fail([e.row], "a rename has one predecessor and one successor")
            kinds[e.row] = e.kind
        self.kinds.update(kinds)
        return kinds


def build(events: list[Event], source: str = "<lineage>", name: str = "") -> Lineage:
    """The ``Lineage`` of checked rows; ``LineageError`` for an inconsistent history."""
    lineage = _Builder(events, source).run()
    lineage.name = name or source
    return lineage
