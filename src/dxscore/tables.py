"""Writing tables to files, chosen by extension, atomically; and the one rule for every
spreadsheet the project writes: text a person typed is never a formula.

One place for every command that writes ``--out FILE``: the file appears complete or
not at all (a temporary file in the same folder is renamed over the target).

Formula injection (OWASP "CSV Injection"): a unit, indicator or procedure named
``=HYPERLINK(...)`` or ``@SUM(...)`` must not run when an officer opens a download in a
spreadsheet. Every CSV the project writes goes through :func:`safe_text` (a text cell
that starts with ``= + - @``, tab, carriage return, line feed or NUL gets a leading
``'``) and quotes every text field; every XLSX cell holding a string is a text cell
(:func:`put`, :func:`append`, :func:`text_only`), never a formula, and keeps its text
unchanged. Numbers stay numbers, negative ones too: only strings are touched. Where the
project reads a CSV back, :func:`read_text` removes the ``'`` again, so names round-trip.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas and openpyxl are imported where a table is written
    import pandas as pd
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

FORMATS = (".csv", ".xlsx", ".parquet", ".json")

# The first characters with which a spreadsheet reads a cell as a formula (OWASP: = + - @
# tab and carriage return; line feed and NUL too, as OWASP's ASVS 1.2.10 and some
# spreadsheets' CSV import treat them alike).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
QUOTE = "'"
REPLACEMENT = "\ufffd"  # stands for a control character that XLSX cannot hold


class OutputError(ValueError):
    pass


# --- text cells -------------------------------------------------------------------------


def _starts_formula(text: str) -> bool:
    # quotes first too: "'=x" is written "''=x", so that reading gives "'=x" back
    return text.lstrip(QUOTE).startswith(FORMULA_START)


def safe_text(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs: a string starting with a formula character
    (after any quotes) gets a leading ``'``; anything else (numbers, negative ones too;
    None) is unchanged."""
    if isinstance(value, str) and _starts_formula(value):
        return QUOTE + value
    return value


def read_text(value: Any) -> Any:
    """A CSV cell as it was before :func:`safe_text` (its exact inverse): the leading
    ``'`` that :func:`safe_text` adds is removed; a ``'`` before anything else is the
    person's own and stays."""
    if isinstance(value, str) and value.startswith(QUOTE) and _starts_formula(value[1:]):
        return value[1:]
    return value


class SafeWriter:
    """``csv.writer`` that neutralises every cell (:func:`safe_text`) and quotes every
    text field, so that no cell starts a formula and a ``;`` or a line break inside a
    name cannot start a new cell in a spreadsheet whose list separator differs."""

    def __init__(self, file: IO[str], **options: Any):
        options.setdefault("quoting", csv.QUOTE_NONNUMERIC)
        self._writer = csv.writer(file, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_text(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file: IO[str], **options: Any) -> SafeWriter:
    """The CSV writer for every file a person may open in a spreadsheet."""
    return SafeWriter(file, **options)


def _is_text_column(series: pd.Series) -> bool:
    import pandas as pd

    return not (
        pd.api.types.is_numeric_dtype(series.dtype)
        or pd.api.types.is_bool_dtype(series.dtype)
        or pd.api.types.is_datetime64_any_dtype(series.dtype)
        or pd.api.types.is_timedelta64_dtype(series.dtype)
        or isinstance(series.dtype, pd.PeriodDtype | pd.IntervalDtype)
    )


def _map_text(frame: pd.DataFrame, fn: Callable[[Any], Any]) -> pd.DataFrame:
    """``frame`` with ``fn`` applied to its column names and to every cell of its text
    (object, string, categorical) columns; numeric, boolean and date columns as they are."""
    out = frame.rename(columns=lambda c: fn(c) if isinstance(c, str) else c)
    changed = {}
    for i in range(out.shape[1]):
        series = out.iloc[:, i]
        if _is_text_column(series):
            changed[i] = series.astype(object).map(fn, na_action="ignore")
    for i, series in changed.items():
        # out is rename's copy: the caller's frame is unchanged. pandas takes a Series here
        # (aligned on the index); pandas-stubs lists only scalars and arrays
        out.isetitem(i, series)  # type: ignore[arg-type]
    return out


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` ready for CSV: every text cell and column name through :func:`safe_text`."""
    return _map_text(frame, safe_text)


def read_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame read from a CSV as it was written: :func:`read_text` on every text cell."""
    return _map_text(frame, read_text)


def write_csv(frame: pd.DataFrame, target: str | Path | IO[str]) -> None:
    """``frame`` as CSV (no index) to a path or an open text stream, neutralised."""
    safe_frame(frame).to_csv(target, index=False, quoting=csv.QUOTE_NONNUMERIC)


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (for a command's standard output), neutralised."""
    out = io.StringIO()
    write_csv(frame, out)
    return out.getvalue()


def xlsx_text(value: Any) -> Any:
    """``value`` as openpyxl can store it: control characters that XLSX cannot hold
    (openpyxl would refuse the whole file) become U+FFFD."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)
    return value


def _as_text(cell: Cell | MergedCell) -> None:
    if isinstance(cell.value, str):
        cell.data_type = "s"  # openpyxl reads a str starting with "=" as a formula


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell | MergedCell:
    """Set one cell of an openpyxl sheet; a string is always a text cell."""
    cell: Cell | MergedCell = ws.cell(row=row, column=column, value=xlsx_text(value))
    _as_text(cell)
    return cell


def append(ws: Worksheet, values: Iterable[Any]) -> None:
    """``ws.append(values)`` with every string a text cell (never a formula)."""
    from openpyxl.cell.cell import Cell

    cells = []
    for value in values:
        # row and column are optional (ws.append places the cell); the stubs require them
        cell = Cell(ws, value=xlsx_text(value))  # type: ignore[call-arg]
        _as_text(cell)
        cells.append(cell)
    ws.append(cells)


def text_only(workbook: Workbook) -> None:
    """The last guard before saving: any formula cell in ``workbook`` becomes the text it
    holds. The project writes no formulas, so a formula can only be a string that slipped
    past :func:`put` and :func:`append` (or pandas' ``to_excel``)."""
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def workbook_bytes(workbook: Workbook) -> bytes:
    """``workbook`` saved to bytes, after :func:`text_only`."""
    text_only(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_excel(frames: Mapping[str, pd.DataFrame], target: str) -> None:
    """One sheet per frame (names cut to Excel's 31 characters), text cells as text."""
    import pandas as pd

    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for sheet, frame in frames.items():
            _map_text(frame, xlsx_text).to_excel(writer, sheet_name=sheet[:31], index=False)
            sheet_obj = writer.sheets[sheet[:31]]
            sheet_obj.freeze_panes = "A2"
            for i, col in enumerate(frame.columns, start=1):
                width = max(len(str(col)), *(len(str(v)) for v in frame[col].head(200)), 4)
                sheet_obj.column_dimensions[sheet_obj.cell(1, i).column_letter].width = min(
                    width + 2, 60
                )
        text_only(writer.book)


def write_sheets(frames: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Several tables in one XLSX workbook, one sheet each, written as ``write_table``
    writes (to a temporary file, then renamed: never a partial file)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise OutputError(f"{path}: several tables go into one workbook (.xlsx)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        _write_excel(frames, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_table(frame: pd.DataFrame, path: str | Path, sheet: str = "data") -> Path:
    """Write ``frame`` as CSV, XLSX, Parquet or JSON (records), by the file's extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise OutputError(f"{path}: unsupported output type '{suffix}' (use {', '.join(FORMATS)})")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        if suffix == ".csv":
            write_csv(frame, tmp)
        elif suffix == ".xlsx":
            _write_excel({sheet: frame}, tmp)
        elif suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_json(tmp, orient="records", force_ascii=False, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
