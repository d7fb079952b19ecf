"""Turning input files into validated, typed Parquet in a staging folder.

Each file is read in chunks, mapped through a profile, validated, and its valid rows
appended to one staged Parquet file; its problems stream to the rejects file. Nothing
here touches the store: ``store.py`` decides what to commit.

The rejects file stays bounded whatever the input: it keeps the first
``rejects_per_reason`` problems of each kind (file, column, reason), ends with one line
per kind that was cut giving its full count, and shortens values to 200 characters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dxscore import safefiles
from dxscore.dossiers.profiles import Profile, resolve_header
from dxscore.dossiers.readers import FileError, Source, open_source
from dxscore.dossiers.schema import BATCH, WARNINGS, Column, arrow_schema
from dxscore.dossiers.validate import SHOWN_VALUE, Reject, Validator
from dxscore.safefiles import Limits
from dxscore.tables import SafeWriter, csv_writer

SHOWN_REJECTS = 20
ROW_GROUP = 1 << 20


@dataclass
class FileReport:
    path: str
    sha256: str
    batch: int | None = None
    rows: int = 0  # records read, valid or not (blank lines are not records)
    valid: int = 0
    rejected: int = 0  # records with at least one problem
    warned: int = 0  # valid records with at least one warning (stored with their codes)
    warnings: Counter[str] = field(default_factory=Counter)  # records per warning code
    skipped_as: str | None = None  # set when the same content was already imported
    ignored_columns: list[str] = field(default_factory=list)
    staged: Path | None = None


MAX_KINDS = 10_000  # distinct (file, column, reason) counted one by one; the rest together


def shown(text: object) -> str:
    """A value or reason as the rejects file shows it: NUL made visible, at most
    SHOWN_VALUE characters."""
    text = "" if text is None else str(text)
    if len(text) > SHOWN_VALUE:
        text = text[:SHOWN_VALUE] + "…"
    return text.replace("\x00", "\\x00")


class RejectsLog:
    """Streams problems to a CSV file (file, row, column, value, reason), keeping the first
    ``per_reason`` of each kind (0: all) and every count, and the first few in memory."""

    def __init__(self, path: Path, per_reason: int | None = None):
        self.path = path
        self.per_reason = (
            safefiles.dossier_limits().rejects_per_reason if per_reason is None else per_reason
        )
        self.count = 0
        self.counts: Counter[tuple[str, str, str]] = Counter()
        self.first: list[tuple[str, Reject]] = []
        self._file: TextIO | None = None
        self._writer: SafeWriter | None = None  # set with _file

    def add(self, source: str, rejects: list[Reject]) -> None:
        if not rejects:
            return
        writer = self._writer
        if self._file is None or writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("w", encoding="utf-8", newline="")
            # no cell is a formula (docs/security.md)
            writer = self._writer = csv_writer(self._file)
            writer.writerow(["file", "row", "column", "value", "reason"])
        for r in rejects:
            r = Reject(r.row, shown(r.column), shown(r.value), shown(r.reason))
            key = (source, r.column, r.reason)
            if key not in self.counts and len(self.counts) >= MAX_KINDS:
                key = (source, "", "other problems")
            self.counts[key] += 1
            if not self.per_reason or self.counts[key] <= self.per_reason:
                writer.writerow(
                    [source, "" if r.row is None else r.row, r.column, r.value, r.reason]
                )
            if len(self.first) < SHOWN_REJECTS:
                self.first.append((source, r))
        self.count += len(rejects)

    @property
    def cut(self) -> list[tuple[str, str, str, int]]:
        """(file, column, reason, count) of the kinds with more problems than are listed."""
        if not self.per_reason:
            return []
        return [(*k, n) for k, n in self.counts.most_common() if n > self.per_reason]

    def close(self) -> Path | None:
        if self._file is None or self._writer is None:
            return None
        for source, column, reason, n in self.cut:
            self._writer.writerow(
                [
                    source,
                    "",
                    column,
                    "",
                    f"{reason}: {n:,} rows in all, the first {self.per_reason:,} listed above",
                ]
            )
        self._file.close()
        return self.path


def file_sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def stage_file(
    path: Path,
    columns: tuple[Column, ...],
    profile: Profile,
    tz: str,
    staged: Path,
    batch_no: int,
    rejects: RejectsLog,
    *,
    sha256: str | None = None,
    encoding: str | None = None,
    cross_checks: bool = True,
    progress: Callable[[int, int], None] | None = None,
    limits: Limits | None = None,
    warnings_as_errors: bool = False,
    now: dt.datetime | None = None,
) -> FileReport:
    """Validate one file into ``staged`` (Parquet, with lineage columns, and with the
    warning codes of each record when ``cross_checks``; ``warnings_as_errors`` rejects
    records with a warning instead).

    Raises FileError for problems with the whole file (missing columns, encoding...).
    """
    if not path.is_file():
        raise FileError(path, "no such file")
    report = FileReport(str(path), sha256 or file_sha256(path), batch_no, staged=staged)
    limits = limits or safefiles.dossier_limits()
    source = open_source(path, encoding=encoding, progress=progress, limits=limits)
    mapping, unused = resolve_header(source.header, columns, profile)
    missing = [c.name for c in columns if c.required and c.name not in mapping]
    if missing:
        hint = (
            " Another system's export? Use --profile vn-portal or a mapping file (--profile FILE)."
            if profile.id == "dxscore"
            else ""
        )
        raise FileError(
            path,
            f"missing required column(s): {', '.join(missing)}. "
            f"The file has: {', '.join(source.header)}.{hint}",
        )
    report.ignored_columns = unused
    with_warnings = cross_checks and not warnings_as_errors
    schema = arrow_schema(columns, warnings=cross_checks)
    label = path.name
    validator: Validator | None = None
    # Staged files are written as final store parts would be, so that a clean import can
    # move them in as they are. Writing runs in a thread, overlapping the next batch.
    writer = pq.ParquetWriter(staged, schema, compression="zstd")
    pool = ThreadPoolExecutor(max_workers=1)
    pending = None
    try:
        reported_malformed = 0
        for batch in source.batches:
            if validator is None:
                types = {name: batch.schema.field(name).type for name in source.header}
                validator = Validator(
                    columns,
                    mapping,
                    types,
                    profile,
                    tz,
                    cross_checks,
                    limits.max_cell_chars,
                    warnings_as_errors=warnings_as_errors,
                    now=now,
                )
            valid, problems = validator.run(batch)
            report.rows += batch.num_rows
            report.valid += valid.num_rows
            report.rejected += batch.num_rows - valid.num_rows
            rejects.add(label, problems)
            reported_malformed = _report_malformed(source, reported_malformed, label, rejects)
            if valid.num_rows:
                if with_warnings:
                    _count_warnings(valid.column(WARNINGS), report)
                elif cross_checks:  # none: every record with one was rejected
                    valid = valid.append_column(
                        WARNINGS, pa.nulls(valid.num_rows, pa.list_(pa.string()))
                    )
                lineage = pa.array(np.full(valid.num_rows, batch_no, np.int32))
                table = valid.append_column(BATCH, lineage).select(schema.names).cast(schema)
                if pending is not None:
                    pending.result()
                pending = pool.submit(writer.write_table, table, row_group_size=ROW_GROUP)
        if pending is not None:
            pending.result()
        malformed = _report_malformed(source, reported_malformed, label, rejects)
        report.rows += malformed
        report.rejected += malformed
    finally:
        pool.shutdown(wait=True)
        writer.close()
        if validator is not None:
            validator.close()
    return report


def _count_warnings(codes: pa.ChunkedArray, report: FileReport) -> None:
    flagged = codes.null_count
    if flagged == len(codes):
        return
    report.warned += len(codes) - flagged
    for item in pc.value_counts(pc.list_flatten(codes)).to_pylist():
        report.warnings[item["values"]] += item["counts"]


def _report_malformed(source: Source, already: int, label: str, rejects: RejectsLog) -> int:
    new = source.malformed[already:]
    rejects.add(label, [Reject(m.row, "", m.text, m.reason) for m in new])
    return len(source.malformed)
