"""Turning input files into validated, typed Parquet in a staging folder.

Each file is read in chunks, mapped through a profile, validated, and its valid rows
appended to the staging table of the import (``Staging``: a DuckDB table that spills to
the staging folder when it outgrows memory); its problems stream to the rejects file.
Nothing here touches the store: ``store.py`` decides what to commit and writes the
staged rows as Parquet once, de-duplicated.

The rejects file stays bounded whatever the input: it keeps the first
``rejects_per_reason`` problems of each kind (file, column, reason), ends with one line
per kind that was cut giving its full count, and shortens values to 200 characters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import duckdb

from dxscore import safefiles
from dxscore.dossiers.profiles import Profile, resolve_header
from dxscore.dossiers.readers import FileError, Source, open_source
from dxscore.dossiers.schema import BATCH, ROW, WARNINGS, Column, sql_type
from dxscore.dossiers.validate import SHOWN_VALUE, Reject, Validator, ident, lit
from dxscore.safefiles import Limits
from dxscore.tables import SafeWriter, csv_writer

SHOWN_REJECTS = 20
STAGED = "staged"  # the staging table
# What the staging table and the merge may hold in memory before they spill to the
# staging folder (DXSCORE_IMPORT_MEMORY). DuckDB's limit is not the process's whole
# memory (Arrow batches, the Parquet writer): 1GB kept a 20M-row import at 1.74 GiB,
# 2GB let it reach 3.49 GiB, at the same speed (docs/benchmarks.md, "Dossier import").
STAGING_MEMORY = "1GB"


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


class Staging:
    """The rows of one import, validated and typed, before they are stored: the table
    ``staged`` of an in-memory DuckDB database (the columns, ``_batch``, ``_row``,
    ``_warnings`` when ``warnings``, ``_ok``), which spills to ``folder`` beyond memory.
    The connection's time zone is ``tz``, in which the validator reads local times."""

    def __init__(self, folder: Path, columns: tuple[Column, ...], tz: str, warnings: bool):
        self.columns = columns
        self.warnings = warnings
        self.con = duckdb.connect()
        self.con.execute("SET enable_progress_bar = false")
        self.con.execute(f"SET TimeZone = {lit(tz)}")
        self.con.execute(f"SET temp_directory = {lit(str(folder / 'spill'))}")
        memory = os.environ.get("DXSCORE_IMPORT_MEMORY", "").strip() or STAGING_MEMORY
        try:
            self.con.execute(f"SET memory_limit = {lit(memory)}")
        except duckdb.Error:
            self.con.close()
            raise ValueError(
                f"DXSCORE_IMPORT_MEMORY: '{memory}' is not an amount of memory (e.g. 2GB)"
            ) from None
        # rows are told apart by (_batch, _row), never by their order: DuckDB may then
        # insert and write with all its threads
        self.con.execute("SET preserve_insertion_order = false")
        fields = [f"{ident(c.name)} {sql_type(c)}" for c in columns]
        fields += [f"{BATCH} INTEGER", f"{ROW} BIGINT"]
        if warnings:
            fields.append(f"{WARNINGS} VARCHAR[]")
        self.con.execute(f"CREATE TABLE {STAGED} ({', '.join(fields)}, _ok BOOLEAN)")

    @property
    def names(self) -> str:
        """The stored columns, in order, as a SELECT list."""
        names = [ident(c.name) for c in self.columns] + [BATCH, ROW]
        if self.warnings:
            names.append(WARNINGS)
        return ", ".join(names)

    def close(self) -> None:
        self.con.close()


def file_sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def stage_file(
    path: Path,
    profile: Profile,
    tz: str,
    staging: Staging,
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
    """Validate one file into the staging table as batch ``batch_no`` (with lineage
    columns, and with the warning codes of each record when ``cross_checks``;
    ``warnings_as_errors`` rejects records with a warning instead).

    Raises FileError for problems with the whole file (missing columns, encoding...).
    """
    if not path.is_file():
        raise FileError(path, "no such file")
    columns = staging.columns
    report = FileReport(str(path), sha256 or file_sha256(path), batch_no)
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
    label = path.name
    validator: Validator | None = None
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
                    con=staging.con,
                )
            problems = validator.run(batch, STAGED, batch_no)
            report.rows += batch.num_rows
            rejects.add(label, problems)
            reported_malformed = _report_malformed(source, reported_malformed, label, rejects)
        malformed = _report_malformed(source, reported_malformed, label, rejects)
        report.rows += malformed
    finally:
        if validator is not None:
            validator.close()
    report.valid, report.warned = _one(
        staging.con,
        f"SELECT count(*), count({WARNINGS}) FROM {STAGED} WHERE {BATCH} = {int(batch_no)}"
        if cross_checks and not warnings_as_errors
        else f"SELECT count(*), 0 FROM {STAGED} WHERE {BATCH} = {int(batch_no)}",
    )
    if report.warned:
        for code, n in staging.con.execute(
            f"SELECT code, count(*) FROM (SELECT unnest({WARNINGS}) AS code FROM {STAGED}"
            f" WHERE {BATCH} = {int(batch_no)} AND {WARNINGS} IS NOT NULL) GROUP BY code"
        ).fetchall():
            report.warnings[code] += n
    report.rejected = report.rows - report.valid  # records with a problem, or malformed
    return report


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, int]:
    ((first, second),) = con.execute(sql).fetchall()  # an aggregate: one row
    return int(first), int(second)


def _report_malformed(source: Source, already: int, label: str, rejects: RejectsLog) -> int:
    new = source.malformed[already:]
    rejects.add(label, [Reject(m.row, "", m.text, m.reason) for m in new])
    return len(source.malformed)
