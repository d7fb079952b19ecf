"""Benchmark: dossier batches pushed to the JSON API by several clients on loopback.

Makes a fresh workspace (SQLite by default; ``--database-url`` for PostgreSQL), starts
``dxscore serve`` (waitress) on a free port of 127.0.0.1, and gives a steering officer
an API token. Then ``--clients`` processes push ``--batches`` batches of ``--size``
dossier records each (``POST /api/v1/dossiers``) at the same time, timing every request,
and finally each client sends its first batch once more (which must change nothing).
Afterwards the store is counted with the dossiers library: every record sent must be
there exactly once, none lost, none twice. Prints records per second, request latency
(median, p95, max) and a Markdown row for docs/benchmarks.md.

The baseline, measured in the same run, is the same batches imported straight into a
store with the library (``Store.import_files``, one process, no HTTP, no JSON): the
ratio says what the API's transport, parsing and checks cost.

    .venv/bin/python benchmarks/bench_api.py --clients 4 --batches 10 --size 10000

The workspace and the server are ``tests/live.py``'s ``LiveServer`` (the tests run the API
over real HTTP with it too).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.live
from tests.live import LiveServer, make_records  # noqa: E402


def run_client(job: dict) -> dict:
    """One client process: build its batches, wait for the common start, push them."""
    bodies = [
        json.dumps({"records": make_records(job["client"], b, job["size"])}).encode()
        for b in range(job["batches"])
    ]
    host, port = job["host"], job["port"]
    headers = {"Authorization": f"Bearer {job['token']}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection(host, port, timeout=600)
    latencies, failures, started = [], [], None
    time.sleep(max(0.0, job["start_at"] - time.time()))
    started = time.time()
    for number, body in enumerate([*bodies, bodies[0]]):  # the first batch once more at the end
        t = time.perf_counter()
        connection.request("POST", "/api/v1/dossiers", body=body, headers=headers)
        answer = connection.getresponse()
        content = answer.read()
        elapsed = time.perf_counter() - t
        if answer.status != 200:
            failures.append(f"batch {number}: {answer.status} {content[:300]!r}")
            continue
        result = json.loads(content)
        resent = number == len(bodies)
        expected_new = 0 if resent else job["size"]
        if result["new"] != expected_new or (resent and not result["already_imported"]):
            failures.append(f"batch {number}: unexpected counts {result}")
        if not resent:
            latencies.append(elapsed)
    connection.close()
    return {"started": started, "ended": time.time(), "latencies": latencies, "failures": failures}


def count_store(path: Path) -> tuple[int, int]:
    """(rows, distinct (unit, dossier_id)) in a dossier store, read with the library."""
    import duckdb

    from dxscore.dossiers import Store

    files = [str(p) for p in Store(path).parts()]
    if not files:
        return 0, 0
    con = duckdb.connect()
    try:
        return con.execute(
            "SELECT count(*), count(DISTINCT (unit, dossier_id)) FROM read_parquet(?)", [files]
        ).fetchone()
    finally:
        con.close()


def baseline(clients: int, batches: int, size: int, work: Path) -> float:
    """Records per second of the same batches imported with the library directly."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dxscore.dossiers import Store

    files = []
    for c in range(clients):
        for b in range(batches):
            rows = make_records(c, b, size)
            table = pa.table(
                {
                    k: pa.array(
                        [None if r.get(k) is None else str(r.get(k)) for r in rows], pa.string()
                    )
                    for k in rows[0]
                }
            )
            path = work / f"baseline-{c}-{b}.parquet"
            pq.write_table(table, path)
            files.append(path)
    store = Store(work / "baseline-store", create=True)
    t = time.perf_counter()
    for path in files:  # one import per batch, as the API does
        store.import_files([path], strict=True, rejects_path=work / "rejects.csv")
    return clients * batches * size / (time.perf_counter() - t)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batches", type=int, default=10, help="Batches per client.")
    parser.add_argument("--size", type=int, default=10_000, help="Records per batch.")
    parser.add_argument("--threads", type=int, default=8, help="Server worker threads.")
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of SQLite.")
    parser.add_argument("--work", type=Path, default=None, help="Folder (default: temporary).")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-api-"))
    work.mkdir(parents=True, exist_ok=True)
    total = args.clients * args.batches * args.size
    print(f"{args.clients} clients x {args.batches} batches x {args.size:,} records = {total:,}")
    with LiveServer(work / "home", args.database_url, args.threads) as server:
        start_at = time.time() + 3.0
        jobs = [
            {
                "client": c,
                "batches": args.batches,
                "size": args.size,
                "host": "127.0.0.1",
                "port": server.port,
                "token": server.tokens["etl"],
                "start_at": start_at,
            }
            for c in range(args.clients)
        ]
        with ProcessPoolExecutor(args.clients) as pool:
            results = list(pool.map(run_client, jobs))
        rows, distinct = count_store(server.store_path())
    failures = [f for r in results for f in r["failures"]]
    latencies = [x for r in results for x in r["latencies"]]
    seconds = max(r["ended"] for r in results) - min(r["started"] for r in results)
    rate = total / seconds
    print(f"stored rows {rows:,}, distinct dossiers {distinct:,}, sent {total:,}")
    lost, doubled = total - distinct, rows - distinct
    print(f"lost {lost}, duplicated {doubled}, failed requests {len(failures)}")
    for failure in failures[:10]:
        print("  ", failure)
    base = baseline(args.clients, args.batches, args.size, work)
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{rate:,.0f} records/s over {seconds:.1f} s; batch latency median "
        f"{statistics.median(latencies):.2f} s, p95 {percentile(latencies, 0.95):.2f} s, "
        f"max {max(latencies):.2f} s; library import alone {base:,.0f} records/s "
        f"(API / library {rate / base:.2f})"
    )
    print(
        "\n| database | clients x batches x records | records/s | median | p95 | max |"
        " library alone | lost / duplicated |\n|---|---|---:|---:|---:|---:|---:|---:|\n"
        f"| {engine} | {args.clients} x {args.batches} x {args.size:,} | {rate:,.0f} | "
        f"{statistics.median(latencies):.2f} s | {percentile(latencies, 0.95):.2f} s | "
        f"{max(latencies):.2f} s | {base:,.0f} records/s | {lost} / {doubled} |"
    )
    print(
        f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    ok = not failures and lost == 0 and doubled == 0 and rows == total
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
