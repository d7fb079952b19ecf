"""Targets and tasks in Excel: a workbook to download (with their computed statuses) and
the upload of a filled one, with the same rules as indicator uploads
(``web/data/imports.py``, whose table reading and error places are reused): a dry-run
preview that lists every change and every problem by sheet, row and column, then a
commit that stores every row or none.

Rows are matched by number within the resolution: a new number adds a target or task, an
existing one changes it. Rows missing from the file are left as they are. The status and
progress columns are for reading; an upload ignores them.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from dxscore.tables import append, put, workbook_bytes
from dxscore.web import l10n
from dxscore.web.data.models import Indicator
from dxscore.web.orgs.models import Unit
from dxscore.web.plans import access, assessing
from dxscore.web.plans.models import PlanUpload, Resolution, Target, Task
from dxscore.web.sheets import (
    FileProblem,
    Sheet,
    cell_number,
    cell_text,
    problem_order,
    read_sheets,
    style_header,
)

TARGET_COLUMNS = [
    "number",
    "pillar",
    "title",
    "unit",
    "indicator",
    "comparison",
    "value",
    "deadline",
    "baseline",
    "baseline_period",
]
TASK_COLUMNS = [
    "number",
    "title",
    "owner",
    "cooperating",
    "assignees",
    "start",
    "deadline",
    "expected_result",
    "description",
    "process_notes",
    "targets",
]
READ_ONLY = {"targets": ["status", "reason"], "tasks": ["status", "progress"]}
REQUIRED = {
    "targets": ("number", "title", "unit", "deadline"),
    "tasks": ("number", "title", "owner", "deadline", "expected_result"),
}
COMPARISONS = {
    ">=": ">=",
    "≥": ">=",
    ">": ">",
    "<=": "<=",
    "≤": "<=",
    "<": "<",
    "=": "==",
    "==": "==",
}


# --- export -----------------------------------------------------------------------------


def _sheet(wb: Workbook, title: str, columns: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title)
    append(ws, columns)
    for r, row in enumerate(rows, start=2):
        for c, content in enumerate(row, start=1):
            put(ws, r, c, content)
    style_header(ws, 16, {"C" if title == "targets" else "B": 45})


def export(resolution: Resolution) -> bytes:
    targets = list(resolution.targets.select_related("pillar", "unit", "indicator"))
    items = {a.target.pk: a for a in assessing.assess_targets(targets)}
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        "targets",
        TARGET_COLUMNS + READ_ONLY["targets"],
        [
            [
                t.number,
                t.pillar.code if t.pillar else None,
                t.title,
                t.unit.code,
                t.indicator.code if t.indicator else None,
                t.comparison or None,
                t.value,
                t.deadline,
                t.baseline,
                t.baseline_period or None,
                str(items[t.pk].status_label),
                items[t.pk].reason,
            ]
            for t in targets
        ],
    )
    tasks = (
        resolution.tasks.order_by("number")
        .select_related("owner")
        .prefetch_related("cooperating", "assignees", "targets")
    )
    _sheet(
        wb,
        "tasks",
        TASK_COLUMNS + READ_ONLY["tasks"],
        [
            [
                t.number,
                t.title,
                t.owner.code,
                ", ".join(u.code for u in t.cooperating.all()) or None,
                ", ".join(u.get_username() for u in t.assignees.all()) or None,
                t.start,
                t.deadline,
                t.expected_result,
                t.description or None,
                t.process_notes or None,
                ", ".join(str(x.number) for x in t.targets.all()) or None,
                str(t.status_label),
                t.percent,
            ]
            for t in tasks
        ],
    )
    help_sheet = wb.create_sheet("help")
    append(help_sheet, [_("sheet"), _("column"), _("meaning")])
    for sheet, column, meaning in _help():
        append(help_sheet, [sheet, column, meaning])
    help_sheet.column_dimensions["C"].width = 90
    return workbook_bytes(wb)


def _help() -> list[tuple[str, str, str]]:
    return [
        ("targets", "number", _("The target's number in the resolution (new number: new target).")),
        ("targets", "pillar", _("The pillar's code, or empty.")),
        ("targets", "unit", _("Code of the unit whose approved values measure the target.")),
        ("targets", "indicator", _("Indicator code; empty for a qualitative target.")),
        ("targets", "comparison", _(">=, >, <=, < or ==; empty for a qualitative target.")),
        ("targets", "deadline", _("A period (2025, 2025Q4, 2025-06) or a date (2025-06-30).")),
        ("targets", "baseline_period", _("The period of the baseline, before the deadline.")),
        ("tasks", "owner", _("Code of the unit that does the task.")),
        ("tasks", "cooperating", _("Codes of the cooperating units, separated by commas.")),
        ("tasks", "assignees", _("Log-in names of the people assigned, separated by commas.")),
        ("tasks", "start, deadline", _("Dates (2025-06-30).")),
        ("tasks", "targets", _("Numbers of the linked targets, separated by commas.")),
        ("*", "status, reason, progress", _("Computed by dxscore; ignored on upload.")),
    ]


# --- reading ----------------------------------------------------------------------------


def read_workbook(data: bytes) -> dict[str, Sheet]:
    """The ``targets`` and ``tasks`` sheets (either may be absent) as tables."""
    tables = read_sheets(data, lambda names: [n for n in ("targets", "tasks") if n in names])
    if not tables:
        raise FileProblem([("file", _("the workbook has no sheet named 'targets' or 'tasks'"))])
    return tables


# --- checking ---------------------------------------------------------------------------


def _row_number(row, line: int, seen: dict[int, int], duplicate: str) -> int | None:
    """The row's ``number`` (a whole number), checked present and not repeated: ``seen``
    maps the numbers met so far to their rows; ``duplicate`` words a repeat."""
    n = row.number_of("number", whole=True)
    if n is None and not row.bad:
        row.problem("number", _("the number is missing"))
    if n is not None and n in seen:
        row.problem("number", duplicate % {"n": n, "r": seen[n]})
    elif n is not None:
        seen[n] = line
    return n


class _Row:
    """One row's cells by column name, collecting problems with their places."""

    def __init__(self, table: Sheet, number: int, values: list, problems: list):
        self.table, self.number, self.values, self.problems = table, number, values, problems
        self.col = {name: i for i, name in enumerate(table.header) if name}
        self.bad = False

    def raw(self, name: str):
        i = self.col.get(name)
        return self.values[i] if i is not None and i < len(self.values) else None

    def text(self, name: str) -> str:
        return cell_text(self.raw(name))

    def problem(self, name: str | None, message: str) -> None:
        self.problems.append((self.table.where(self.number, self.col.get(name)), message))
        self.bad = True

    def number_of(self, name: str, whole: bool = False):
        content = self.raw(name)
        if content is None or (isinstance(content, str) and not content.strip()):
            return None
        try:
            x = cell_number(content, l10n.language())  # text as the language writes it
        except l10n.NumberProblem as problem:
            self.problem(name, l10n.message(problem))
            return None
        if x is None:
            return None
        if whole and (not x.is_integer() or x < 1):
            self.problem(name, _("'%(v)s' is not a whole number from 1") % {"v": content})
            return None
        return int(x) if whole else x

    def date_of(self, name: str) -> dt.date | None:
        content = self.raw(name)
        if content in (None, ""):
            return None
        if isinstance(content, dt.datetime):
            return content.date()
        if isinstance(content, dt.date):
            return content
        try:
            return dt.date.fromisoformat(str(content).strip())
        except ValueError:
            self.problem(name, _("'%(v)s' is not a date (2025-06-30)") % {"v": content})
            return None

    def codes(self, name: str) -> list[str]:
        return [c.strip() for c in self.text(name).replace(";", ",").split(",") if c.strip()]


def _start(table: Sheet, problems: list) -> bool:
    missing = [c for c in REQUIRED[table.sheet] if c not in table.header]
    if missing:
        problems.append(
            (
                f"sheet '{table.sheet}', row 1",
                _("missing column(s): %(c)s") % {"c": ", ".join(missing)},
            )
        )
        return False
    for number, c in table.formulas:
        problems.append((table.where(number, c), _("formulas are not accepted: type the value")))
    return True


def _model_problems(row: _Row, exc: ValidationError, fields: dict[str, str]) -> None:
    for field, messages in exc.message_dict.items():
        for message in messages:
            row.problem(fields.get(field), message)


def _check_targets(table, resolution, units, problems) -> list[dict]:
    if not _start(table, problems):
        return []
    pillars = {p.code: p for p in resolution.pillars.all()}
    existing = {t.number: t for t in resolution.targets.all()}
    codes = {r.text("indicator") for r in (_Row(table, n, v, []) for n, v in table.rows)}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes - {""})}
    seen: dict[int, int] = {}
    changes = []
    for number, values in table.rows:
        row = _Row(table, number, values, problems)
        n = _row_number(row, number, seen, _("target %(n)d is also in row %(r)d"))
        title = row.text("title")
        if not title:
            row.problem("title", _("the title is missing"))
        unit = units.get(row.text("unit"))
        if unit is None:
            row.problem(
                "unit", _("unknown unit '%(u)s' in this resolution") % {"u": row.text("unit")}
            )
        pillar = None
        if row.text("pillar"):
            pillar = pillars.get(row.text("pillar"))
            if pillar is None:
                row.problem("pillar", _("unknown pillar '%(p)s'") % {"p": row.text("pillar")})
        indicator = None
        if row.text("indicator"):
            indicator = indicators.get(row.text("indicator"))
            if indicator is None:
                row.problem(
                    "indicator", _("unknown indicator '%(i)s'") % {"i": row.text("indicator")}
                )
        comparison = ""
        if row.text("comparison"):
            comparison = COMPARISONS.get(row.text("comparison"), "")
            if not comparison:
                row.problem("comparison", _("use >=, >, <=, < or =="))
        value, baseline = row.number_of("value"), row.number_of("baseline")
        if row.bad:
            continue
        fields = {
            "pillar": pillar,
            "title": title[:300],
            "unit": unit,
            "indicator": indicator,
            "comparison": comparison,
            "value": value,
            "deadline": row.text("deadline"),
            "baseline": baseline,
            "baseline_period": row.text("baseline_period"),
        }
        old = existing.get(n)
        candidate = Target(resolution=resolution, number=n, **fields)
        try:
            candidate.clean()
        except ValidationError as exc:
            _model_problems(row, exc, {f: f for f in TARGET_COLUMNS})
            continue
        change = _diff(old, fields)
        if old is None or change:
            changes.append(
                {
                    "sheet": "targets",
                    "row": number,
                    "number": n,
                    "title": title[:300],
                    "action": "new" if old is None else "change",
                    "changed": change,
                    "before": _before(old, fields),
                }
            )
    return changes


def _diff(old, fields: dict) -> list[str]:
    if old is None:
        return []
    return [name for name, new in fields.items() if getattr(old, name) != new]


def _plain(x):
    if hasattr(x, "pk"):
        return x.pk
    if isinstance(x, dt.date):
        return x.isoformat()
    return x


def _before(old, fields: dict, links: dict | None = None) -> dict | None:
    """What the row replaces, so that a commit notices a change made since the preview."""
    if old is None:
        return None
    return {name: _plain(getattr(old, name)) for name in fields} | (links or {})


def _check_tasks(table, resolution, units, target_numbers, problems) -> list[dict]:
    if not _start(table, problems):
        return []
    existing = {
        t.number: t
        for t in resolution.tasks.prefetch_related("cooperating", "assignees", "targets")
    }
    names = set()
    for n, v in table.rows:
        names |= set(_Row(table, n, v, []).codes("assignees"))
    people = {
        u.get_username(): u
        for u in get_user_model().objects.filter(username__in=names, is_active=True)
    }
    seen: dict[int, int] = {}
    changes = []
    for number, values in table.rows:
        row = _Row(table, number, values, problems)
        n = _row_number(row, number, seen, _("task %(n)d is also in row %(r)d"))
        for name in ("title", "expected_result"):
            if not row.text(name):
                row.problem(name, _("%(c)s is missing") % {"c": name})
        owner = units.get(row.text("owner"))
        if owner is None:
            row.problem(
                "owner", _("unknown unit '%(u)s' in this resolution") % {"u": row.text("owner")}
            )
        cooperating = []
        for code in row.codes("cooperating"):
            if code in units:
                cooperating.append(units[code])
            else:
                row.problem(
                    "cooperating", _("unknown unit '%(u)s' in this resolution") % {"u": code}
                )
        assignees = []
        for name in row.codes("assignees"):
            if name in people:
                assignees.append(people[name])
            else:
                row.problem("assignees", _("unknown person '%(p)s'") % {"p": name})
        linked = []
        for code in row.codes("targets"):
            if code.isdigit() and int(code) in target_numbers:
                linked.append(int(code))
            else:
                row.problem("targets", _("no target %(t)s in this resolution") % {"t": code})
        start, deadline = row.date_of("start"), row.date_of("deadline")
        if deadline is None and not row.bad:
            row.problem("deadline", _("the deadline is missing"))
        if row.bad:
            continue
        fields = {
            "title": row.text("title")[:300],
            "owner": owner,
            "start": start,
            "deadline": deadline,
            "expected_result": row.text("expected_result"),
            "description": row.text("description"),
            "process_notes": row.text("process_notes"),
        }
        try:
            Task(resolution=resolution, number=n, **fields).clean()
        except ValidationError as exc:
            _model_problems(row, exc, {f: f for f in TASK_COLUMNS})
            continue
        old = existing.get(n)
        change = _diff(old, fields)
        links = {
            "cooperating": sorted(u.code for u in cooperating),
            "assignees": sorted(u.get_username() for u in assignees),
            "targets": sorted(linked),
        }
        if old is not None:
            before = {
                "cooperating": sorted(u.code for u in old.cooperating.all()),
                "assignees": sorted(u.get_username() for u in old.assignees.all()),
                "targets": sorted(t.number for t in old.targets.all()),
            }
            change += [k for k in links if links[k] != before[k]]
        else:
            before = None
        if old is None or change:
            changes.append(
                {
                    "sheet": "tasks",
                    "row": number,
                    "number": n,
                    "title": fields["title"],
                    "action": "new" if old is None else "change",
                    "changed": change,
                    "before": _before(old, fields, before),
                }
            )
    return changes


def check(tables: dict[str, Sheet], resolution: Resolution, user) -> tuple[list, list]:
    """The changes an upload would make and its problems (each with its place)."""
    problems: list[tuple[str, str]] = []
    if not access.can_assign(user, resolution):
        return [], [("file", _("only the steering office changes targets and tasks"))]
    units = {u.code: u for u in Unit.objects.subtree(resolution.unit)}
    changes = []
    numbers = set(resolution.targets.values_list("number", flat=True))
    if "targets" in tables:
        changes += _check_targets(tables["targets"], resolution, units, problems)
        for _n, values in tables["targets"].rows:
            n = _Row(tables["targets"], _n, values, []).number_of("number", whole=True)
            if n is not None:
                numbers.add(n)
    if "tasks" in tables:
        changes += _check_tasks(tables["tasks"], resolution, units, numbers, problems)
    problems.sort(key=lambda p: (p[0].split(",")[0], problem_order(p[0])))
    return changes, problems


def preview(file, resolution: Resolution, user) -> PlanUpload:
    """Read and check a workbook; store it as a preview (nothing else changes)."""
    data = file.read()
    try:
        changes, problems = check(read_workbook(data), resolution, user)
    except FileProblem as exc:
        changes, problems = [], exc.problems
    file.seek(0)
    upload = PlanUpload(
        resolution=resolution,
        filename=file.name[:255],
        rows=changes,
        problems=[list(p) for p in problems],
        uploaded_by=user,
        state=PlanUpload.State.REJECTED if problems else PlanUpload.State.PREVIEW,
    )
    upload.file.save(file.name, file, save=False)
    upload.save()
    return upload


class UploadError(ValueError):
    pass


def commit(upload: PlanUpload, user) -> int:
    """Store every change of a previewed upload, or none: the file is checked again and
    must give the same changes as its preview."""
    with transaction.atomic():
        locked = PlanUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.uploaded_by_id != user.pk:
            raise UploadError(_("Only the person who uploaded the file can commit it."))
        if locked.state != PlanUpload.State.PREVIEW:
            raise UploadError(
                _("This upload is %(s)s and cannot be committed.")
                % {"s": locked.get_state_display()}
            )
        with locked.file.open("rb") as f:
            tables = read_workbook(f.read())
        resolution = locked.resolution
        changes, problems = check(tables, resolution, user)
        if problems or changes != locked.rows:
            raise UploadError(
                _("The targets or tasks changed since the preview; upload the file again.")
            )
        _apply(tables, resolution, user, {(c["sheet"], c["number"]) for c in changes})
        locked.state = PlanUpload.State.COMMITTED
        locked.committed_at = timezone.now()
        locked.save(update_fields=["state", "committed_at"])
        return len(changes)


def _apply(tables, resolution: Resolution, user, wanted: set[tuple[str, int]]) -> None:
    units = {u.code: u for u in Unit.objects.subtree(resolution.unit)}
    pillars = {p.code: p for p in resolution.pillars.all()}
    if "targets" in tables:
        table = tables["targets"]
        for number, values in table.rows:
            row = _Row(table, number, values, [])
            n = row.number_of("number", whole=True)
            if ("targets", n) not in wanted:
                continue
            target = Target.objects.filter(resolution=resolution, number=n).first() or Target(
                resolution=resolution, number=n
            )
            target.pillar = pillars.get(row.text("pillar"))
            target.title = row.text("title")[:300]
            target.unit = units[row.text("unit")]
            code = row.text("indicator")
            target.indicator = Indicator.objects.get(code=code) if code else None
            target.comparison = COMPARISONS.get(row.text("comparison"), "")
            target.value = row.number_of("value")
            target.deadline = row.text("deadline")
            target.baseline = row.number_of("baseline")
            target.baseline_period = row.text("baseline_period")
            target._history_user = user
            target.save()
    if "tasks" in tables:
        table = tables["tasks"]
        targets = {t.number: t for t in resolution.targets.all()}
        people = get_user_model().objects
        for number, values in table.rows:
            row = _Row(table, number, values, [])
            n = row.number_of("number", whole=True)
            if ("tasks", n) not in wanted:
                continue
            task = Task.objects.filter(resolution=resolution, number=n).first() or Task(
                resolution=resolution, number=n, created_by=user
            )
            task.title = row.text("title")[:300]
            task.owner = units[row.text("owner")]
            task.start = row.date_of("start")
            task.deadline = row.date_of("deadline")
            task.expected_result = row.text("expected_result")
            task.description = row.text("description")
            task.process_notes = row.text("process_notes")
            task._history_user = user
            task.save()
            task.cooperating.set([units[c] for c in row.codes("cooperating")])
            task.assignees.set(people.filter(username__in=row.codes("assignees")))
            task.targets.set([targets[int(c)] for c in row.codes("targets")])
