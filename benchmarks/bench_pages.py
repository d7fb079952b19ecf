"""Benchmark: the public leaderboard and unit scorecard pages under load, against the
site's health check as a baseline measured in the same run, on SQLite and PostgreSQL.

A fresh workspace gets 63 units x 6 periods x 100 indicators (the index of
``bench_index.py``: 10 pillars, 2 sub-indices), stored as approved values and published
as six score runs through the platform itself. ``dxscore serve`` (waitress, 8 threads)
answers on loopback; wrk (Debian's package) sends requests from 16 connections for a
fixed time and reports the latency distribution. Scorecards rotate over several units,
whose analyses (rank intervals, levers) are computed once before measuring (they are
stored with the run, so only the first visit pays for them). Last, the median time of a
scorecard PDF built (five requests for one unit, its stored report file removed before
each), served from its stored file, and of three other units' first PDFs (their charts not
yet drawn and cached).

    .venv/bin/python benchmarks/bench_pages.py [--seconds 15] [--databases sqlite postgres]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
CONNECTIONS, THREADS = 16, 2
SCORECARD_UNITS = 8
LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT {\\"p50\\": %%f, \\"p95\\": %%f, \\"p99\\": %%f, \\"max\\": %%f, "
    .. "\\"requests\\": %%d, \\"errors\\": %%d, \\"non2xx\\": %%d, \\"seconds\\": %%f}\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration / 1e6))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- one database: set up, serve, measure (runs in its own process) -----------------------


def setup_workspace() -> dict:
    """Migrate, store the benchmark methodology and publish six runs; return paths."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    sys.path.insert(0, str(HERE))
    import bench_index

    from dxscore.web.dashboards import analysis, sample
    from dxscore.web.data.methodologies import store

    call_command("migrate", interactive=False, verbosity=0)
    user = get_user_model().objects.create_user("bench", is_superuser=True, is_staff=True)
    m = bench_index.methodology()
    methodology = store(m.text, user, purpose="bench")
    wide = bench_index.data(63)
    long = wide.melt(id_vars=["unit", "period"], var_name="indicator", value_name="value")
    level = sample.ensure_units({u: f"Unit {u}" for u in wide["unit"].unique()})
    t0 = time.perf_counter()
    runs = sample.publish_frame(methodology, long, user, level)
    published = time.perf_counter() - t0
    last = runs[-1]
    units = sorted(wide["unit"].unique())[:: max(1, 63 // SCORECARD_UNITS)][:SCORECARD_UNITS]
    t0 = time.perf_counter()
    analysis.rank_intervals(last)
    for u in units:
        analysis.unit_levers(last, u)
    analysed = time.perf_counter() - t0
    base = f"/public/{methodology.code}/{last.period.code}/"
    return {
        "leaderboard": [base],
        "scorecard": [f"{base}units/{u}/" for u in units],
        "baseline": ["/health"],
        "pdf": f"{base}units/{units[0]}/scorecard.pdf",
        "pdf_first": [f"{base}units/{u}/scorecard.pdf" for u in units[1:4]],
        "publish_seconds": published,
        "analyses_seconds": analysed,
        "values": len(long),
    }


def wrk(port: int, paths: list[str], seconds: int, folder: Path) -> dict:
    script = folder / f"paths-{abs(hash(tuple(paths)))}.lua"
    script.write_text(LUA % ", ".join(json.dumps(p) for p in paths))
    out = subprocess.run(
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def measure_one(seconds: int) -> dict:
    folder = Path(os.environ["DXSCORE_HOME"])
    info = setup_workspace()
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "dxscore"), "serve", "--port", str(port), "--threads", "8"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read()
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.3)
        for path in info["leaderboard"] + info["scorecard"]:  # first requests: imports
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60).read()
        results = {}
        for name in ("baseline", "leaderboard", "scorecard"):
            results[name] = wrk(port, info[name], seconds, folder)
        pdf_times = []
        for _ in range(5):  # built each time: the stored report files are removed first
            shutil.rmtree(folder / "reports", ignore_errors=True)
            t0 = time.perf_counter()
            body = urllib.request.urlopen(f"http://127.0.0.1:{port}{info['pdf']}", timeout=60)
            assert body.read(4) == b"%PDF"
            pdf_times.append(time.perf_counter() - t0)
        results["pdf_seconds"] = statistics.median(pdf_times)
        stored_times = []  # then served from the stored file
        for _ in range(5):
            t0 = time.perf_counter()
            body = urllib.request.urlopen(f"http://127.0.0.1:{port}{info['pdf']}", timeout=60)
            assert body.read(4) == b"%PDF"
            stored_times.append(time.perf_counter() - t0)
        results["pdf_stored_seconds"] = statistics.median(stored_times)
        first_times = []  # other units' first PDF: their charts are not drawn yet
        for path in info["pdf_first"]:
            t0 = time.perf_counter()
            body = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60)
            assert body.read(4) == b"%PDF"
            first_times.append(time.perf_counter() - t0)
        results["pdf_first_seconds"] = statistics.median(first_times)
        results["setup"] = {k: info[k] for k in ("publish_seconds", "analyses_seconds", "values")}
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- the orchestration: one process per database ---------------------------------------------


class Postgres:
    """A private PostgreSQL cluster on a free port for this run (as .ci/run starts one)."""

    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = Path(found[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="dxscore-bench-pg-"))
        self.port = free_port()
        self.root = os.geteuid() == 0
        if self.root:
            shutil.chown(self.dir, "postgres")

    def _run(self, *cmd):
        cmd = [str(c) for c in cmd]
        if self.root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    def __enter__(self) -> str:
        data = self.dir / "data"
        self._run(self.bin / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8")
        self._run(
            self.bin / "pg_ctl",
            "-D",
            data,
            "-l",
            self.dir / "log",
            "-w",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        self._run(
            self.bin / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "bench"
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/bench"

    def __exit__(self, *exc):
        try:
            self._run(self.bin / "pg_ctl", "-D", self.dir / "data", "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def run_database(name: str, seconds: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="dxscore-bench-") as home:
        env = os.environ.copy() | {
            "DXSCORE_HOME": home,
            "DJANGO_SETTINGS_MODULE": "dxscore.web.settings",
            "DXSCORE_SECRET_KEY": "bench-only",
        }
        env.pop("DATABASE_URL", None)

        def child(extra: dict) -> dict:
            out = subprocess.run(
                [sys.executable, __file__, "--one", "--seconds", str(seconds)],
                env=env | extra,
                capture_output=True,
                text=True,
                timeout=3600,
            )
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-3000:])
            return json.loads(out.stdout.strip().splitlines()[-1])

        if name == "postgres":
            with Postgres() as url:
                return child({"DATABASE_URL": url, "DXSCORE_DB_CONN_MAX_AGE": "60"})
        return child({})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.seconds)))
        return 0
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk (Debian's package)")
        return 1
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; wrk, {CONNECTIONS} connections, {THREADS} threads, "
        f"{args.seconds} s per page; 63 units x 6 periods x 100 indicators"
    )
    print(
        "| database | page | median (ms) | p95 (ms) | p99 (ms) | requests/s "
        "| median / baseline median | errors |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    status = 0
    for db in args.databases:
        try:
            result = run_database(db, args.seconds)
        except Exception as exc:  # noqa: BLE001 - report and go on with the next database
            print(f"| {db} | not measured: {str(exc).strip().splitlines()[-1][:200]} |")
            status = 1
            continue
        base = result["baseline"]["p50"]
        for page in ("baseline", "leaderboard", "scorecard"):
            r = result[page]
            label = {"baseline": "baseline: /health"}.get(page, page)
            print(
                f"| {db} | {label} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} "
                f"| {r['requests'] / r['seconds']:.0f} | {r['p50'] / base:.1f}x "
                f"| {r['errors'] + r['non2xx']} |"
            )
        print(
            f"| {db} | scorecard PDF (one at a time) | {result['pdf_seconds'] * 1000:.0f} "
            f"| | | | | |"
        )
        print(
            f"| {db} | scorecard PDF, stored file | {result['pdf_stored_seconds'] * 1000:.0f} "
            f"| | | | | |"
        )
        print(
            f"| {db} | scorecard PDF, a unit's first (charts drawn) "
            f"| {result['pdf_first_seconds'] * 1000:.0f} | | | | | |"
        )
        setup = result["setup"]
        print(
            f"<!-- {db}: {setup['values']:,} values published in {setup['publish_seconds']:.1f} s;"
            f" rank intervals and {SCORECARD_UNITS} units' levers in "
            f"{setup['analyses_seconds']:.1f} s -->"
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
