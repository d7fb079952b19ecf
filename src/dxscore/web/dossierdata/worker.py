"""The background worker: runs queued dossier jobs, one at a time, outside any request.

``dxscore worker`` calls ``run_forever``; tests call ``run_pending``.

**Claiming and leases.** A job is claimed with one conditional UPDATE (queued, or running
with its lease run out -> running, one more attempt, a new lease), so two workers never
run the same job. While it runs, the worker renews the lease (``lease_until``,
``DXSCORE_JOB_LEASE_SECONDS``) from a thread and with every progress report. A worker
that stops (kill -9, out of memory, the machine restarts) renews nothing: once the lease
has run out, the next claim by any worker, including one started afterwards, takes the
job again, up to ``DXSCORE_JOB_MAX_ATTEMPTS`` attempts; then the job is failed with a
message that says so. Every write a worker makes about a job names the attempt it
claimed (``attempts``), so a worker that lost its lease writes nothing more, and the
measures are stored only by the holder of the lease.

**Surviving a job.** An error in a job fails that job with a message (no server paths:
they stay in the server log); an operational database error (a full disk, a lost
connection) while running a job, or any database error recording its end, leaves the job
to its lease, so it is tried again later; the loop itself logs any error and carries on.
SIGTERM or Ctrl-C puts the running job back in the queue before the worker stops.

**Retries are safe.** An import is one transaction of the dossier store (an interrupted
one leaves nothing; the same file imported again is recognised and stores nothing
twice); the measures are replaced in one database transaction.

- An **import** job reads the uploaded file into a scratch store first (the library's
  validation, profile and rejects file), checks that every record's unit exists and lies
  in the uploader's entry scope, and only then imports the file into the workspace's
  store (``DXSCORE_DOSSIER_STORE``) as one transaction. A unit problem stores nothing.
  An import that stored or changed records queues a measures job (one waiting measures
  job serves every import before it); one that stored nothing queues none.
- A **measures** job runs ``compute_measures`` per month, quarter and year over the unit
  tree, per unit and per unit and procedure, and ``compute_quality``, on the engine
  ``engine_options`` names (DuckDB, or Spark: ``DXSCORE_DOSSIER_ENGINE``), replaces the
  stored measures (``DossierMeasure``, ``ProcedureMeasure``), the data quality
  (``DossierQuality``) and the procedure names from the catalogue
  (``Procedure``), and fills the values of indicators whose codes are measure names
  (``fill_values``).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dxscore import periods
from dxscore.dossiers import (
    CATALOGUE_MEASURES,
    MEASURES,
    FileError,
    MeasureError,
    PeriodError,
    ProfileError,
    Store,
    StoreError,
    UnitsError,
    compute_measures,
    load_profile,
)
from dxscore.dossiers.engines import ENGINES
from dxscore.dossiers.quality import compute_quality
from dxscore.dossiers.schema import WARNING_CODES
from dxscore.errors import counted
from dxscore.web import workspace
from dxscore.web.data.models import EDITABLE, Channel, Indicator, Period, Status, Value
from dxscore.web.data.workflow import audit
from dxscore.web.dossierdata.models import (
    DossierMeasure,
    DossierQuality,
    Job,
    Procedure,
    ProcedureMeasure,
)
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit, code_spans

log = logging.getLogger(__name__)

ALL_MEASURES = (*MEASURES, *CATALOGUE_MEASURES)
SHOWN_PROBLEMS = 50
SCRATCH = "dxscore-dossiers-"  # + the worker's pid: the scratch folders of import checks
EXPECTED = (StoreError, FileError, ProfileError, UnitsError, MeasureError, PeriodError)


class JobFailed(Exception):
    """The job cannot be done; ``problems`` name where and why."""

    def __init__(self, message: str, problems: list[list[str]] | None = None):
        super().__init__(message)
        self.problems = problems or []


class LeaseLost(Exception):
    """Another worker has taken the job over (this worker's lease ran out)."""


def store_root() -> Path:
    return Path(settings.DXSCORE_DOSSIER_STORE)


def open_store(create: bool = False) -> Store:
    return Store(store_root(), create=create, tz=settings.TIME_ZONE if create else None)


def queue_measures(user) -> Job:
    """A measures job, unless one is already waiting (then that one)."""
    waiting = Job.objects.filter(kind=Job.Kind.MEASURES, state=Job.State.QUEUED).first()
    return waiting or Job.objects.create(kind=Job.Kind.MEASURES, created_by=user)


# -- what a person sees of an error ----------------------------------------------------

# an absolute path (POSIX or Windows, at least one folder deep) up to a space, quote or
# colon; group 1 is its last part
_ABSOLUTE = re.compile(r"(?<![\w.~])(?:[A-Za-z]:)?[\\/](?:[^\s\\/:'\"]+[\\/])+([^\s\\/:'\"]*)")


def shown_error(text: str, job: Job) -> str:
    """``text`` without the server's paths: the uploaded file by the name it was uploaded
    under, the dossier store as "the dossier store", any other path by its last part
    (the server log keeps the full text)."""
    known = []
    if job.file:
        known.append((str(Path(job.file.path)), job.filename or Path(job.file.name).name))
    known.append((str(store_root()), _("the dossier store")))
    for path, name in sorted(known, key=lambda k: -len(k[0])):
        text = text.replace(path, name)
    return _ABSOLUTE.sub(lambda m: m.group(1) or "", text)


# -- leases ----------------------------------------------------------------------------


def lease_seconds() -> float:
    return float(settings.DXSCORE_JOB_LEASE_SECONDS)


def max_attempts() -> int:
    return max(1, int(settings.DXSCORE_JOB_MAX_ATTEMPTS))


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _lease_end():
    """The end of a lease taken now, on the database's clock (shared by every worker)."""
    return Now() + dt.timedelta(seconds=lease_seconds())


def _left_behind() -> Q:
    """Running jobs whose lease has run out: their worker stopped."""
    return Q(state=Job.State.RUNNING) & (Q(lease_until__isnull=True) | Q(lease_until__lt=Now()))


def _mine(job: Job):
    """The job, if this worker still holds it (the attempt it claimed is the latest)."""
    return Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, attempts=job.attempts)


def renew(job: Job) -> bool:
    """Extend this worker's lease on ``job``; False when another worker has taken it."""
    return bool(_mine(job).update(lease_until=_lease_end()))


class Heartbeat:
    """Renews the lease of a running job from a thread, three times per lease, so a long
    step without progress reports (a measures query) keeps it."""

    def __init__(self, job: Job):
        self.job = job
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"lease-{job.pk}", daemon=True)

    def _beat(self) -> None:
        try:
            while not self.stopped.wait(lease_seconds() / 3):
                try:
                    if not renew(self.job):
                        log.warning("dossier job %s: another worker has taken it", self.job.pk)
                        return
                except DatabaseError:  # SQLite busy with the job's own transaction: next time
                    log.info("dossier job %s: lease not renewed", self.job.pk, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()


def fail_exhausted() -> int:
    """Fail the jobs left behind by a stopped worker that have had every attempt."""
    failed = 0
    for pk, attempts in Job.objects.filter(
        _left_behind(), attempts__gte=max_attempts()
    ).values_list("pk", "attempts"):
        message = _(
            "The worker could not finish this job in %(n)d attempts (it was killed, ran out "
            "of memory, or lost its database), so it is not tried again. A job stores all "
            "of its work or none of it. The worker's log on the server says more."
        ) % {"n": attempts}
        failed += Job.objects.filter(_left_behind(), pk=pk, attempts=attempts).update(
            state=Job.State.FAILED,
            error=message,
            progress=_("stopped"),
            lease_until=None,
            finished_at=Now(),
        )
        log.error("dossier job %s failed after %d attempts", pk, attempts)
    return failed


def claim_next() -> Job | None:
    """Claim the oldest job that is queued or was left behind by a stopped worker."""
    fail_exhausted()
    ready = Q(state=Job.State.QUEUED) | (_left_behind() & Q(attempts__lt=max_attempts()))
    candidates = Job.objects.filter(ready).order_by("created_at", "pk")
    for pk in list(candidates.values_list("pk", flat=True)[:10]):
        claimed = Job.objects.filter(ready, pk=pk).update(
            state=Job.State.RUNNING,
            attempts=F("attempts") + 1,
            lease_until=_lease_end(),
            worker=worker_id(),
            started_at=Now(),
            progress=_("started"),
        )
        if claimed:
            job = Job.objects.get(pk=pk)
            if job.attempts > 1:
                log.warning("dossier job %s: attempt %d (its worker stopped)", pk, job.attempts)
                _progress(
                    job,
                    _("started again (attempt %(a)d of %(m)d): the worker running it stopped")
                    % {"a": job.attempts, "m": max_attempts()},
                    0,
                )
            return job
    return None


def _progress(job: Job, text: str, percent: int) -> None:
    """Report progress (and renew the lease); LeaseLost when another worker has the job."""
    job.progress, job.percent = text[:300], max(0, min(100, int(percent)))
    if not _mine(job).update(progress=job.progress, percent=job.percent, lease_until=_lease_end()):
        raise LeaseLost


def _release(job: Job) -> None:
    """Put a job this worker is stopping with back in the queue (not counted as an
    attempt)."""
    try:
        _mine(job).update(
            state=Job.State.QUEUED,
            attempts=F("attempts") - 1,
            lease_until=None,
            progress=_("queued again: the worker was stopped"),
        )
    except DatabaseError:
        log.exception("dossier job %s: cannot put it back in the queue", job.pk)


def _recover_connection() -> None:
    """After a database error: drop the connection if it is broken (never inside a
    transaction, which its owner rolls back)."""
    if not connection.in_atomic_block:
        try:
            connection.close_if_unusable_or_obsolete()
        except DatabaseError:  # pragma: no cover - closing a dead connection
            log.debug("closing the connection failed", exc_info=True)


def run(job: Job) -> Job:
    """Run one claimed job and record how it ended. Never raises but KeyboardInterrupt
    (the job is put back in the queue first). An import holds the workspace lock
    (``dxscore.web.workspace``) until its end is recorded: a backup sees the records it
    stored together with the job that says so (and the measures job it queued), or
    neither."""
    with workspace.writing() if job.kind == Job.Kind.IMPORT else nullcontext():
        return _run(job)


def _run(job: Job) -> Job:
    try:
        with Heartbeat(job):
            if job.kind == Job.Kind.IMPORT:
                run_import(job)
            else:
                run_measures(job)
    except KeyboardInterrupt:
        _release(job)
        raise
    except LeaseLost:
        log.warning("dossier job %s: another worker took it over; this attempt ends", job.pk)
        return job
    except (OperationalError, InterfaceError):  # a full disk, a lost connection: passes
        log.exception(
            "dossier job %s: database error; it is tried again when its lease runs out", job.pk
        )
        _recover_connection()
        job.state = Job.State.RUNNING  # as the database has it, until the lease runs out
        return job
    except JobFailed as exc:
        job.state, job.error, job.problems = Job.State.FAILED, str(exc), exc.problems
    except EXPECTED as exc:
        log.warning("dossier job %s failed: %s", job.pk, exc)
        job.state, job.error = Job.State.FAILED, shown_error(str(exc), job)
    except Exception as exc:  # the worker must survive any job
        log.exception("dossier job %s failed", job.pk)
        job.state = Job.State.FAILED
        job.error = _("internal error: %(e)s") % {"e": shown_error(str(exc), job)}
    else:
        job.state, job.percent = Job.State.DONE, 100
        job.progress = _("done")
    job.finished_at = timezone.now()
    try:
        recorded = _mine(job).update(
            state=job.state,
            error=job.error,
            problems=job.problems,
            summary=job.summary,
            percent=job.percent,
            progress=job.progress,
            rejects=job.rejects.name or "",
            finished_at=job.finished_at,
            lease_until=None,
        )
    except DatabaseError:
        log.exception(
            "dossier job %s: cannot record that it is %s; it is tried again when its lease "
            "runs out",
            job.pk,
            job.state,
        )
        _recover_connection()
        job.state = Job.State.RUNNING  # as the database has it, until the lease runs out
        return job
    if not recorded:
        log.warning("dossier job %s: another worker took it over; its end is not recorded", job.pk)
    return job


def tidy_scratch() -> int:
    """Remove the scratch folders of import checks whose worker is gone (on this machine:
    a killed worker leaves its folder behind)."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH}*-*"):
        pid = folder.name[len(SCRATCH) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
        except PermissionError:  # a live process of another user
            pass
    return removed


def run_pending() -> int:
    """Run every queued job (including those queued by the jobs themselves)."""
    n = 0
    while (job := claim_next()) is not None:
        run(job)
        n += 1
    return n


def run_forever(interval: float = 2.0, once: bool = False, echo=None) -> None:
    """Claim and run jobs until stopped (``once``: until the queue is empty). An error of
    the loop itself (the database unreachable) is logged and the loop goes on; with
    ``once`` it ends the run."""
    tidy_scratch()
    try:
        left = Job.objects.filter(_left_behind()).count()
    except DatabaseError:
        log.exception("dossier worker: cannot look at the queue")
        left = 0
    if left and echo:
        echo(
            f"{counted(left, 'job')} left running by a worker that stopped: taken up again "
            f"(attempts up to {max_attempts()})"
        )
    while True:
        try:
            job = claim_next()
            if job is not None:
                if echo:
                    echo(f"job {job.pk}: {job.get_kind_display()} (attempt {job.attempts}) ...")
                run(job)
                if echo:
                    echo(f"job {job.pk}: {job.get_state_display()} {job.error}".rstrip())
                continue
        except Exception:  # the database unreachable, a full disk: wait and look again
            if once:
                raise
            log.exception("dossier worker: error; trying again in %s s", interval)
            _recover_connection()
        if once:
            return
        time.sleep(interval)


# -- import ------------------------------------------------------------------------------


def _on_progress(job: Job, start: int, span: int):
    last = [0.0]

    def report(name: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and done < total:
            return
        last[0] = now
        share = done / total if total else 0
        _progress(job, f"{name}: {share:.0%}", start + span * share)

    return report


def _unit_problems(check: Store, job: Job) -> list[list[str]]:
    """Units of the staged records that are unknown or outside the uploader's entry scope,
    each with the first file row that names it."""
    parts = [str(p) for p in check.parts()]
    if not parts:
        return []
    con = duckdb.connect()
    codes = [
        r[0] for r in con.execute("SELECT DISTINCT unit FROM read_parquet(?)", [parts]).fetchall()
    ]
    stored = list(Unit.objects.filter(code__in=codes))
    spans = code_spans(codes)
    validity = pa.table(
        {
            "code": pa.array([u.code for u in stored], pa.string()),
            "pk": pa.array([u.pk for u in stored], pa.int64()),
            "since": pa.array([u.valid_from for u in stored], pa.date32()),
            "until": pa.array([u.valid_to for u in stored], pa.date32()),
        }
    )
    con.register("validity", validity)
    # each record's unit is read on the map of its received date (local time)
    rows = con.execute(
        """
        WITH r AS (
            SELECT unit, _row,
                   CAST(timezone(?, timezone('UTC', received_at)) AS DATE) AS day
            FROM read_parquet(?)
        )
        SELECT r.unit, v.pk, min(r._row), count(*), min(r.day), max(r.day)
        FROM r LEFT JOIN validity v ON v.code = r.unit
            AND (v.since IS NULL OR v.since <= r.day) AND (v.until IS NULL OR r.day <= v.until)
        GROUP BY r.unit, v.pk ORDER BY 3
        """,
        [check.timezone, parts],
    ).fetchall()
    con.close()
    known = {u.pk: u for u in stored}
    problems = []
    for code, pk, first_row, count, first, last in rows:
        unit = known.get(pk)
        if unit is None and code not in spans:
            reason = ngettext(
                "unknown unit '%(u)s' (%(n)d record)", "unknown unit '%(u)s' (%(n)d records)", count
            ) % {"u": code, "n": count}
        elif unit is None:
            reason = ngettext(
                "'%(u)s' denotes no unit on the received date of %(n)d record "
                "(%(first)s to %(last)s); it denotes %(spans)s",
                "'%(u)s' denotes no unit on the received dates of %(n)d records "
                "(%(first)s to %(last)s); it denotes %(spans)s",
                count,
            ) % {
                "u": code,
                "n": count,
                "first": date_format(first, "SHORT_DATE_FORMAT"),
                "last": date_format(last, "SHORT_DATE_FORMAT"),
                "spans": spans[code],
            }
        elif not scope.allows(job.created_by, scope.ENTER, unit):
            reason = ngettext(
                "unit '%(u)s' is outside your entry scope (%(n)d record)",
                "unit '%(u)s' is outside your entry scope (%(n)d records)",
                count,
            ) % {"u": code, "n": count}
        else:
            continue
        problems.append(
            [_("%(f)s, row %(r)d, column unit") % {"f": job.filename, "r": first_row}, reason]
        )
    return problems


def run_import(job: Job) -> None:
    profile = load_profile(job.profile or None)
    path = Path(job.file.path)
    main = open_store(create=not (store_root() / "manifest.json").exists())
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH}{os.getpid()}-") as tmp:
        rejects = Path(tmp) / f"rejects-{job.pk}.csv"
        _progress(job, _("checking %(f)s") % {"f": job.filename}, 0)
        check = Store(Path(tmp) / "check", create=True, tz=main.timezone)
        staged = check.import_files(
            [path],
            profile,
            strict=job.strict,
            rejects_path=rejects,
            progress=_on_progress(job, 0, 45),
        )
        if staged.rejects_file:
            with staged.rejects_file.open("rb") as f:
                job.rejects.save(f"rejects-{job.pk}.csv", File(f), save=False)
        shown = [
            [
                _("%(f)s, row %(r)s, column %(c)s")
                % {"f": job.filename, "r": r.row, "c": r.column},
                f"{r.reason} ({r.value})" if r.value not in (None, "") else r.reason,
            ]
            for _source, r in staged.rejects_shown
        ]
        job.summary = {"rejected": staged.rejected}
        if not staged.committed:
            raise JobFailed(
                ngettext(
                    "%(n)d record has problems and strict mode is on: nothing was stored.",
                    "%(n)d records have problems and strict mode is on: nothing was stored.",
                    staged.rejected,
                )
                % {"n": staged.rejected},
                shown,
            )
        units = _unit_problems(check, job)
        if units:
            raise JobFailed(
                _("Some records name units you may not enter: nothing was stored."),
                units[:SHOWN_PROBLEMS],
            )
        _progress(job, _("importing into the store"), 50)
        result = main.import_files(
            [path],
            profile,
            strict=job.strict,
            rejects_path=Path(tmp) / "again.csv",
            progress=_on_progress(job, 50, 45),
        )
    skipped = [f.skipped_as for f in result.files if f.skipped_as]
    # the upload's path is this job's own: found in the store, an earlier attempt of this
    # job imported it and stopped before recording so (and before queueing the measures)
    earlier = str(path) in skipped
    job.summary = {
        "rows": sum(f.rows for f in result.files),
        "new": result.new,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "stale": result.stale,
        "duplicates": result.duplicates,
        "rejected": result.rejected,
        "warned": result.warned,
        "warnings": result.warnings,
        "stored_rows": result.stored_rows,
        "already_imported": bool(skipped) and not earlier,
    }
    if earlier:
        sha = result.files[0].sha256
        entry = next((i for i in main.manifest["imports"] if i["sha256"] == sha), {})
        job.summary = {
            "rows": entry.get("rows", 0),
            "rejected": entry.get("rejected", 0),
            "stored_rows": result.stored_rows,
            "stored_by_an_earlier_attempt": True,
        }
    job.problems = shown
    if result.new or result.updated or earlier:
        queue_measures(job.created_by)  # nothing stored or changed: nothing to recompute


# -- measures ----------------------------------------------------------------------------


def unit_tree() -> pd.DataFrame:
    rows = list(Unit.objects.values_list("code", "parent__code"))
    return pd.DataFrame(rows, columns=["code", "parent"]).fillna("")


def engine_options() -> dict:
    """Where and how the measures job computes (``DXSCORE_DOSSIER_ENGINE``, docs/operations.md):
    the engine, the Spark master (empty: local mode) and the store's location for it (a
    Spark-readable path of the same store, default the store's own folder)."""
    engine = settings.DXSCORE_DOSSIER_ENGINE or "duckdb"
    if engine not in ENGINES:
        raise JobFailed(
            _("DXSCORE_DOSSIER_ENGINE is '%(e)s'; use one of %(all)s.")
            % {"e": engine, "all": ", ".join(ENGINES)}
        )
    if engine == "duckdb":
        return {"engine": engine, "location": store_root()}
    return {
        "engine": engine,
        "spark_master": settings.DXSCORE_SPARK_MASTER or None,
        "location": settings.DXSCORE_SPARK_STORE or str(store_root()),
    }


def run_measures(job: Job) -> None:
    store = open_store()
    if not store.parts():
        raise JobFailed(_("The dossier store holds no dossiers yet."))
    tree = unit_tree()
    options = engine_options()
    location = options.pop("location")
    frames, per_procedure, quality, notes = {}, {}, {}, []
    for i, kind in enumerate(periods.KINDS):  # stored per month, quarter and year
        _progress(job, _("computing measures per %(g)s") % {"g": kind}, 5 + 22 * i)
        measures = compute_measures(location, kind, units=tree, **options)
        frames[kind] = measures.frame
        notes += [n for n in measures.warnings if n not in notes]
        per_procedure[kind] = compute_measures(
            location, kind, units=tree, by_procedure=True, **options
        ).frame
        quality[kind] = compute_quality(location, kind, units=tree, **options)
    _progress(job, _("storing measures and filling values"), 70)
    with transaction.atomic():
        if not renew(job):  # holds the job's row (and SQLite's write lock) to the commit
            raise LeaseLost
        stored = store_measures(frames, job)
        procedures = store_procedure_measures(per_procedure, store, job)
        store_quality(quality, job)
        filled = fill_values(frames, job)
        if not renew(job):  # a fresh lease from the commit on, however long this took
            raise LeaseLost
    locked = filled.pop("locked_list")
    job.summary = {"measures": stored, "procedure_measures": procedures, **filled}
    job.problems = [[_("dossier store"), n] for n in notes] + locked


def units_of_periods(frames) -> dict[tuple[str, str], Unit]:
    """The unit each ``(unit code, period)`` of the measures denotes: the unit in force on
    the period's last day (``docs/units.md``), else the one of that code that ended within
    the period (a district abolished on 30 June keeps its measures of that year); pairs
    of no unit are left out."""
    pairs = {
        (code, period)
        for frame in frames
        for code, period in zip(frame["unit"], frame["period"], strict=True)
    }
    by_code: dict[str, list[Unit]] = {}
    for unit in Unit.objects.filter(code__in={c for c, _p in pairs}):
        by_code.setdefault(unit.code, []).append(unit)
    found: dict[tuple[str, str], Unit] = {}
    for code, period in pairs:
        if not periods.is_period(period):
            continue
        span = periods.parse(period)
        units = by_code.get(code, [])
        unit = next((u for u in units if u.in_force(span.end)), None) or max(
            (u for u in units if u.valid_between(span.start, span.end)),
            key=lambda u: u.valid_to or span.end,
            default=None,
        )
        if unit is not None:
            found[(code, period)] = unit
    return found


def store_measures(frames: dict[str, pd.DataFrame], job: Job) -> int:
    units = units_of_periods(frames.values())
    DossierMeasure.objects.all().delete()
    batch = []
    for kind, frame in frames.items():
        names = [c for c in frame.columns if c in ALL_MEASURES]
        for row in frame.itertuples(index=False):
            unit = units.get((row.unit, row.period))
            if unit is None:
                continue
            unit_id = unit.pk
            for name in names:
                x = getattr(row, name)
                batch.append(
                    DossierMeasure(
                        unit_id=unit_id,
                        period=row.period,
                        kind=kind,
                        measure=name,
                        value=None if x is None or math.isnan(x) else float(x),
                        job=job,
                    )
                )
    DossierMeasure.objects.bulk_create(batch, batch_size=2000)
    return len(batch)


def store_quality(frames: dict[str, pd.DataFrame], job: Job) -> int:
    """Replace the data-quality figures (``DossierQuality``) with the job's."""
    units = units_of_periods(frames.values())
    DossierQuality.objects.all().delete()
    batch = []
    for kind, frame in frames.items():
        for row in frame.to_dict("records"):
            unit = units.get((row["unit"], row["period"]))
            if unit is None:
                continue
            batch.append(
                DossierQuality(
                    unit=unit,
                    period=row["period"],
                    kind=kind,
                    records=int(row["records"]),
                    with_warnings=int(row["with_warnings"]),
                    warnings={c: int(row[c]) for c in WARNING_CODES if row[c]},
                    withdrawn=int(row["withdrawn"]),
                    at_period_edges=int(row["at_period_edges"]),
                    job=job,
                )
            )
    DossierQuality.objects.bulk_create(batch, batch_size=2000)
    return len(batch)


def store_procedure_measures(frames: dict[str, pd.DataFrame], store: Store, job: Job) -> int:
    """Replace the measures per procedure (rows of periods in which the procedure had
    nothing are left out) and the procedure names from the store's catalogue."""
    units = units_of_periods(frames.values())
    ProcedureMeasure.objects.all().delete()
    fields = (*ProcedureMeasure.COUNTS, *ProcedureMeasure.RATES)
    count = 0
    for kind, frame in frames.items():
        known = [(u, p) in units for u, p in zip(frame["unit"], frame["period"], strict=True)]
        frame = frame[known]
        frame = frame[
            (frame["received"] > 0) | (frame["finished"] > 0) | (frame["open_at_end"] > 0)
        ]
        values = frame[list(fields)].astype(object)
        values = values.where(values.notna(), None)
        batch = [
            ProcedureMeasure(
                unit_id=units[(unit, period)].pk,
                procedure=procedure,
                period=period,
                kind=kind,
                job=job,
                **dict(zip(fields, row, strict=True)),
            )
            for unit, procedure, period, row in zip(
                frame["unit"],
                frame["procedure"],
                frame["period"],
                values.itertuples(index=False, name=None),
                strict=True,
            )
        ]
        ProcedureMeasure.objects.bulk_create(batch, batch_size=2000)
        count += len(batch)
    names = {}
    if (catalogue := store.catalogue_file()) is not None:
        table = pd.read_parquet(catalogue, columns=["procedure", "name"]).dropna()
        names = dict(zip(table["procedure"], table["name"], strict=True))
    codes = set().union(*(set(f["procedure"]) for f in frames.values())) | set(names)
    Procedure.objects.all().delete()
    Procedure.objects.bulk_create(
        [Procedure(code=c, name=names.get(c, "")[:500]) for c in sorted(codes)], batch_size=2000
    )
    return count


def fill_values(frames: dict[str, pd.DataFrame], job: Job) -> dict:
    """Values of indicators whose codes are measure names, for stored periods and units
    valid then. Values already submitted or approved are locked and left alone (listed)."""
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=ALL_MEASURES)}
    Indicator.objects.filter(pk__in=[i.pk for i in indicators.values()]).update(
        source=Indicator.Source.DOSSIERS
    )
    periods = {p.code: p for p in Period.objects.all()}
    units = units_of_periods(frames.values())
    existing = {
        (v.unit_id, v.indicator_id, v.period_id): v
        for v in Value.objects.filter(
            indicator__in=indicators.values(), period__in=periods.values()
        )
    }
    counts = {"filled": 0, "unchanged": 0, "locked": 0}
    locked = []
    now = timezone.now()
    reason = _("computed from dossiers (job %(j)d)") % {"j": job.pk}
    for frame in frames.values():
        frame = frame[frame["period"].isin(periods)]
        for code, indicator in indicators.items():
            if code not in frame.columns:
                continue
            for unit_code, period_code, x in zip(
                frame["unit"], frame["period"], frame[code], strict=True
            ):
                if x is None or math.isnan(x):
                    continue
                unit, period = units.get((unit_code, period_code)), periods[period_code]
                if unit is None:
                    continue
                value = existing.get((unit.pk, indicator.pk, period.pk))
                if value is not None and value.value == float(x):
                    counts["unchanged"] += 1
                    continue
                if value is not None and value.status not in EDITABLE:
                    counts["locked"] += 1
                    locked.append(
                        [
                            f"{unit_code} {code} {period_code}",
                            _("%(s)s and locked: not updated to %(x).4g")
                            % {"s": value.get_status_display(), "x": x},
                        ]
                    )
                    continue
                if value is None:
                    value = Value(unit=unit, indicator=indicator, period=period)
                value.value = float(x)
                value.comment = reason
                if value.status == Status.RETURNED:
                    value.status = Status.DRAFT
                value.updated_by = job.created_by
                value.updated_at = now
                value.channel, value.upload = Channel.DOSSIERS, None
                audit(value, job.created_by, reason)
                value.save()
                counts["filled"] += 1
    counts["locked_list"] = locked[:SHOWN_PROBLEMS]
    return counts
