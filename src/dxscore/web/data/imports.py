"""Excel and CSV values files: a template to fill in, a dry-run preview of an upload, and
its commit in one transaction.

A preview lists every change (old value, new value) and every problem, each named by
sheet, row and column. Nothing is stored until the person commits; the commit checks
again that nobody changed the same values in between, and stores all rows or none.
"""

from __future__ import annotations

import math
import re

import pandas as pd
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from dxscore import figures
from dxscore import index as ix
from dxscore.tables import append, put, workbook_bytes
from dxscore.web import l10n
from dxscore.web.data.collect import Input, inputs, reporting_units
from dxscore.web.data.models import (
    EDITABLE,
    Channel,
    Indicator,
    Methodology,
    Period,
    Status,
    Upload,
    Value,
)
from dxscore.web.data.workflow import (
    EntryNotAllowed,
    WorkflowError,
    audit,
    check_scope_in_force,
    scope_ended,
)
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit, code_spans, not_on_map
from dxscore.web.sheets import (
    FileProblem,
    Sheet,
    cell_number,
    cell_text,
    problem_order,
    read_csv,
    read_xlsx,
    style_header,
)

SHEET = "values"
COLUMNS = [
    "unit",
    "unit_name",
    "period",
    "indicator",
    "indicator_name",
    "unit_of_measure",
    "valid_range",
    "last_period",
    "value",
    "comment",
]
REQUIRED = ("unit", "period", "indicator", "value")


# --- template ---------------------------------------------------------------------------


def template_units(methodology: Methodology, period: Period, unit: Unit, user) -> list[Unit]:
    """The units a template for ``unit`` covers: the reporting units below it (or it
    alone) that the person may enter for."""
    below = [
        u
        for u in reporting_units(methodology, period, user, scope.ENTER).filter(
            path__startswith=unit.path
        )
    ]
    return below or [unit]


def build_template(methodology: Methodology, period: Period, units: list[Unit]) -> bytes:
    """An .xlsx with one row per unit and input, dropdowns for unit and indicator codes
    and the valid range of each value as data validation."""
    specs = inputs(methodology)
    codes = [s.code for s in specs]
    current = {
        (v.unit_id, v.indicator.code): v
        for v in Value.objects.select_related("indicator").filter(
            period=period, unit__in=units, indicator__code__in=codes
        )
    }
    before = period.previous()
    previous = {}
    if before is not None:
        previous = {
            (u, c): x
            for u, c, x in Value.objects.filter(
                period=before, unit__in=units, indicator__code__in=codes, status=Status.APPROVED
            ).values_list("unit_id", "indicator__code", "value")
        }
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    append(ws, COLUMNS)
    validations: dict[tuple, DataValidation] = {}
    row = 1
    for unit in units:
        for spec in specs:
            row += 1
            existing = current.get((unit.pk, spec.code))
            cells = [
                unit.code,
                unit.name,
                period.code,
                spec.code,
                spec.name,
                spec.measure,
                spec.range_text,
                previous.get((unit.pk, spec.code)),
                existing.value if existing else None,
                existing.comment if existing else None,
            ]
            for col, content in enumerate(cells, start=1):
                put(ws, row, col, content)
            # the real number, shown by its kind: a rate as 96.8% (the cell holds 0.968...)
            fmt = figures.excel_format(spec.figure)
            if fmt != "General":
                for letter in "HI":  # last period, value
                    ws[f"{letter}{row}"].number_format = fmt
            key = (spec.low, spec.high)
            if key not in validations:
                validations[key] = _range_validation(spec)
            validations[key].add(f"I{row}")
    lists = wb.create_sheet("lists")
    lists.sheet_state = "hidden"
    append(lists, ["unit", "indicator"])
    for i, code in enumerate([u.code for u in units], start=2):
        put(lists, i, 1, code)
    for i, code in enumerate(codes, start=2):
        put(lists, i, 2, code)
    last = max(row, 2)
    unit_list = DataValidation(
        type="list", formula1=f"lists!$A$2:$A${len(units) + 1}", allow_blank=False
    )
    unit_list.add(f"A2:A{last}")
    code_list = DataValidation(
        type="list", formula1=f"lists!$B$2:$B${len(codes) + 1}", allow_blank=False
    )
    code_list.add(f"D2:D{last}")
    for dv in [unit_list, code_list, *validations.values()]:
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
    help_sheet = wb.create_sheet("help")
    append(help_sheet, ["indicator", "name", "unit_of_measure", "valid_range", "help"])
    for spec in specs:
        append(help_sheet, [spec.code, spec.name, spec.measure, spec.range_text, spec.help])
    style_header(ws, 18, {"E": 40})
    style_header(help_sheet, 18)
    return workbook_bytes(wb)


def cell_rate(content: str, language: str) -> float | None:
    """A rate's text cell: a percentage with its sign (``96,8%``) or the fraction."""
    if figures.is_percentage(content):
        return figures.parse_figure(content, figures.RATE, language)
    return cell_number(content, language)


def _num(x: float) -> str:
    return format(x, ".15g")


def _range_validation(spec: Input) -> DataValidation:
    message = _("Enter a number") + (f" {spec.range_text}" if spec.range_text else "")
    common = {"type": "decimal", "allow_blank": True, "error": message, "errorTitle": spec.code}
    if spec.low is not None and spec.high is not None:
        return DataValidation(
            operator="between", formula1=_num(spec.low), formula2=_num(spec.high), **common
        )
    if spec.low is not None:
        return DataValidation(operator="greaterThanOrEqual", formula1=_num(spec.low), **common)
    if spec.high is not None:
        return DataValidation(operator="lessThanOrEqual", formula1=_num(spec.high), **common)
    return DataValidation(operator="between", formula1="-1E+300", formula2="1E+300", **common)


# --- checking ---------------------------------------------------------------------------


def check(
    table: Sheet, methodology: Methodology, period: Period, user, language: str | None = None
) -> tuple[list[dict], list[tuple[str, str]], int]:
    """The changes an upload would make, its problems, and how many rows change nothing.
    Text cells of values are read as ``language`` (the person's by default) writes
    numbers; a value that reads two ways is a problem of its row and column."""
    problems: list[tuple[str, str]] = []
    language = language or l10n.language()
    col = {name: i for i, name in enumerate(table.header) if name}
    missing = [c for c in REQUIRED if c not in col]
    if missing:
        where = f"sheet '{table.sheet}', row 1" if table.sheet else "row 1"
        return [], [(where, _("missing column(s): %(c)s") % {"c": ", ".join(missing)})], 0
    for number, c in table.formulas:
        problems.append((table.where(number, c), _("formulas are not accepted: type the value")))
    if ended := scope_ended(user, period):
        return [], [("file", ended)], 0

    def cell(values, name):
        i = col.get(name)
        return values[i] if i is not None and i < len(values) else None

    # numbers as the file's language writes them (numeric cells are numbers as they are)
    bad_rows = {n for n, _c in table.formulas}
    values: list[float | None] = []
    kinds = {s.code: s.figure for s in inputs(methodology)}
    for number, v in table.rows:
        content = cell(v, "value")
        try:
            code = cell_text(cell(v, "indicator"))
            if kinds.get(code) == figures.RATE and isinstance(content, str):
                # a rate's text cell may be a percentage: "96,8%" is 0.968
                values.append(cell_rate(content, language))
            else:
                values.append(cell_number(content, language))
        except l10n.NumberProblem as problem:
            problems.append((table.where(number, col["value"]), l10n.message(problem)))
            bad_rows.add(number)
            values.append(None)

    # the engine's checks: indicator codes, valid ranges, duplicates
    frame = pd.DataFrame(
        {
            "unit": [cell_text(cell(v, "unit")) for _, v in table.rows],
            "period": [cell_text(cell(v, "period")) for _, v in table.rows],
            "indicator": [cell_text(cell(v, "indicator")) for _, v in table.rows],
            "value": values,
        },
        dtype=object,
    )
    rows = [n for n, _ in table.rows]
    if len(frame):
        try:
            ix.dataset_from_frame(
                frame, methodology.compiled(), source="upload", first_row=0, partial=True
            )
        except ix.DataError as exc:
            for problem in exc.problems:
                if getattr(problem, "row", None) is None:
                    continue  # a rule about the whole table, not about one of its rows
                message = re.sub(
                    r"duplicate of row (\d+)",
                    lambda m: _("duplicate of row %(r)d") % {"r": rows[int(m.group(1))]},
                    problem.message,
                )
                row = rows[problem.row]
                bad_rows.add(row)
                c = col.get(problem.column) if problem.column else None
                problems.append((table.where(row, c), message))

    # the platform's checks: units, scope, period, locked values
    # each code is read on the map of the period's last day (``docs/units.md``)
    units = Unit.objects.on_map(set(frame["unit"]) - {""}, period.end)
    spans = code_spans(set(frame["unit"]) - set(units) - {""})
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=methodology.inputs())}
    existing = {
        (v.unit_id, v.indicator.code): v
        for v in Value.objects.select_related("indicator").filter(
            period=period, unit__in=units.values(), indicator__in=indicators.values()
        )
    }
    changes, unchanged = [], 0
    for (number, cells), (_i, r) in zip(table.rows, frame.iterrows(), strict=True):
        unit = units.get(r["unit"])
        if unit is None:
            if r["unit"]:
                message = not_on_map(r["unit"], period.end, spans, period.code)
                problems.append((table.where(number, col["unit"]), message))
            continue
        if not scope.allows(user, scope.ENTER, unit):
            problems.append(
                (
                    table.where(number, col["unit"]),
                    _("you may not enter values for %(u)s") % {"u": unit},
                )
            )
            continue
        if r["period"] and r["period"] != period.code:
            problems.append(
                (
                    table.where(number, col["period"]),
                    _("this upload is for period %(p)s, not %(q)s")
                    % {"p": period.code, "q": r["period"]},
                )
            )
            continue
        if r["indicator"] not in indicators or number in bad_rows:
            continue  # reported by the engine's check
        comment = cell_text(cell(cells, "comment"))
        value = r["value"]
        old = existing.get((unit.pk, r["indicator"]))
        if (
            old is not None
            and same_number(old.value, value)
            and (old.comment == comment or not comment)
        ):
            unchanged += 1
            continue
        if old is None and value is None and not comment:
            unchanged += 1
            continue
        if indicators[r["indicator"]].source in Indicator.COMPUTED:
            problems.append(
                (
                    table.where(number, col["value"]),
                    _("%(c)s is computed from dossiers and read-only") % {"c": r["indicator"]},
                )
            )
            continue
        if old is not None and old.status not in EDITABLE:
            problems.append(
                (
                    table.where(number, col["value"]),
                    _("%(c)s of %(u)s is %(s)s and locked")
                    % {"c": r["indicator"], "u": unit.code, "s": old.get_status_display()},
                )
            )
            continue
        changes.append(
            {
                "row": number,
                "unit": unit.pk,
                "unit_code": unit.code,
                "unit_name": unit.name,
                "indicator": r["indicator"],
                "value": value,
                "comment": comment or (old.comment if old else ""),
                "old_value": old.value if old else None,
                "old_version": old.updated_at.isoformat() if old else None,
            }
        )
    problems.sort(key=lambda p: problem_order(p[0]))
    return changes, problems, unchanged


SPREADSHEET_DIGITS = 15  # significant digits a spreadsheet keeps of a number


def same_number(a: float | None, b: float | None) -> bool:
    """Equal to the precision a spreadsheet keeps: a value written into a template and
    read back (0.33820694087403597 becomes 0.338206940874036) is the same value."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=10.0 ** (1 - SPREADSHEET_DIGITS), abs_tol=1e-300)


def preview(
    file, methodology: Methodology, period: Period, unit: Unit, user, language: str | None = None
) -> Upload:
    """Read and check an uploaded file; store it as a preview (nothing else changes).
    ``language`` says how the file's text cells write numbers (the person's language by
    default)."""
    data = file.read()
    name = file.name
    try:
        table = read_xlsx(data, SHEET) if name.lower().endswith(".xlsx") else read_csv(data)
        changes, problems, unchanged = check(table, methodology, period, user, language)
    except FileProblem as exc:
        changes, problems, unchanged = [], exc.problems, 0
    file.seek(0)
    upload = Upload(
        methodology=methodology,
        period=period,
        unit=unit,
        filename=name[:255],
        rows=changes,
        problems=[list(p) for p in problems],
        uploaded_by=user,
        state=Upload.State.REJECTED if problems else Upload.State.PREVIEW,
    )
    upload.file.save(name, file, save=False)
    upload.unchanged = unchanged
    upload.save()
    return upload


def commit(upload: Upload, user) -> int:
    """Store every change of a previewed upload, or none of them."""
    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.uploaded_by_id != user.pk:
            raise EntryNotAllowed(_("Only the person who uploaded the file can commit it."))
        if locked.state != Upload.State.PREVIEW:
            raise WorkflowError(
                _("This upload is %(s)s and cannot be committed.")
                % {"s": locked.get_state_display()}
            )
        check_scope_in_force(user, locked.period)
        indicators = {
            i.code: i for i in Indicator.objects.filter(code__in=locked.methodology.inputs())
        }
        now = timezone.now()
        for change in locked.rows:
            unit = Unit.objects.get(pk=change["unit"])
            if not scope.allows(user, scope.ENTER, unit):
                raise EntryNotAllowed(_("You may not enter values for %(u)s.") % {"u": unit})
            value = (
                Value.objects.select_for_update()
                .filter(unit=unit, period=locked.period, indicator=indicators[change["indicator"]])
                .first()
            )
            version = value.updated_at.isoformat() if value else None
            if version != change["old_version"] or (value and value.status not in EDITABLE):
                raise WorkflowError(
                    _("Row %(r)d: %(c)s of %(u)s changed since the preview; upload the file again.")
                    % {"r": change["row"], "c": change["indicator"], "u": unit.code}
                )
            if value is None:
                value = Value(
                    unit=unit, period=locked.period, indicator=indicators[change["indicator"]]
                )
            value.value = change["value"]
            value.comment = change["comment"]
            if value.status == Status.RETURNED:
                value.status = Status.DRAFT
            value.updated_by = user
            value.updated_at = now
            value.channel, value.upload = Channel.UPLOAD, locked
            audit(value, user, _("upload %(f)s") % {"f": locked.filename})
            value.save()
        locked.state = Upload.State.COMMITTED
        locked.committed_at = now
        locked.save(update_fields=["state", "committed_at"])
        return len(locked.rows)
