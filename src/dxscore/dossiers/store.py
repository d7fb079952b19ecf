"""The dossier store: a folder holding a Parquet dataset of dossier records.

Layout::

    STORE/manifest.json           what the store holds (the only source of truth)
    STORE/dossiers/part-*.parquet one row per (unit, dossier_id): the latest version
    STORE/catalogue-*.parquet     the procedure catalogue, if one was imported
    STORE/rejects/*.csv           problems found by each import

An import is one transaction. New and rewritten files are prepared in a staging folder
and moved in; the manifest is then replaced atomically. A crash at any point leaves the
previous manifest in force, and the next import removes the leftovers. Readers list the
files named in the manifest, never the folder, so they see either the old state or the
new one. Re-importing a file with the same content does nothing; re-importing the same
records changes nothing either (rows equal to the stored ones are left alone).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import pyarrow.parquet as pq

from dxscore.dossiers.importer import (
    STAGED,
    FileReport,
    RejectsLog,
    Staging,
    file_sha256,
    stage_file,
)
from dxscore.dossiers.profiles import IDENTITY, Profile
from dxscore.dossiers.readers import FileError
from dxscore.dossiers.schema import (
    BATCH,
    CATALOGUE_COLUMNS,
    COLUMN_NAMES,
    DEFAULT_TZ,
    DOSSIER_COLUMNS,
    ROW,
)
from dxscore.dossiers.validate import Reject, ident, lit
from dxscore.safefiles import Limits, dossier_limits

FORMAT = "dxscore-dossier-store"
VERSION = 1
PART_SIZE = "256MB"
# Rewritten parts: zstd level 1 writes faster than DuckDB's default level, and stores
# these records as small.
PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1"


class StoreError(ValueError):
    pass


@dataclass
class ImportResult:
    files: list[FileReport] = field(default_factory=list)
    new: int = 0  # dossiers not in the store before
    updated: int = 0  # stored dossiers replaced by a newer version
    unchanged: int = 0  # rows equal to what is stored
    stale: int = 0  # rows older (updated_at) than what is stored: ignored
    duplicates: int = 0  # earlier versions of a dossier within the imported files
    rejected: int = 0
    rejects_file: Path | None = None
    rejects_shown: list[tuple[str, Reject]] = field(default_factory=list)
    # (file, column, reason, count) of every kind of problem, most frequent first; the
    # rejects file lists the first ``rejects_per_reason`` of each (0: all)
    rejects_counts: list[tuple[str, str, str, int]] = field(default_factory=list)
    rejects_per_reason: int = 0
    committed: bool = False  # False: nothing was stored (strict mode found problems)
    stored_rows: int = 0
    warned: int = 0  # valid records stored with at least one warning
    warnings: dict[str, int] = field(default_factory=dict)  # records per warning code


def check_timezone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise StoreError(f"unknown time zone '{tz}' (use an IANA name like {DEFAULT_TZ})") from None
    return tz


class Store:
    """A dossier store folder. ``Store(path)`` opens it; ``create=True`` makes it if absent."""

    def __init__(self, root: str | Path, create: bool = False, tz: str | None = None):
        self.root = Path(root)
        self.manifest_path = self.root / "manifest.json"
        if not self.manifest_path.exists():
            if not create:
                raise StoreError(
                    f"{self.root}: no dossier store here (import dossiers first: "
                    "dxscore dossiers import FILE --store DIR)"
                )
            if self.root.exists():
                # what a creation cut short (a killed process) leaves: made again
                for leftover in self.root.glob(".manifest.*.tmp"):
                    leftover.unlink(missing_ok=True)
                if any(p.name != ".lock" for p in self.root.iterdir()):
                    raise StoreError(f"{self.root}: folder is not empty and is not a dossier store")
            self.root.mkdir(parents=True, exist_ok=True)
            self._write_manifest(
                {
                    "format": FORMAT,
                    "version": VERSION,
                    "timezone": check_timezone(tz or DEFAULT_TZ),
                    "created": _now(),
                    "next_batch": 1,
                    "parts": [],
                    "imports": [],
                    "catalogue": None,
                }
            )
        self.manifest = self._read_manifest()

    # -- reading -------------------------------------------------------------------

    @property
    def timezone(self) -> str:
        tz: str = self.manifest["timezone"]
        return tz

    def parts(self) -> list[Path]:
        return [self.root / p["file"] for p in self.manifest["parts"]]

    def rows(self) -> int:
        return sum(p["rows"] for p in self.manifest["parts"])

    def catalogue_file(self) -> Path | None:
        cat = self.manifest.get("catalogue")
        return self.root / cat["file"] if cat else None

    def snapshot(self, into: str | Path, attempts: int = 50) -> dict[str, Any]:
        """Pin the store as it is now: ``into`` (a new folder, best on the store's file
        system) becomes a store of its own holding one manifest version and exactly the
        files it names (parts, catalogue, the rejects files of its imports), as hard links
        where the file system allows (else copies). Returns that manifest.

        Imports may run meanwhile: a file named by a manifest is never changed, only
        removed once a newer manifest no longer names it, so the files either come whole
        or are missing, and then the newer manifest is taken instead. Costs no lock and
        no copy of the records where hard links work."""
        into = Path(into)
        into.mkdir(parents=True)
        for _attempt in range(attempts):
            text = self.manifest_path.read_bytes()
            manifest: dict[str, Any] = json.loads(text)
            if manifest.get("format") != FORMAT:
                raise StoreError(f"{self.manifest_path}: not a dxscore dossier store manifest")
            try:
                for relative in snapshot_files(self.root, manifest):
                    target = into / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    _link_or_copy(self.root / relative, target)
            except FileNotFoundError:  # an import replaced the manifest: start again
                shutil.rmtree(into)
                into.mkdir()
                continue
            (into / "manifest.json").write_bytes(text)
            return manifest
        raise StoreError(f"{self.root}: the store kept changing; try the snapshot again")

    def _read_manifest(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"{self.manifest_path}: cannot read the manifest: {exc}") from None
        if data.get("format") != FORMAT:
            raise StoreError(f"{self.manifest_path}: not a dxscore dossier store manifest")
        if data.get("version", 0) > VERSION:
            raise StoreError(
                f"{self.manifest_path}: written by a newer dxscore (store version "
                f"{data['version']}); upgrade dxscore"
            )
        return data

    def _write_manifest(self, data: dict[str, Any]) -> None:
        tmp = self.root / f".manifest.{uuid.uuid4().hex}.tmp"
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.manifest_path)
        self.manifest = data

    # -- writing -------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Path]:
        """Lock the store, tidy leftovers of interrupted imports, give a staging folder."""
        self.root.mkdir(parents=True, exist_ok=True)
        with _lock(self.root / ".lock"):
            self.manifest = self._read_manifest()
            self._tidy()
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root))
            try:
                yield staging
            finally:
                shutil.rmtree(staging, ignore_errors=True)

    def _tidy(self) -> None:
        for leftover in self.root.glob(".staging-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        for leftover in self.root.glob(".manifest.*.tmp"):
            leftover.unlink(missing_ok=True)
        live = {str(p.resolve()) for p in self.parts()}
        if (cat := self.catalogue_file()) is not None:
            live.add(str(cat.resolve()))
        candidates = list((self.root / "dossiers").glob("*.parquet"))
        candidates += list(self.root.glob("catalogue-*.parquet"))
        for path in candidates:
            if str(path.resolve()) not in live:
                path.unlink(missing_ok=True)

    def _commit(
        self, manifest: dict[str, Any], moves: list[tuple[Path, str]], drop: list[Path]
    ) -> None:
        """Move staged files in, switch the manifest, then delete what it no longer names."""
        for source, relative in moves:
            target = self.root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
        self._write_manifest(manifest)
        for path in drop:
            path.unlink(missing_ok=True)

    def _rejects_path(self, first: Path, given: Path | None) -> Path:
        if given is not None:
            return Path(given)
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        return self.root / "rejects" / f"{stamp}-{first.stem}-{uuid.uuid4().hex[:6]}.csv"

    def import_files(
        self,
        paths: Sequence[str | Path],
        profile: Profile = IDENTITY,
        *,
        strict: bool = False,
        tz: str | None = None,
        encoding: str | None = None,
        rejects_path: Path | None = None,
        progress: Callable[[str, int, int], None] | None = None,
        limits: Limits | None = None,
        warnings_as_errors: bool | None = None,
    ) -> ImportResult:
        """Import dossier files as one transaction (see the module doc).

        With ``strict``, any problem in any row stores nothing, and a warning is a
        problem (``warnings_as_errors``, by default as ``strict``): otherwise a record
        with a warning is stored with the warning's code. Raises FileError when a whole
        file cannot be read (or is beyond ``limits``, by default
        ``dxscore.safefiles.dossier_limits()``); nothing is stored then either.
        """
        sources = [Path(p) for p in paths]
        tz = check_timezone(tz or self.timezone)
        limits = limits or dossier_limits()
        as_errors = strict if warnings_as_errors is None else warnings_as_errors
        now = dt.datetime.now(dt.UTC)  # one import time for "finished in the future"
        result = ImportResult()
        with (
            self._transaction() as staging,
            closing(Staging(staging, DOSSIER_COLUMNS, tz, warnings=True)) as stage,
        ):
            manifest = json.loads(json.dumps(self.manifest))
            known = {i["sha256"]: i["source"] for i in manifest["imports"]}
            log = RejectsLog(
                self._rejects_path(sources[0], rejects_path), limits.rejects_per_reason
            )
            try:
                for path in sources:
                    if not path.is_file():
                        raise FileError(path, "no such file")
                    sha = file_sha256(path)
                    if sha in known:
                        result.files.append(FileReport(str(path), sha, skipped_as=known[sha]))
                        continue
                    batch_no = manifest["next_batch"]
                    manifest["next_batch"] += 1
                    report = stage_file(
                        path,
                        profile,
                        tz,
                        stage,
                        batch_no,
                        log,
                        sha256=sha,
                        encoding=encoding,
                        progress=_per_file(progress, path.name) if progress else None,
                        limits=limits,
                        warnings_as_errors=as_errors,
                        now=now,
                    )
                    known[report.sha256] = str(path)
                    result.files.append(report)
            finally:
                result.rejects_file = log.close()
            _counts(result, log)
            staged = [f for f in result.files if f.skipped_as is None and f.valid]
            if strict and result.rejected:
                return result
            moves: list[tuple[Path, str]] = []
            drop: list[Path] = []
            if staged:
                if progress:
                    progress("merging into the store", 0, 1)
                moves, drop = self._merge(staging, stage, staged, manifest, result)
            for f in result.files:
                if f.skipped_as is None:
                    manifest["imports"].append(
                        {
                            "batch": f.batch,
                            "source": f.path,
                            "sha256": f.sha256,
                            "at": _now(),
                            "timezone": tz,
                            "profile": profile.id,
                            "rows": f.rows,
                            "valid": f.valid,
                            "rejected": f.rejected,
                            "warned": f.warned,
                            "warnings": dict(sorted(f.warnings.items())),
                            "rejects_file": str(result.rejects_file)
                            if result.rejects_file
                            else None,
                        }
                    )
            if any(f.skipped_as is None for f in result.files):
                self._commit(manifest, moves, drop)
            result.committed = True
            result.stored_rows = self.rows()
            if progress:
                progress("merging into the store", 1, 1)
        return result

    def _merge(
        self,
        staging: Path,
        stage: Staging,
        staged: list[FileReport],
        manifest: dict[str, Any],
        result: ImportResult,
    ) -> tuple[list[tuple[Path, str]], list[Path]]:
        """Deduplicate the staged rows, set them against the stored ones, and prepare the new
        part files (and rewrites of stored parts that lose rows). Updates ``manifest``."""
        con = stage.con
        con.execute("SET TimeZone = 'UTC'")
        # Earlier versions of a dossier inside the imported files: latest updated_at
        # wins, ties go to the later row (later file, then later row). The dossiers that
        # occur more than once are found by a hash of their key (a collision only adds a
        # dossier to those ranked, which ranks by the key itself).
        con.execute(
            f"""CREATE TEMP TABLE losers AS
            SELECT {BATCH}, {ROW} FROM (
                SELECT s.{BATCH}, s.{ROW}, row_number() OVER (
                    PARTITION BY s.unit, s.dossier_id
                    ORDER BY s.updated_at DESC NULLS LAST, s.{BATCH} DESC, s.{ROW} DESC
                ) AS rn
                FROM {STAGED} s WHERE hash(s.unit, s.dossier_id) IN (
                    SELECT h FROM (SELECT hash(unit, dossier_id) AS h FROM {STAGED})
                    GROUP BY h HAVING count(*) > 1
                )
            ) WHERE rn > 1"""
        )
        result.duplicates = _one(con, "SELECT count(*) FROM losers")[0]
        incoming_sql = f"SELECT {stage.names} FROM {STAGED}"
        if result.duplicates:
            incoming_sql += f" ANTI JOIN losers USING ({BATCH}, {ROW})"
        con.execute(f"CREATE TEMP VIEW incoming AS {incoming_sql}")
        incoming = sum(f.valid for f in staged) - result.duplicates
        parts = [self.root / p["file"] for p in manifest["parts"]]
        drop: list[Path] = []
        moves: list[tuple[Path, str]] = []
        unchanged = stale = updated = 0
        if parts:
            plist = "[" + ", ".join(lit(str(p)) for p in parts) + "]"
            same = " AND ".join(
                f"e.{ident(c)} IS NOT DISTINCT FROM i.{ident(c)}" for c in COLUMN_NAMES
            )
            con.execute(
                f"""CREATE TEMP TABLE overlap AS
                SELECT e.filename AS file, e.{BATCH} AS e_batch, e.{ROW} AS e_row,
                       i.{BATCH} AS i_batch, i.{ROW} AS i_row, ({same}) AS same,
                       CASE WHEN i.updated_at IS NULL AND e.updated_at IS NOT NULL THEN FALSE
                            WHEN e.updated_at > i.updated_at THEN FALSE
                            ELSE TRUE END AS incoming_wins
                FROM read_parquet({plist}, filename = true) e
                JOIN incoming i USING (unit, dossier_id)"""
            )
            unchanged, stale, updated = _one(
                con,
                "SELECT count(*) FILTER (same),"
                " count(*) FILTER (NOT same AND NOT incoming_wins),"
                " count(*) FILTER (NOT same AND incoming_wins) FROM overlap",
            )
            for (file,) in con.execute(
                "SELECT DISTINCT file FROM overlap WHERE NOT same AND incoming_wins"
            ).fetchall():
                drop.append(Path(file))
                target = staging / f"part-{uuid.uuid4().hex[:12]}.parquet"
                con.execute(
                    f"""COPY (
                        SELECT * FROM read_parquet({lit(file)}) ANTI JOIN (
                            SELECT e_batch AS {BATCH}, e_row AS {ROW} FROM overlap
                            WHERE file = {lit(file)} AND NOT same AND incoming_wins
                        ) USING ({BATCH}, {ROW})
                    ) TO {lit(str(target))} ({PARQUET_OPTIONS})"""
                )
                if pq_rows(target):
                    moves.append((target, f"dossiers/{target.name}"))
        result.unchanged, result.stale, result.updated = unchanged, stale, updated
        result.new = incoming - unchanged - stale - updated
        dropped = {str(p.resolve()) for p in drop}
        manifest["parts"] = [
            p for p in manifest["parts"] if str((self.root / p["file"]).resolve()) not in dropped
        ]
        if incoming - unchanged - stale:
            # The staged rows are written once, as the new parts.
            keep = "SELECT * FROM incoming"
            if unchanged + stale:
                keep += (
                    f" ANTI JOIN (SELECT i_batch AS {BATCH}, i_row AS {ROW} FROM overlap"
                    f" WHERE same OR NOT incoming_wins) USING ({BATCH}, {ROW})"
                )
            out = staging / "new"
            batch = min(f.batch for f in staged if f.batch is not None)  # all have one
            con.execute(
                f"""COPY ({keep}) TO {lit(str(out))} ({PARQUET_OPTIONS},
                FILE_SIZE_BYTES {lit(PART_SIZE)},
                FILENAME_PATTERN {lit(f"part-{batch:06d}-{uuid.uuid4().hex[:8]}-{{i}}")})"""
            )
            for path in sorted(out.glob("*.parquet")):
                moves.append((path, f"dossiers/{path.name}"))
        for source, relative in moves:
            manifest["parts"].append({"file": relative, "rows": pq_rows(source)})
        return moves, drop

    def import_catalogue(
        self,
        paths: Sequence[str | Path],
        profile: Profile = IDENTITY,
        *,
        strict: bool = False,
        encoding: str | None = None,
        rejects_path: Path | None = None,
        limits: Limits | None = None,
    ) -> ImportResult:
        """Replace the procedure catalogue with the given files' rows (one per unit and
        procedure; a later row wins). Same transaction and rejects rules as dossiers."""
        sources = [Path(p) for p in paths]
        limits = limits or dossier_limits()
        result = ImportResult()
        with (
            self._transaction() as staging,
            closing(Staging(staging, CATALOGUE_COLUMNS, self.timezone, warnings=False)) as stage,
        ):
            manifest = json.loads(json.dumps(self.manifest))
            log = RejectsLog(
                self._rejects_path(sources[0], rejects_path), limits.rejects_per_reason
            )
            try:
                for i, path in enumerate(sources, start=1):
                    report = stage_file(
                        path,
                        profile,
                        self.timezone,
                        stage,
                        i,
                        log,
                        encoding=encoding,
                        cross_checks=False,
                        limits=limits,
                    )
                    result.files.append(report)
            finally:
                result.rejects_file = log.close()
            _counts(result, log)
            if strict and result.rejected:
                return result
            name = f"catalogue-{uuid.uuid4().hex[:8]}.parquet"
            target = staging / name
            cols = ", ".join(ident(c.name) for c in CATALOGUE_COLUMNS)
            stage.con.execute(
                f"""COPY (
                    SELECT {cols} FROM {STAGED}
                    QUALIFY row_number() OVER (
                        PARTITION BY unit, procedure ORDER BY {BATCH} DESC, {ROW} DESC) = 1
                    ORDER BY unit, procedure
                ) TO {lit(str(target))} (FORMAT parquet)"""
            )
            rows = pq_rows(target)
            result.new = rows
            result.duplicates = sum(f.valid for f in result.files) - rows
            old = self.catalogue_file()
            manifest["catalogue"] = {
                "file": name,
                "rows": rows,
                "sources": [{"source": f.path, "sha256": f.sha256} for f in result.files],
                "at": _now(),
            }
            self._commit(manifest, [(target, name)], [old] if old else [])
            result.committed = True
        return result


def _counts(result: ImportResult, log: RejectsLog) -> None:
    result.rejected = sum(f.rejected for f in result.files)
    result.warned = sum(f.warned for f in result.files)
    total: dict[str, int] = {}
    for f in result.files:
        for code, n in f.warnings.items():
            total[code] = total.get(code, 0) + n
    result.warnings = dict(sorted(total.items()))
    result.rejects_shown = log.first
    result.rejects_counts = [(*k, n) for k, n in log.counts.most_common()]
    result.rejects_per_reason = log.per_reason


def pq_rows(path: Path) -> int:
    rows: int = pq.ParquetFile(path).metadata.num_rows
    return rows


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    """The row of a query that returns one (an aggregate without GROUP BY)."""
    row = con.execute(sql).fetchone()
    assert row is not None  # such a query always returns a row
    return row


def _per_file(progress: Callable[[str, int, int], None], name: str) -> Callable[[int, int], None]:
    """A file's progress (done, total), reported with its name."""
    return lambda done, total: progress(name, done, total)


def snapshot_files(root: Path, manifest: dict[str, Any]) -> list[str]:
    """The files (relative to the store folder) that one manifest version holds: its
    parts, its catalogue and those rejects files of its imports that lie in the store."""
    files = [p["file"] for p in manifest.get("parts", [])]
    if manifest.get("catalogue"):
        files.append(manifest["catalogue"]["file"])
    base = root.resolve()
    for entry in manifest.get("imports", []):
        rejects = entry.get("rejects_file")
        if not rejects:
            continue
        path = Path(rejects).resolve()
        if not path.is_relative_to(base) and path.parent.name == "rejects":
            path = base / "rejects" / path.name  # the store was moved since (a restore)
        if path.is_relative_to(base) and path.is_file():
            relative = path.relative_to(base).as_posix()
            if relative not in files:
                files.append(relative)
    return files


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:  # a file system without hard links: copy (the file never changes)
        shutil.copyfile(source, target)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def exclusive(root: str | Path) -> AbstractContextManager[None]:
    """Hold the store's import lock (StoreError if an import holds it): for tools that
    replace the store as a whole, such as ``dxscore restore``."""
    return _lock(Path(root) / ".lock")


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An exclusive lock on the store while an import runs (advisory, POSIX only)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    with path.open("a+") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"{path.parent}: another import into this store is running") from None
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


__all__ = ["Store", "StoreError", "ImportResult", "FileError"]
