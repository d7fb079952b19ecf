"""The background worker: runs queued dossier jobs, one at a time, outside any request.

``dxscore worker`` calls ``run_forever``; tests call ``run_pending``. A job is claimed with
a conditional update (queued -> running), so two workers never run the same job.

- An **import** job reads the uploaded file into a scratch store first (the library's
  validation, profile and rejects file), checks that every record's unit exists and lies
  in the uploader's entry scope, and only then imports the file into the workspace's
  store (``DXSCORE_DOSSIER_STORE``) as one transaction. A unit problem stores nothing.
  A successful import queues a measures job.
- A **measures** job runs ``compute_measures`` per month, quarter and year over the unit
  tree, per unit and per unit and procedure, replaces the stored measures
  (``DossierMeasure``, ``ProcedureMeasure``) and the procedure names from the catalogue
  (``Procedure``), and fills the values of indicators whose codes are measure names
  (``fill_values``).
"""

from __future__ import annotations

import logging
import math
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import duckdb
import pandas as pd
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dxscore.dossiers import (
    CATALOGUE_MEASURES,
    MEASURES,
    EngineError,
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
from dxscore.web import workspace
from dxscore.web.data.models import EDITABLE, Indicator, Period, Status, Value
from dxscore.web.data.workflow import audit
from dxscore.web.dossierdata.models import DossierMeasure, Job, Procedure, ProcedureMeasure
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit

log = logging.getLogger(__name__)

GRAINS = ("month", "quarter", "year")
ALL_MEASURES = (*MEASURES, *CATALOGUE_MEASURES)
SHOWN_PROBLEMS = 50
EXPECTED = (StoreError, FileError, ProfileError, UnitsError, EngineError, MeasureError, PeriodError)


class JobFailed(Exception):
    """The job cannot be done; ``problems`` name where and why."""

    def __init__(self, message: str, problems: list[list[str]] | None = None):
        super().__init__(message)
        self.problems = problems or []


def store_root() -> Path:
    return Path(settings.DXSCORE_DOSSIER_STORE)


def open_store(create: bool = False) -> Store:
    return Store(store_root(), create=create, tz=settings.TIME_ZONE if create else None)


def queue_measures(user) -> Job:
    """A measures job, unless one is already waiting (then that one)."""
    waiting = Job.objects.filter(kind=Job.Kind.MEASURES, state=Job.State.QUEUED).first()
    return waiting or Job.objects.create(kind=Job.Kind.MEASURES, created_by=user)


def _progress(job: Job, text: str, percent: int) -> None:
    job.progress, job.percent = text[:300], max(0, min(100, int(percent)))
    Job.objects.filter(pk=job.pk).update(progress=job.progress, percent=job.percent)


def claim_next() -> Job | None:
    for pk in Job.objects.filter(state=Job.State.QUEUED).order_by("created_at", "pk")[:10]:
        pk = pk.pk
        claimed = Job.objects.filter(pk=pk, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING, started_at=timezone.now(), progress=_("started")
        )
        if claimed:
            return Job.objects.get(pk=pk)
    return None


def run(job: Job) -> Job:
    """Run one claimed job and record how it ended. An import holds the workspace lock
    (``dxscore.web.workspace``) until its job is saved: a backup sees the records it
    stored together with the job that says so (and the measures job it queued), or
    neither."""
    with workspace.writing() if job.kind == Job.Kind.IMPORT else nullcontext():
        return _run(job)


def _run(job: Job) -> Job:
    try:
        if job.kind == Job.Kind.IMPORT:
            run_import(job)
        else:
            run_measures(job)
    except JobFailed as exc:
        job.state, job.error, job.problems = Job.State.FAILED, str(exc), exc.problems
    except EXPECTED as exc:
        job.state, job.error = Job.State.FAILED, str(exc)
    except Exception as exc:  # the worker must survive any job
        log.exception("dossier job %s failed", job.pk)
        job.state, job.error = Job.State.FAILED, _("internal error: %(e)s") % {"e": exc}
    else:
        job.state, job.percent = Job.State.DONE, 100
        job.progress = _("done")
    job.finished_at = timezone.now()
    job.save()
    return job


def run_pending() -> int:
    """Run every queued job (including those queued by the jobs themselves)."""
    n = 0
    while (job := claim_next()) is not None:
        run(job)
        n += 1
    return n


def run_forever(interval: float = 2.0, once: bool = False, echo=None) -> None:
    while True:
        job = claim_next()
        if job is not None:
            if echo:
                echo(f"job {job.pk}: {job.get_kind_display()} ...")
            run(job)
            if echo:
                echo(f"job {job.pk}: {job.get_state_display()} {job.error}".rstrip())
            continue
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
    rows = con.execute(
        "SELECT unit, min(_row), count(*) FROM read_parquet(?) GROUP BY unit ORDER BY 2",
        [parts],
    ).fetchall()
    con.close()
    known = {u.code: u for u in Unit.objects.filter(code__in=[r[0] for r in rows])}
    problems = []
    for code, first_row, count in rows:
        unit = known.get(code)
        if unit is None:
            reason = _("unknown unit '%(u)s' (%(n)d record(s))") % {"u": code, "n": count}
        elif not scope.allows(job.created_by, scope.ENTER, unit):
            reason = _("unit '%(u)s' is outside your entry scope (%(n)d record(s))") % {
                "u": code,
                "n": count,
            }
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
    with tempfile.TemporaryDirectory(prefix="dxscore-dossiers-") as tmp:
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
                _("%(n)d record(s) have problems and strict mode is on: nothing was stored.")
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
    job.summary = {
        "rows": sum(f.rows for f in result.files),
        "new": result.new,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "stale": result.stale,
        "duplicates": result.duplicates,
        "rejected": result.rejected,
        "stored_rows": result.stored_rows,
        "already_imported": bool(skipped),
    }
    job.problems = shown
    if not skipped:
        queue_measures(job.created_by)


# -- measures ----------------------------------------------------------------------------


def unit_tree() -> pd.DataFrame:
    rows = list(Unit.objects.values_list("code", "parent__code"))
    return pd.DataFrame(rows, columns=["code", "parent"]).fillna("")


def run_measures(job: Job) -> None:
    store = open_store()
    if not store.parts():
        raise JobFailed(_("The dossier store holds no dossiers yet."))
    tree = unit_tree()
    frames, per_procedure, notes = {}, {}, []
    for i, grain in enumerate(GRAINS):
        _progress(job, _("computing measures per %(g)s") % {"g": grain}, 5 + 22 * i)
        measures = compute_measures(store.root, grain, units=tree)
        frames[grain] = measures.frame
        notes += [n for n in measures.warnings if n not in notes]
        per_procedure[grain] = compute_measures(
            store.root, grain, units=tree, by_procedure=True
        ).frame
    _progress(job, _("storing measures and filling values"), 70)
    with transaction.atomic():
        stored = store_measures(frames, job)
        procedures = store_procedure_measures(per_procedure, store, job)
        filled = fill_values(frames, job)
    locked = filled.pop("locked_list")
    job.summary = {"measures": stored, "procedure_measures": procedures, **filled}
    job.problems = [[_("dossier store"), n] for n in notes] + locked


def store_measures(frames: dict[str, pd.DataFrame], job: Job) -> int:
    units = dict(Unit.objects.values_list("code", "pk"))
    DossierMeasure.objects.all().delete()
    batch = []
    for grain, frame in frames.items():
        names = [c for c in frame.columns if c in ALL_MEASURES]
        frame = frame[frame["unit"].isin(units)]
        for row in frame.itertuples(index=False):
            unit_id = units[row.unit]
            for name in names:
                x = getattr(row, name)
                batch.append(
                    DossierMeasure(
                        unit_id=unit_id,
                        period=row.period,
                        grain=grain,
                        measure=name,
                        value=None if x is None or math.isnan(x) else float(x),
                        job=job,
                    )
                )
    DossierMeasure.objects.bulk_create(batch, batch_size=2000)
    return len(batch)


def store_procedure_measures(frames: dict[str, pd.DataFrame], store: Store, job: Job) -> int:
    """Replace the measures per procedure (rows of periods in which the procedure had
    nothing are left out) and the procedure names from the store's catalogue."""
    units = dict(Unit.objects.values_list("code", "pk"))
    ProcedureMeasure.objects.all().delete()
    fields = (*ProcedureMeasure.COUNTS, *ProcedureMeasure.RATES)
    count = 0
    for grain, frame in frames.items():
        frame = frame[frame["unit"].isin(units)]
        frame = frame[
            (frame["received"] > 0) | (frame["finished"] > 0) | (frame["open_at_end"] > 0)
        ]
        values = frame[list(fields)].astype(object)
        values = values.where(values.notna(), None)
        batch = [
            ProcedureMeasure(
                unit_id=units[unit],
                procedure=procedure,
                period=period,
                grain=grain,
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
    units = {u.code: u for u in Unit.objects.all()}
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
        frame = frame[frame["period"].isin(periods) & frame["unit"].isin(units)]
        for code, indicator in indicators.items():
            if code not in frame.columns:
                continue
            for unit_code, period_code, x in zip(
                frame["unit"], frame["period"], frame[code], strict=True
            ):
                if x is None or math.isnan(x):
                    continue
                unit, period = units[unit_code], periods[period_code]
                if not unit.valid_between(period.start, period.end):
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
                audit(value, job.created_by, reason)
                value.save()
                counts["filled"] += 1
    counts["locked_list"] = locked[:SHOWN_PROBLEMS]
    return counts
