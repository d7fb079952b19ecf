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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow.parquet as pq

from dxscore.dossiers.measures import (
    MeasureError,
    dossier_base,
    execute,
    explain_empty,
    finish,
    measure_table,
    plan_span,
    time_bounds,
)
from dxscore.dossiers.store import Store, StoreError, check_timezone
from dxscore.dossiers.units import closure, read_units
from dxscore.periods import KINDS, check_kind

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ENGINES = ("duckdb", "spark")


@dataclass
class Measures:
    frame: pd.DataFrame
    kind: str
    engine: str
    warnings: list[str] = field(default_factory=list)


def duckdb_backend(threads: int | None = None) -> ibis.BaseBackend:
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")
    con.raw_sql("SET enable_progress_bar = false")  # it would write into piped output
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    return con


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
    else:
        store = Store(location)
        parts = [str(p) for p in store.parts()]
        bounds = parquet_time_bounds(store.parts())
        catalogue = str(store.catalogue_file()) if store.catalogue_file() else None
        tz = store.timezone
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
    return Tables(dossiers, cat_table, tz, bounds)


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
) -> Measures:
    """Measures per unit and period from a store (see measures.py for the definitions).

    ``units``: a units file or a ``code, parent`` frame to roll up a unit tree.
    ``by_procedure``: per unit, procedure and period (without the catalogue measures).
    ``start``/``end``: period codes bounding the output. ``backend``: an already
    connected Ibis backend to use (tests pass one Spark session around).
    """
    if kind not in KINDS:
        raise MeasureError(f"unknown period kind '{kind}' (use {', '.join(KINDS)})")
    if engine not in ENGINES:
        raise MeasureError(f"unknown engine '{engine}' (use {', '.join(ENGINES)})")
    period_kind = check_kind(kind)  # known already: the kind as its literal type
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
                f"{len(unknown)} unit code(s) in the dossiers are not in the units file and "
                f"are reported on their own: {shown}"
            )
        tree = closure(frame, unknown)
    if engine == "spark":
        # Spark computes a shared subquery once per use: keep the base for the run.
        with base.cache() as cached:
            result = execute(measure_table(cached, span, tree, catalogue, by_procedure))
    else:  # DuckDB reads the records once for the single query (a shared CTE)
        result = execute(measure_table(base, span, tree, catalogue, by_procedure))
    if result.empty:
        explain_empty(base, period_kind, start, end)
    return Measures(finish(result, period_kind), period_kind, engine, notes)
