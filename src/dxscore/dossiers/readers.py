"""Reading input files in chunks: CSV, JSON Lines, Parquet and Excel.

Every reader yields Arrow record batches with the file's own columns plus ``_row``, the
row number a person sees: for CSV and Excel the header is row 1 (so the first record is
row 2; a value spanning lines counts once), for JSON Lines the line number, for Parquet
the record number from 1. Rows a reader cannot split into fields (wrong number of
fields, bad JSON) are reported as ``Malformed`` and skipped; a file that cannot be read
at all (unknown type, wrong encoding, truncated Parquet) raises ``FileError``.
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

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dxscore.dossiers.schema import ROW

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
    path: str | Path, encoding: str | None = None, progress: Progress | None = None
) -> Source:
    path = Path(path)
    if not path.is_file():
        raise FileError(path, "no such file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _open_csv(path, encoding, progress)
    if suffix in (".jsonl", ".ndjson"):
        return _open_jsonl(path, encoding, progress)
    if suffix == ".parquet":
        return _open_parquet(path, progress)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return _open_excel(path, progress)
    raise FileError(
        path, f"unsupported file type '{suffix}' (use CSV, JSON Lines, Parquet or Excel)"
    )


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


def _sniff(path: Path, encoding: str) -> tuple[list[str], str]:
    """The header's column names and the delimiter (comma, semicolon, tab or bar)."""
    with path.open("r", encoding=encoding, newline="", errors="replace") as f:
        first = f.readline()
    first = first.lstrip("\ufeff")
    if not first.strip():
        raise FileError(path, "the file is empty (expected a header row)")
    delimiter = max(",;\t|", key=first.count)
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter))
    _check_header(path, header)
    return header, delimiter


def _check_header(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    dupes = [h for h in header if h.strip().lower() in seen or seen.add(h.strip().lower())]
    if dupes:
        raise FileError(path, f"duplicate column names in the header: {', '.join(dupes)}")
    if any(not h.strip() for h in header):
        raise FileError(path, "the header has an empty column name")


def _open_csv(path: Path, encoding: str | None, progress: Progress | None) -> Source:
    enc = _detect_encoding(path, encoding)
    header, delimiter = _sniff(path, enc)
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


def _open_jsonl(path: Path, encoding: str | None, progress: Progress | None) -> Source:
    enc = _detect_encoding(path, encoding)
    total = path.stat().st_size
    malformed: list[Malformed] = []
    header: list[str] = []
    with path.open("r", encoding=enc, errors="strict") as f:
        try:
            for _ in range(1000):  # the union of keys in the first records names the columns
                line = f.readline()
                if not line:
                    break
                try:
                    obj = json.loads(line) if line.strip() else {}
                except json.JSONDecodeError:
                    continue
                if isinstance(obj, dict):
                    header += [k for k in obj if k not in header]
        except UnicodeDecodeError:
            raise FileError(path, "not valid UTF-8 text; " + ENCODING_HINT) from None
    if not header:
        raise FileError(path, "no JSON objects found (expected one object per line)")

    def batches() -> Iterator[pa.RecordBatch]:
        cols: dict[str, list] = {h: [] for h in header}
        rows: list[int] = []
        with path.open("rb") as f:
            for number, raw in enumerate(f, start=1):
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


def _batch(cols: dict[str, list], rows: list[int]) -> pa.RecordBatch:
    arrays = [pa.array(v, pa.string()) for v in cols.values()]
    return pa.record_batch(arrays + [pa.array(rows, pa.int64())], names=list(cols) + [ROW])


# -- Parquet -----------------------------------------------------------------------


def _open_parquet(path: Path, progress: Progress | None) -> Source:
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileError(
            path, f"not a readable Parquet file (truncated or damaged?): {exc}"
        ) from None
    header = pf.schema_arrow.names
    total = pf.metadata.num_rows

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


# -- Excel -------------------------------------------------------------------------


def _open_excel(path: Path, progress: Progress | None) -> Source:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise FileError(path, f"not a readable Excel workbook: {exc}") from None
    names = book.sheet_names
    sheet_name = next(
        (n for n in names if n.strip().lower() in ("dossiers", "catalogue")), names[0]
    )
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
        cols: dict[str, list] = {h: [] for h in header}
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
