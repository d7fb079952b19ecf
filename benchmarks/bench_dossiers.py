"""Benchmark: dossier import and measures against hand-written baselines, in one run.

For each size (default 1M and 5M dossiers, what ``make bench`` runs; add 20M with
``--sizes 1000000,5000000,20000000``, about 15 minutes and 10 GB of scratch space) the
script generates synthetic records
(``dxscore dossiers synth``), imports them into a store, then computes the monthly
measures per unit three ways over the same Parquet files:

- dxscore: ``compute_measures`` (Ibis expressions on DuckDB), the product;
- sql: one hand-written DuckDB SQL query computing the same measures (the engine's
  limit);
- polars: one idiomatic polars lazy query (``scan_parquet`` ... ``collect``);
- pandas: the same measures with pandas group-bys (the usual script), up to 5M.

Each contender runs in its own process, so peak memory (max RSS) is its own; times are
the best of ``--repeat`` runs, the contenders taking turns (one run of each, then the
next round), so that a change of the machine's state falls on all alike. Each process
first runs once on a 5,000-dossier store, so that importing Python modules is not timed.
dxscore's process keeps its DuckDB connection and the query it compiled
(``engines.Prepared``), as a worker does: the timed call pays pointing the views at the
store, planning the SQL text, the query and the conversion of the result; a second timed
call clears the compiled query first ("query compiled in the call"). The hand-written
query connects DuckDB in the timed block. Process CPU time (all threads) is recorded
next to wall time: on a shared machine it is the steadier figure; the 1-minute load
average is recorded after each contender's runs.
All results are compared to dxscore's before any figure is printed.
Output: a Markdown table for docs/benchmarks.md.

    .venv/bin/python benchmarks/bench_dossiers.py                       # 1M and 5M
    .venv/bin/python benchmarks/bench_dossiers.py --sizes 1000000,5000000,20000000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
TZ = "Asia/Ho_Chi_Minh"
OFFSET_HOURS = 7  # the hand-written query and pandas use Hanoi's fixed offset directly


# -- workers (run in their own process) ------------------------------------------------


def work_synth(args) -> dict:
    from dxscore.dossiers.synth import synth

    t = time.perf_counter()
    made = synth(
        args.dir,
        args.rows,
        units=args.units,
        start="2023-01-01",
        end="2024-12-31",
        seed=11,
        fmt=args.format,
    )
    return {
        "seconds": time.perf_counter() - t,
        "files": [str(f) for f in made.files],
        "records": made.rows,
    }


class Timer:
    """Wall and process CPU time (all threads) of a block."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_):
        self.seconds = time.perf_counter() - self.wall
        self.cpu_seconds = time.process_time() - self.cpu


def work_import(args) -> dict:
    from dxscore.dossiers import Store

    t = time.perf_counter()
    result = Store(args.store, create=True).import_files(args.files)
    seconds = time.perf_counter() - t
    records = sum(f.rows for f in result.files)
    return {
        "seconds": seconds,
        "records": records,
        "stored": result.stored_rows,
        "rejected": result.rejected,
    }


def work_dxscore(args) -> dict:
    from dxscore.dossiers import compute_measures
    from dxscore.dossiers.engines import prepared

    if args.warmup:
        compute_measures(args.warmup, "month", engine=args.engine, use_catalogue=False)
    with Timer() as t:  # the query compiled by the warm-up call is reused, as in a worker
        frame = compute_measures(args.store, "month", engine=args.engine, use_catalogue=False)
    frame.frame.to_parquet(args.result)
    result = {"seconds": t.seconds, "cpu_seconds": t.cpu_seconds, "rows": len(frame.frame)}
    if args.engine == "duckdb":  # and a call that builds and compiles the query first
        prepared().queries.clear()
        with Timer() as cold:
            compute_measures(args.store, "month", engine=args.engine, use_catalogue=False)
        result.update(cold_seconds=cold.seconds, cold_cpu_seconds=cold.cpu_seconds)
    return result


HAND_SQL = """
WITH d AS (
    SELECT unit, channel, service_level, has_fee, paid_online, reused_data,
           result_electronic, digitised, rating, supplement_days,
           date_trunc('month', received_at + INTERVAL {h} HOUR) AS r,
           CASE WHEN status IN ('finished', 'returned')
                THEN date_trunc('month', finished_at + INTERVAL {h} HOUR) END AS f,
           CASE WHEN due_at IS NOT NULL THEN greatest(
                date_trunc('month', received_at + INTERVAL {h} HOUR),
                date_trunc('month', due_at + INTERVAL {h} HOUR
                           + to_seconds(round(supplement_days * 86400)::BIGINT))) END AS a,
           due_at IS NULL OR finished_at - to_seconds(round(supplement_days * 86400)::BIGINT)
                <= due_at AS on_time,
           epoch(finished_at - received_at) / 86400 - supplement_days AS days
    FROM read_parquet({files})
    WHERE status <> 'withdrawn'
),
rec AS (
    SELECT unit, r AS p, count(*) AS received,
           count(*) FILTER (channel = 'online') AS received_online,
           count(*) FILTER (channel = 'online' AND service_level = 'full') AS full_online,
           count(*) FILTER (has_fee) AS with_fee,
           count(*) FILTER (has_fee AND paid_online) AS paid,
           count(*) FILTER (reused_data) AS reused
    FROM d GROUP BY ALL
),
fin AS (
    SELECT unit, f AS p, count(*) AS finished, count(*) FILTER (on_time) AS finished_on_time,
           count(*) FILTER (result_electronic) AS electronic,
           count(*) FILTER (digitised) AS digitised, avg(days) AS avg_days,
           median(days) AS median_days, avg(rating) AS satisfaction
    FROM d WHERE f IS NOT NULL GROUP BY ALL
),
o_in AS (SELECT unit, a AS p, count(*) AS n FROM d WHERE a IS NOT NULL GROUP BY ALL),
o_out AS (
    SELECT unit, greatest(a, f) AS p, count(*) AS n FROM d
    WHERE a IS NOT NULL AND f IS NOT NULL GROUP BY ALL
),
span AS (SELECT min(r) AS lo, max(greatest(r, coalesce(f, r))) AS hi FROM d),
grid AS (
    SELECT u.unit, g.p FROM (SELECT DISTINCT unit FROM d) u,
         (SELECT unnest(generate_series(lo, hi, INTERVAL 1 MONTH)) AS p FROM span) g
),
t AS (
    SELECT grid.unit, grid.p,
           coalesce(received, 0) AS received, coalesce(received_online, 0) AS received_online,
           coalesce(full_online, 0) AS full_online, coalesce(with_fee, 0) AS with_fee,
           coalesce(paid, 0) AS paid, coalesce(reused, 0) AS reused,
           coalesce(finished, 0) AS finished, coalesce(finished_on_time, 0) AS finished_on_time,
           coalesce(electronic, 0) AS electronic, coalesce(fin.digitised, 0) AS digitised,
           avg_days, median_days, satisfaction,
           sum(coalesce(received, 0) - coalesce(finished, 0))
               OVER (PARTITION BY grid.unit ORDER BY grid.p) AS open_at_end,
           sum(coalesce(o_in.n, 0) - coalesce(o_out.n, 0))
               OVER (PARTITION BY grid.unit ORDER BY grid.p) AS open_overdue
    FROM grid
    LEFT JOIN rec USING (unit, p) LEFT JOIN fin USING (unit, p)
    LEFT JOIN o_in USING (unit, p) LEFT JOIN o_out USING (unit, p)
)
SELECT unit, strftime(p, '%Y-%m') AS period, received, received_online,
       received_online / nullif(received, 0) AS online_share,
       full_online / nullif(received, 0) AS full_online_share,
       finished, finished_on_time, finished_on_time / nullif(finished, 0) AS on_time_rate,
       open_at_end, open_overdue,
       (finished_on_time + open_at_end - open_overdue) / nullif(finished + open_at_end, 0)
           AS timeliness_rate,
       20 * (finished_on_time + open_at_end - open_overdue) / nullif(finished + open_at_end, 0)
           AS timeliness_points,
       avg_days AS avg_processing_days, median_days AS median_processing_days,
       paid / nullif(with_fee, 0) AS paid_online_share,
       electronic / nullif(finished, 0) AS electronic_result_share,
       digitised / nullif(finished, 0) AS digitised_share,
       reused / nullif(received, 0) AS reuse_share, satisfaction
FROM t ORDER BY unit, period
"""


def work_sql(args) -> dict:
    import duckdb

    from dxscore.dossiers import Store

    def query(store: str) -> str:
        files = "[" + ", ".join(f"'{p}'" for p in Store(store).parts()) + "]"
        return HAND_SQL.format(h=OFFSET_HOURS, files=files)

    def run(store: str):
        con = duckdb.connect()  # connecting is timed, as compute_measures connects
        con.execute("SET enable_progress_bar = false")
        frame = con.sql(query(store)).df()
        con.close()
        return frame

    if args.warmup:
        run(args.warmup)
    with Timer() as t:
        frame = run(args.store)
    frame.to_parquet(args.result)
    return {"seconds": t.seconds, "cpu_seconds": t.cpu_seconds, "rows": len(frame)}


def work_pandas(args) -> dict:
    import numpy as np
    import pandas as pd

    from dxscore.dossiers import Store

    if args.warmup:
        pd.concat(pd.read_parquet(p) for p in Store(args.warmup).parts())
    timer = Timer().__enter__()
    d = pd.concat(pd.read_parquet(p) for p in Store(args.store).parts())
    d = d[d["status"] != "withdrawn"]
    shift = pd.Timedelta(hours=OFFSET_HOURS)

    def month(ts: pd.Series) -> pd.Series:  # months since year 0, NaN when missing
        local = (ts + shift).to_numpy().astype("datetime64[M]")
        out = local.astype("int64").astype("float64") + 1970 * 12
        out[np.isnat(local)] = np.nan
        return pd.Series(out, index=ts.index)

    supplement = pd.to_timedelta((d["supplement_days"] * 86400).round(), unit="s")
    r = month(d["received_at"])
    f = month(d["finished_at"].where(d["status"].isin(["finished", "returned"])))
    o = month(d["due_at"] + supplement)
    a = np.fmax(r, o).where(d["due_at"].notna())
    d = d.assign(
        r=r,
        f=f,
        a=a,
        m=np.fmax(a, f).where(a.notna() & f.notna()),
        online=d["channel"] == "online",
        on_time=d["due_at"].isna() | (d["finished_at"] - supplement <= d["due_at"]),
        days=(d["finished_at"] - d["received_at"]).dt.total_seconds() / 86400
        - d["supplement_days"],
    )
    d["full_online"] = d["online"] & (d["service_level"] == "full")
    d["paid"] = d["has_fee"] & d["paid_online"]
    rec = d.groupby(["unit", "r"]).agg(
        received=("online", "size"),
        received_online=("online", "sum"),
        full_online=("full_online", "sum"),
        with_fee=("has_fee", "sum"),
        paid=("paid", "sum"),
        reused=("reused_data", "sum"),
    )
    fin = (
        d[d["f"].notna()]
        .groupby(["unit", "f"])
        .agg(
            finished=("on_time", "size"),
            finished_on_time=("on_time", "sum"),
            electronic=("result_electronic", "sum"),
            digitised=("digitised", "sum"),
            avg_processing_days=("days", "mean"),
            median_processing_days=("days", "median"),
            satisfaction=("rating", "mean"),
        )
    )
    o_in = d[d["a"].notna()].groupby(["unit", "a"]).size().rename("o_in")
    o_out = d[d["m"].notna()].groupby(["unit", "m"]).size().rename("o_out")
    lo, hi = int(r.min()), int(max(r.max(), f.max()))
    grid = pd.MultiIndex.from_product(
        [sorted(d["unit"].unique()), range(lo, hi + 1)], names=["unit", "p"]
    )
    t_ = pd.concat(
        [x.rename_axis(["unit", "p"]).reindex(grid) for x in (rec, fin, o_in, o_out)], axis=1
    )
    counts = [
        "received",
        "received_online",
        "full_online",
        "with_fee",
        "paid",
        "reused",
        "finished",
        "finished_on_time",
        "electronic",
        "digitised",
        "o_in",
        "o_out",
    ]
    t_[counts] = t_[counts].fillna(0)
    g = t_.groupby(level="unit")
    t_["open_at_end"] = g["received"].cumsum() - g["finished"].cumsum()
    t_["open_overdue"] = g["o_in"].cumsum() - g["o_out"].cumsum()

    def ratio(n, q):
        return (n / q).where(q > 0)

    timely = ratio(
        t_["finished_on_time"] + t_["open_at_end"] - t_["open_overdue"],
        t_["finished"] + t_["open_at_end"],
    )
    out = pd.DataFrame(
        {
            "received": t_["received"],
            "received_online": t_["received_online"],
            "online_share": ratio(t_["received_online"], t_["received"]),
            "full_online_share": ratio(t_["full_online"], t_["received"]),
            "finished": t_["finished"],
            "finished_on_time": t_["finished_on_time"],
            "on_time_rate": ratio(t_["finished_on_time"], t_["finished"]),
            "open_at_end": t_["open_at_end"],
            "open_overdue": t_["open_overdue"],
            "timeliness_rate": timely,
            "timeliness_points": 20 * timely,
            "avg_processing_days": t_["avg_processing_days"],
            "median_processing_days": t_["median_processing_days"],
            "paid_online_share": ratio(t_["paid"], t_["with_fee"]),
            "electronic_result_share": ratio(t_["electronic"], t_["finished"]),
            "digitised_share": ratio(t_["digitised"], t_["finished"]),
            "reuse_share": ratio(t_["reused"], t_["received"]),
            "satisfaction": t_["satisfaction"],
        }
    ).reset_index()
    p = out.pop("p").astype(int)
    out.insert(1, "period", [f"{i // 12}-{i % 12 + 1:02d}" for i in p])
    timer.__exit__()
    out.to_parquet(args.result)
    return {"seconds": timer.seconds, "cpu_seconds": timer.cpu_seconds, "rows": len(out)}


def polars_query(files: list[str]):
    """The measures as one idiomatic polars lazy query (what a data team would write)."""
    import polars as pl

    shift = pl.duration(hours=OFFSET_HOURS)

    def month(column: pl.Expr) -> pl.Expr:  # months since year 0
        local = column + shift
        return local.dt.year().cast(pl.Int32) * 12 + local.dt.month().cast(pl.Int32) - 1

    supplement = pl.duration(seconds=(pl.col("supplement_days") * 86400).round().cast(pl.Int64))
    done = pl.col("status").is_in(["finished", "returned"])
    d = (
        pl.scan_parquet(files)
        .filter(pl.col("status") != "withdrawn")
        .with_columns(
            r=month(pl.col("received_at")),
            f=pl.when(done).then(month(pl.col("finished_at"))),
            o=month(pl.col("due_at") + supplement),
            online=pl.col("channel") == "online",
            on_time=pl.col("due_at").is_null()
            | (pl.col("finished_at") - supplement <= pl.col("due_at")),
            days=(pl.col("finished_at") - pl.col("received_at")).dt.total_seconds() / 86400
            - pl.col("supplement_days"),
        )
        .with_columns(a=pl.when(pl.col("due_at").is_not_null()).then(pl.max_horizontal("r", "o")))
        .with_columns(
            m=pl.when(pl.col("a").is_not_null() & pl.col("f").is_not_null()).then(
                pl.max_horizontal("a", "f")
            )
        )
    )
    rec = d.group_by("unit", pl.col("r").alias("p")).agg(
        received=pl.len(),
        received_online=pl.col("online").sum(),
        full_online=(pl.col("online") & (pl.col("service_level") == "full")).sum(),
        with_fee=pl.col("has_fee").sum(),
        paid=(pl.col("has_fee") & pl.col("paid_online")).sum(),
        reused=pl.col("reused_data").sum(),
    )
    fin = (
        d.filter(pl.col("f").is_not_null())
        .group_by("unit", pl.col("f").alias("p"))
        .agg(
            finished=pl.len(),
            finished_on_time=pl.col("on_time").sum(),
            electronic=pl.col("result_electronic").sum(),
            digitised=pl.col("digitised").sum(),
            avg_processing_days=pl.col("days").mean(),
            median_processing_days=pl.col("days").median(),
            satisfaction=pl.col("rating").mean(),
        )
    )
    o_in = d.filter(pl.col("a").is_not_null()).group_by("unit", pl.col("a").alias("p")).len("o_in")
    o_out = (
        d.filter(pl.col("m").is_not_null()).group_by("unit", pl.col("m").alias("p")).len("o_out")
    )
    span = d.select(
        lo=pl.col("r").min(), hi=pl.max_horizontal(pl.col("r").max(), pl.col("f").max())
    )
    grid = d.select(pl.col("unit").unique()).join(
        span.select(p=pl.int_ranges("lo", pl.col("hi") + 1)).explode("p"), how="cross"
    )
    counts = [
        "received",
        "received_online",
        "full_online",
        "with_fee",
        "paid",
        "reused",
        "finished",
        "finished_on_time",
        "electronic",
        "digitised",
        "o_in",
        "o_out",
    ]
    t = (
        grid.join(rec, on=["unit", "p"], how="left")
        .join(fin, on=["unit", "p"], how="left")
        .join(o_in, on=["unit", "p"], how="left")
        .join(o_out, on=["unit", "p"], how="left")
        .with_columns(pl.col(counts).fill_null(0).cast(pl.Int64))
        .sort("unit", "p")
        .with_columns(
            open_at_end=(pl.col("received") - pl.col("finished")).cum_sum().over("unit"),
            open_overdue=(pl.col("o_in") - pl.col("o_out")).cum_sum().over("unit"),
        )
    )

    def ratio(n: pl.Expr, q: pl.Expr) -> pl.Expr:
        return pl.when(q > 0).then(n / q)

    timely = ratio(
        pl.col("finished_on_time") + pl.col("open_at_end") - pl.col("open_overdue"),
        pl.col("finished") + pl.col("open_at_end"),
    )
    return t.select(
        "unit",
        period=pl.format(
            "{}-{}", (pl.col("p") // 12), (pl.col("p") % 12 + 1).cast(pl.String).str.zfill(2)
        ),
        received="received",
        received_online="received_online",
        online_share=ratio(pl.col("received_online"), pl.col("received")),
        full_online_share=ratio(pl.col("full_online"), pl.col("received")),
        finished="finished",
        finished_on_time="finished_on_time",
        on_time_rate=ratio(pl.col("finished_on_time"), pl.col("finished")),
        open_at_end="open_at_end",
        open_overdue="open_overdue",
        timeliness_rate=timely,
        timeliness_points=20 * timely,
        avg_processing_days="avg_processing_days",
        median_processing_days="median_processing_days",
        paid_online_share=ratio(pl.col("paid"), pl.col("with_fee")),
        electronic_result_share=ratio(pl.col("electronic"), pl.col("finished")),
        digitised_share=ratio(pl.col("digitised"), pl.col("finished")),
        reuse_share=ratio(pl.col("reused"), pl.col("received")),
        satisfaction="satisfaction",
    )


def work_polars(args) -> dict:
    from dxscore.dossiers import Store

    def run(store: str):
        return polars_query([str(p) for p in Store(store).parts()]).collect()

    if args.warmup:
        run(args.warmup)
    with Timer() as t:
        frame = run(args.store)
    frame.write_parquet(args.result)
    return {"seconds": t.seconds, "cpu_seconds": t.cpu_seconds, "rows": len(frame)}


WORKERS = {
    "synth": work_synth,
    "import": work_import,
    "dxscore": work_dxscore,
    "sql": work_sql,
    "pandas": work_pandas,
    "polars": work_polars,
}


def worker_main(argv: list[str]) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=WORKERS)
    p.add_argument("--store")
    p.add_argument("--result")
    p.add_argument("--engine", default="duckdb")
    p.add_argument("--dir")
    p.add_argument("--rows", type=int)
    p.add_argument("--units", type=int, default=700)
    p.add_argument("--format", default="parquet")
    p.add_argument("--files", nargs="*")
    p.add_argument("--warmup", help="a small store to run on first (loads code and caches)")
    args = p.parse_args(argv)
    print("RESULT " + json.dumps(WORKERS[args.kind](args)))


# -- driver ----------------------------------------------------------------------------


def run_worker(*argv: str) -> dict:
    """Run a worker in a fresh process; returns its result plus its peak memory (GiB)."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE), "--worker", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {argv[0]} failed:\n{stderr[-3000:]}")
    line = next(ln for ln in stdout.splitlines() if ln.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["peak_gib"] = usage.ru_maxrss / 2**20  # KiB on Linux
    return result


def best(runs: list[dict]) -> dict:
    top = min(runs, key=lambda r: r["seconds"])
    out = {
        **top,
        "cpu_seconds": min(r["cpu_seconds"] for r in runs),
        "peak_gib": max(r["peak_gib"] for r in runs),
        "load": os.getloadavg()[0],  # the 1-minute load average after the runs
    }
    for key in ("cold_seconds", "cold_cpu_seconds"):
        if key in top:
            out[key] = min(r[key] for r in runs)
    return out


def check_same(paths: dict[str, Path]) -> None:
    import pandas as pd

    frames = {
        k: pd.read_parquet(v).sort_values(["unit", "period"]).reset_index(drop=True)
        for k, v in paths.items()
    }
    reference = frames.pop("dxscore")
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(
            reference,
            frame[reference.columns],
            check_dtype=False,
            rtol=1e-9,
            atol=1e-9,
            obj=f"dxscore vs {name}",
        )


def machine() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem = (
        int(
            next(
                ln.split()[1]
                for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")
            )
        )
        / 2**20
    )
    import duckdb
    import ibis
    import pandas

    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, Python {platform.python_version()},"
        f" DuckDB {duckdb.__version__}, Ibis {ibis.__version__}, pandas {pandas.__version__}"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker_main(sys.argv[2:])
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000000,5000000", help="add 20000000 for the full run")
    p.add_argument(
        "--work", default="/tmp/dxscore-bench", help="scratch folder (2 GB; 10 GB with 20M)"
    )
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--pandas-max", type=int, default=5_000_000, help="skip pandas above")
    p.add_argument("--measures-only", action="store_true", help="no import or Spark timings")
    p.add_argument("--csv-max", type=int, default=5_000_000, help="CSV import up to this size")
    p.add_argument("--spark-max", type=int, default=1_000_000, help="Spark engine up to this")
    p.add_argument("--json", help="append the raw figures to this JSON Lines file")
    args = p.parse_args()
    work = Path(args.work)
    print(f"machine: {machine()}\n")
    rows = []
    warm = work / "warmup"
    warm_store = warm / "store"
    if not (warm / "store" / "manifest.json").exists():
        run_worker("synth", "--dir", str(warm / "synth"), "--rows", "5000", "--units", "20")
        run_worker(
            "import",
            "--store",
            str(warm / "store"),
            "--files",
            *sorted(str(f) for f in (warm / "synth").glob("dossiers-*.parquet")),
        )
    for size in (int(s) for s in args.sizes.split(",")):
        folder = work / f"n{size}"
        made = folder / "synth"
        if not (made / "units.csv").exists():
            print(f"[{size:,}] generating...", flush=True)
            run_worker("synth", "--dir", str(made), "--rows", str(size))
        files = sorted(str(f) for f in made.glob("dossiers-*.parquet"))
        store = folder / "store"
        if args.measures_only and (store / "manifest.json").exists():
            row = {"size": size, "records": size}
        else:
            if store.exists():
                import shutil

                shutil.rmtree(store)
            print(f"[{size:,}] importing Parquet...", flush=True)
            imp = run_worker("import", "--store", str(store), "--files", *files)
            row = {"size": size, "records": imp["records"], "import_parquet": imp}
        if size <= args.csv_max and not args.measures_only:
            csv_dir = folder / "csv"
            if not (csv_dir / "units.csv").exists():
                run_worker("synth", "--dir", str(csv_dir), "--rows", str(size), "--format", "csv")
            csv_files = sorted(str(f) for f in csv_dir.glob("dossiers-*.csv"))
            csv_store = folder / "store-csv"
            if csv_store.exists():
                import shutil

                shutil.rmtree(csv_store)
            print(f"[{size:,}] importing CSV...", flush=True)
            row["import_csv"] = run_worker(
                "import", "--store", str(csv_store), "--files", *csv_files
            )
        results = {}
        contenders = ["dxscore", "sql", "polars"]
        contenders += ["pandas"] if size <= args.pandas_max else []
        # the contenders take turns (dxscore, sql, polars, ..., then again), so that a
        # change of the machine's state during the run (other load, memory first touched
        # by a new virtual machine) falls on all of them alike
        runs: dict[str, list[dict]] = {name: [] for name in contenders}
        for turn in range(args.repeat):
            for name in contenders:
                print(f"[{size:,}] measures: {name} ({turn + 1}/{args.repeat})...", flush=True)
                out = folder / f"result-{name}.parquet"
                results[name] = out
                runs[name].append(
                    run_worker(
                        name,
                        "--store",
                        str(store),
                        "--result",
                        str(out),
                        "--warmup",
                        str(warm_store),
                    )
                )
        for name in contenders:
            row[name] = best(runs[name])
        check_same(results)
        if size <= args.spark_max and not args.measures_only:
            print(f"[{size:,}] measures: dxscore on Spark (local)...", flush=True)
            out = folder / "result-spark.parquet"
            row["spark"] = run_worker(
                "dxscore", "--store", str(store), "--result", str(out), "--engine", "spark"
            )
            check_same({"dxscore": results["dxscore"], "spark": out})
        rows.append(row)
        print(json.dumps(row), flush=True)
        if args.json:
            with open(args.json, "a", encoding="utf-8") as f:
                f.write(json.dumps({"machine": machine(), **row}) + "\n")
    print()
    print(markdown(rows))


def markdown(rows: list[dict]) -> str:
    def rate(n, s):
        return f"{n / s / 1e6:.2f} M/s"

    lines = [
        "| dossiers | dxscore (DuckDB) | dxscore, query compiled in the call | hand-written SQL "
        "| polars | pandas | dxscore ÷ polars, wall / CPU | dxscore ÷ SQL, wall / CPU "
        "| peak memory dxscore / SQL / polars | load (1 min) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        n, dx, sql, pl, pdx = r["records"], r["dxscore"], r["sql"], r["polars"], r.get("pandas")
        lines.append(
            f"| {r['size']:,} | {dx['seconds']:.2f} s ({rate(n, dx['seconds'])}) "
            f"| {dx.get('cold_seconds', float('nan')):.2f} s "
            f"| {sql['seconds']:.2f} s | {pl['seconds']:.2f} s | "
            + (f"{pdx['seconds']:.1f} s" if pdx else "not run")
            + f" | {dx['seconds'] / pl['seconds']:.2f}x / "
            + f"{dx['cpu_seconds'] / pl['cpu_seconds']:.2f}x"
            + f" | {dx['seconds'] / sql['seconds']:.2f}x / "
            + f"{dx['cpu_seconds'] / sql['cpu_seconds']:.2f}x"
            + f" | {dx['peak_gib']:.2f} / {sql['peak_gib']:.2f} / {pl['peak_gib']:.2f} GiB"
            + f" | {max(x['load'] for x in (dx, sql, pl)):.1f} |"
        )
    imports = [r for r in rows if "import_parquet" in r]
    lines += [
        "",
        "| dossiers | import Parquet | import CSV | peak memory (Parquet / CSV) |",
        "|---:|---:|---:|---:|",
    ]
    for r in imports:
        n, ip, ic = r["records"], r["import_parquet"], r.get("import_csv")
        lines.append(
            f"| {r['size']:,} | {ip['seconds']:.1f} s ({rate(n, ip['seconds'])}) | "
            + (f"{ic['seconds']:.1f} s ({rate(ic['records'], ic['seconds'])})" if ic else "not run")
            + f" | {ip['peak_gib']:.2f} / "
            + (f"{ic['peak_gib']:.2f} GiB" if ic else "- GiB")
            + " |"
        )
    spark = [r for r in rows if "spark" in r]
    if spark:
        lines += [
            "",
            "| dossiers | dxscore on Spark local[2] | Spark ÷ DuckDB |",
            "|---:|---:|---:|",
        ]
        for r in spark:
            lines.append(
                f"| {r['size']:,} | {r['spark']['seconds']:.1f} s "
                f"| {r['spark']['seconds'] / r['dxscore']['seconds']:.1f}x |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
