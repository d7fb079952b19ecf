"""Backup and restore of a whole workspace (``dxscore backup``, ``dxscore restore``).

A backup is one ``.tar.gz`` holding everything a workspace keeps: the database (SQLite's
online-backup copy, or ``pg_dump --format=custom``), the uploaded files, the dossier store
(one manifest version and exactly the files it names), the secret key and the demo
marker, and last ``manifest.json``: format version, versions, counts, and the size and
SHA-256 of every other member. The stored report files (``reports/``) are a cache and are
left out.

**Consistency.** The site's writers of the dossier store hold the workspace lock shared
(``dxscore.web.workspace``) until the database records what they did. A backup holds it
exclusively for a moment only: it opens a database snapshot (a read transaction on SQLite
in WAL mode; an exported ``REPEATABLE READ`` snapshot that ``pg_dump --snapshot`` reads on
PostgreSQL) and pins the store's manifest (hard links to its files, which never change).
Copying happens afterwards from the snapshot and the links, while the site works on.

**Restore** unpacks into staging folders next to what they replace, checking every size
and checksum, the format and migrations, the store's row counts and (SQLite) the
database's integrity and table counts. Only then, holding the workspace lock, it moves
the current uploads, store and key aside, moves the restored ones in and replaces the
database in one transaction (SQLite's backup API; ``pg_restore --single-transaction``);
if the database step fails, the moved files go back. Archives of older dxscore versions
(database and uploads only, no manifest checksums) still restore, with a warning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import uuid
import zlib
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.db import DatabaseError

from dxscore import __version__
from dxscore.dossiers import Store, StoreError
from dxscore.dossiers.store import exclusive
from dxscore.errors import counted
from dxscore.web import workspace
from dxscore.web.diskfull import is_disk_full

FORMAT = "dxscore-backup"
VERSION = 2  # 1 (no "format" key): database and uploads only, written before dxscore 0.2
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
KEY_FILE = "secret_key"
DEMO_MARKER = "demo-workspace.json"
UPLOADS = "uploads"
STORE = "dossiers"
TOP_FILES = (SQLITE_FILE, PG_FILE, KEY_FILE, DEMO_MARKER)
COMPRESSLEVEL = 3  # the store's Parquet is compressed already: gzip -9 would gain little
CHUNK = 1 << 20
MAX_MANIFEST = 256 << 20
DEFAULT_WAIT = 3600.0

Echo = Callable[[str], None]


class BackupError(Exception):
    """What went wrong, for the person running the command; nothing was changed."""


@dataclass
class Workspace:
    """Where the running settings keep each part of the workspace."""

    home: Path
    uploads: Path
    store: Path
    database: dict
    engine: str  # sqlite or postgresql

    @classmethod
    def current(cls) -> Workspace:
        from django.conf import settings
        from django.db import connections

        db = connections["default"].settings_dict
        engine = "sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql"
        return cls(
            home=Path(settings.HOME),
            uploads=Path(settings.MEDIA_ROOT),
            store=Path(settings.DXSCORE_DOSSIER_STORE),
            database=db,
            engine=engine,
        )


# --- taking a backup ------------------------------------------------------------------------


def take(out: Path, wait: float | None = DEFAULT_WAIT, echo: Echo = print) -> dict:
    """Write the workspace's backup to ``out`` (via ``out.partial``, renamed when complete);
    returns its manifest."""
    ws = Workspace.current()
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.tmp"
    work.mkdir()
    pinned = None
    partial = out.with_name(out.name + ".partial")
    try:
        with _snapshot(ws) as snap:
            try:
                with workspace.frozen(
                    ws.home,
                    wait,
                    on_wait=lambda: echo("waiting for running dossier imports to finish ..."),
                ):
                    snap.begin()
                    if (ws.store / "manifest.json").exists():
                        pinned = _pin_store(ws.store)
            except workspace.WorkspaceBusy:
                raise BackupError(
                    f"dossier imports were still running after {wait:g} s: nothing was "
                    "written; try again later (or give --wait more seconds)"
                ) from None
            # the lock is released: copy at leisure from the snapshot and the pinned files
            database = snap.describe()
            dump = snap.dump(work)
        manifest = _write_archive(ws, partial, dump, database, pinned)
        os.replace(partial, out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise BackupError(f"no space left for the backup in {out.parent}: {exc}") from None
        raise
    except DatabaseError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the database: {exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if pinned is not None:
            shutil.rmtree(pinned[0], ignore_errors=True)
    return manifest


def _pin_store(root: Path) -> tuple[Path, dict]:
    """Hard links to one manifest version of the store, in a folder inside it (the same
    file system; ``.snapshot-PID-*``: leftovers of dead backups are removed here)."""
    for old in root.glob(".snapshot-*"):
        try:
            pid = int(old.name.split("-")[1])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(old, ignore_errors=True)
        except (ValueError, IndexError, PermissionError):
            pass
    folder = root / f".snapshot-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        return folder, Store(root).snapshot(folder)
    except StoreError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise BackupError(f"dossier store: {exc}") from None


class _Hashing:
    """A file read through, hashing what passes."""

    def __init__(self, f):
        self.f, self.sha, self.size = f, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


def _add(tar: tarfile.TarFile, path: Path, name: str, files: dict) -> bool:
    """Stream one file into the archive, noting its size and checksum. False if the file
    disappeared before it could be read (an upload deleted meanwhile)."""
    try:
        f = path.open("rb")
    except FileNotFoundError:
        return False
    with f:
        st = os.fstat(f.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = st.st_size, int(st.st_mtime), st.st_mode & 0o777
        reader = _Hashing(f)
        try:
            tar.addfile(info, reader)
        except OSError as exc:
            if is_disk_full(exc):
                raise
            raise BackupError(f"{path} changed while it was read: run the backup again") from None
    files[name] = {"size": reader.size, "sha256": reader.sha.hexdigest()}
    return True


def _write_archive(
    ws: Workspace, partial: Path, dump: Path, database: dict, pinned: tuple[Path, dict] | None
) -> dict:
    files: dict[str, dict] = {}
    key_file = ws.home / KEY_FILE
    with tarfile.open(partial, "w:gz", compresslevel=COMPRESSLEVEL) as tar:
        _add(tar, dump, dump.name, files)
        key_in = key_file.is_file() and _add(tar, key_file, KEY_FILE, files)
        if (ws.home / DEMO_MARKER).is_file():
            _add(tar, ws.home / DEMO_MARKER, DEMO_MARKER, files)
        uploads = 0
        if ws.uploads.is_dir():
            for path in sorted(ws.uploads.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    relative = path.relative_to(ws.uploads).as_posix()
                    uploads += _add(tar, path, f"{UPLOADS}/{relative}", files)
        store = None
        if pinned is not None:
            folder, store_manifest = pinned
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                _add(tar, path, f"{STORE}/{path.relative_to(folder).as_posix()}", files)
            catalogue = store_manifest.get("catalogue")
            store = {
                "version": store_manifest.get("version"),
                "timezone": store_manifest.get("timezone"),
                "records": sum(p["rows"] for p in store_manifest["parts"]),
                "parts": len(store_manifest["parts"]),
                "catalogue_rows": catalogue["rows"] if catalogue else None,
                "imports": len(store_manifest.get("imports", [])),
            }
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "dxscore": __version__,
            "workspace": str(ws.home),
            "database": {"file": dump.name, **database},
            "uploads": uploads,
            "dossier_store": store,
            "secret_key": "file" if key_in else "none",
            "secret_key_from_environment": bool(os.environ.get("DXSCORE_SECRET_KEY")),
            "files": files,
        }
        body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(body), int(dt.datetime.now().timestamp()), 0o600
        tar.addfile(info, io.BytesIO(body))
    return manifest


class _snapshot:
    """A database snapshot: ``begin`` (under the lock) fixes the state that ``describe``
    and ``dump`` read afterwards."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.sqlite: sqlite3.Connection | None = None
        self.pg_cursor = None
        self.pg_snapshot = ""

    def __enter__(self) -> _snapshot:
        if self.ws.engine == "sqlite":
            path = Path(self.ws.database["NAME"])
            if not path.is_file():
                raise BackupError(f"no database at {path}: nothing to back up")
            self.sqlite = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        else:
            from django.db import connection

            connection.ensure_connection()
            self.pg_cursor = connection.connection.cursor()
        return self

    def begin(self) -> None:
        if self.sqlite is not None:
            # WAL mode: the first read of a transaction fixes what it sees, writers go on
            self.sqlite.execute("BEGIN")
            self.sqlite.execute("SELECT count(*) FROM sqlite_master").fetchone()
        else:
            self.pg_cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            self.pg_cursor.execute("SELECT pg_export_snapshot()")
            self.pg_snapshot = self.pg_cursor.fetchone()[0]

    def _rows(self, sql: str) -> list[tuple]:
        if self.sqlite is not None:
            return self.sqlite.execute(sql).fetchall()
        self.pg_cursor.execute(sql)
        return self.pg_cursor.fetchall()

    def describe(self) -> dict:
        return {"engine": self.ws.engine, **describe_database(self._rows, self.ws.engine)}

    def dump(self, work: Path) -> Path:
        if self.sqlite is not None:
            dump = work / SQLITE_FILE
            target = sqlite3.connect(str(dump))
            try:
                self.sqlite.backup(target)  # one step, inside the snapshot's transaction
            finally:
                target.close()
            return dump
        dump = work / PG_FILE
        run_pg(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--snapshot={self.pg_snapshot}",
                f"--file={dump}",
            ],
            self.ws.database,
        )
        return dump

    def __exit__(self, *exc) -> None:
        if self.sqlite is not None:
            with suppress(sqlite3.Error):
                self.sqlite.execute("ROLLBACK")
            self.sqlite.close()
        elif self.pg_cursor is not None:
            with suppress(Exception):
                self.pg_cursor.execute("ROLLBACK")
            self.pg_cursor.close()


def describe_database(rows: Callable[[str], list[tuple]], engine: str) -> dict:
    """Applied migrations, server version and the row count of every table."""
    if engine == "sqlite":
        server = sqlite3.sqlite_version
        tables = [
            r[0]
            for r in rows(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
    else:
        server = rows("SHOW server_version")[0][0]
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        tables = [r[0] for r in rows(sql)]
    counts = {}
    for table in sorted(tables):
        quoted = '"' + table.replace('"', '""') + '"'
        counts[table] = rows(f"SELECT count(*) FROM {quoted}")[0][0]
    migrations = []
    if "django_migrations" in counts:
        migrations = sorted(f"{a}.{n}" for a, n in rows("SELECT app, name FROM django_migrations"))
    return {"server": server, "migrations": migrations, "tables": counts}


def run_pg(command: list[str], db: dict) -> None:
    """Run a PostgreSQL client program against the workspace's database."""
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    try:
        done = subprocess.run([*command, *args], env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed (apt-get install postgresql-client, of the "
            "server's version)"
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed, nothing was changed: {done.stderr.strip()}")


# --- restoring ------------------------------------------------------------------------------


@dataclass
class Unpacked:
    """An archive unpacked into staging folders and checked."""

    manifest: dict
    staging: Path  # database file, secret key, marker, uploads/
    store: Path  # the dossier store (next to the live one)
    old_format: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def database_file(self) -> Path:
        return self.staging / self.manifest["database"]["file"]


def restore(archive: Path, wait: float | None = DEFAULT_WAIT, echo: Echo = print) -> dict:
    """Replace the workspace's database, uploads, dossier store and secret key with the
    archive's; nothing changes unless the whole archive checks out. Returns the manifest."""
    from django.core.management import call_command
    from django.db import connections

    ws = Workspace.current()
    ws.home.mkdir(parents=True, exist_ok=True)
    unpacked = unpack(Path(archive), ws)
    try:
        for note in unpacked.notes:
            echo(f"warning: {note}")
        connections.close_all()
        try:
            with workspace.frozen(
                ws.home, wait, on_wait=lambda: echo("waiting for running dossier imports ...")
            ):
                _apply(unpacked, ws)
        except workspace.WorkspaceBusy:
            raise BackupError(
                f"dossier imports were still running after {wait:g} s: nothing was changed; "
                "stop the worker and try again"
            ) from None
    finally:
        shutil.rmtree(unpacked.staging, ignore_errors=True)
        shutil.rmtree(unpacked.store, ignore_errors=True)
    call_command("migrate", interactive=False, verbosity=0)
    requeued = _requeue_interrupted_jobs()
    if requeued:
        echo(
            f"{counted(requeued, 'dossier job')} that were running at backup time "
            + ("is" if requeued == 1 else "are")
            + " queued again"
        )
    return unpacked.manifest


def _staging_names(ws: Workspace) -> tuple[Path, Path]:
    tag = uuid.uuid4().hex[:8]
    return (
        ws.home / f".restore-{tag}",
        ws.store.parent / f".{ws.store.name}.restore-{tag}",
    )


def _member_target(name: str, up: Unpacked) -> Path | None:
    """Where an archive member goes in staging; None for folders' own entries. Refuses
    names outside the known layout (absolute, ``..``, unknown files)."""
    path = PurePosixPath(name)
    parts = path.parts
    if not parts or path.is_absolute() or any(p in ("..", "", ".") for p in parts):
        raise BackupError(f"the archive holds an unsafe name: {name!r}")
    if parts[0] == UPLOADS:
        return up.staging.joinpath(*parts) if len(parts) > 1 else None
    if parts[0] == STORE:
        return up.store.joinpath(*parts[1:]) if len(parts) > 1 else None
    if len(parts) == 1 and parts[0] in (*TOP_FILES, MANIFEST):
        return up.staging / parts[0]
    raise BackupError(f"the archive holds a file a dxscore backup does not: {name!r}")


def unpack(archive: Path, ws: Workspace) -> Unpacked:
    """Unpack and check ``archive`` (see the module doc); BackupError, with the staging
    folders removed, if anything is wrong."""
    staging, store = _staging_names(ws)
    up = Unpacked({}, staging, store)
    staging.mkdir(mode=0o700)  # the database and the key pass through it
    (staging / UPLOADS).mkdir()
    try:
        seen = _extract(archive, up)
        _check(up, seen, ws)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(store, ignore_errors=True)
        raise
    return up


def _extract(archive: Path, up: Unpacked) -> dict[str, dict]:
    seen: dict[str, dict] = {}
    manifest_body = None
    try:
        with tarfile.open(archive, "r|*") as tar:
            for member in tar:
                target = _member_target(member.name, up)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"the archive holds a link or device: {member.name!r}")
                if member.name in seen or (member.name == MANIFEST and manifest_body):
                    raise BackupError(f"the archive holds {member.name!r} twice")
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    if member.size > MAX_MANIFEST:
                        raise BackupError("the archive's manifest is implausibly large")
                    manifest_body = source.read()
                    continue
                if target is None:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                sha, size = hashlib.sha256(), 0
                with target.open("xb") as f:
                    if hasattr(os, "fchmod"):
                        os.fchmod(f.fileno(), (member.mode & 0o777) | 0o600)
                    while chunk := source.read(CHUNK):
                        sha.update(chunk)
                        f.write(chunk)
                        size += len(chunk)
                seen[member.name] = {"size": size, "sha256": sha.hexdigest()}
    except BackupError:
        raise
    except OSError as exc:
        if is_disk_full(exc):
            raise BackupError(
                f"no space left to unpack the archive next to the workspace: {exc}"
            ) from None
        raise BackupError(f"the archive is damaged or not a dxscore backup: {exc}") from None
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"the archive is damaged or not a dxscore backup: {exc}") from None
    if manifest_body is None:
        # a damaged header ends a tar stream early: the manifest, written last, is missing
        raise BackupError(
            "the archive is damaged or not a dxscore backup: it ends before its manifest.json"
        )
    try:
        up.manifest = json.loads(manifest_body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupError("the archive's manifest.json is damaged") from None
    if not isinstance(up.manifest, dict):
        raise BackupError("the archive's manifest.json is damaged")
    return seen


def _check(up: Unpacked, seen: dict[str, dict], ws: Workspace) -> None:
    m = up.manifest
    if "format" not in m and {"database", "file"} <= set(m):
        _check_old(up, seen, ws)
        return
    if m.get("format") != FORMAT or not isinstance(m.get("version"), int):
        raise BackupError("the archive's manifest is not a dxscore backup manifest")
    if m["version"] > VERSION:
        raise BackupError(
            f"this backup was written by a newer dxscore ({m.get('dxscore')}, backup format "
            f"{m['version']}): upgrade dxscore to restore it"
        )
    listed = m.get("files")
    if not isinstance(listed, dict):
        raise BackupError("the archive's manifest lists no files")
    for name in sorted(set(listed) | set(seen)):
        if name not in seen:
            raise BackupError(f"the archive is damaged: {name} is missing")
        if name not in listed:
            raise BackupError(f"the archive is damaged: {name} is not in its manifest")
        if seen[name] != {"size": listed[name].get("size"), "sha256": listed[name].get("sha256")}:
            raise BackupError(f"the archive is damaged: {name} does not match its checksum")
    db = m.get("database") or {}
    _check_engine(db.get("engine"), ws)
    if db.get("file") not in seen:
        raise BackupError("the archive is damaged: it holds no database")
    _check_migrations(db.get("migrations") or [])
    if ws.engine == "sqlite":
        _check_sqlite(up.database_file, db.get("tables") or {})
    _check_store(up, m.get("dossier_store"), seen)
    if m.get("secret_key") == "file" and KEY_FILE not in seen:
        raise BackupError("the archive is damaged: the secret key is missing")
    from_env = m.get("secret_key_from_environment")
    if m.get("secret_key") != "file" and from_env and not os.environ.get("DXSCORE_SECRET_KEY"):
        up.notes.append(
            "the backed-up workspace took its secret key from DXSCORE_SECRET_KEY, so the "
            "archive holds none: set the same DXSCORE_SECRET_KEY here"
        )


def _check_old(up: Unpacked, seen: dict[str, dict], ws: Workspace) -> None:
    m = up.manifest
    engine = m["database"]
    _check_engine(engine, ws)
    if m["file"] not in (SQLITE_FILE, PG_FILE) or m["file"] not in seen:
        raise BackupError("the archive is damaged: it holds no database")
    m["database"] = {"engine": engine, "file": m.pop("file")}
    if ws.engine == "sqlite":
        _check_sqlite(up.database_file, {})
    up.old_format = True
    up.notes.append(
        "this backup was written by an older dxscore: it holds the database and the "
        "uploaded files only, without checksums. The dossier store and the secret key are "
        "left as they are, so the dossier measures may not match the store: queue "
        '"Compute measures now" after the restore'
    )


def _check_engine(engine, ws: Workspace) -> None:
    if engine not in ("sqlite", "postgresql"):
        raise BackupError("the archive's manifest names no known database")
    if engine == "sqlite" and ws.engine != "sqlite":
        raise BackupError("this backup is of a SQLite database; this workspace uses PostgreSQL")
    if engine == "postgresql" and ws.engine != "postgresql":
        raise BackupError("this backup is of a PostgreSQL database; this workspace uses SQLite")


def _check_migrations(applied: list[str]) -> None:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{a}.{n}" for a, n in loader.disk_migrations}
    for migration in loader.disk_migrations.values():
        known |= {f"{a}.{n}" for a, n in migration.replaces}
    unknown = sorted(set(applied) - known)
    if unknown:
        raise BackupError(
            "this backup was written by a newer dxscore (migrations unknown here: "
            f"{', '.join(unknown[:5])}): upgrade dxscore to restore it"
        )


def _check_sqlite(path: Path, tables: dict) -> None:
    try:
        con = sqlite3.connect(str(path))
        try:
            result = con.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"the archive's database is damaged: {result}")
            for table, count in tables.items():
                quoted = '"' + table.replace('"', '""') + '"'
                got = con.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
                if got != count:
                    raise BackupError(
                        f"the archive's database is damaged: {table} has {got} rows, "
                        f"its manifest says {count}"
                    )
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise BackupError(f"the archive's database is damaged: {exc}") from None


def _check_store(up: Unpacked, about, seen: dict[str, dict]) -> None:
    store_files = {n for n in seen if n.startswith(STORE + "/")}
    if about is None:
        if store_files:
            raise BackupError("the archive is damaged: dossier files without a store")
        return
    if f"{STORE}/manifest.json" not in seen:
        raise BackupError("the archive is damaged: the dossier store has no manifest")
    try:
        store = Store(up.store)
        records = 0
        for part in store.manifest["parts"]:
            path = up.store / part["file"]
            if f"{STORE}/{part['file']}" not in seen:
                raise BackupError(f"the archive is damaged: dossier part {part['file']} missing")
            import pyarrow.parquet as pq

            rows = pq.ParquetFile(path).metadata.num_rows
            if rows != part["rows"]:
                raise BackupError(
                    f"the archive is damaged: dossier part {part['file']} has {rows} records, "
                    f"the store's manifest says {part['rows']}"
                )
            records += rows
    except StoreError as exc:
        raise BackupError(f"the archive's dossier store is damaged: {exc}") from None
    except OSError as exc:  # pyarrow: not a Parquet file
        raise BackupError(f"the archive's dossier store is damaged: {exc}") from None
    if records != about.get("records"):
        raise BackupError(
            f"the archive is damaged: the store holds {records} records, its manifest says "
            f"{about.get('records')}"
        )


class _Swap:
    """Moves of live files and folders aside and of restored ones in, undone in reverse
    order if a later step fails."""

    def __init__(self):
        self.done: list[tuple[Path, Path]] = []  # (from, to) renames

    def move(self, source: Path, target: Path) -> None:
        os.replace(source, target)
        self.done.append((source, target))

    def replace(self, new: Path | None, live: Path, aside: Path) -> None:
        """``live`` goes to ``aside``; ``new`` (if any) becomes ``live``."""
        if live.exists() or live.is_symlink():
            self.move(live, aside)
        if new is not None:
            live.parent.mkdir(parents=True, exist_ok=True)
            self.move(new, live)

    def undo(self) -> None:
        for source, target in reversed(self.done):
            with suppress(OSError):
                os.replace(target, source)
        self.done = []


def _apply(up: Unpacked, ws: Workspace) -> None:
    m = up.manifest
    aside = up.staging / "previous"
    aside.mkdir()
    store_aside = ws.store.parent / f".{ws.store.name}.previous-{uuid.uuid4().hex[:8]}"
    swap = _Swap()
    with ExitStack() as stack:
        if (ws.store / "manifest.json").exists():
            try:  # a `dxscore dossiers import` into the store holds this lock
                stack.enter_context(exclusive(ws.store))
            except StoreError:
                raise BackupError(
                    f"an import into the dossier store {ws.store} is running: nothing was "
                    "changed; wait for it to finish"
                ) from None
        try:
            swap.replace(up.staging / UPLOADS, ws.uploads, aside / UPLOADS)
            if not up.old_format:
                store_new = up.store if m.get("dossier_store") is not None else None
                swap.replace(store_new, ws.store, store_aside)
                if m.get("secret_key") == "file":
                    (up.staging / KEY_FILE).chmod(0o600)
                    swap.replace(up.staging / KEY_FILE, ws.home / KEY_FILE, aside / KEY_FILE)
                marker = up.staging / DEMO_MARKER
                swap.replace(
                    marker if marker.exists() else None,
                    ws.home / DEMO_MARKER,
                    aside / DEMO_MARKER,
                )
            _restore_database(up, ws)
        except OSError as exc:
            swap.undo()
            raise BackupError(f"restore failed, nothing was changed: {exc}") from None
        except BaseException:
            swap.undo()
            raise
    # done: what was moved aside goes, and the report cache (built from the old data)
    shutil.rmtree(store_aside, ignore_errors=True)
    shutil.rmtree(ws.home / "reports", ignore_errors=True)


def _restore_database(up: Unpacked, ws: Workspace) -> None:
    dump = up.database_file
    if ws.engine == "sqlite":
        target_path = Path(ws.database["NAME"])
        target_path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(str(dump))
        target = sqlite3.connect(str(target_path), timeout=30)
        try:
            source.backup(target)  # one write transaction on the target: all or nothing
        except sqlite3.Error as exc:
            raise BackupError(
                f"restoring the database failed, nothing was changed: {exc}"
            ) from None
        finally:
            source.close()
            target.close()
        return
    run_pg(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",  # all or nothing
            "--exit-on-error",
            str(dump),
        ],
        ws.database,
    )


def _requeue_interrupted_jobs() -> int:
    """Jobs "running" in the restored database were running when the backup was taken;
    no worker runs them now."""
    from dxscore.web.dossierdata.models import Job

    return Job.objects.filter(state=Job.State.RUNNING).update(
        state=Job.State.QUEUED, started_at=None, progress="", percent=0
    )
