"""Reading input files in chunks: CSV, JSON Lines, Parquet and Excel.

Every reader yields Arrow record batches with the file's own columns plus ``_row``, the
row number a person sees: for CSV and Excel the header is row 1 (so the first record is
row 2; a value spanning lines counts once), for JSON Lines the line number, for Parquet
the record number from 1. Rows a reader cannot split into fields (wrong number of
fields, bad JSON, a JSON line longer than the limit) are reported as ``Malformed`` and
skipped; a file that cannot be read at all (unknown type, wrong encoding, truncated
Parquet, content that does not fit the extension, a workbook beyond the limits) raises
``FileError``.

Every reader stays within ``dxscore.safefiles`` limits (``dossier_limits()`` unless
given): a workbook is checked before it is opened (its parts, unpacked size, rows,
columns, cells and cell length), a file has at most ``max_columns`` columns, a JSON line
at most ``max_line_bytes``, a Parquet row group unpacks to at most
``max_unpacked_bytes``, and reading stops after ``max_seconds``. Cell length and NUL
characters of the columns that are stored are checked row by row by the validator.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dxscore import safefiles
from dxscore.dossiers.schema import ROW
from dxscore.safefiles import Budget, Limits, UnsafeFile

SUFFIXES = (".csv", ".txt", ".tsv", ".jsonl", ".ndjson", ".parquet", ".xlsx", ".xlsm", ".xls")
CSV_BLOCK = 32 << 20  # bytes per CSV block (about 150k dossier rows)
BATCH_ROWS = 200_000  # rows per batch for the other readers
ENCODING_HINT = (
    "save it as UTF-8 (Excel: 'CSV UTF-8'), or name its encoding with --encoding "
    "(cp1258 for Vietnamese Windows, utf-16 for Excel 'Unicode text')"
)


class FileError(ValueError):
    """The whole file cannot be imported; nothing from it is stored."""

    def __init__(self, path: str | Path, message: str):
        self.path = str(path)
        super().__init__(f"{path}: {message}")


@dataclass
class Malformed:
    row: int | None
    reason: str
    text: str = ""


Progress = Callable[[int, int], None]  # (done, total) in bytes or rows


@dataclass
class Source:
    """An open input file: its header and a generator of batches."""

    path: Path
    header: list[str]
    batches: Iterator[pa.RecordBatch]
    malformed: list[Malformed] = field(default_factory=list)


def open_source(
    path: str | Path,
    encoding: str | None = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> Source:
    path = Path(path)
    if not path.is_file():
        raise FileError(path, "no such file")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileError(
            path, f"unsupported file type '{suffix}' (use CSV, JSON Lines, Parquet or Excel)"
        )
    # a file's size is bounded where it is received (the site's form), not here
    limits = (limits or safefiles.dossier_limits()).replace(max_bytes=None)
    budget = limits.budget()
    try:
        with path.open("rb") as f:
            safefiles.sniff_file(path.name, f)
        if suffix in (".csv", ".txt", ".tsv"):
            source = _open_csv(path, encoding, progress, limits)
        elif suffix in (".jsonl", ".ndjson"):
            source = _open_jsonl(path, encoding, progress, limits)
        elif suffix == ".parquet":
            source = _open_parquet(path, progress, limits)
        else:
            source = _open_excel(path, progress, limits, budget)
    except UnsafeFile as exc:
        raise FileError(path, str(exc)) from None
    if len(source.header) > limits.max_columns:
        raise FileError(
            path, str(UnsafeFile("columns", where="the file", limit=limits.max_columns))
        )
    source.batches = _within(path, source.batches, budget)
    return source


def _within(
    path: Path, batches: Iterator[pa.RecordBatch], budget: Budget
) -> Iterator[pa.RecordBatch]:
    """The batches, stopping with a FileError once the time budget is spent."""
    try:
        for batch in batches:
            budget.check()
            yield batch
    except UnsafeFile as exc:
        raise FileError(path, str(exc)) from None


# -- CSV ---------------------------------------------------------------------------


def _detect_encoding(path: Path, encoding: str | None) -> str:
    head = _head(path)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise FileError(path, f"unknown encoding '{encoding}'") from None
        return encoding
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut by the 1 MiB limit
            raise FileError(
                path,
                f"not UTF-8 text (byte 0x{head[exc.start]:02x} at offset {exc.start}); "
                + ENCODING_HINT,
            ) from None
    return "utf8"


def _head(path: Path, size: int = 1 << 20) -> bytes:
    with path.open("rb") as f:
        return f.read(size)


def _sniff(path: Path, encoding: str, limit: int) -> tuple[list[str], str]:
    """The header's column names and the delimiter (comma, semicolon, tab or bar)."""
    with path.open("r", encoding=encoding, newline="", errors="replace") as f:
        first = f.readline(limit + 1)
    if len(first) > limit:
        raise FileError(path, str(UnsafeFile("line", row=1, limit=limit)))
    first = first.lstrip("\ufeff")
    if not first.strip():
        raise FileError(path, "the file is empty (expected a header row)")
    delimiter = max(",;\t|", key=first.count)
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter))
    _check_header(path, header)
    return header, delimiter


def _check_header(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    dupes = []
    for h in header:
        key = h.strip().lower()
        if key in seen:
            dupes.append(h)
        seen.add(key)
    if dupes:
        raise FileError(path, f"duplicate column names in the header: {', '.join(dupes)}")
    if any(not h.strip() for h in header):
        raise FileError(path, "the header has an empty column name")


def _open_csv(
    path: Path, encoding: str | None, progress: Progress | None, limits: Limits
) -> Source:
    enc = _detect_encoding(path, encoding)
    header, delimiter = _sniff(path, enc, limits.max_line_bytes)
    malformed: list[Malformed] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        malformed.append(
            Malformed(
                row.number,
                f"expected {row.expected_columns} fields, found {row.actual_columns} "
                "(a cut-off or malformed line)",
                row.text[:200],
            )
        )
        return "skip"

    # Single-threaded parsing keeps every record's row number known (see module doc).
    read = pacsv.ReadOptions(encoding=enc, block_size=CSV_BLOCK, use_threads=False)
    parse = pacsv.ParseOptions(
        delimiter=delimiter,
        newlines_in_values=True,
        ignore_empty_lines=False,
        invalid_row_handler=on_invalid,
    )
    convert = pacsv.ConvertOptions(
        column_types={h: pa.string() for h in header},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    total = path.stat().st_size

    def batches() -> Iterator[pa.RecordBatch]:
        stream = pa.OSFile(str(path), "rb")
        try:
            try:
                reader = pacsv.open_csv(stream, read, parse, convert)
            except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
                raise FileError(path, _csv_message(exc)) from None
            numbers = _RowNumbers(first=2, skipped=malformed)
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
                    raise FileError(path, _csv_message(exc)) from None
                rows = numbers.take(batch.num_rows)
                blank = _all_empty(batch)
                batch = batch.append_column(ROW, pa.array(rows, pa.int64()))
                if blank is not None:
                    batch = batch.filter(pa.array(~blank))
                if progress:
                    progress(min(stream.tell(), total), total)
                yield batch
        finally:
            stream.close()

    return Source(path, header, batches(), malformed)


def _csv_message(exc: Exception) -> str:
    text = str(exc)
    if "UTF8" in text or "UTF-8" in text or isinstance(exc, UnicodeDecodeError):
        return "not valid UTF-8 text; " + ENCODING_HINT
    if "straddling" in text or "block size" in text:
        return (
            f"a row is longer than {CSV_BLOCK >> 20} MB (a giant cell, or an unclosed "
            "quote that runs to the end of the file)"
        )
    return f"cannot be read as CSV: {text}"


def _all_empty(batch: pa.RecordBatch) -> np.ndarray | None:
    """Rows whose every field is empty (blank lines), or None when there are none."""
    empty = np.ones(batch.num_rows, dtype=bool)
    for col in batch.columns:
        empty &= np.asarray(pa.compute.equal(pa.compute.utf8_length(col), 0))
        if not empty.any():
            return None
    return empty


class _RowNumbers:
    """Assigns row numbers to the records a CSV reader returns, in order, skipping the
    numbers of the rows it rejected (those are reported with their own numbers)."""

    def __init__(self, first: int, skipped: list[Malformed]):
        self.next = first
        self.skipped = skipped

    def take(self, n: int) -> np.ndarray:
        out = np.arange(self.next, self.next + n, dtype=np.int64)
        if n == 0:
            return out
        for number in sorted(m.row for m in self.skipped if m.row is not None):
            if out[0] <= number <= out[-1]:
                out[out >= number] += 1
            elif number > out[-1]:
                break
        self.next = int(out[-1]) + 1
        return out


# -- JSON Lines --------------------------------------------------------------------


def _text(value: object) -> str | None:
    """A scalar from JSON or a spreadsheet cell as the text the validator parses."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds() / 86400)
    return str(value)


def _lines(f: IO[bytes], limit: int) -> Iterator[tuple[bytes, bool]]:
    """(line, whole) of a binary file, each at most ``limit`` bytes: the rest of a longer
    line is skipped without being held (``whole`` is False)."""
    while True:
        line = f.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line, True
            continue
        while line and not line.endswith(b"\n"):
            line = f.readline(CHUNK_SKIP)
        yield b"", False


CHUNK_SKIP = 1 << 20


def _open_jsonl(
    path: Path, encoding: str | None, progress: Progress | None, limits: Limits
) -> Source:
    enc = _detect_encoding(path, encoding)
    limit = limits.max_line_bytes
    total = path.stat().st_size
    malformed: list[Malformed] = []
    header: list[str] = []
    with path.open("rb") as f:
        try:
            lines = _lines(f, limit)
            for _ in range(1000):  # the union of keys in the first records names the columns
                raw, _whole = next(lines, (None, True))
                if raw is None:
                    break
                line = raw.decode(enc)
                try:
                    obj = json.loads(line) if line.strip() else {}
                except (ValueError, RecursionError):
                    continue
                if isinstance(obj, dict):
                    header += [k for k in obj if k not in header]
                    if len(header) > limits.max_columns:
                        break
        except UnicodeDecodeError:
            raise FileError(path, "not valid UTF-8 text; " + ENCODING_HINT) from None
    if not header:
        raise FileError(path, "no JSON objects found (expected one object per line)")

    def batches() -> Iterator[pa.RecordBatch]:
        cols: dict[str, list[str | None]] = {h: [] for h in header}
        rows: list[int] = []
        with path.open("rb") as f:
            for number, (raw, whole) in enumerate(_lines(f, limit), start=1):
                if not whole:
                    reason = str(UnsafeFile("line", row=number, limit=limit))
                    malformed.append(Malformed(number, reason))
                    continue
                try:
                    line = raw.decode(enc)
                except UnicodeDecodeError:
                    raise FileError(
                        path, f"line {number} is not valid UTF-8; " + ENCODING_HINT
                    ) from None
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    malformed.append(Malformed(number, f"not valid JSON: {exc.msg}", line[:200]))
                    continue
                except (ValueError, RecursionError) as exc:  # a 5,000-digit number, [[[[...
                    reason = f"not valid JSON: {str(exc)[:100] or 'nested too deep'}"
                    malformed.append(Malformed(number, reason, line[:200]))
                    continue
                if not isinstance(obj, dict):
                    malformed.append(Malformed(number, "not a JSON object", line[:200]))
                    continue
                nested = [k for k, v in obj.items() if isinstance(v, dict | list)]
                if nested:
                    malformed.append(
                        Malformed(number, f"nested value in {', '.join(nested)}", line[:200])
                    )
                    continue
                for h in header:
                    cols[h].append(_text(obj.get(h)))
                rows.append(number)
                if len(rows) >= BATCH_ROWS:
                    yield _batch(cols, rows)
                    cols, rows = {h: [] for h in header}, []
                    if progress:
                        progress(f.tell(), total)
            if rows:
                yield _batch(cols, rows)
            if progress:
                progress(total, total)

    return Source(path, header, batches(), malformed)


def _batch(cols: dict[str, list[str | None]], rows: list[int]) -> pa.RecordBatch:
    arrays = [pa.array(v, pa.string()) for v in cols.values()]
    return pa.record_batch(arrays + [pa.array(rows, pa.int64())], names=list(cols) + [ROW])


# -- Parquet -----------------------------------------------------------------------


def _open_parquet(path: Path, progress: Progress | None, limits: Limits) -> Source:
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileError(
            path, f"not a readable Parquet file (truncated or damaged?): {exc}"
        ) from None
    header = pf.schema_arrow.names
    total = pf.metadata.num_rows
    _check_parquet(pf.metadata, limits)

    def batches() -> Iterator[pa.RecordBatch]:
        done = 0
        try:
            for batch in pf.iter_batches(batch_size=1 << 20):
                rows = np.arange(done + 1, done + batch.num_rows + 1, dtype=np.int64)
                done += batch.num_rows
                if progress:
                    progress(done, total)
                yield batch.append_column(ROW, pa.array(rows))
        except (pa.ArrowInvalid, OSError) as exc:
            raise FileError(
                path, f"Parquet data cannot be read (truncated or damaged?): {exc}"
            ) from None

    return Source(path, header, batches())


def _check_parquet(meta: pq.FileMetaData, limits: Limits) -> None:
    """Row groups are read one at a time: each must unpack within the limit, and no
    column may average more than a cell's limit per value (one giant cell)."""
    if meta.num_columns > limits.max_columns:
        raise UnsafeFile("columns", where="the file", limit=limits.max_columns)
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        if group.total_byte_size > limits.max_unpacked_bytes:
            raise UnsafeFile("unpacked", limit=limits.max_unpacked_bytes)
        for j in range(group.num_columns):
            column = group.column(j)
            per_value = column.total_uncompressed_size / max(column.num_values, 1)
            if per_value > 4 * limits.max_cell_chars + 1024:
                where = f"column {column.path_in_schema}, row group {i + 1}"
                raise UnsafeFile("cell_chars", where=where, limit=limits.max_cell_chars)


# -- Excel -------------------------------------------------------------------------


def _pick_sheet(names: list[str]) -> str:
    """The sheet a dossier or catalogue workbook is read from."""
    return next((n for n in names if n.strip().lower() in ("dossiers", "catalogue")), names[0])


def _open_excel(path: Path, progress: Progress | None, limits: Limits, budget: Budget) -> Source:
    from python_calamine import CalamineWorkbook

    if path.suffix.lower() != ".xls":
        # calamine holds the whole sheet, sized by its farthest cell: check it first
        safefiles.check_xlsx(
            path, limits, sheets=lambda names: [_pick_sheet(names)] if names else [], budget=budget
        )
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise FileError(path, f"not a readable Excel workbook: {exc}") from None
    names = book.sheet_names
    sheet_name = _pick_sheet(names)
    sheet = book.get_sheet_by_name(sheet_name)
    rows_iter = iter(sheet.iter_rows())
    try:
        header = [(_text(c) or "").strip() for c in next(rows_iter)]
    except StopIteration:
        raise FileError(path, f"sheet '{sheet_name}' is empty (expected a header row)") from None
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileError(path, f"sheet '{sheet_name}' has no header row")
    _check_header(path, header)
    total = max(sheet.total_height - 1, 1)

    def batches() -> Iterator[pa.RecordBatch]:
        cols: dict[str, list[str | None]] = {h: [] for h in header}
        rows: list[int] = []
        for number, cells in enumerate(rows_iter, start=2):
            values = [_text(c) for c in cells[: len(header)]]
            if all(v in (None, "") for v in values):
                continue
            values += [None] * (len(header) - len(values))
            for h, v in zip(header, values, strict=True):
                cols[h].append(v)
            rows.append(number)
            if len(rows) >= BATCH_ROWS:
                yield _batch(cols, rows)
                if progress:
                    progress(number - 1, total)
                cols, rows = {h: [] for h in header}, []
        if rows:
            yield _batch(cols, rows)
        if progress:
            progress(total, total)

    return Source(path, header, batches())
