"""Dossier records from the API, stored with ``dxscore.dossiers``: its record schema, its
validation and its store (the same Parquet store ``dxscore dossiers`` uses).

A batch is written to a Parquet file and imported with ``Store.import_files(strict=True)``:
the library checks every field (codes, timestamps, the rules across columns) and keeps
one row per (unit, dossier_id), the latest ``updated_at`` winning, so sending a batch
again changes nothing and sending a newer version replaces the older one. Any problem in
any record stores nothing; each is reported with the record's index and field. The web
side adds what the library cannot know: every record's unit must exist and lie in the
person's entry scope.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import tempfile
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field
from pydantic import BaseModel, ConfigDict, create_model

from dxscore.dossiers import Store, StoreError
from dxscore.dossiers.schema import COLUMN_NAMES, DOSSIER_COLUMNS, Column
from dxscore.safefiles import dossier_limits
from dxscore.tables import read_text
from dxscore.web import workspace
from dxscore.web.api.problems import BUSY, FORBIDDEN, INVALID, ApiProblem, FieldProblem
from dxscore.web.api.schemas import MAX_BATCH
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit, code_spans, not_on_map

_ARROW = {"number": pa.float64(), "bool": pa.bool_(), "rating": pa.int64()}
_LOCK = threading.Lock()  # one import at a time in this process (the store locks too)
LOCK_WAIT = 60.0  # seconds a batch waits for another process's import before giving up


def _field(col: Column):
    """The pydantic field of one dossier column, from the library's column table."""
    about = col.help or ""
    if col.choices:
        about += f" One of: {', '.join(col.choices)}."
    if col.kind == "timestamp":
        about += " ISO 8601; without an offset, local time of the workspace."
        kind = str
    elif col.kind in ("text", "enum"):
        kind = str | int if col.kind == "text" else str
    elif col.kind == "number":
        kind = float
    elif col.kind == "bool":
        kind = bool
    else:
        kind = int
    if col.required:
        return (kind, Field(..., description=about.strip()))
    return (kind | None, Field(None, description=about.strip()))


class _Record(BaseModel):
    """Plain pydantic (not ninja's Schema, which wraps every object for Django): a batch
    holds up to 10,000 of these."""

    model_config = ConfigDict(extra="forbid")


DossierIn = create_model(
    "DossierIn", __base__=_Record, **{c.name: _field(c) for c in DOSSIER_COLUMNS}
)


class DossierBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[DossierIn] = Field(  # type: ignore[valid-type]
        ..., min_length=1, max_length=MAX_BATCH, description="1 to 10,000 dossier records."
    )


def store_path() -> Path:
    return Path(settings.DXSCORE_DOSSIER_STORE)


def _table(records: list) -> pa.Table:
    columns = {}
    for col in DOSSIER_COLUMNS:
        cells = [getattr(r, col.name) for r in records]
        kind = _ARROW.get(col.kind)
        if kind is None:
            cells = [None if c is None else str(c) for c in cells]
            kind = pa.string()
        columns[col.name] = pa.array(cells, kind)
    return pa.table(columns)


def received_day(text: object, tz: str) -> dt.date | None:
    """The local date of a record's ``received_at`` (ISO 8601; without an offset, local
    time), or ``None`` if it is not ISO (the library reports a bad timestamp)."""
    try:
        moment = dt.datetime.fromisoformat(str(text).strip())
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(tz))
    return moment.date()


def _scope_problems(user, records: list) -> list[tuple[str, FieldProblem]]:
    """Every record's unit is read on the map of its received date (``docs/units.md``):
    it must denote a unit then, in the person's entry scope."""
    today = dt.date.today()
    days = [
        (str(r.unit).strip(), received_day(r.received_at, settings.TIME_ZONE) or today)
        for r in records
    ]
    units = Unit.objects.on_days(set(days))
    spans = code_spans({code for code, day in days if (code, day) not in units})
    errors = []
    for index, (code, day) in enumerate(days):
        unit = units.get((code, day))
        if not code or (unit is not None and scope.allows(user, scope.ENTER, unit)):
            continue  # an empty unit is the library's to report
        if unit is None:
            message = not_on_map(code, day, spans)
            errors.append(("invalid", FieldProblem(message, "unit", index, "records")))
        else:
            message = _("you may not send dossiers of %(u)s") % {"u": unit}
            errors.append(("forbidden", FieldProblem(message, "unit", index, "records")))
    return errors


def _rejects(path: Path | None) -> list[FieldProblem]:
    if path is None or not path.exists():
        return []
    found = []
    with path.open(encoding="utf-8", newline="") as f:
        for written in csv.DictReader(f):
            row = {k: read_text(v) for k, v in written.items()}  # as before csv_writer
            index = int(row["row"]) - 1 if row["row"] else None
            column = row["column"] or None
            reason = row["reason"] + (f" (got '{row['value']}')" if row["value"] else "")
            found.append(FieldProblem(reason, column, index, "records"))
    return found


def _import(path: Path, rejects: Path):
    deadline = time.monotonic() + LOCK_WAIT
    with _LOCK:
        while True:
            try:
                store = Store(store_path(), create=True, tz=settings.TIME_ZONE)
                # every problem of a batch (at most 10,000 records) is listed
                every = dossier_limits().replace(rejects_per_reason=0)
                # all or nothing on errors; a record with a warning is stored with it, as
                # from a file (docs/dossiers.md, errors and warnings)
                return store.import_files(
                    [path],
                    strict=True,
                    warnings_as_errors=False,
                    rejects_path=rejects,
                    limits=every,
                )
            except StoreError as exc:
                # another process (a `dxscore dossiers import`) holds the store: wait
                if "another import" not in str(exc) or time.monotonic() > deadline:
                    raise ApiProblem(
                        503,
                        _("Dossier store unavailable"),
                        str(exc),
                        BUSY,
                        [],
                        {"Retry-After": "5"},
                    ) from None
                time.sleep(0.2)


def store_batch(user, records: list) -> dict:
    """Import one batch; the counts of what happened. Raises ApiProblem having stored nothing."""
    errors = _scope_problems(user, records)
    if any(kind == "forbidden" for kind, _e in errors):
        raise ApiProblem(
            403,
            _("Out of your scope"),
            _("Nothing was stored: the batch has dossiers of units you may not send."),
            FORBIDDEN,
            [e for _k, e in errors],
        )
    if errors:
        raise _invalid([e for _k, e in errors])
    work = Path(tempfile.mkdtemp(prefix="dxscore-api-"))
    try:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        name = "".join(c for c in user.get_username() if c.isalnum() or c in "._-")[:40]
        path = work / f"api-{stamp}-{name or 'user'}.parquet"
        pq.write_table(_table(records), path, compression="zstd")
        # the store and the measures job that follows it change together (for backups)
        with workspace.writing(timeout=LOCK_WAIT):
            result = _import(path, work / "rejects.csv")
            if result.rejected:
                raise _invalid(_rejects(result.rejects_file))
            if result.new or result.updated:
                # the site's worker recomputes the measures (one waiting job serves many)
                from dxscore.web.dossierdata.worker import queue_measures

                queue_measures(user)
    except workspace.WorkspaceBusy:
        raise ApiProblem(
            503,
            _("Backup in progress"),
            _("A backup or restore of the workspace is running; retry shortly."),
            BUSY,
            [],
            {"Retry-After": "10"},
        ) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = result.files[0]
    already = report.skipped_as is not None
    return {
        "batch": report.batch,
        "received": len(records),
        "new": result.new,
        "updated": result.updated,
        "unchanged": len(records) if already else result.unchanged,
        "stale": result.stale,
        "duplicates": result.duplicates,
        "warned": result.warned,
        "warnings": result.warnings,
        "already_imported": already,
    }


def _invalid(errors: list[FieldProblem]) -> ApiProblem:
    errors = sorted(errors, key=lambda e: (e.index or 0, e.field or ""))
    return ApiProblem(
        422,
        _("The batch is not valid"),
        ngettext(
            "Nothing was stored: %(n)d problem, listed in errors.",
            "Nothing was stored: %(n)d problems, listed in errors.",
            len(errors),
        )
        % {"n": len(errors)},
        INVALID,
        errors,
    )


# --- reading -----------------------------------------------------------------------------


def query(
    unit_codes: list[str] | None,
    filters: dict,
    limit: int,
    offset: int,
) -> tuple[int, list[dict]]:
    """``(count, records)`` from the store: ``unit_codes`` None means every unit."""
    for attempt in range(3):
        try:
            return _query(unit_codes, filters, limit, offset)
        except duckdb.IOException:  # an import replaced a part while we read: read again
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _query(unit_codes, filters, limit, offset):
    try:
        store = Store(store_path())
    except StoreError:
        return 0, []
    parts = store.parts()
    if not parts or unit_codes == []:
        return 0, []
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        files = [str(p) for p in parts]
        where, params = ["TRUE"], [files]
        if unit_codes is not None:
            con.register("allowed", pa.table({"code": pa.array(unit_codes, pa.string())}))
            where.append("unit IN (SELECT code FROM allowed)")
        for name, sql in (
            ("dossier_id", "dossier_id = ?"),
            ("procedure", "procedure = ?"),
            ("status", "status = ?"),
            ("received_from", "received_at >= ?"),
            ("received_before", "received_at < ?"),
        ):
            if filters.get(name) is not None:
                where.append(sql)
                value = filters[name]
                if isinstance(value, dt.datetime):
                    try:
                        value = value.astimezone(dt.UTC).replace(tzinfo=None)
                    except OverflowError:
                        value = dt.datetime.min if value.year < 2000 else dt.datetime.max
                params.append(value)
        cond = " AND ".join(where)
        source = "read_parquet(?)"
        count = con.execute(f"SELECT count(*) FROM {source} WHERE {cond}", params).fetchone()[0]
        cols = ", ".join(COLUMN_NAMES)
        rows = con.execute(
            f"SELECT {cols} FROM {source} WHERE {cond} ORDER BY unit, dossier_id "
            f"LIMIT {int(limit)} OFFSET {int(offset)}",
            params,
        ).fetchall()
    finally:
        con.close()
    out = []
    for row in rows:
        record = dict(zip(COLUMN_NAMES, row, strict=True))
        for name in ("received_at", "due_at", "finished_at", "updated_at"):
            if record[name] is not None:
                record[name] = record[name].replace(tzinfo=dt.UTC)
        out.append(record)
    return count, out
