"""Data quality as a figure: per unit and period, how many of the records counted carry
each warning (``schema.WARNING_CHECKS``).

A record is counted in the period (local time) it was received, at its unit and, with a
unit tree, at every unit above it, as the measures count ``received``; withdrawn
dossiers count nowhere, here as there. Written as Ibis expressions, so it runs on the
engines the measures run on (DuckDB, Spark). Records stored before warnings were kept
(store parts without a ``_warnings`` column) count as records without warnings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd

from dxscore import periods as generic_periods
from dxscore.dossiers.engines import ENGINES, duckdb_backend, open_tables, spark_session
from dxscore.dossiers.measures import MeasureError, execute, time_bounds
from dxscore.dossiers.periods import DAY, Offsets, calendar, zone_offsets
from dxscore.dossiers.schema import WARNING_CODES, WARNINGS
from dxscore.dossiers.store import check_timezone
from dxscore.dossiers.units import closure, read_units

KEYS = ["unit", "period"]
COUNTS = ("records", "with_warnings", *WARNING_CODES)
# for reconciling with another system's counts: withdrawn dossiers received in the
# period (counted nowhere here), and records received on its first or last local day
# (which a system cutting periods in another zone or at another hour counts elsewhere)
EXTRA = ("withdrawn", "at_period_edges")


def share_of(code: str) -> str:
    return f"{code}_share"


# unit, period, records, with_warnings, with_warnings_share, then each code and its share
QUALITY_COLUMNS = (
    *KEYS,
    "records",
    "with_warnings",
    share_of("with_warnings"),
    *(c for code in WARNING_CODES for c in (code, share_of(code))),
    *EXTRA,
)


def _local_day(seconds: ir.IntegerValue, offsets: Offsets) -> ir.IntegerValue:
    """Local calendar day (days since 1970-01-01) of a UTC epoch second (as the measures
    compute it: the zone's offset as a step function)."""
    if len(offsets.offsets) == 1:
        shift = ibis.literal(offsets.offsets[0], "int64")
    else:
        branches = [
            (seconds < start, ibis.literal(off, "int64"))
            for start, off in zip(offsets.starts[1:], offsets.offsets[:-1], strict=True)
        ]
        shift = ibis.cases(*branches, else_=ibis.literal(offsets.offsets[-1], "int64"))
    return ((seconds + shift) // DAY).cast("int32")


def quality_table(
    dossiers: ir.Table, offsets: Offsets, cal: ir.Table, tree: pd.DataFrame | None = None
) -> ir.Table:
    """Counts per unit and period: ``records`` (non-withdrawn dossiers received in the
    period), ``with_warnings`` (of those, with any warning), one count per warning code
    and the ``EXTRA`` counts. ``cal``: ``day, period`` (the period's code), ``edge``
    (the period's first or last day); ``tree``: a closure table (``member, unit``) to
    roll up a unit tree."""
    d = dossiers
    counted = (d.status != "withdrawn").cast("int64")
    received = d.received_at.epoch_seconds().cast("int64")
    columns: dict[str, ir.Value] = {
        "unit": d.unit,
        "r_day": _local_day(received, offsets),
        "records": counted,
        "withdrawn": 1 - counted,
    }
    if WARNINGS in d.columns:
        codes = d[WARNINGS]
        columns["with_warnings"] = codes.notnull().cast("int64") * counted
        for code in WARNING_CODES:
            columns[code] = codes.contains(code).fill_null(False).cast("int64") * counted
    else:
        zero = ibis.literal(0, "int64")
        columns["with_warnings"] = zero
        for code in WARNING_CODES:
            columns[code] = zero
    rows = d.select(**columns)
    rows = rows.join(cal, rows.r_day == cal.day).drop("r_day", "day")
    rows = rows.mutate(at_period_edges=rows.edge.cast("int64") * rows.records).drop("edge")
    if tree is not None:
        rows = rows.rename(member="unit").join(ibis.memtable(tree), "member").drop("member")
    sums = {name: rows[name].sum() for name in (*COUNTS, *EXTRA)}
    return rows.group_by(KEYS).aggregate(**sums)


def finish_quality(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as integers, a share beside each (of ``records``), sorted by unit, period."""
    frame = frame.sort_values(KEYS, kind="stable").reset_index(drop=True)
    for name in (*COUNTS, *EXTRA):
        frame[name] = frame[name].fillna(0).astype("int64")
    for name in COUNTS[1:]:
        shares = frame[name] / frame["records"].where(frame["records"] > 0)
        frame[share_of(name)] = shares.astype("float64")
    return frame[list(QUALITY_COLUMNS)]


def compute_quality(
    store: str | Path,
    kind: str = "month",
    *,
    engine: str = "duckdb",
    units: str | Path | pd.DataFrame | None = None,
    tz: str | None = None,
    start: str | None = None,
    end: str | None = None,
    spark_master: str | None = None,
    backend: ibis.BaseBackend | None = None,
) -> pd.DataFrame:
    """The data-quality table of a store (``QUALITY_COLUMNS``): one row per unit and
    period that received records (with ``units``, per unit of the tree, its
    descendants' records included). ``start``/``end``: period codes bounding it."""
    if kind not in generic_periods.KINDS:
        raise MeasureError(
            f"unknown kind of period '{kind}' (use {', '.join(generic_periods.KINDS)})"
        )
    if engine not in ENGINES:
        raise MeasureError(f"unknown engine '{engine}' (use {', '.join(ENGINES)})")
    checked = generic_periods.check_kind(kind)
    if backend is not None:
        con = backend
    elif engine == "duckdb":
        con = duckdb_backend()
    else:
        con = ibis.pyspark.connect(spark_session(spark_master))
    tables = open_tables(con, engine, store)
    zone = check_timezone(tz or tables.timezone)
    lo, hi = tables.bounds or time_bounds(tables.dossiers)
    offsets = zone_offsets(zone, lo - 2 * DAY, hi + 2 * DAY)
    first_day, last_day = offsets.local_day(lo), offsets.local_day(hi)
    days = calendar(first_day, last_day, checked)
    codes = {int(i): generic_periods.code_at(int(i), checked) for i in set(days["period"])}
    first = generic_periods.parse(start).span(checked)[0] if start else None
    last = generic_periods.parse(end).span(checked)[1] if end else None
    if first is not None and last is not None and first > last:
        raise MeasureError(f"the period range {start}..{end} is empty")
    keep = (days["period"] >= (first if first is not None else days["period"].min())) & (
        days["period"] <= (last if last is not None else days["period"].max())
    )
    # a period's first and last day, over the whole calendar (not cut by start/end)
    edge = (days["period"] != days["period"].shift(1)) | (
        days["period"] != days["period"].shift(-1)
    )
    first_of = generic_periods.parse(codes[int(days["period"].iloc[0])]).start
    last_of = generic_periods.parse(codes[int(days["period"].iloc[-1])]).end
    epoch = dt.date(1970, 1, 1)
    first_differs = len(days) > 1 and days["period"].iloc[0] != days["period"].iloc[1]
    last_differs = len(days) > 1 and days["period"].iloc[-1] != days["period"].iloc[-2]
    edge.iloc[0] = bool(first_differs) or int(days["day"].iloc[0]) == (first_of - epoch).days
    edge.iloc[-1] = bool(last_differs) or int(days["day"].iloc[-1]) == (last_of - epoch).days
    days, edge = days[keep], edge[keep]
    cal = ibis.memtable(
        pd.DataFrame(
            {
                "day": days["day"].astype("int32"),
                "period": days["period"].map(codes).astype(str),
                "edge": edge.astype(bool),
            }
        )
    )
    tree = None
    if units is not None:
        frame = read_units(units) if not isinstance(units, pd.DataFrame) else units
        seen = set(execute(tables.dossiers.select("unit").distinct())["unit"])
        tree = closure(frame, sorted(seen - set(frame["code"])))
    return finish_quality(execute(quality_table(tables.dossiers, offsets, cal, tree)))


def warned_records(
    store: str | Path,
    unit_codes: list[str] | None,
    kind: str,
    period: str,
    code: str | None = None,
    *,
    tz: str | None = None,
) -> pd.DataFrame:
    """The stored records behind the quality figures of a period (DuckDB, a local
    store): those of ``unit_codes`` (None: all) received in ``period`` that carry warning
    ``code`` (None: any warning), with their lineage and warning codes."""
    import duckdb

    from dxscore.dossiers.schema import BATCH, COLUMN_NAMES, ROW
    from dxscore.dossiers.store import Store

    if code is not None and code not in WARNING_CODES:
        raise MeasureError(f"unknown warning '{code}' (use {', '.join(WARNING_CODES)})")
    checked = generic_periods.check_kind(kind)
    span = generic_periods.parse(period)
    if span.kind != checked:
        raise MeasureError(f"'{period}' is not a {kind}")
    opened = Store(store)
    zone = check_timezone(tz or opened.timezone)
    columns = [*COLUMN_NAMES, WARNINGS, BATCH, ROW]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    parts = [str(p) for p in opened.parts()]
    if not parts:
        return empty
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        names = set(
            con.execute(
                "DESCRIBE SELECT * FROM read_parquet(?, union_by_name=true)", [parts]
            ).fetchdf()["column_name"]
        )
        if WARNINGS not in names:
            return empty
        wanted = f"list_contains({WARNINGS}, ?)" if code else f"{WARNINGS} IS NOT NULL"
        params: list[object] = [parts, zone, span.start, span.end]
        if code:
            params.append(code)
        unit_filter = ""
        if unit_codes is not None:
            unit_filter = "AND list_contains(?, unit)"
            params.append(list(unit_codes))
        frame: pd.DataFrame = con.execute(
            f"""SELECT {", ".join(columns)} FROM read_parquet(?, union_by_name=true)
            WHERE status <> 'withdrawn'
              AND CAST(timezone(?, timezone('UTC', received_at)) AS DATE) BETWEEN ? AND ?
              AND {wanted} {unit_filter}
            ORDER BY unit, dossier_id""",
            params,
        ).fetchdf()
    finally:
        con.close()
    frame[WARNINGS] = frame[WARNINGS].map(lambda v: " ".join(v) if v is not None else "")
    return frame
