"""Running the measures on an engine: DuckDB in-process (default) or Spark.

``compute_measures`` is the one entry point: it opens the store, builds the Ibis
expression of ``measures.py`` and executes it on the chosen backend. Spark runs in
local mode unless a master URL is given; its store may be any Spark-readable path
(``hdfs://``, ``s3a://``...) holding a copy of a store folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow.parquet as pq

from dxscore.dossiers.measures import (
    READING_SCHEMA,
    MeasureError,
    Span,
    arrow_frame,
    calendar_frame,
    dossier_base,
    execute,
    explain_empty,
    finish,
    measure_table,
    plan_span,
    read_on_map,
    reading_frame,
    time_bounds,
    unread_rows,
)
from dxscore.dossiers.periods import EPOCH
from dxscore.dossiers.reform import OnMap, plan_maps
from dxscore.dossiers.schema import BATCH, ROW
from dxscore.dossiers.store import Store, StoreError, check_timezone
from dxscore.dossiers.units import closure, read_units
from dxscore.errors import counted
from dxscore.periods import KINDS, Kind, check_kind

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ENGINES = ("duckdb", "spark")


@dataclass
class Measures:
    frame: pd.DataFrame
    kind: str
    engine: str
    warnings: list[str] = field(default_factory=list)
    on_map: str = ""  # with a lineage: the map the measures are counted on


def duckdb_backend(threads: int | None = None) -> ibis.BaseBackend:
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")
    con.raw_sql("SET enable_progress_bar = false")  # it would write into piped output
    # results are sorted by the query itself: DuckDB need not keep the scan's order
    con.raw_sql("SET preserve_insertion_order = false")
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    return con


DOSSIERS_VIEW, CATALOGUE_VIEW = "dxscore_dossiers", "dxscore_catalogue"
TREE_TABLE, CALENDAR_TABLE = "dxscore_tree", "dxscore_calendar"


@dataclass
class Prepared:
    """The process's DuckDB connection and the measures queries compiled on it, by
    shape. A query reads the store through views of fixed names that each call points
    at its store's files, so the Ibis expressions are built and compiled once per shape
    (period kind, zone offsets, --from/--to, tree, catalogue, per procedure) and
    process; a call after the first pays only DuckDB's planning of the SQL text. One
    call at a time (``lock``): the views are the connection's."""

    con: ibis.BaseBackend
    lock: threading.Lock = field(default_factory=threading.Lock)
    queries: dict[tuple[object, ...], str] = field(default_factory=dict)

    def point(self, parts: list[str], catalogue: str | None, tree: pd.DataFrame | None) -> None:
        """Point the views at a store's files (and register the unit tree)."""
        raw = self.con.con  # the DuckDB connection ibis holds
        files = ", ".join("'" + p.replace("'", "''") + "'" for p in parts)
        raw.execute(
            f"CREATE OR REPLACE TEMP VIEW {DOSSIERS_VIEW} AS SELECT * FROM read_parquet([{files}])"
        )
        if catalogue is not None:
            path = catalogue.replace("'", "''")
            raw.execute(
                f"CREATE OR REPLACE TEMP VIEW {CATALOGUE_VIEW} AS "
                f"SELECT * FROM read_parquet('{path}')"
            )
        if tree is not None:
            raw.register(TREE_TABLE, tree)

    def calendar(self, span: Span) -> None:
        """Register the calendar of ``span`` (the query reads it by name)."""
        self.con.con.register(CALENDAR_TABLE, calendar_frame(span))

    def run(self, key: tuple[object, ...], build: Callable[[], ir.Table]) -> pd.DataFrame:
        """The result of the query of ``key`` (compiled from ``build()`` the first time),
        straight from DuckDB as Arrow."""
        sql = self.queries.get(key)
        if sql is None:
            sql = str(self.con.compile(build()))
            self.queries[key] = sql
        return arrow_frame(self.con.con.sql(sql).to_arrow_table())


_PREPARED: Prepared | None = None


def prepared() -> Prepared:
    """The process's ``Prepared`` DuckDB connection (made on first use)."""
    global _PREPARED
    if _PREPARED is None:
        _PREPARED = Prepared(duckdb_backend())
    return _PREPARED


def spark_session(master: str | None = None, app: str = "dxscore") -> SparkSession:
    """A Spark session, reusing the active one if any. Local mode is quiet and small."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise MeasureError(
            "the Spark engine needs PySpark: pip install 'dxscore[spark]' (and Java 17+)"
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
    master = master or "local[2]"
    builder = (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    if master.startswith("local"):
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.default.parallelism", "2")
            .config("spark.driver.memory", os.environ.get("DXSCORE_SPARK_MEMORY", "2g"))
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


@dataclass
class Tables:
    dossiers: ir.Table
    catalogue: ir.Table | None
    timezone: str
    bounds: tuple[int, int] | None = None  # from the Parquet statistics, when local
    sources: dict[int, str] = field(default_factory=dict)  # import batch -> its file
    engine: str = "duckdb"
    con: ibis.BaseBackend | None = None


def _is_remote(location: str) -> bool:
    return "://" in location and not location.startswith("file://")


def open_tables(con: ibis.BaseBackend, engine: str, location: str | Path) -> Tables:
    """The store's dossier (and catalogue) tables on a backend, from the manifest's files."""
    location = str(location)
    if engine == "spark" and _is_remote(location):
        session = con._session
        text = session.sparkContext.wholeTextFiles(location.rstrip("/") + "/manifest.json")
        try:
            manifest = json.loads(text.collect()[0][1])
        except Exception as exc:  # Spark wraps the Hadoop error
            raise StoreError(f"{location}: cannot read manifest.json: {exc}") from None
        base = location.rstrip("/")
        parts = [f"{base}/{p['file']}" for p in manifest["parts"]]
        cat = manifest.get("catalogue")
        catalogue = f"{base}/{cat['file']}" if cat else None
        tz = manifest["timezone"]
        bounds = None
        imports = manifest.get("imports", [])
    else:
        store = Store(location)
        parts = [str(p) for p in store.parts()]
        bounds = parquet_time_bounds(store.parts())
        catalogue = str(store.catalogue_file()) if store.catalogue_file() else None
        tz = store.timezone
        imports = store.manifest.get("imports", [])
    sources = {int(i["batch"]): Path(str(i["source"])).name for i in imports if "batch" in i}
    if not parts:
        raise StoreError(f"{location}: the store holds no dossiers yet")
    if engine == "duckdb":
        dossiers = con.read_parquet(parts, table_name="dossiers")
        cat_table = con.read_parquet(catalogue, table_name="catalogue") if catalogue else None
    else:
        session = con._session
        session.read.parquet(*parts).createOrReplaceTempView("dxscore_dossiers")
        dossiers = con.table("dxscore_dossiers")
        cat_table = None
        if catalogue:
            session.read.parquet(catalogue).createOrReplaceTempView("dxscore_catalogue")
            cat_table = con.table("dxscore_catalogue")
    return Tables(dossiers, cat_table, tz, bounds, sources, engine, con)


def parquet_time_bounds(paths: list[Path]) -> tuple[int, int] | None:
    """The first and last instant (UTC epoch seconds) of ``received_at`` and
    ``finished_at`` in Parquet files, from their statistics (no data is read). None when
    a file lacks them."""
    lo: int | None = None
    hi: int | None = None
    for path in paths:
        meta = pq.ParquetFile(path).metadata
        names = [meta.schema.column(i).name for i in range(meta.num_columns)]
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            for name in ("received_at", "finished_at"):
                stats = group.column(names.index(name)).statistics
                if stats is None:
                    return None
                if not stats.has_min_max:
                    if name == "finished_at" and stats.null_count == group.num_rows:
                        continue  # no finished dossiers in this row group
                    return None
                if name == "received_at":
                    first = _epoch(stats.min)
                    lo = first if lo is None else min(lo, first)
                last = _epoch(stats.max) + 1
                hi = last if hi is None else max(hi, last)
    return None if lo is None or hi is None else (lo, hi)  # hi is set with lo


def _epoch(value: dt.datetime) -> int:
    """Epoch seconds (floor) of a zone-less timestamp holding UTC."""
    stamp = pd.Timestamp(value)
    return int(stamp.value // 10**9) if stamp.tz is None else int(stamp.timestamp() // 1)


def compute_measures(
    store: str | Path,
    kind: str = "month",
    *,
    engine: str = "duckdb",
    units: str | Path | pd.DataFrame | None = None,
    tz: str | None = None,
    start: str | None = None,
    end: str | None = None,
    use_catalogue: bool = True,
    by_procedure: bool = False,
    spark_master: str | None = None,
    backend: ibis.BaseBackend | None = None,
    on_map: OnMap | None = None,
) -> Measures:
    """Measures per unit and period from a store (see measures.py for the definitions).

    ``units``: a units file or a ``code, parent`` frame to roll up a unit tree.
    ``by_procedure``: per unit, procedure and period (without the catalogue measures).
    ``start``/``end``: period codes bounding the output. ``backend``: an already
    connected Ibis backend to use (tests pass one Spark session around). ``on_map``:
    read each record's unit on the map of its received date and count on the map of
    each period or of a day (``reform.py``); the lineage gives the tree then.
    """
    if kind not in KINDS:
        raise MeasureError(f"unknown period kind '{kind}' (use {', '.join(KINDS)})")
    if engine not in ENGINES:
        raise MeasureError(f"unknown engine '{engine}' (use {', '.join(ENGINES)})")
    if on_map is not None and units is not None:
        raise MeasureError(
            "with a lineage the units and their tree come from the lineage: no units file"
        )
    period_kind = check_kind(kind)  # known already: the kind as its literal type
    if engine == "duckdb" and backend is None and on_map is None and not _is_remote(str(store)):
        return _prepared_measures(
            Store(store), period_kind, units, tz, start, end, use_catalogue, by_procedure
        )
    if backend is not None:
        con = backend
    elif engine == "duckdb":
        con = duckdb_backend()
    else:
        con = ibis.pyspark.connect(spark_session(spark_master))
    tables = open_tables(con, engine, store)
    catalogue = tables.catalogue if use_catalogue and not by_procedure else None
    bounds = tables.bounds or time_bounds(tables.dossiers)
    span = plan_span(bounds, period_kind, check_timezone(tz or tables.timezone), start, end)
    if on_map is not None:
        return _on_map(tables, span, on_map, by_procedure, engine, catalogue is not None)
    base = dossier_base(tables.dossiers, span, procedures=catalogue is not None or by_procedure)
    notes: list[str] = []
    tree = None
    if units is not None:
        frame = read_units(units) if not isinstance(units, pd.DataFrame) else units
        listed = set(frame["code"])
        unknown = sorted(set(execute(base.select("unit").distinct())["unit"]) - listed)
        if unknown:
            shown = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
            notes.append(
                f"{counted(len(unknown), 'unit code')} in the dossiers not in the units file, "
                f"reported on their own: {shown}"
            )
        tree = ibis.memtable(closure(frame, unknown))
    result = _run(engine, base, span, tree, catalogue, by_procedure)
    if result.empty:
        explain_empty(base, period_kind, start, end)
    return Measures(finish(result, period_kind), period_kind, engine, notes)


def _prepared_measures(
    store: Store,
    kind: Kind,
    units: str | Path | pd.DataFrame | None,
    tz: str | None,
    start: str | None,
    end: str | None,
    use_catalogue: bool,
    by_procedure: bool,
) -> Measures:
    """``compute_measures`` on the process's DuckDB connection, with the query compiled
    once per shape (``Prepared``)."""
    parts = [str(p) for p in store.parts()]
    if not parts:
        raise StoreError(f"{store.root}: the store holds no dossiers yet")
    catalogue_file = store.catalogue_file() if use_catalogue and not by_procedure else None
    catalogue_path = str(catalogue_file) if catalogue_file else None
    frame = None
    if units is not None:
        frame = read_units(units) if not isinstance(units, pd.DataFrame) else units
    local = prepared()
    with local.lock:
        local.point(parts, catalogue_path, None)
        con = local.con
        bounds = parquet_time_bounds(store.parts()) or time_bounds(con.table(DOSSIERS_VIEW))
        span = plan_span(bounds, kind, check_timezone(tz or store.timezone), start, end)
        local.calendar(span)
        procedures = catalogue_path is not None or by_procedure
        notes: list[str] = []
        if frame is not None:
            listed = set(frame["code"])
            seen = con.con.execute(
                f"SELECT DISTINCT unit FROM {DOSSIERS_VIEW} WHERE status <> 'withdrawn'"
            ).fetchall()
            unknown = sorted({u for (u,) in seen} - listed)
            if unknown:
                shown = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
                notes.append(
                    f"{counted(len(unknown), 'unit code')} in the dossiers not in the units "
                    f"file, reported on their own: {shown}"
                )
            local.point(parts, catalogue_path, closure(frame, unknown))

        def build() -> ir.Table:
            base = dossier_base(con.table(DOSSIERS_VIEW), span, procedures=procedures)
            tree = con.table(TREE_TABLE) if frame is not None else None
            catalogue = con.table(CATALOGUE_VIEW) if catalogue_path is not None else None
            cal = con.table(CALENDAR_TABLE)
            return measure_table(base, span, tree, catalogue, by_procedure, cal)

        # one offset (most zones, Vietnam's): a literal; with changes, their instants too
        offsets = span.offsets.offsets if len(span.offsets.offsets) == 1 else span.offsets
        key = (
            kind,
            offsets,
            span.start,
            span.end,
            frame is not None,
            catalogue_path is not None,
            by_procedure,
        )
        result = local.run(key, build)
        if result.empty:
            explain_empty(dossier_base(con.table(DOSSIERS_VIEW), span), kind, start, end)
    # the query's ORDER BY sorted the rows (DuckDB orders strings by code point, as Python)
    return Measures(finish(result, kind, ordered=True), kind, "duckdb", notes)


def _run(
    engine: str,
    base: ir.Table,
    span: Span,
    tree: ir.Table | None,
    catalogue: ir.Table | None,
    by_procedure: bool,
) -> pd.DataFrame:
    if engine == "spark":
        # Spark computes a shared subquery once per use: keep the base for the run.
        with base.cache() as cached:
            return execute(measure_table(cached, span, tree, catalogue, by_procedure))
    # DuckDB reads the records once for the single query (a shared CTE)
    return execute(measure_table(base, span, tree, catalogue, by_procedure))


SHOWN_ROWS = 10


def _on_map(
    tables: Tables,
    span: Span,
    on_map: OnMap,
    by_procedure: bool,
    engine: str,
    had_catalogue: bool,
) -> Measures:
    """The measures with every record read on the map of its received date and counted
    on one map per stretch of periods (``reform.plan_maps``)."""
    codes = sorted(execute(tables.dossiers.select("unit").distinct())["unit"])
    runs = plan_maps(on_map, codes, span.kind, span.first_period, span.last_period)
    # the records' units on their received days: a code that denotes no unit then is
    # an error; on the map of a day, so is a unit that began after it
    reading = runs[0].reading
    later = (reading["why"] == "later") & (on_map.as_of is not None)
    check = reading.assign(unit=pd.Series(["-"] * len(reading), dtype=object).mask(later))
    checked = _table(tables, reading_frame(check), "dxscore_units_read")
    bad = execute(unread_rows(tables.dossiers, checked, span.offsets).limit(SHOWN_ROWS))
    if not bad.empty:
        raise MeasureError(_unread(bad, tables.sources, on_map))
    notes = []
    if had_catalogue:
        notes.append("the catalogue measures are not computed on a map of the lineage (yet)")
    lost = sorted({key for run in runs for key in run.lost})
    if lost:
        shown = ", ".join(lost[:10]) + (" ..." if len(lost) > 10 else "")
        notes.append(
            f"the records of {counted(len(lost), 'unit')} abolished without successor count for no "
            f"unit on {on_map.describe()}: {shown}"
        )
    frames, base = [], None
    for i, run in enumerate(runs):
        reading = _table(tables, reading_frame(run.reading), f"dxscore_units_on_map_{i}")
        records = read_on_map(tables.dossiers, reading, span.offsets)
        base = dossier_base(records, span, procedures=by_procedure)
        tree = _table(tables, run.tree, f"dxscore_tree_on_map_{i}", TREE_SCHEMA)
        frame = _run(engine, base, span, tree, None, by_procedure)
        frames.append(frame[frame["period"].between(run.first_period, run.last_period)])
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if result.empty:
        assert base is not None
        explain_empty(base, span.kind, None, None)
    measures = finish(result, span.kind)
    return Measures(measures, span.kind, engine, notes, on_map.describe())


TREE_SCHEMA = {"member": "string", "unit": "string"}


def _table(
    tables: Tables, frame: pd.DataFrame, name: str, schema: dict[str, str] = READING_SCHEMA
) -> ir.Table:
    """A small table of the run on the records' backend. On Spark a temporary view: the
    records' base is cached before the query runs, and ibis registers in-memory tables
    only when a query runs."""
    if tables.engine != "spark" or tables.con is None:
        return ibis.memtable(frame, schema=schema)
    session = tables.con._session
    columns = ", ".join(f"{c} {'int' if t == 'int32' else t}" for c, t in schema.items())
    rows = [tuple(None if pd.isna(v) else v for v in r) for r in frame.itertuples(index=False)]
    session.createDataFrame(rows, schema=columns).createOrReplaceTempView(name)
    return tables.con.table(name)


def _unread(bad: pd.DataFrame, sources: dict[int, str], on_map: OnMap) -> str:
    """The error naming the records whose unit cannot be read (first rows)."""
    lines = []
    for batch, row_no, unit, day, code in bad[
        [BATCH, ROW, "unit", "received_day", "code"]
    ].itertuples(index=False, name=None):
        received = EPOCH + dt.timedelta(days=int(day))
        where = f"{sources.get(int(batch), f'import {batch}')} row {row_no}"
        if pd.isna(code):
            why = f"unit '{unit}' denotes no unit on its received date {received}"
        else:
            why = (
                f"unit '{unit}' (received {received}) began after {on_map.as_of}: "
                "its records cannot be counted on an earlier map (choose a later --as-of)"
            )
        lines.append(f"{where}: {why}")
    more = " (first rows shown)" if len(bad) >= SHOWN_ROWS else ""
    return f"records whose unit cannot be read on {on_map.describe()}{more}:\n  " + "\n  ".join(
        lines
    )
