"""Vectorised validation of one batch of input rows, in DuckDB.

For each column the batch is parsed to its type and checked; every problem is reported
as ``(row, column, value, reason)``. A batch becomes one SQL query (built once per file,
run per batch), so a million rows are checked in well under a second.

Timestamps are ISO 8601 (or a profile's strptime formats); one without an offset is
local time in the given zone; a bare date is local midnight. They are stored as UTC
instants truncated to the second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dxscore.dossiers.profiles import Profile, normalise_code
from dxscore.dossiers.schema import (
    FALSE_WORDS,
    FINISHED_STATUSES,
    MAX_YEAR,
    MIN_YEAR,
    PLAUSIBLE_DAYS,
    ROW,
    TRUE_WORDS,
    WARNING_CHECKS,
    WARNINGS,
    Column,
)

NUL_REASON = "contains a NUL character (code 0), which no stored text may hold"
SHOWN_VALUE = 200  # characters of a rejected value that are kept

TIMESTAMP_REASON = (
    "not a date/time (use ISO 8601, e.g. 2024-07-01, 2024-07-01 08:30 or 2024-07-01T08:30:00+07:00)"
)


@dataclass(frozen=True)
class Reject:
    row: int | None
    column: str
    value: str
    reason: str


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Validator:
    """Checks batches of one file against a column spec (dossiers or catalogue)."""

    def __init__(
        self,
        columns: tuple[Column, ...],
        mapping: dict[str, str],
        source_types: dict[str, pa.DataType],
        profile: Profile,
        tz: str,
        cross_checks: bool,
        max_cell_chars: int | None = None,
        *,
        warnings_as_errors: bool = False,
        now: dt.datetime | None = None,
        con: duckdb.DuckDBPyConnection | None = None,
    ):
        """``cross_checks``: the rules across columns, errors and warnings (dossiers, not
        the catalogue); a record with a warning is valid and carries the warnings' codes
        in ``_warnings``, unless ``warnings_as_errors``. ``now`` (UTC; default: the time
        of the call) is the time of the import, for "finished in the future". ``con``: the
        connection that holds the staging table (its TimeZone set to ``tz``); by default
        one of the validator's own."""
        self.columns = columns
        self.warnings_as_errors = warnings_as_errors
        self.now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
        self.with_warnings = cross_checks and not warnings_as_errors
        self.max_cell_chars = max_cell_chars
        self.mapping = mapping
        self.profile = profile
        self.tz = tz
        self.labels = {
            c.name: (
                mapping[c.name]
                if mapping.get(c.name, c.name).strip().lower() == c.name
                else f"{mapping[c.name]} ({c.name})"
            )
            if c.name in mapping
            else c.name
            for c in columns
        }
        self.types = source_types
        self.cross_checks = cross_checks
        # the source columns read as text: checked batch by batch for plain text (below)
        self.text_sources = sorted(
            {
                source
                for source in mapping.values()
                if (t := source_types.get(source)) is not None
                and (pa.types.is_string(t) or pa.types.is_large_string(t))
            }
        )
        self._queries: dict[frozenset[str], tuple[str, str]] = {}
        self._own = con is None
        if con is None:
            con = duckdb.connect()
            con.execute("SET enable_progress_bar = false")
            con.execute(f"SET TimeZone = {lit(tz)}")
            con.execute("SET threads = 2")
        self.con = con

    # -- SQL -------------------------------------------------------------------------

    def queries(self, plain: frozenset[str] = frozenset()) -> tuple[str, str]:
        """``(checked, problems)`` SQL over the registered batch ``src``: every row with
        its typed values, ``_row``, ``_warnings`` (when kept) and ``_ok``; and the rows
        that have a problem with the reason of each column (``e_COLUMN``). ``plain``:
        the text source columns known to hold plain text in this batch (see
        ``plain_text``), whose cells need no trimming, normalising or raw checks."""
        if plain not in self._queries:
            self._queries[plain] = self._build(self.types, self.cross_checks, plain)
        return self._queries[plain]

    def _build(
        self, types: dict[str, pa.DataType], cross_checks: bool, plain: frozenset[str]
    ) -> tuple[str, str]:
        present, parsed, raw_flags, conditions = [], [], [], []
        for col in self.columns:
            source = self.mapping.get(col.name)
            dtype = types.get(source) if source else None
            is_plain = source in plain
            n_expr, p_expr = self._parse(col, source, dtype, is_plain)
            present.append(f"{n_expr} AS {ident('n_' + col.name)}")
            parsed.append(f"{p_expr} AS {ident('p_' + col.name)}")
            raw_cases = [] if is_plain else self._raw_cases(source, dtype)
            parsed.append(f"{_case(raw_cases)} AS {ident('r_' + col.name)}")
            if raw_cases:
                flag = ident("rb_" + col.name)
                raw_flags.append(f"({' OR '.join(c for c, _ in raw_cases)}) AS {flag}")
                conditions.append(flag)
            conditions += [f"({c})" for c, _ in self._error_cases(col, cross_checks)]
        # a problem of the raw text (NUL, length) comes first: it explains the others
        errors = [
            f"COALESCE({ident('r_' + col.name)}, {self._error(col, cross_checks)}) "
            f"AS {ident('e_' + col.name)}"
            for col in self.columns
        ]
        values = [
            f"COALESCE(p_{c.name}, {self._default(c)}) AS {ident(c.name)}"
            if c.default is not None
            else f"p_{c.name} AS {ident(c.name)}"
            for c in self.columns
        ]
        ok = " AND ".join(f"{ident('e_' + c.name)} IS NULL" for c in self.columns)
        flags = f", {self._warnings_list()} AS {ident(WARNINGS)}" if self.with_warnings else ""
        carried = f", {ident(WARNINGS)}" if self.with_warnings else ""
        checked = f"""
            SELECT {", ".join(values)}, {ident(ROW)}{carried},
                   {", ".join(ident("e_" + c.name) for c in self.columns)}, ({ok}) AS _ok
            FROM (
                SELECT *, {", ".join(errors)}{flags}
                FROM (SELECT {ident(ROW)}, {", ".join(present + parsed)} FROM src)
            )"""
        # The reasons are fetched only for the rows that have a problem (usually none).
        problems = f"SELECT * FROM ({checked}) WHERE NOT _ok ORDER BY {ident(ROW)}"
        keep = ", ".join(
            f"TRY_CAST({ident(c.name)} AS TINYINT)" if c.kind == "rating" else ident(c.name)
            for c in self.columns
        )
        nulls = ", NULL::VARCHAR[]" if cross_checks and not self.with_warnings else ""
        # The rows to store: the same values, and _ok as one test of every condition (a
        # row is fine when none holds), without building the reasons.
        ok = f"NOT COALESCE({' OR '.join(conditions)}, FALSE)" if conditions else "TRUE"
        stored = f"""
            SELECT {", ".join(values)}, {ident(ROW)}{carried}, {ok} AS _ok
            FROM (
                SELECT *{flags}
                FROM (SELECT {ident(ROW)}, {", ".join(present + parsed + raw_flags)} FROM src)
            )"""
        return (
            f"SELECT {keep}, $batch::INTEGER, {ident(ROW)}{carried}{nulls}, _ok FROM ({stored})",
            problems,
        )

    def _warnings_list(self) -> str:
        """The codes of a row's warnings, in the order of WARNING_CHECKS; NULL when none
        (the list is built only for the rows that have one)."""
        conds = warning_conditions(self.now)
        flagged = " OR ".join(f"({conds[w.code]})" for w in WARNING_CHECKS)
        items = ", ".join(
            f"CASE WHEN {conds[w.code]} THEN {lit(w.code)} END" for w in WARNING_CHECKS
        )
        return (
            f"CASE WHEN {flagged} THEN list_filter([{items}], lambda x: x IS NOT NULL) "
            "ELSE NULL::VARCHAR[] END"
        )

    def _raw(self, source: str | None, dtype: pa.DataType | None) -> str:
        """The problem of a cell's text as it is in the file: a NUL character (no stored
        text may hold one; the API refuses them too) or more characters than a cell may
        have. NULL when none (or when the column is not text in the file)."""
        return _case(self._raw_cases(source, dtype))

    def _raw_cases(self, source: str | None, dtype: pa.DataType | None) -> list[tuple[str, str]]:
        if source is None or dtype is None:
            return []
        if pa.types.is_dictionary(dtype):
            dtype = dtype.value_type
        if not (pa.types.is_string(dtype) or pa.types.is_large_string(dtype)):
            return []
        ref = f"CAST({ident(source)} AS VARCHAR)"
        cases = [(f"contains({ref}, chr(0))", NUL_REASON)]
        if self.max_cell_chars:
            n = self.max_cell_chars
            cases.append((f"length({ref}) > {int(n)}", f"longer than {n:,} characters"))
        return cases

    def _default(self, col: Column) -> str:
        if col.kind == "bool":
            return "TRUE" if col.default else "FALSE"
        if col.kind == "number":
            assert col.default is not None  # called for the columns with a default only
            return repr(float(col.default))
        return lit(str(col.default))

    def _parse(
        self, col: Column, source: str | None, dtype: pa.DataType | None, plain: bool = False
    ) -> tuple[str, str]:
        """``(present, parsed)`` SQL for one column: whether the cell has a value, and the
        value parsed to the column's type (NULL when absent or unparseable). ``plain``:
        the source column holds plain text in this batch, which trimming and NFC
        normalisation leave as it is."""
        if source is None:
            return "FALSE", f"NULL::{_SQL[col.kind]}"
        ref = ident(source)
        if dtype is not None and pa.types.is_dictionary(dtype):
            dtype = dtype.value_type
        is_text = dtype is None or pa.types.is_string(dtype) or pa.types.is_large_string(dtype)
        if plain:
            text = f"NULLIF({ref}, '')"
        elif is_text:
            text = f"NULLIF(TRIM({ref}), '')"
        else:
            text = f"CAST({ref} AS VARCHAR)"
        present = f"({text} IS NOT NULL)" if is_text else f"({ref} IS NOT NULL)"
        kind = col.kind
        if kind == "timestamp":
            if dtype is not None and pa.types.is_timestamp(dtype) and dtype.tz:
                return present, utc_second(ref)
            if pa.types.is_timestamp(dtype) or pa.types.is_date(dtype):
                local = f"CAST({ref} AS TIMESTAMP)"
                return (
                    present,
                    f"date_trunc('second', timezone('UTC', timezone({lit(self.tz)}, {local})))",
                )
            formats = self.profile.timestamp_formats
            if not formats:
                return present, utc_second(f"TRY_CAST({text} AS TIMESTAMPTZ)")
            iso = f"timezone('UTC', TRY_CAST({text} AS TIMESTAMPTZ))"
            fmts = "[" + ", ".join(lit(f) for f in formats) + "]"
            local = f"timezone('UTC', timezone({lit(self.tz)}, try_strptime({text}, {fmts})))"
            iso = f"COALESCE({local}, {iso})"
            return present, f"date_trunc('second', {iso})"
        if kind in ("number", "rating"):
            if dtype is not None and (pa.types.is_integer(dtype) or pa.types.is_floating(dtype)):
                return present, f"CAST({ref} AS DOUBLE)"
            return present, f"TRY_CAST({text} AS DOUBLE)"
        if kind == "bool":
            if pa.types.is_boolean(dtype):
                return present, ref
            code = self._mapped(col, text)
            true_words = ", ".join(lit(w) for w in TRUE_WORDS)
            false_words = ", ".join(lit(w) for w in FALSE_WORDS)
            exact = ""
            if plain and not self.profile.values.get(col.name):
                # clean data: the word as it should be, with no lower-casing to do
                exact = (
                    f"WHEN {ref} IN ({true_words}) THEN TRUE "
                    f"WHEN {ref} IN ({false_words}) THEN FALSE "
                )
            return present, (
                f"CASE {exact}WHEN {code} IN ({true_words}) THEN TRUE "
                f"WHEN {code} IN ({false_words}) THEN FALSE END"
            )
        if kind == "enum":
            code = self._mapped(col, text)
            choices = ", ".join(lit(c) for c in col.choices)
            if self.profile.values.get(col.name):
                return present, f"CASE WHEN {code} IN ({choices}) THEN {code} END"
            exact = f"CAST({ref} AS VARCHAR)"  # clean data: the code as it should be
            return present, (
                f"CASE WHEN {exact} IN ({choices}) THEN {exact} "
                f"WHEN {code} IN ({choices}) THEN {code} END"
            )
        # text, in the composed Unicode form (legacy encodings give decomposed accents);
        # plain text is ASCII, which that form leaves as it is
        if not plain:
            text = f"nfc_normalize({text})"
        if dtype is not None and pa.types.is_floating(dtype):
            whole = f"CAST(CAST({ref} AS BIGINT) AS VARCHAR)"
            text = f"CASE WHEN {ref} = FLOOR({ref}) THEN {whole} ELSE {text} END"
        return present, text

    def _mapped(self, col: Column, text: str) -> str:
        """The cell's code, normalised and translated through the profile's value map."""
        code = f"replace(replace(lower({text}), '-', '_'), ' ', '_')"
        mapping = self.profile.values.get(col.name)
        if not mapping:
            return code
        whens = " ".join(f"WHEN {lit(normalise_code(k))} THEN {lit(v)}" for k, v in mapping.items())
        return f"(CASE {code} {whens} ELSE {code} END)"

    def _error(self, col: Column, cross_checks: bool) -> str:
        return _case(self._error_cases(col, cross_checks))

    def _error_cases(self, col: Column, cross_checks: bool) -> list[tuple[str, str]]:
        """The (condition, reason) of each problem a column's parsed cell may have, in
        the order in which they are reported (the first that holds)."""
        n, p = ident("n_" + col.name), ident("p_" + col.name)
        cases = []
        if col.required:
            cases.append((f"NOT {n}", "required, but empty"))
        kind = col.kind
        if kind == "timestamp":
            cases.append((f"{n} AND {p} IS NULL", TIMESTAMP_REASON))
            cases.append(
                (
                    # year() spelled as a range: the same test, without extracting fields
                    f"{p} IS NOT NULL AND ({p} < TIMESTAMP '{MIN_YEAR}-01-01' OR "
                    f"{p} >= TIMESTAMP '{MAX_YEAR + 1}-01-01')",
                    f"year outside {MIN_YEAR}-{MAX_YEAR}",
                )
            )
        elif kind == "number":
            cases.append((f"{n} AND {p} IS NULL", "not a number"))
            cases.append((f"isnan({p}) OR isinf({p})", "not a finite number"))
            cases.append((f"{p} < 0", "must be 0 or more"))
        elif kind == "rating":
            cases.append(
                (
                    # NOT IN (1, 2, 3, 4, 5), spelled without a list (a join in DuckDB)
                    f"{n} AND ({p} IS NULL OR NOT ({p} >= 1 AND {p} <= 5 AND {p} = floor({p})))",
                    "not a whole number from 1 to 5",
                )
            )
        elif kind == "bool":
            cases.append(
                (f"{n} AND {p} IS NULL", "not a yes/no value (use true/false, 1/0 or yes/no)")
            )
        elif kind == "enum":
            cases.append(
                (f"{n} AND {p} IS NULL", f"unknown value (expected {', '.join(col.choices)})")
            )
        if cross_checks:
            cases += _CROSS.get(col.name, [])
            if self.warnings_as_errors:
                conds = warning_conditions(self.now)
                cases += [(conds[w.code], w.reason) for w in WARNING_CHECKS if w.column == col.name]
        return cases

    # -- running -------------------------------------------------------------------

    def run(self, batch: pa.RecordBatch | pa.Table, into: str, batch_no: int) -> list[Reject]:
        """Append the batch's valid rows (typed, in the column order, then ``_batch`` set
        to ``batch_no``, ``_row``, ``_warnings`` when checked, and ``_ok``) to the table
        ``into`` of the connection, which holds no row with ``_ok`` false; returns the
        batch's problems."""
        table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        plain = frozenset(
            s for s in self.text_sources if plain_text(table.column(s), self.max_cell_chars or None)
        )
        checked, problems_sql = self.queries(plain)
        # Chunks of 128k rows let DuckDB scan with all its threads.
        self.con.register("src", pa.Table.from_batches(table.to_batches(max_chunksize=1 << 17)))
        try:
            self.con.execute(f"INSERT INTO {ident(into)} {checked}", {"batch": batch_no}).fetchall()
            ((bad_rows,),) = self.con.execute(
                f"SELECT count(*) FROM {ident(into)} WHERE NOT _ok"
            ).fetchall()
            rejects: list[Reject] = []
            if bad_rows:
                problems = self.con.sql(problems_sql).to_arrow_table()
                # where each problem row is in the batch (row numbers are unique in a file)
                at = pc.index_in(problems.column(ROW), value_set=table.column(ROW).combine_chunks())
                bad = np.asarray(at.to_numpy(zero_copy_only=False), dtype=np.int64)
                rejects = self._rejects(table, problems, bad)
                self.con.execute(f"DELETE FROM {ident(into)} WHERE NOT _ok").fetchall()
        finally:
            self.con.unregister("src")
        return rejects

    def _rejects(self, batch: pa.Table, problems: pa.Table, bad: np.ndarray) -> list[Reject]:
        """``problems``: the checked rows that have one, in order; ``bad``: their positions
        in the batch."""
        rows = problems.column(ROW).to_pylist()
        out: list[Reject] = []
        for col in self.columns:
            reasons = problems.column("e_" + col.name).to_pylist()
            if not any(reasons):
                continue
            source = self.mapping.get(col.name)
            raw = (
                pc.utf8_slice_codeunits(
                    pc.cast(batch.column(source).take(pa.array(bad)), pa.string()),
                    0,
                    SHOWN_VALUE + 1,  # a giant cell is never copied whole
                ).to_pylist()
                if source
                else [None] * len(bad)
            )
            out += [
                Reject(row, self.labels[col.name], "" if value is None else value, reason)
                for row, value, reason in zip(rows, raw, reasons, strict=True)
                if reason
            ]
        out.sort(key=lambda r: (r.row or 0))
        return out

    def close(self) -> None:
        if self._own:
            self.con.close()


def plain_text(column: pa.ChunkedArray | pa.Array, max_chars: int | None) -> bool:
    """Whether every value of a text column is plain: ASCII (which NFC normalisation
    leaves as it is) with no NUL, at most ``max_chars`` long, and, when not empty, with
    no space or control character at either end (so trimming leaves it as it is). Such
    a column is parsed without those steps; the answer is exact, from the Arrow buffers."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    for chunk in chunks:
        if pa.types.is_string(chunk.type):
            width: type[np.signedinteger[Any]] = np.int32
        elif pa.types.is_large_string(chunk.type):
            width = np.int64
        else:
            return False
        n = len(chunk)
        if n == 0 or chunk.null_count == n:
            continue
        _validity, offsets_buf, data_buf = chunk.buffers()
        offsets = np.frombuffer(offsets_buf, dtype=width)[chunk.offset : chunk.offset + n + 1]
        starts, ends = offsets[:-1], offsets[1:]
        if chunk.null_count:
            valid = np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
            starts, ends = starts[valid], ends[valid]
        if max_chars is not None and (ends - starts).max() > max_chars:
            return False
        if data_buf is None or int(offsets[-1]) == int(offsets[0]):
            continue  # only empty values
        data = np.frombuffer(data_buf, dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])]
        if data.max() >= 0x80 or data.min() == 0:
            return False
        # bytes that are spaces or control characters (0x01-0x20, 0x7F), and whether any
        # of them begins or ends a value
        odd = np.flatnonzero((data - np.uint8(0x21)) >= np.uint8(0x5E))
        if odd.size:
            odd += int(offsets[0])
            at = np.searchsorted(offsets, odd, side="right") - 1  # the value of each
            if ((odd == offsets[at]) | (odd == offsets[at + 1] - 1)).any():
                return False
    return True


_SQL = {
    "text": "VARCHAR",
    "enum": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "number": "DOUBLE",
    "bool": "BOOLEAN",
    "rating": "DOUBLE",
}


def _case(cases: list[tuple[str, str]]) -> str:
    """The reason of the first condition that holds; NULL when none does."""
    if not cases:
        return "NULL::VARCHAR"
    return "CASE " + " ".join(f"WHEN {cond} THEN {lit(reason)}" for cond, reason in cases) + " END"


def utc_second(ref: str) -> str:
    """SQL for ``date_trunc('second', timezone('UTC', ref))`` of a TIMESTAMPTZ: the UTC
    time truncated to the second. Within years 1000-2999 it is computed from the epoch
    (several times faster than the time zone functions), beyond them as written."""
    us = f"epoch_us({ref})"
    return (
        f"CASE WHEN {ref} >= TIMESTAMPTZ '1000-01-01 00:00:00+00' AND "
        f"{ref} < TIMESTAMPTZ '3000-01-01 00:00:00+00' "
        f"THEN make_timestamp({us} - (({us} % 1000000) + 1000000) % 1000000) "
        f"ELSE date_trunc('second', timezone('UTC', {ref})) END"
    )


_FINISHED = ", ".join(lit(s) for s in FINISHED_STATUSES)
# Rules across columns, checked only when the columns involved parsed cleanly.
_CROSS: dict[str, list[tuple[str, str]]] = {
    "finished_at": [
        (
            f"p_status IN ({_FINISHED}) AND NOT n_finished_at",
            "required when status is finished or returned",
        ),
        (
            "p_status = 'in_progress' AND n_finished_at",
            "must be empty when status is in_progress (or set status to finished)",
        ),
    ],
}


def warning_conditions(now: dt.datetime) -> dict[str, str]:
    """The SQL condition of each warning (schema.WARNING_CHECKS), over the parsed cells;
    NULL (not true) when a cell it reads is empty or did not parse. ``now``: the time
    of the import, zone-less UTC."""
    bound = PLAUSIBLE_DAYS * 86400
    return {
        "supplement_exceeds_processing": (
            f"p_supplement_days > 0 AND p_status IN ({_FINISHED}) AND "
            "p_finished_at >= p_received_at AND "
            "p_supplement_days * 86400 > epoch(p_finished_at) - epoch(p_received_at)"
        ),
        "finished_before_received": "p_finished_at < p_received_at",
        "due_before_received": "p_due_at < p_received_at",
        "finished_in_future": f"p_finished_at > TIMESTAMP {lit(now.isoformat(sep=' '))}",
        "paid_online_without_fee": "p_paid_online AND NOT COALESCE(p_has_fee, FALSE)",
        "processing_too_long": f"epoch(p_finished_at) - epoch(p_received_at) > {bound}",
        "supplement_too_long": f"p_supplement_days > {PLAUSIBLE_DAYS}",
    }
