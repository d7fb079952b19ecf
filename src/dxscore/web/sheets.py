"""Spreadsheets in the platform, once: reading uploaded sheets and CSV files within the
upload limits (``dxscore.safefiles``) as ``Sheet``s whose every cell can be named by sheet,
row and column, and writing workbooks with one header style. Values (``data.imports``),
targets and tasks (``plans.excel``) and the dashboards' downloads use it; text cells are
never formulas (``dxscore.tables``)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from dxscore import numbers, safefiles
from dxscore.errors import Problems
from dxscore.safefiles import UnsafeFile
from dxscore.tables import read_text
from dxscore.web.upload_limits import message as limit_message
from dxscore.web.upload_limits import upload_limits

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")


def style_header(ws, width: float | None = 16, widths: dict[str, float] | None = None) -> None:
    """The one look of a sheet's header row: bold on light blue, frozen below it, and
    column widths (``width`` for every column, ``widths`` by letter over it)."""
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    ws.freeze_panes = "A2"
    if width is not None:
        for col in range(1, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(col)].width = width
    for letter, w in (widths or {}).items():
        ws.column_dimensions[letter].width = w


# --- reading ----------------------------------------------------------------------------


@dataclass
class Sheet:
    """Cells of an uploaded sheet (or CSV file) by header name, with the file's own row
    numbers, so every problem can name its sheet, row and column."""

    sheet: str | None
    header: list[str]
    rows: list[tuple[int, list]]  # (file row number, cells)
    formulas: list[tuple[int, int]]  # (file row number, column index)

    def where(self, row: int, col: int | None = None) -> str:
        place = f"sheet '{self.sheet}', row {row}" if self.sheet else f"row {row}"
        if col is None:
            return place
        name = self.header[col] if col < len(self.header) else ""
        return f"{place}, column {get_column_letter(col + 1)} ({name})"


class FileProblem(Problems):
    """An uploaded file that cannot be read: ``(where, message)`` pairs."""


SHOWN_NUL = 50  # places of NUL characters listed (the count is always given)


def _refused(exc: UnsafeFile) -> FileProblem:
    return FileProblem([("file", limit_message(exc))])


def open_workbook(data: bytes, sheets=None, limits=None, budget=None):
    """An uploaded workbook, read-only, formulas kept as formulas (to refuse them). The
    file is checked first (``dxscore.safefiles``: parts, unpacked sizes, and the sheets
    that ``sheets`` picks, which default to all): nothing parses a refused file."""
    limits = limits or upload_limits()
    try:
        safefiles.check_xlsx(data, limits, sheets=sheets, budget=budget)
    except UnsafeFile as exc:
        raise _refused(exc) from None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign file
        raise FileProblem(
            [("file", _("cannot read this Excel file: %(e)s") % {"e": exc})]
        ) from None


def read_sheets(data: bytes, pick) -> dict[str, Sheet]:
    """The sheets ``pick`` chooses (from the worksheet names, in order) as tables, read
    within the upload limits and one time budget."""
    limits = upload_limits()
    budget = limits.budget()
    wb = open_workbook(data, sheets=pick, limits=limits, budget=budget)
    try:
        names = [ws.title for ws in wb.worksheets]
        return {name: sheet_table(wb[name], limits, budget) for name in pick(names)}
    finally:
        wb.close()


def _where_cell(sheet: str | None, row: int, col: int) -> str:
    place = f"sheet '{sheet}', row {row}" if sheet else f"row {row}"
    return f"{place}, column {get_column_letter(col + 1)}"


def sheet_table(ws, limits=None, budget=None) -> Sheet:
    """One sheet as a ``Sheet``: its first row the header (lower-cased), then the rows
    that are not empty with their sheet row numbers; formula cells are emptied and
    listed so that the check can refuse them. A text cell is text even when it starts
    with "=" (the project's own downloads write names that way), so it round-trips.
    Rows (empty ones too), columns, cell length and time are counted as the rows are
    read; NUL characters are refused."""
    limits = limits or upload_limits()
    budget = budget or limits.budget()
    ws.reset_dimensions()  # the rows the file holds, not the extent it declares
    rows, formulas, header, nul = [], [], None, []
    try:
        for number, cells in enumerate(ws.iter_rows(), start=1):
            if number > limits.max_rows:
                raise UnsafeFile("rows", where=f"sheet '{ws.title}'", limit=limits.max_rows)
            if len(cells) > limits.max_columns:
                where = f"sheet '{ws.title}'"
                raise UnsafeFile("columns", where=where, limit=limits.max_columns)
            if number % 1000 == 0:
                budget.check()
            values = []
            for col, cell in enumerate(cells):
                content = cell.value
                if isinstance(content, str):
                    if len(content) > limits.max_cell_chars:
                        where = _where_cell(ws.title, number, col)
                        raise UnsafeFile("cell_chars", where=where, limit=limits.max_cell_chars)
                    if "\x00" in content:
                        nul.append((number, col))
                        content = None
                if cell.data_type == "f":
                    formulas.append((number, col))
                    content = None
                values.append(content)
            if header is None:
                header = [str(v).strip().lower() if v is not None else "" for v in values]
                continue
            if any(v not in (None, "") for v in values):
                rows.append((number, values))
    except UnsafeFile as exc:
        raise _refused(exc) from None
    table = Sheet(ws.title, header or [], rows, formulas)
    _refuse_nul(table, nul)
    return table


def _refuse_nul(table: Sheet, places: list[tuple[int, int]]) -> None:
    if not places:
        return
    reason = _("a NUL character (code 0) is not allowed in text")
    problems = [(table.where(row, col), reason) for row, col in places[:SHOWN_NUL]]
    if len(places) > SHOWN_NUL:
        more = _("%(n)d more cells with a NUL character") % {"n": len(places) - SHOWN_NUL}
        problems.append(("file", more))
    raise FileProblem(problems)


def read_xlsx(data: bytes, sheet: str) -> Sheet:
    """The sheet named ``sheet``, else the first one."""
    tables = read_sheets(data, lambda names: [sheet] if sheet in names else names[:1])
    if not tables:
        raise FileProblem([("file", _("the workbook has no sheet"))])
    return next(iter(tables.values()))


DELIMITERS = ",;\t"


def csv_delimiter(text: str) -> str:
    """The separator of a CSV file's columns, from its header line: a comma, a semicolon
    (what Excel writes where the decimal mark is a comma, as in Vietnamese) or a tab,
    whichever the header holds most of outside quotes; a comma if none."""
    line = text.split("\n", 1)[0]
    line = re.sub(r'"[^"]*"', "", line)
    counts = {d: line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes) -> Sheet:
    """A CSV file (UTF-8, with or without a byte order mark; columns separated by commas,
    semicolons or tabs: ``csv_delimiter``) as a ``Sheet``."""
    limits = upload_limits()
    budget = limits.budget()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem([("file", _("not UTF-8 text"))]) from None
    reader = csv.reader(io.StringIO(text), delimiter=csv_delimiter(text))
    header, rows, formulas, nul = None, [], [], []
    number = 0
    try:
        for number, values in enumerate(reader, start=1):
            if number > limits.max_rows:
                raise UnsafeFile("rows", where="file", limit=limits.max_rows)
            if len(values) > limits.max_columns:
                raise UnsafeFile("columns", where=f"row {number}", limit=limits.max_columns)
            if number % 1000 == 0:
                budget.check()
            for col, content in enumerate(values):
                if len(content) > limits.max_cell_chars:
                    where = _where_cell(None, number, col)
                    raise UnsafeFile("cell_chars", where=where, limit=limits.max_cell_chars)
                if "\x00" in content:
                    nul.append((number, col))
                    values[col] = ""
                elif content.startswith("="):
                    formulas.append((number, col))
                    values[col] = ""
                else:
                    values[col] = read_text(content)  # '=x written by a download is =x
            if header is None:
                header = [v.strip().lower() for v in values]  # read_text above
                continue
            if any(v.strip() for v in values):
                rows.append((number, values))
    except UnsafeFile as exc:
        raise _refused(exc) from None
    except csv.Error as exc:  # a field longer than the csv module takes, a stray quote
        where = f"row {number + 1}"
        raise FileProblem([(where, _("cannot be read as CSV: %(e)s") % {"e": exc})]) from None
    table = Sheet(None, header or [], rows, formulas)
    _refuse_nul(table, nul)
    return table


MISSING = {"NA", "N/A", "NAN", "NULL", "-"}  # text cells that mean "no value" (the engine's)


def cell_number(content, language: str) -> float | None:
    """A cell as a number: a numeric cell is its number whatever the language; a text
    cell is read as ``language`` writes numbers (``0,6`` is 0.6 in Vietnamese), and one
    that reads two ways (``1,234`` in English) or none raises ``NumberProblem``. Empty
    cells and the markers of a missing value give ``None``."""
    if content is None or isinstance(content, bool):
        return None
    if isinstance(content, int | float):
        return float(content)
    text = str(content).strip()
    if not text or text.upper() in MISSING:
        return None
    return numbers.parse_number(text, language)


def cell_text(content) -> str:
    """A cell as text people typed: whole numbers without ``.0``, no surrounding spaces."""
    if content is None:
        return ""
    if isinstance(content, float) and content.is_integer():
        return str(int(content))
    return str(content).strip()


def problem_order(where: str):
    """Sort key of a problem's place: by row number, then by the text."""
    match = re.search(r"row (\d+)", where)
    return (int(match.group(1)) if match else 0, where)
