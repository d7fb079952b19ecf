"""Realistic synthetic dossier records, for demos, tests and benchmarks.

A synthetic province: a unit tree (province > districts > communes), a procedure
catalogue (online levels, fees, time limits, payment integration) and dossiers with
seasonality (the Tet dip, a year-end rush, quiet weekends), units that differ in online
adoption and in backlog, supplements, overdue and unfinished dossiers, returned and
withdrawn ones, and earlier versions of some dossiers (same id, earlier updated_at,
placed anywhere in the file) as exports from live systems contain.

Everything is vectorised NumPy and deterministic for a given seed; rows are written
in chunks, so 20 million rows need little memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dxscore.dossiers.periods import DAY, zone_offsets
from dxscore.dossiers.schema import DEFAULT_TZ
from dxscore.index.arrays import Bools, Floats, Ints

CHUNK = 1_000_000
FILE_ROWS = 5_000_000
FORMATS = ("parquet", "csv")
# Month factors: Tet (Jan/Feb) dip, a busy spring and a year-end rush.
MONTH_WEIGHT = np.array([0.85, 0.6, 1.05, 1.0, 1.0, 0.95, 1.0, 1.0, 1.0, 1.05, 1.1, 1.25])
WEEKDAY_WEIGHT = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.35, 0.08])


class SynthError(ValueError):
    pass


@dataclass
class SynthResult:
    files: list[Path] = field(default_factory=list)
    rows: int = 0
    duplicates: int = 0
    units_file: Path | None = None
    catalogue_file: Path | None = None


@dataclass
class _World:
    units: pd.DataFrame  # code, parent, name, level, size, adoption, backlog
    catalogue: (
        pd.DataFrame
    )  # procedure, unit, name, service_level, has_fee, online_payment_integrated
    procedures: pd.DataFrame  # procedure, level, has_fee, limit_days, popularity


def _world(n_units: int, rng: np.random.Generator) -> _World:
    n_units = max(1, n_units)
    n_districts = 0 if n_units < 3 else max(1, round((n_units - 1) * 0.1))
    n_communes = n_units - 1 - n_districts
    rows = [("T01", "", "Province one-stop centre", "province")]
    districts = [f"T01-H{i + 1:02d}" for i in range(n_districts)]
    rows += [(c, "T01", f"District {i + 1}", "district") for i, c in enumerate(districts)]
    for i in range(n_communes):
        parent = districts[i % n_districts] if districts else "T01"
        rows.append(
            (f"{parent}-X{i // max(n_districts, 1) + 1:03d}", parent, f"Commune {i + 1}", "commune")
        )
    units = pd.DataFrame(rows, columns=["code", "parent", "name", "level"])
    size_by_level = {"province": 40.0, "district": 6.0, "commune": 1.0}
    units["size"] = units["level"].map(size_by_level) * rng.lognormal(0, 0.5, len(units))
    units["adoption"] = rng.beta(2.0, 2.5, len(units))  # share of eligible dossiers filed online
    units["backlog"] = rng.lognormal(-0.15, 0.35, len(units))  # >1: slower than the time limit

    n_proc = 240
    proc = pd.DataFrame({"procedure": [f"1.{i + 1:06d}" for i in range(n_proc)]})
    proc["level"] = rng.choice(["full", "partial", "offline"], n_proc, p=[0.35, 0.4, 0.25])
    proc["has_fee"] = rng.random(n_proc) < 0.4
    proc["integrated"] = proc["has_fee"] & (rng.random(n_proc) < 0.7)
    proc["limit_days"] = rng.choice([1, 3, 5, 7, 10, 15, 20, 30], n_proc)
    proc.loc[rng.random(n_proc) < 0.08, "limit_days"] = 0  # no time limit
    proc["popularity"] = 1.0 / np.arange(1, n_proc + 1) ** 0.9
    proc["tier"] = rng.choice(["province", "district", "commune"], n_proc, p=[0.5, 0.3, 0.2])
    cat_rows = []
    for unit, level in zip(units["code"], units["level"], strict=True):
        share = {"province": 1.0, "district": 0.9, "commune": 0.8}[level]
        own = proc[(proc["tier"] == level) & (rng.random(n_proc) < share)]
        for p in own.itertuples():
            cat_rows.append(
                (p.procedure, unit, f"Procedure {p.procedure}", p.level, p.has_fee, p.integrated)
            )
    catalogue = pd.DataFrame(
        cat_rows,
        columns=[
            "procedure",
            "unit",
            "name",
            "service_level",
            "has_fee",
            "online_payment_integrated",
        ],
    )
    return _World(units, catalogue, proc)


def _day_weights(first: dt.date, last: dt.date) -> tuple[Ints, Floats]:
    days = np.arange(np.datetime64(first), np.datetime64(last) + 1)
    months = days.astype("datetime64[M]").astype(int) % 12
    weekdays = (days.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    trend = np.linspace(1.0, 1.15, len(days))  # slowly growing use
    w = MONTH_WEIGHT[months] * WEEKDAY_WEIGHT[weekdays] * trend
    return days.astype(np.int64), w / w.sum()


def _chunk(
    world: _World,
    n: int,
    rng: np.random.Generator,
    span: tuple[Ints, Floats, int, int],  # days, their weights, the UTC offset, the export time
    start_id: int,
    dup_share: float,
) -> pa.Table:
    days, day_p, offset, now = span
    units = world.units
    # Units by size; procedures from the unit's own catalogue, by popularity.
    unit_idx = rng.choice(len(units), n, p=(units["size"] / units["size"].sum()).to_numpy())
    cat = world.catalogue
    proc_pos = {p: i for i, p in enumerate(world.procedures["procedure"])}
    procedure_idx = np.empty(n, dtype=np.int64)
    for u in np.unique(unit_idx):
        rows = unit_idx == u
        own = cat.loc[cat["unit"] == units["code"].iat[u], "procedure"].map(proc_pos).to_numpy()
        if len(own) == 0:
            own = np.arange(len(world.procedures))
        pop = world.procedures["popularity"].to_numpy()[own]
        procedure_idx[rows] = rng.choice(own, rows.sum(), p=pop / pop.sum())
    proc = world.procedures
    level = proc["level"].to_numpy()[procedure_idx]
    has_fee = proc["has_fee"].to_numpy()[procedure_idx]
    limit = proc["limit_days"].to_numpy()[procedure_idx]
    adoption = units["adoption"].to_numpy()[unit_idx]
    backlog = units["backlog"].to_numpy()[unit_idx]

    eligible = np.where(level == "full", 1.0, np.where(level == "partial", 0.75, 0.0))
    u = rng.random(n)
    channel = np.where(u < adoption * eligible, "online", np.where(u > 0.97, "post", "in_person"))
    online = channel == "online"

    day = rng.choice(days, n, p=day_p)
    office = 7.5 * 3600 + rng.random(n) * 9.5 * 3600
    anytime = rng.random(n) * DAY
    local_seconds = day * DAY + np.where(online, anytime, office).astype(np.int64)
    received = local_seconds - offset
    has_due = limit > 0
    due_local_day = day + np.maximum(limit, 1) + (limit >= 5) * (limit // 5) * 2  # + weekends
    due = np.where(has_due, due_local_day * DAY + 17 * 3600 - offset, 0)
    supplement = np.where(rng.random(n) < 0.12, rng.choice([0.5, 1, 2, 3, 5, 8], n), 0.0)
    nominal = np.where(has_due, np.maximum(limit, 1), 7) * DAY
    duration = (nominal * backlog * rng.lognormal(-0.35, 0.45, n)).astype(np.int64) + 3600
    finished = received + duration + (supplement * DAY).astype(np.int64)
    done = finished <= now
    status = np.where(done, np.where(rng.random(n) < 0.05, "returned", "finished"), "in_progress")
    withdrawn = rng.random(n) < 0.01
    status = np.where(withdrawn, "withdrawn", status)
    finished_ok = done & ~withdrawn
    supplement = np.where(finished_ok | (status == "in_progress"), supplement, 0.0)

    paid_online = has_fee & np.where(
        online, rng.random(n) < 0.2 + 0.6 * adoption, rng.random(n) < 0.05
    )
    result_electronic = finished_ok & (rng.random(n) < 0.45 + 0.45 * adoption)
    digitised = finished_ok & (rng.random(n) < 0.3 + 0.6 * adoption)
    reused = rng.random(n) < 0.1 + 0.3 * adoption
    late = finished_ok & has_due & (finished - (supplement * DAY).astype(np.int64) > due)
    rated = finished_ok & (rng.random(n) < np.where(online, 0.35, 0.1))
    rating = np.where(
        late,
        rng.choice([1, 2, 3, 4], n, p=[0.2, 0.3, 0.3, 0.2]),
        rng.choice([3, 4, 5], n, p=[0.1, 0.35, 0.55]),
    )
    updated = np.where(finished_ok, finished, received) + rng.integers(0, 600, n)

    ids = start_id + np.arange(n)
    table = _table(
        ids,
        units["code"].to_numpy()[unit_idx],
        proc["procedure"].to_numpy()[procedure_idx],
        level,
        channel,
        received,
        np.where(has_due, due, -1),
        np.where(finished_ok, finished, -1),
        status,
        supplement,
        has_fee,
        paid_online,
        result_electronic,
        digitised,
        reused,
        np.where(rated, rating, 0),
        updated,
    )
    # Earlier versions: a snapshot while in progress, placed anywhere in the chunk.
    n_dup = int(round(n * dup_share))
    if n_dup:
        pick = rng.choice(
            np.flatnonzero(finished_ok), min(n_dup, int(finished_ok.sum())), replace=False
        )
        early = table.take(pa.array(pick))
        earlier = np.asarray(updated[pick]) - rng.integers(3600, 5 * DAY, len(pick))
        earlier = np.maximum(earlier, received[pick])
        early = _set(early, "status", pa.array(["in_progress"] * len(pick)))
        early = _set(
            early, "finished_at", pa.nulls(len(pick), early.schema.field("finished_at").type)
        )
        early = _set(early, "result_electronic", pa.array(np.zeros(len(pick), bool)))
        early = _set(early, "digitised", pa.array(np.zeros(len(pick), bool)))
        early = _set(early, "rating", pa.nulls(len(pick), pa.int8()))
        early = _set(
            early, "updated_at", pa.array(earlier * 1_000_000, pa.timestamp("us", tz="UTC"))
        )
        table = pa.concat_tables([table, early])
        order = rng.permutation(table.num_rows)
        table = table.take(pa.array(order))
    return table


def _set(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    i = table.schema.get_field_index(name)
    return table.set_column(i, name, values.cast(table.schema.field(name).type))


def _table(
    ids: Ints,
    unit: npt.NDArray[Any],  # text: unit codes (object), channels... (str_)
    procedure: npt.NDArray[Any],
    level: npt.NDArray[Any],
    channel: npt.NDArray[Any],
    received: Ints,  # UTC epoch seconds; due and finished are -1 when absent
    due: Ints,
    finished: Ints,
    status: npt.NDArray[Any],
    supplement: Floats,
    has_fee: Bools,
    paid_online: Bools,
    result_electronic: Bools,
    digitised: Bools,
    reused: Bools,
    rating: Ints,  # 0: not rated
    updated: Ints,
) -> pa.Table:
    ts = pa.timestamp("us", tz="UTC")

    def stamp(seconds: Ints, valid: Bools | None = None) -> pa.Array:
        arr = np.asarray(seconds, dtype=np.int64) * 1_000_000
        mask = None if valid is None else ~valid
        return pa.array(arr, ts, mask=mask)

    id_text = pc.utf8_lpad(pa.array(ids).cast(pa.string()), 9, "0")
    return pa.table(
        {
            "dossier_id": pc.binary_join_element_wise("HS", id_text, ""),
            "unit": pa.array(unit, pa.string()),
            "procedure": pa.array(procedure, pa.string()),
            "service_level": pa.array(level, pa.string()),
            "channel": pa.array(channel, pa.string()),
            "received_at": stamp(received),
            "due_at": stamp(due, due >= 0),
            "finished_at": stamp(finished, finished >= 0),
            "status": pa.array(status, pa.string()),
            "supplement_days": pa.array(supplement, pa.float64()),
            "has_fee": pa.array(has_fee, pa.bool_()),
            "paid_online": pa.array(paid_online, pa.bool_()),
            "result_electronic": pa.array(result_electronic, pa.bool_()),
            "digitised": pa.array(digitised, pa.bool_()),
            "reused_data": pa.array(reused, pa.bool_()),
            "rating": pa.array(rating, pa.int8(), mask=rating == 0),
            "updated_at": stamp(updated),
        }
    )


def _as_text(table: pa.Table, tz: str) -> pa.Table:
    """Timestamps as local ISO text without an offset, as most exports write them."""
    cols = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_timestamp(col.type):
            local = col.cast(pa.timestamp("s", tz="UTC")).cast(pa.timestamp("s", tz=tz))
            col = pc.strftime(local, format="%Y-%m-%d %H:%M:%S")
        elif pa.types.is_boolean(col.type):
            col = pc.if_else(col, "true", "false")
        cols[name] = col
    return pa.table(cols)


def synth(
    out: str | Path,
    rows: int,
    units: int = 60,
    start: dt.date | str = "2024-01-01",
    end: dt.date | str = "2024-12-31",
    seed: int = 1,
    *,
    tz: str = DEFAULT_TZ,
    fmt: str = "parquet",
    dup_share: float = 0.02,
    file_rows: int = FILE_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> SynthResult:
    """Write ``rows`` dossier records (plus a few earlier versions) to folder ``out``,
    with ``units.csv`` and ``catalogue.csv`` beside them."""
    if fmt not in FORMATS:
        raise SynthError(f"unknown format '{fmt}' (use {', '.join(FORMATS)})")
    try:
        start = dt.date.fromisoformat(str(start))
        end = dt.date.fromisoformat(str(end))
    except ValueError as exc:
        raise SynthError(f"dates must be YYYY-MM-DD: {exc}") from None
    if end < start:
        raise SynthError(f"--to {end} is before --from {start}")
    if rows < 1:
        raise SynthError("--rows must be at least 1")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    world = _world(units, rng)
    result = SynthResult()
    result.units_file = out / "units.csv"
    world.units[["code", "parent", "name"]].to_csv(result.units_file, index=False)
    result.catalogue_file = out / "catalogue.csv"
    world.catalogue.to_csv(result.catalogue_file, index=False)

    days, day_p = _day_weights(start, end)
    epoch_start = int(days[0]) * DAY
    offset = zone_offsets(tz, epoch_start, epoch_start + DAY).offsets[0]
    now = (int(days[-1]) + 1) * DAY - offset  # the export was taken at the end of the span
    span = (days, day_p, offset, now)

    writer, file_no, in_file, done = None, 0, 0, 0
    try:
        while done < rows:
            n = min(CHUNK, rows - done)
            table = _chunk(world, n, np.random.default_rng([seed, done]), span, done + 1, dup_share)
            result.duplicates += table.num_rows - n
            if writer is None or in_file >= file_rows:
                if writer is not None:
                    writer.close()
                file_no += 1
                path = out / f"dossiers-{file_no:03d}.{fmt}"
                result.files.append(path)
                writer = _writer(path, fmt, table.schema, tz)
                in_file = 0
            writer.write_table(_as_text(table, tz) if fmt == "csv" else table)
            in_file += n
            done += n
            result.rows += table.num_rows
            if progress:
                progress(done, rows)
    finally:
        if writer is not None:
            writer.close()
    return result


def _writer(path: Path, fmt: str, schema: pa.Schema, tz: str) -> pq.ParquetWriter | pacsv.CSVWriter:
    if fmt == "parquet":
        return pq.ParquetWriter(path, schema, compression="zstd")
    text_schema = pa.schema(
        [
            pa.field(
                f.name,
                pa.string()
                if pa.types.is_timestamp(f.type) or pa.types.is_boolean(f.type)
                else f.type,
            )
            for f in schema
        ]
    )
    options = pacsv.WriteOptions(quoting_style="needed")
    return pacsv.CSVWriter(str(path), text_schema, write_options=options)
