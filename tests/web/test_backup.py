"""``dxscore backup`` and ``restore``: one consistent copy of everything a workspace holds
(database, uploads, dossier store, secret key), brought back exactly, on the database the
suite runs on (SQLite, or PostgreSQL when DATABASE_URL names one, as in CI's second run).

Each workspace is a real one (``DXSCORE_HOME`` in a temporary folder; on PostgreSQL its own
database) driven through the commands in subprocesses. ``python -m tests.web.test_backup
seed|more|report`` is the child that fills a workspace and reports what it holds.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-pass-phrase-42"
pytestmark = pytest.mark.slow

SERVICES = """\
id: services
version: "1"
title: Public services
scale: [0, 100]
defaults:
  indicator: {normalisation: identity, range: [0, 1], unit: rate}
tree:
  code: index
  name: Services
  children:
    - {code: online_share, name: Dossiers filed online, weight: 1}
    - {code: timeliness_rate, name: Dossiers on time, weight: 1}
    - {code: staff_trained, name: Staff trained, weight: 1}
"""
HEADER = "dossier_id,unit,procedure,service_level,channel,received_at,due_at,finished_at,status\n"
UPLOADED = (
    "a1,256,P1,full,online,2024-07-01 08:00,2024-07-05,2024-07-03 10:00,finished\n"
    "a2,256,P1,full,online,2024-07-02 08:00,2024-07-04,2024-07-09 10:00,finished\n"
    "a3,256,P2,partial,in_person,2024-07-03 08:00,2024-08-20,,in_progress\n"
    "b1,257,P1,full,in_person,2024-07-02 08:00,2024-07-20,2024-07-05 09:00,finished\n"
)


# --- the child: runs inside a workspace ------------------------------------------------------


def _seed() -> None:
    """Units, a steering officer, a methodology with a value entered by hand, an evidence
    file, and an uploaded dossier file that the worker imports and measures."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from dxscore.web.data.methodologies import store
    from dxscore.web.data.models import Period
    from dxscore.web.data.workflow import Entry, save_entries
    from dxscore.web.dossierdata.models import Job
    from dxscore.web.dossierdata.worker import run_pending
    from dxscore.web.orgs.models import Level, Person, Role, Unit

    country = Level.objects.create(name="country", depth=0)
    province = Level.objects.create(name="province", depth=1)
    district = Level.objects.create(name="district", depth=2)
    vn = Unit.objects.create(code="VN", name="Việt Nam", level=country)
    bn = Unit.objects.create(code="27", name="Bắc Ninh", level=province, parent=vn)
    d256 = Unit.objects.create(code="256", name="TP. Bắc Ninh", level=district, parent=bn)
    Unit.objects.create(code="257", name="Từ Sơn", level=district, parent=bn)
    user = get_user_model().objects.create_user("steering", password=PASSWORD)
    Person.objects.create(user=user, role=Role.STEERING, entry_scope=bn, view_scope=bn)
    methodology = store(SERVICES, purpose="services")
    methodology.reporting_level = district
    methodology.save()
    periods = {code: Period.objects.create(code=code) for code in ("2024-07", "2024Q3", "2024")}
    save_entries(user, methodology, periods["2024"], d256, [Entry("staff_trained", 0.75)])
    default_storage.save("evidence/training.txt", ContentFile(b"42 staff trained"))
    job = Job(kind=Job.Kind.IMPORT, filename="dossiers.csv", created_by=user)
    job.file.save("dossiers.csv", ContentFile((HEADER + UPLOADED).encode()))
    assert run_pending() == 2


def _more(tag: str) -> None:
    """After the backup: records posted through the API (and measured), a new person, the
    evidence file gone, another secret key."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.storage import default_storage

    from dxscore.web.api.dossier_batches import DossierIn, store_batch
    from dxscore.web.dossierdata.worker import run_pending

    user = get_user_model().objects.get(username="steering")
    records = [
        DossierIn.model_validate(
            {
                "dossier_id": f"{tag}-{n}",
                "unit": "257",
                "procedure": "P3",
                "service_level": "full",
                "channel": "online",
                "received_at": "2024-07-10T08:00:00+07:00",
                "due_at": "2024-07-20",
                "status": "in_progress",
            }
        )
        for n in range(3)
    ]
    assert store_batch(user, records)["new"] == 3
    assert run_pending() == 1
    get_user_model().objects.create_user(f"later-{tag}", password=PASSWORD)
    default_storage.delete("evidence/training.txt")
    (Path(settings.HOME) / "secret_key").write_text(f"another key {tag}", encoding="utf-8")


def _report() -> dict:
    """What the workspace holds, in a form two workspaces can be compared by."""
    import duckdb
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from dxscore.dossiers import Store
    from dxscore.web.data.models import Value
    from dxscore.web.dossierdata.models import DossierMeasure, Job, ProcedureMeasure

    root = Path(settings.DXSCORE_DOSSIER_STORE)
    records = []
    if (root / "manifest.json").exists() and (parts := Store(root).parts()):
        records = duckdb.sql(
            "SELECT unit, dossier_id, status FROM read_parquet($p) ORDER BY ALL",
            params={"p": [str(p) for p in parts]},
        ).fetchall()
    uploads = Path(settings.MEDIA_ROOT)
    key = Path(settings.HOME) / "secret_key"
    return {
        "records": [list(r) for r in records],
        "measures": sorted(
            [m.unit.code, m.period, m.measure, m.value]
            for m in DossierMeasure.objects.select_related("unit")
        ),
        "procedure_measures": ProcedureMeasure.objects.count(),
        "values": sorted(
            [v.unit.code, v.indicator.code, v.period.code, v.value, v.status]
            for v in Value.objects.select_related("unit", "indicator", "period")
        ),
        "users": sorted(get_user_model().objects.values_list("username", flat=True)),
        "jobs": sorted([j.kind, j.state] for j in Job.objects.all()),
        "uploads": {
            p.relative_to(uploads).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(uploads.rglob("*"))
            if p.is_file()
        },
        "secret_key": key.read_text(encoding="utf-8") if key.exists() else None,
    }


def main(args: list[str]) -> None:
    from dxscore.cli.web import migrate, setup_django

    setup_django(create_home=True)
    migrate()
    if args[0] == "seed":
        _seed()
    elif args[0] == "more":
        _more(args[1])
    print(json.dumps(_report(), ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])


# --- the tests -------------------------------------------------------------------------------


class Workspace:
    """A workspace folder (and, on PostgreSQL, a database of its own) and its commands."""

    def __init__(self, home: Path, database_url: str | None):
        self.home = home
        self.env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        self.env.pop("DATABASE_URL", None)
        self.env.pop("DXSCORE_DOSSIER_STORE", None)
        self.env.pop("DXSCORE_SECRET_KEY", None)
        self.env.update(DXSCORE_HOME=str(home), DXSCORE_PASSWORD=PASSWORD)
        self.env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO / "src"), str(REPO), self.env.get("PYTHONPATH", "")]
        )
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def dx(self, *args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-c", "from dxscore.cli import main; main()", *args]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, cwd=REPO)

    def child(self, *args: str) -> dict:
        command = [sys.executable, "-m", "tests.web.test_backup", *args]
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, cwd=REPO)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def report(self) -> dict:
        return self.child("report")

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.home.iterdir() if ".restore-" in p.name)


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    """``new(name)`` makes an empty workspace on the database the suite runs on."""
    url = os.environ.get("DATABASE_URL", "")
    made = []
    admin = None
    if url.startswith("postgres"):
        import dj_database_url
        import psycopg

        cfg = dj_database_url.parse(url)
        admin = psycopg.connect(
            host=cfg["HOST"],
            port=cfg["PORT"],
            user=cfg["USER"],
            password=cfg.get("PASSWORD") or None,
            dbname="postgres",
            autocommit=True,
        )

    def new(name: str) -> Workspace:
        home = tmp_path_factory.mktemp(name)
        database_url = None
        if admin is not None:
            db = f"dxscore_backup_{os.getpid()}_{name}"
            admin.execute(f'DROP DATABASE IF EXISTS "{db}"')
            admin.execute(f'CREATE DATABASE "{db}"')
            made.append(db)
            database_url = url.rsplit("/", 1)[0] + "/" + db
        return Workspace(home, database_url)

    yield new
    if admin is not None:
        for db in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="module")
def seeded(workspaces, tmp_path_factory):
    """A filled workspace, its backup and what it held then."""
    ws = workspaces("seeded")
    held = ws.child("seed")
    archive = tmp_path_factory.mktemp("archives") / "backup.tar.gz"
    done = ws.dx("backup", str(archive))
    assert done.returncode == 0, done.stderr
    return ws, archive, held


def test_the_seeded_workspace_holds_everything_a_backup_must_keep(seeded):
    _ws, _archive, held = seeded
    assert len(held["records"]) == 4
    assert held["measures"] and held["procedure_measures"]
    assert ["256", "staff_trained", "2024", 0.75, "draft"] in held["values"]
    assert any(name.startswith("evidence/") for name in held["uploads"])
    assert held["secret_key"]


def test_restoring_onto_a_fresh_workspace_brings_back_everything(seeded, workspaces):
    _ws, archive, held = seeded
    fresh = workspaces("fresh")
    done = fresh.dx("restore", str(archive), "--yes")
    assert done.returncode == 0, done.stderr
    assert "4 dossier record(s)" in done.stdout
    assert fresh.report() == held  # records, measures, values, people, files and the key
    assert fresh.leftovers() == []


def test_restoring_in_place_drops_what_was_posted_after_the_backup(seeded):
    ws, archive, held = seeded
    later = ws.child("more", "x")
    assert len(later["records"]) == 7 and later["users"] != held["users"]
    assert later["secret_key"] != held["secret_key"]
    done = ws.dx("restore", str(archive), "--yes")
    assert done.returncode == 0, done.stderr
    assert ws.report() == held  # exactly the backed-up records, measures and key
    assert ws.leftovers() == []


def test_the_archive_lists_every_file_with_its_checksum(seeded):
    _ws, archive, held = seeded
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        assert names[-1] == "manifest.json"
        for name, about in manifest["files"].items():
            body = tar.extractfile(name).read()
            assert hashlib.sha256(body).hexdigest() == about["sha256"]
    assert manifest["format"] == "dxscore-backup" and manifest["version"] == 2
    assert manifest["dossier_store"]["records"] == len(held["records"]) == 4
    assert manifest["uploads"] == len(held["uploads"])
    assert manifest["secret_key"] == "file"
    assert manifest["database"]["tables"]["auth_user"] == len(held["users"])
    assert any(m.startswith("dossierdata.") for m in manifest["database"]["migrations"])
    assert "dossiers/manifest.json" in names and "secret_key" in names
    assert not any(n.startswith("reports/") for n in names)  # a cache, rebuilt


def _repack(archive: Path, out: Path, change=None, extra: dict | None = None) -> Path:
    """A copy of ``archive`` with its members passed through ``change(name, bytes)``
    (which returns new bytes, or None to leave the member out), and ``extra`` members
    added before the manifest."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            body = src.extractfile(member).read() if member.isfile() else b""
            if member.name == "manifest.json":
                for name, data in (extra or {}).items():
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    dst.addfile(info, io.BytesIO(data))
            body = change(member.name, body) if change else body
            if body is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(body)
            dst.addfile(info, io.BytesIO(body))
    return out


def _edit_manifest(**changes):
    def change(name, body):
        if name != "manifest.json":
            return body
        manifest = json.loads(body)
        for key, value in changes.items():
            target = manifest
            *path, last = key.split("__")
            for part in path:
                target = target[part]
            target[last] = value
        return json.dumps(manifest).encode()

    return change


def _damaged(archive: Path, folder: Path) -> tuple[Path, Path]:
    """A byte flipped in the middle of the archive; a part file changed under an intact
    gzip stream (its checksum in the manifest unchanged)."""
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    flipped = folder / "flipped.tar.gz"
    flipped.write_bytes(bytes(data))

    def part(name, body):
        if name.startswith("dossiers/dossiers/"):
            return body[:-9] + bytes([body[-9] ^ 1]) + body[-8:]
        return body

    return flipped, _repack(archive, folder / "part.tar.gz", part)


def test_a_damaged_archive_is_refused_and_nothing_changes(seeded, tmp_path):
    ws, archive, _held = seeded
    before = ws.report()
    flipped, part = _damaged(archive, tmp_path)
    for bad, message in ((flipped, "damaged"), (part, "does not match its checksum")):
        done = ws.dx("restore", str(bad), "--yes")
        assert done.returncode == 1, (bad.name, done.stdout, done.stderr)
        assert message in done.stderr and "error:" in done.stderr, (bad.name, done.stderr)
        assert ws.leftovers() == [], bad.name
    assert ws.report() == before


def test_unpacking_checks_the_whole_archive_before_anything_is_touched(seeded, tmp_path):
    from dxscore.web import backup

    _ws, archive, _held = seeded
    engine = "postgresql" if "DATABASE_URL" in _ws.env else "sqlite"
    other = "sqlite" if engine == "postgresql" else "postgresql"
    flipped, part = _damaged(archive, tmp_path)
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 3])
    escape = tmp_path / "escape.tar.gz"
    with tarfile.open(escape, "w:gz") as tar:
        info = tarfile.TarInfo("uploads/../../escaped.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))

    def rows(name, body):  # a manifest that claims one dossier record more
        if name == "dossiers/manifest.json":
            store = json.loads(body)
            store["parts"][0]["rows"] += 1
            return json.dumps(store).encode()
        return body

    cases = {
        flipped: "damaged",
        truncated: "damaged",
        part: "does not match its checksum",
        _repack(
            archive, tmp_path / "nokey.tar.gz", lambda n, b: None if n == "secret_key" else b
        ): "secret_key is missing",
        _repack(
            archive, tmp_path / "extra.tar.gz", extra={"uploads/planted.txt": b"x"}
        ): "uploads/planted.txt is not in its manifest",
        _repack(
            archive, tmp_path / "engine.tar.gz", _edit_manifest(database__engine=other)
        ): f"this backup is of a {'SQLite' if other == 'sqlite' else 'PostgreSQL'} database",
        _repack(archive, tmp_path / "newer.tar.gz", _edit_manifest(version=99)): "newer dxscore",
        _repack(
            archive,
            tmp_path / "migration.tar.gz",
            _edit_manifest(database__migrations=["dossierdata.9999_future"]),
        ): "newer dxscore (migrations unknown here: dossierdata.9999_future)",
        _repack(archive, tmp_path / "rows.tar.gz", _resign(rows)): "the store's manifest says",
        escape: "unsafe name",
    }
    home = tmp_path / "home"
    home.mkdir()
    ws = backup.Workspace(home, home / "uploads", home / "dossiers", {}, engine)
    for bad, message in cases.items():
        with pytest.raises(backup.BackupError) as refused:
            backup.unpack(bad, ws)
        assert message in str(refused.value), (bad.name, str(refused.value))
        assert sorted(p.name for p in home.iterdir()) == [], bad.name
        assert not (tmp_path / "escaped.txt").exists()
    assert backup.unpack(archive, ws).manifest["version"] == backup.VERSION


def _resign(change):
    """``change`` applied to members, and the manifest's checksums made to match: damage
    that only the deeper checks find."""
    bodies = {}

    def apply(name, body):
        if name != "manifest.json":
            body = change(name, body)
            bodies[name] = body
            return body
        manifest = json.loads(body)
        for member, data in bodies.items():
            manifest["files"][member] = {
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        return json.dumps(manifest).encode()

    return apply


def test_an_old_backup_without_store_and_key_still_restores_with_a_warning(
    seeded, workspaces, tmp_path
):
    """Archives of dxscore before this change: manifest.json first ({"database", "file"}),
    the database and uploads/ only."""
    ws, archive, held = seeded
    with tarfile.open(archive) as src:
        manifest = json.load(src.extractfile("manifest.json"))
        old = tmp_path / "old.tar.gz"
        with tarfile.open(old, "w:gz") as dst:
            database = manifest["database"]
            body = json.dumps({"database": database["engine"], "file": database["file"]})
            for name, data in [("manifest.json", body.encode())] + [
                (m.name, src.extractfile(m).read())
                for m in src.getmembers()
                if m.name == database["file"] or m.name.startswith("uploads/")
            ]:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                dst.addfile(info, io.BytesIO(data))
    target = workspaces("old")
    key = "this workspace's own key"
    (target.home / "secret_key").write_text(key, encoding="utf-8")
    done = target.dx("restore", str(old), "--yes")
    assert done.returncode == 0, done.stderr
    assert "written by an older dxscore" in done.stdout
    got = target.report()
    assert got["records"] == []  # no store in such an archive: the workspace's is kept
    assert got["secret_key"] == key
    assert {k: got[k] for k in ("measures", "values", "users", "jobs", "uploads")} == {
        k: held[k] for k in ("measures", "values", "users", "jobs", "uploads")
    }


def test_backup_waits_for_running_imports_and_gives_up_writing_nothing(seeded, tmp_path):
    from dxscore.web import workspace

    ws, _archive, _held = seeded
    out = tmp_path / "late.tar.gz"
    with workspace.writing(ws.home):  # an import is running
        done = ws.dx("backup", str(out), "--wait", "0.5")
    assert done.returncode == 1
    assert "waiting for running dossier imports" in done.stdout
    assert "still running after 0.5 s: nothing was written" in done.stderr
    assert not out.exists() and not list(tmp_path.iterdir())
