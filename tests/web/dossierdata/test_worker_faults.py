"""Fault tests of the background worker (issue 13, finding 4): ``dxscore worker`` runs as
a real process on a workspace of its own (a SQLite file, or a PostgreSQL database of its
own when DATABASE_URL names a server, as in CI's second run), is killed with SIGKILL in
the middle of an import or of a measures computation, and a new worker is started. The
job must end done once (or, after the retry bound, failed with a clear message), the
store must hold every record of the file exactly once, and the measures must equal
those of a clean run over the same store.

The kills wait for what can be seen (the job's state and progress in the database, the
store's staging folder), never for a fixed time; the lease is two seconds so that a new
worker takes the job up quickly."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from dxscore.dossiers import Store
from dxscore.dossiers.synth import synth

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
DXSCORE = str(Path(sys.executable).parent / "dxscore")
ROWS = 40_000  # enough that an import is still running when the test sees it start
DEADLINE = 600  # seconds a worker may take to finish what it was given (a busy CI machine)

SETUP = r"""
import csv, sys
from dxscore.cli.web import migrate, setup_django

setup_django(create_home=True)
migrate()
from django.contrib.auth import get_user_model
from django.core.files import File
from dxscore.web.data.models import Indicator, Period
from dxscore.web.dossierdata.models import Job
from dxscore.web.orgs.models import Level, Person, Role, Unit

units = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
depth = {}
for u in units:  # parents come first in the file
    depth[u["code"]] = depth[u["parent"]] + 1 if u["parent"] else 0
levels = {d: Level.objects.create(name=f"level {d}", depth=d) for d in set(depth.values())}
made = {}
for u in units:
    made[u["code"]] = Unit.objects.create(
        code=u["code"], name=u["name"], level=levels[depth[u["code"]]],
        parent=made.get(u["parent"]),
    )
admin = get_user_model().objects.create_user("chief", password="a-long-pass-phrase-42")
Person.objects.create(user=admin, role=Role.ADMINISTRATOR)
for code in ("online_share", "timeliness_rate"):  # filled from the measures
    Indicator.objects.get_or_create(code=code)
for code in ("2024", "2024Q3", "2024-07"):
    Period.objects.create(code=code)
with open(sys.argv[2], "rb") as f:
    job = Job(kind=Job.Kind.IMPORT, filename="dossiers.csv", created_by=admin)
    job.file.save("dossiers.csv", File(f), save=True)
print(job.pk)
"""

QUEUE_MEASURES = r"""
from dxscore.cli.web import setup_django

setup_django()
from django.contrib.auth import get_user_model
from dxscore.web.dossierdata.worker import queue_measures

print(queue_measures(get_user_model().objects.get(username="chief")).pk)
"""


@dataclass
class Workspace:
    home: Path
    env: dict
    url: str = ""  # PostgreSQL's, else the SQLite file in home
    import_job: int = 0
    workers: list[subprocess.Popen] = field(default_factory=list)

    @property
    def store(self) -> Path:
        return self.home / "dossiers"

    @property
    def scratch(self) -> Path:  # the workers' TMPDIR
        return self.home.parent / "tmp"

    def python(self, code: str, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
            cwd=self.home.parent,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.strip().splitlines()[-1]

    def start_worker(self) -> subprocess.Popen:
        log = (self.home / f"worker-{len(self.workers) + 1}.log").open("w")
        process = subprocess.Popen(
            [DXSCORE, "worker", "--interval", "0.2"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.home.parent,
        )
        log.close()
        self.workers.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text()[-4000:]}" for p in sorted(self.home.glob("worker-*.log"))
        )

    def rows(self, sql: str) -> list[tuple]:
        if self.url:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as db:
                return [tuple(r) for r in db.execute(sql).fetchall()]
        db = sqlite3.connect(self.home / "dxscore.sqlite3", timeout=30)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()

    def jobs(self) -> list[tuple]:
        return self.rows(
            "SELECT id, kind, state, attempts, percent, progress, error FROM dossierdata_job "
            "ORDER BY id"
        )

    def job(self, pk: int) -> dict:
        [row] = [j for j in self.jobs() if j[0] == pk]
        names = ("id", "kind", "state", "attempts", "percent", "progress", "error")
        return dict(zip(names, row, strict=True))

    def wait(self, what, seen, too_late=None) -> None:
        """Poll until ``seen()`` is true; fail naming ``what`` (with the workers' logs),
        at once if ``too_late()`` says the moment has passed (the job ended first)."""
        deadline = time.monotonic() + DEADLINE
        while not seen():
            assert not (too_late and too_late()), f"the job ended before {what}\n{self.logs()}"
            alive = [w for w in self.workers if w.poll() is None]
            assert alive, f"no worker running while waiting for {what}\n{self.logs()}"
            assert time.monotonic() < deadline, f"gave up waiting for {what}\n{self.logs()}"
            time.sleep(0.005)

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=60) == -signal.SIGKILL

    def stop(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)

    def settled(self) -> bool:
        return all(state in ("done", "failed") for _pk, _k, state, *_rest in self.jobs())

    def measures(self) -> dict[str, list[tuple]]:
        """Every stored measure and filled value, as a clean run would leave them."""
        return {
            "measures": self.rows(
                "SELECT u.code, m.period, m.kind, m.measure, m.value "
                "FROM dossierdata_dossiermeasure m JOIN orgs_unit u ON u.id = m.unit_id "
                "ORDER BY 1, 2, 4"
            ),
            "procedures": self.rows(
                "SELECT u.code, m.procedure, m.period, m.received, m.received_online, "
                "m.finished, m.finished_on_time, m.open_at_end, m.open_overdue, "
                "m.on_time_rate, m.timeliness_rate, m.median_processing_days "
                "FROM dossierdata_proceduremeasure m JOIN orgs_unit u ON u.id = m.unit_id "
                "ORDER BY 1, 2, 3"
            ),
            "values": self.rows(
                "SELECT u.code, i.code, p.code, v.value, v.status FROM data_value v "
                "JOIN orgs_unit u ON u.id = v.unit_id JOIN data_indicator i "
                "ON i.id = v.indicator_id JOIN data_period p ON p.id = v.period_id ORDER BY 1, 2, 3"
            ),
        }

    def history(self) -> int:
        return self.rows("SELECT count(*) FROM data_historicalvalue")[0][0]


def _one(sql: str) -> tuple:
    con = duckdb.connect()
    try:
        return con.execute(sql).fetchone()
    finally:
        con.close()


@pytest.fixture(scope="module")
def dossier_file(tmp_path_factory) -> tuple[Path, Path, int]:
    """A synthetic CSV export (with earlier versions of some dossiers), its units file,
    and the number of distinct dossiers in it."""
    out = tmp_path_factory.mktemp("synth")
    made = synth(out, ROWS, units=12, start="2024-04-01", end="2024-09-30", seed=7, fmt="csv")
    [path] = made.files
    distinct = _one(
        f"SELECT count(DISTINCT (unit, dossier_id)) FROM read_csv('{path}', all_varchar=true)"
    )[0]
    assert made.duplicates > 0 and distinct == ROWS  # earlier versions are folded away
    return path, made.units_file, distinct


@pytest.fixture
def workspace(tmp_path, dossier_file):
    home = tmp_path / "home"
    (tmp_path / "tmp").mkdir()
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DXSCORE_HOME=str(home),
        DXSCORE_JOB_LEASE_SECONDS="2",
        DXSCORE_LOG_LEVEL="WARNING",
        DXSCORE_DB_CONN_MAX_AGE="0",
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH")) if p),
        TMPDIR=str(tmp_path / "tmp"),  # what a killed worker leaves in its scratch folders
    )
    url = os.environ.get("DATABASE_URL", "")
    admin, name = None, f"dxscore_faults_{os.getpid()}_{tmp_path.name[-12:]}".lower()
    if url.startswith("postgres"):
        import dj_database_url
        import psycopg

        cfg = dj_database_url.parse(url)
        admin = psycopg.connect(
            host=cfg["HOST"],
            port=cfg["PORT"],
            user=cfg["USER"],
            password=cfg["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        name = "".join(c if c.isalnum() else "_" for c in name)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        url = url.rsplit("/", 1)[0] + "/" + name
        env["DATABASE_URL"] = url
    space = Workspace(home, env, url if admin else "")
    path, units, _distinct = dossier_file
    space.import_job = int(space.python(SETUP, str(units), str(path)))
    try:
        yield space
    finally:
        for process in space.workers:
            if process.poll() is None:
                process.kill()
                process.wait()
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


def _stored_once(space: Workspace, distinct: int) -> None:
    """The store holds each dossier of the file exactly once."""
    store = Store(space.store)
    parts = [str(p) for p in store.parts()]
    total, unique = _one(
        f"SELECT count(*), count(DISTINCT (unit, dossier_id)) FROM read_parquet({parts!r})"
    )
    assert store.rows() == total == unique == distinct
    assert not list(space.store.glob(".staging-*"))  # what the killed import staged is gone
    imports = store.manifest["imports"]
    assert len(imports) == 1 and imports[0]["source"].endswith(".csv")


def _same(clean: dict[str, list[tuple]], recovered: dict[str, list[tuple]]) -> None:
    """Equal tables; numbers equal up to the last bits of a parallel sum's rounding."""
    for table, rows in clean.items():
        assert len(rows) == len(recovered[table]), table
        for a, b in zip(rows, recovered[table], strict=True):
            for x, y in zip(a, b, strict=True):
                if isinstance(x, float) and isinstance(y, float):
                    assert x == pytest.approx(y, rel=1e-12, abs=1e-12), (table, a, b)
                else:
                    assert x == y, (table, a, b)


def _equal_to_a_clean_run(space: Workspace) -> None:
    """The measures and values stored now equal those of a measures run nobody killed."""
    recovered, history = space.measures(), space.history()
    assert recovered["measures"] and recovered["procedures"] and recovered["values"]
    assert history == len(recovered["values"])  # each value filled once, none twice
    clean = int(space.python(QUEUE_MEASURES))
    done = subprocess.run(
        [DXSCORE, "worker", "--once"],
        env=space.env,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        cwd=space.home.parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert space.job(clean)["state"] == "done"
    _same(space.measures(), recovered)
    assert space.history() == history  # the clean run found every value unchanged


def test_a_worker_killed_during_an_import_leaves_it_to_the_next_worker(workspace, dossier_file):
    space, (_path, _units, distinct) = workspace, dossier_file
    first = space.start_worker()
    space.wait(
        "the import staging its rows in the store",
        # the staging folder lives from the start of the import to its end (the rows
        # are staged in a DuckDB table that spills there only when large)
        lambda: any(p.is_dir() for p in space.store.glob(".staging-*")),
        too_late=lambda: space.job(space.import_job)["state"] in ("done", "failed"),
    )
    space.kill(first)
    job = space.job(space.import_job)
    assert (job["state"], job["attempts"]) == ("running", 1)  # left behind by the kill
    assert Store(space.store).rows() == 0  # the interrupted import stored nothing
    second = space.start_worker()
    space.wait("every job done", lambda: space.settled() and len(space.jobs()) == 2)
    space.stop(second)
    (pk, kind, state, attempts, percent, _progress, error), measures = space.jobs()
    assert (pk, kind, state, attempts, percent, error) == (
        space.import_job,
        "import",
        "done",
        2,
        100,
        "",
    )
    assert measures[1:4] == ("measures", "done", 1)  # queued once, run once
    assert not list(space.scratch.glob("dxscore-dossiers-*"))  # the killed one's is removed
    assert (
        f"job {space.import_job}: import dossier file (attempt 2)"
        in (space.home / "worker-2.log").read_text()
    )
    _stored_once(space, distinct)
    _equal_to_a_clean_run(space)


def test_a_worker_killed_during_the_measures_leaves_them_to_the_next_worker(
    workspace, dossier_file
):
    space, (_path, _units, distinct) = workspace, dossier_file

    def measures_at(low: int):
        def seen() -> bool:
            jobs = [j for j in space.jobs() if j[1] == "measures"]
            return bool(jobs) and jobs[0][2] == "running" and jobs[0][4] >= low

        return seen

    def measures_ended() -> bool:
        return any(j[1] == "measures" and j[2] in ("done", "failed") for j in space.jobs())

    first = space.start_worker()
    space.wait("the measures computing", measures_at(27), measures_ended)  # kind 2 of 3
    space.kill(first)
    second = space.start_worker()
    space.wait(
        "the retried measures storing",
        lambda: measures_at(70)() and _attempt(space) == 2,
        measures_ended,
    )
    space.kill(second)  # inside the transaction that replaces the measures
    third = space.start_worker()
    space.wait("every job done", space.settled)
    space.stop(third)
    imported, measures = space.jobs()
    assert imported[2:4] == ("done", 1)
    assert measures[1:4] == ("measures", "done", 3)
    _stored_once(space, distinct)
    _equal_to_a_clean_run(space)


def _attempt(space: Workspace) -> int:
    return next(j[3] for j in space.jobs() if j[1] == "measures")


def test_a_job_that_kills_its_worker_every_time_fails_clearly_after_the_last_attempt(
    workspace, dossier_file
):
    space = workspace
    space.env["DXSCORE_JOB_MAX_ATTEMPTS"] = "2"
    for attempt in (1, 2):
        worker = space.start_worker()
        space.wait(
            f"attempt {attempt} of the import running",
            lambda a=attempt: space.job(space.import_job)["attempts"] == a
            and space.job(space.import_job)["state"] == "running",
            lambda: space.job(space.import_job)["state"] in ("done", "failed"),
        )
        space.kill(worker)
    last = space.start_worker()
    space.wait("the import failed", lambda: space.job(space.import_job)["state"] == "failed")
    space.stop(last)
    job = space.job(space.import_job)
    assert job["attempts"] == 2
    assert job["error"].startswith("The worker could not finish this job in 2 attempts")
    assert len(space.jobs()) == 1  # no measures queued for it
    assert not (space.store / "manifest.json").exists() or Store(space.store).rows() == 0
