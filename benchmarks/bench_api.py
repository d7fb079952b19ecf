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

``LiveServer`` is also used by the tests (tests/web/test_api_live.py) to run the API
over real HTTP against a file database.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve()
BIN = Path(sys.executable).parent
UNITS = [f"B{n:03d}" for n in range(1, 21)]

DISTRICT_METHODOLOGY = """\
id: district-dx
version: "1"
title: District digital transformation
scale: [0, 100]
defaults:
  indicator:
    normalisation: identity
    range: [0, 100]
    unit: "%"
tree:
  code: index
  name: District index
  children:
    - code: online_share
      name: Dossiers filed online
      weight: 2
    - code: on_time_rate
      name: Dossiers settled on time
      weight: 1
"""


# -- the workspace and the server ------------------------------------------------------------


def setup_workspace() -> dict:
    """Run inside the workspace's environment (``--setup``): migrate, then a province with
    districts, a methodology, a period and three people with tokens. Returns the tokens."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dxscore.web.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from dxscore.web.api import tokens
    from dxscore.web.data.methodologies import store
    from dxscore.web.data.models import Period
    from dxscore.web.orgs.models import Level, Person, Role, Unit

    call_command("migrate", interactive=False, verbosity=0)
    country = Level.objects.create(name="country", depth=0)
    province = Level.objects.create(name="province", depth=1)
    district = Level.objects.create(name="district", depth=2)
    vn = Unit.objects.create(code="VN", name="Việt Nam", level=country)
    bn = Unit.objects.create(code="27", name="Bắc Ninh", level=province, parent=vn)
    for code, name in [("256", "TP. Bắc Ninh"), ("257", "Từ Sơn")]:
        Unit.objects.create(code=code, name=name, level=district, parent=bn)
    for code in UNITS:
        Unit.objects.create(code=code, name=f"District {code}", level=district, parent=bn)
    methodology = store(DISTRICT_METHODOLOGY, purpose="district ranking")
    methodology.reporting_level = district
    methodology.active = True
    methodology.save()
    Period.objects.create(code="2024")
    made = {}
    people = [
        ("etl", Role.STEERING, bn),  # the one-stop-shop sync: enters for the province
        ("officer", Role.DATA_OFFICER, Unit.objects.get(code="256")),
        ("approver", Role.APPROVER, bn),
    ]
    for name, role, unit in people:
        user = get_user_model().objects.create_user(name, password=os.urandom(16).hex())
        Person.objects.create(user=user, role=role, entry_scope=unit, view_scope=bn)
        made[name] = tokens.issue(user, "benchmark")[1]
    return made


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A workspace folder and ``dxscore serve`` on it, on 127.0.0.1 only; stopped (and the
    process reaped) on exit."""

    def __init__(self, home: Path, database_url: str | None = None, threads: int = 8):
        self.home = Path(home)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env.update(
            DXSCORE_HOME=str(self.home),
            DXSCORE_API_RATE="1000000/min",
            DXSCORE_LOG_LEVEL="ERROR",
            PYTHONPATH=str(HERE.parent.parent),
        )
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.threads = threads
        self.tokens: dict[str, str] = {}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> LiveServer:
        self.home.mkdir(parents=True, exist_ok=True)
        setup = subprocess.run(
            [sys.executable, str(HERE), "--setup"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if setup.returncode:
            raise RuntimeError(f"workspace set-up failed:\n{setup.stderr[-3000:]}")
        self.tokens = json.loads(setup.stdout.strip().splitlines()[-1])
        self.log = (self.home / "server.log").open("w")
        self.process = subprocess.Popen(
            [
                str(BIN / "dxscore"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--threads",
                str(self.threads),
            ],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {(self.home / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError("the server did not start within 120 s")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()

    def store_path(self) -> Path:
        return self.home / "dossiers"


# -- the clients ------------------------------------------------------------------------------


def make_records(client: int, batch: int, size: int) -> list[dict]:
    """Valid, varied dossier records with ids unique to (client, batch, row)."""
    records = []
    for i in range(size):
        n = client * 7 + batch * 13 + i
        day = 1 + n % 28
        finished = n % 5 != 0
        records.append(
            {
                "dossier_id": f"C{client:02d}-{batch:04d}-{i:05d}",
                "unit": UNITS[n % len(UNITS)],
                "procedure": f"1.{n % 240:03d}",
                "service_level": ("full", "partial", "offline")[n % 3],
                "channel": ("online", "in_person", "post")[n % 3],
                "received_at": f"2024-{1 + n % 12:02d}-{day:02d}T08:{n % 60:02d}:00+07:00",
                "due_at": f"2024-{1 + n % 12:02d}-{min(day + 10, 28):02d}",
                "finished_at": f"2024-{1 + n % 12:02d}-{min(day + 3 + n % 9, 28):02d} 16:00"
                if finished
                else None,
                "status": "finished" if finished else "in_progress",
                "has_fee": n % 4 == 0,
                "paid_online": n % 8 == 0,
                "result_electronic": n % 2 == 0,
                "digitised": n % 3 == 0,
                "rating": 1 + n % 5 if finished else None,
                "updated_at": "2024-12-31T00:00:00Z",
            }
        )
    return records


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
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batches", type=int, default=10, help="Batches per client.")
    parser.add_argument("--size", type=int, default=10_000, help="Records per batch.")
    parser.add_argument("--threads", type=int, default=8, help="Server worker threads.")
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of SQLite.")
    parser.add_argument("--work", type=Path, default=None, help="Folder (default: temporary).")
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup_workspace()))
        return 0
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
