"""A live workspace on loopback for tests and benchmarks: a fresh workspace folder (SQLite,
or PostgreSQL through ``DATABASE_URL``) with a province, districts, a methodology, a period
and three people with API tokens, and ``dxscore serve`` (waitress) on a free port of
127.0.0.1, stopped on exit. ``tests/web/api/test_api_live.py`` runs the API over real HTTP
with it; ``benchmarks/bench_api.py`` times dossier batches against it.

    with LiveServer(tmp_path / "home") as server:
        urllib.request.urlopen(server.url + "/health")

The workspace is set up by this file run as a script (``python tests/live.py --setup``)
in the server's environment.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
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


if __name__ == "__main__":
    if sys.argv[1:] == ["--setup"]:
        print(json.dumps(setup_workspace()))
    else:
        sys.exit("usage: python tests/live.py --setup (in the workspace's environment)")
