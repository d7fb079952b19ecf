"""Inspections in Excel: the figures as a workbook, and a plan's planned inspections
down and up again. An upload is checked whole first (a dry-run preview listing every
change and every problem by sheet, row and column, nothing stored), then committed all
or nothing after the file is checked again against its preview, as targets and tasks
are (``plans/excel.py``). Rows are matched by number within the plan; rows missing
from the file are left as they are."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from dxscore.tables import append, workbook_bytes
from dxscore.web.inspections import access
from dxscore.web.inspections.models import InspectionPlan, PlannedInspection, PlanUpload
from dxscore.web.orgs.models import Unit
from dxscore.web.sheets import (
    FileProblem,
    Sheet,
    cell_text,
    problem_order,
    read_sheets,
    style_header,
)

COLUMNS = ["number", "topic", "subjects", "period_inspected", "quarter"]
REQUIRED = ("number", "topic", "subjects", "quarter")
SHEET = "inspections"

FIGURE_COLUMNS = [
    "unit",
    "name",
    "planned",
    "opened",
    "done",
    "done_planned",
    "on_time",
    "recommendations",
    "financial",
    "administrative",
    "rules",
    "other",
    "implemented",
    "partly_implemented",
    "in_progress",
    "overdue",
    "not_implemented",
    "amount_recommended",
    "amount_recovered",
    "due",
    "implemented_on_time",
    "share_on_time",
]


def figure_row(unit, f) -> list:
    return [
        unit.code if unit else f.key,
        unit.name if unit else "",
        f.planned,
        f.opened,
        f.done,
        f.done_planned,
        f.on_time,
        f.recommendations,
        *f.by_kind.values(),
        *f.by_status.values(),
        f.amount_recommended,
        f.amount_recovered,
        f.due,
        f.implemented_on_time,
        f.share_on_time,
    ]


def figures_workbook(period: str, tables: dict[str, list]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for by, rows in tables.items():
        ws = wb.create_sheet(f"by {by}")
        append(ws, ["period", *FIGURE_COLUMNS])
        for unit, f in rows:
            append(ws, [period, *figure_row(unit, f)])
        style_header(ws, 14, {"C": 40})
    return workbook_bytes(wb)


def export(plan: InspectionPlan) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    append(ws, COLUMNS)
    for item in plan.items.prefetch_related("subjects"):
        append(
            ws,
            [
                item.number,
                item.topic,
                ", ".join(u.code for u in item.subjects.all()),
                item.period_inspected,
                item.quarter,
            ],
        )
    style_header(ws, 16, {"B": 50})
    return workbook_bytes(wb)


def _whole(content) -> int | None:
    text = cell_text(content)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None


class _Row:
    """One row's cells by column name, collecting problems with their places."""

    def __init__(self, table: Sheet, col: dict, line: int, values: list, problems: list):
        self.table, self.col, self.line, self.values = table, col, line, values
        self.problems = problems
        self.bad = False

    def cell(self, name: str):
        i = self.col.get(name)
        return self.values[i] if i is not None and i < len(self.values) else None

    def problem(self, name: str, message: str) -> None:
        self.problems.append((self.table.where(self.line, self.col.get(name)), message))
        self.bad = True


def check(table: Sheet, plan: InspectionPlan, user) -> tuple[list[dict], list[tuple[str, str]]]:
    """The changes the sheet would make and its problems, each with its place."""
    if not access.can_manage_plan(user, plan):
        return [], [("file", _("only the body's leaders change its plan"))]
    if not plan.editable:
        return [], [("file", _("an approved plan is amended first"))]
    problems: list[tuple[str, str]] = []
    missing = [c for c in REQUIRED if c not in table.header]
    if missing:
        return [], [
            (
                f"sheet '{table.sheet}', row 1",
                _("missing column(s): %(c)s") % {"c": ", ".join(missing)},
            )
        ]
    for number, c in table.formulas:
        problems.append((table.where(number, c), _("formulas are not accepted: type the value")))
    col = {name: i for i, name in enumerate(table.header) if name}
    codes = set()
    for _n, values in table.rows:
        i = col["subjects"]
        codes |= {
            c.strip()
            for c in cell_text(values[i] if i < len(values) else "").replace(";", ",").split(",")
            if c.strip()
        }
    # a code is read on the map of the plan's year (the unit that began last, if two did)
    year = Unit.objects.valid_between(dt.date(plan.year, 1, 1), dt.date(plan.year, 12, 31))
    units = {
        u.code: u
        for u in year.filter(code__in=codes).order_by(F("valid_from").asc(nulls_first=True))
    }
    existing = {i.number: i for i in plan.items.prefetch_related("subjects")}
    seen: dict[int, int] = {}
    changes = []
    for line, values in table.rows:
        row = _Row(table, col, line, values, problems)
        cell, problem = row.cell, row.problem
        n = _whole(cell("number"))
        if n is None or n < 1:
            problem(
                "number",
                _("'%(v)s' is not a whole number from 1") % {"v": cell_text(cell("number"))},
            )
        elif n in seen:
            problem("number", _("inspection %(n)d is also in row %(r)d") % {"n": n, "r": seen[n]})
        else:
            seen[n] = line
        topic = cell_text(cell("topic"))
        if not topic:
            problem("topic", _("the topic is missing"))
        elif len(topic) > 300:
            problem("topic", _("the topic is longer than 300 characters"))
        subjects = [
            c.strip() for c in cell_text(cell("subjects")).replace(";", ",").split(",") if c.strip()
        ]
        if not subjects:
            problem("subjects", _("name at least one subject unit"))
        for code in subjects:
            if code not in units:
                problem("subjects", _("unknown unit '%(u)s'") % {"u": code})
        quarter = _whole(cell("quarter"))
        if quarter is None or not 1 <= quarter <= 4:
            problem("quarter", _("the quarter is 1, 2, 3 or 4"))
        period = cell_text(cell("period_inspected"))[:40]
        if row.bad:
            continue
        fields = {
            "topic": topic,
            "subjects": sorted(subjects),
            "period_inspected": period,
            "quarter": quarter,
        }
        old = existing.get(n)
        before = None
        if old is not None:
            before = {
                "topic": old.topic,
                "subjects": sorted(u.code for u in old.subjects.all()),
                "period_inspected": old.period_inspected,
                "quarter": old.quarter,
            }
        changed = [k for k in fields if before is None or before[k] != fields[k]]
        if old is None or changed:
            changes.append(
                {
                    "row": line,
                    "number": n,
                    "action": "new" if old is None else "change",
                    "changed": changed if old else [],
                    "fields": fields,
                    "before": before,
                }
            )
    problems.sort(key=lambda p: problem_order(p[0]))
    return changes, problems


def read(data: bytes) -> Sheet:
    tables = read_sheets(data, lambda names: [SHEET] if SHEET in names else names[:1])
    if not tables:
        raise FileProblem([("file", _("the workbook has no sheet"))])
    return next(iter(tables.values()))


def preview(file, plan: InspectionPlan, user) -> PlanUpload:
    """Read and check a workbook; store it as a preview (nothing else changes)."""
    data = file.read()
    try:
        changes, problems = check(read(data), plan, user)
    except FileProblem as exc:
        changes, problems = [], exc.problems
    file.seek(0)
    upload = PlanUpload(
        plan=plan,
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
    """Store every change of a previewed upload, or none."""
    with transaction.atomic():
        locked = PlanUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.uploaded_by_id != user.pk:
            raise UploadError(_("Only the person who uploaded the file can commit it."))
        if locked.state != PlanUpload.State.PREVIEW:
            raise UploadError(_("This upload cannot be committed any more."))
        with locked.file.open("rb") as f:
            changes, problems = check(read(f.read()), locked.plan, user)
        if problems or changes != locked.rows:
            raise UploadError(_("The plan changed since the preview; upload the file again."))
        plan = locked.plan
        for change in changes:
            f = change["fields"]
            item = plan.items.filter(number=change["number"]).first() or PlannedInspection(
                plan=plan, number=change["number"]
            )
            item.topic, item.period_inspected, item.quarter = (
                f["topic"],
                f["period_inspected"],
                f["quarter"],
            )
            item._history_user = user
            item.save()
            item.subjects.set(Unit.objects.filter(code__in=f["subjects"]))
        locked.state = PlanUpload.State.COMMITTED
        locked.committed_at = timezone.now()
        locked.save(update_fields=["state", "committed_at"])
        return len(changes)
