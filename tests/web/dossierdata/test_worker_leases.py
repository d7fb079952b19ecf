"""The worker's hold on a job (issue 13, finding 4): a job left running by a worker that
stopped is taken again when its lease runs out, a bounded number of times, then failed
with a clear message; a database error while running or recording a job does not stop
the loop; a worker that lost its lease writes nothing. Also what a person sees of a job
(no server paths) and which uploads queue a measures run (finding 9).

The leases here run out by moving ``lease_until`` into the past, as the clock would: no
test waits for one. A real ``kill -9`` of ``dxscore worker`` is in test_worker_faults.py."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from dxscore.dossiers import Store
from dxscore.web.dossierdata import worker
from dxscore.web.dossierdata.models import DossierMeasure, Job
from dxscore.web.dossierdata.worker import claim_next, run, run_forever, run_pending, shown_error
from tests.web.support import D256, D257, upload_dossiers


@pytest.fixture(autouse=True)
def _store(settings, tmp_path):
    settings.DXSCORE_DOSSIER_STORE = tmp_path / "store"
    settings.DXSCORE_JOB_LEASE_SECONDS = 60
    settings.DXSCORE_JOB_MAX_ATTEMPTS = 3
    return settings.DXSCORE_DOSSIER_STORE


def _lease_runs_out(job: Job | None = None) -> None:
    """What the clock does to the lease of a worker that renews it no more."""
    jobs = Job.objects.filter(pk=job.pk) if job else Job.objects.filter(state="running")
    jobs.update(lease_until=timezone.now() - dt.timedelta(seconds=1))


@contextmanager
def _database_fails(when, error="database or disk is full", times=1):
    """The database answers ``error`` to the first ``times`` statements ``when(sql)``.
    (The tests using it run outside a test transaction, as the worker does: in one, a
    failed statement would spoil the whole transaction.)"""
    failed = []

    def wrapper(execute, sql, params, many, context):
        if len(failed) < times and when(sql):
            failed.append(sql)
            raise OperationalError(error)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield failed


def _records_end(sql: str) -> bool:
    """The statement recording how a job ended."""
    return sql.startswith('UPDATE "dossierdata_job"') and '"summary"' in sql


def test_a_job_left_running_by_a_stopped_worker_is_taken_again_once_its_lease_runs_out(
    as_user, org, _store
):
    upload_dossiers(as_user("owner"), D256)
    held = claim_next()  # this worker is then killed: it renews and records nothing more
    assert (held.state, held.attempts, held.lease_until is not None) == ("running", 1, True)
    assert claim_next() is None  # while the lease holds, nobody else takes it
    _lease_runs_out()
    again = claim_next()
    assert (again.pk, again.attempts) == (held.pk, 2)
    assert "attempt 2 of 3" in Job.objects.get(pk=held.pk).progress
    run(again)
    run_pending()
    job = Job.objects.get(pk=held.pk)
    assert (job.state, job.attempts, job.summary["new"], job.lease_until) == ("done", 2, 4, None)
    assert Store(_store).rows() == 4
    page = as_user("owner").get(reverse("dossier_job", args=[job.pk])).content.decode()
    assert "Attempt 2: earlier attempts ended when the worker running them stopped." in page


def test_after_its_last_attempt_a_job_left_running_fails_with_a_clear_message(as_user, org, _store):
    upload_dossiers(as_user("owner"), D256)
    for attempt in (1, 2, 3):
        assert claim_next().attempts == attempt
        _lease_runs_out()
    assert claim_next() is None
    job = Job.objects.get()
    assert (job.state, job.attempts, job.lease_until) == ("failed", 3, None)
    assert job.error.startswith("The worker could not finish this job in 3 attempts")
    assert "not tried again" in job.error and job.finished_at is not None
    assert not (_store / "manifest.json").exists()


def test_a_database_error_recording_the_end_of_a_job_does_not_stop_the_worker(
    transactional_db, as_user, org, _store, caplog
):
    upload_dossiers(as_user("owner"), D256)
    with _database_fails(_records_end) as failed:
        run_forever(once=True)  # returns: the loop survived
    assert len(failed) == 1
    job = Job.objects.get(kind="import")
    assert (job.state, job.attempts) == ("running", 1)  # its end was not recorded
    assert "tried again when its lease runs out" in caplog.text
    # the import itself was stored, and the measures job it queued ran meanwhile
    assert Store(_store).rows() == 4
    assert list(Job.objects.filter(kind="measures").values_list("state", flat=True)) == ["done"]
    _lease_runs_out(job)
    run_forever(once=True)
    job.refresh_from_db()
    assert (job.state, job.attempts, job.error) == ("done", 2, "")
    assert job.summary["stored_by_an_earlier_attempt"] and job.summary["rows"] == 4
    assert Store(_store).rows() == 4  # not doubled
    # the attempt that found its own file stored queues the measures it may have missed
    assert list(Job.objects.filter(kind="measures").values_list("state", flat=True)) == [
        "done",
        "done",
    ]


def test_a_database_error_inside_a_job_leaves_it_to_its_lease_and_the_retry_completes_it(
    transactional_db, as_user, org, _store
):
    upload_dossiers(as_user("steering"), D256 + D257)
    run_pending()
    clean = sorted(DossierMeasure.objects.values_list("unit__code", "period", "measure", "value"))
    as_user("steering").post(reverse("dossier_compute"))

    def storing_measures(sql):
        return sql.startswith('INSERT INTO "dossierdata_dossiermeasure"')

    with _database_fails(storing_measures) as failed:
        run_pending()
    assert len(failed) == 1
    measured = Job.objects.filter(kind="measures").latest("pk")
    assert measured.state == "running"
    # the transaction rolled back: the measures of the first run are all still there
    assert (
        sorted(DossierMeasure.objects.values_list("unit__code", "period", "measure", "value"))
        == clean
    )
    _lease_runs_out(measured)
    run_pending()
    measured.refresh_from_db()
    assert (measured.state, measured.attempts) == ("done", 2)
    assert (
        sorted(DossierMeasure.objects.values_list("unit__code", "period", "measure", "value"))
        == clean
    )
    assert set(DossierMeasure.objects.values_list("job", flat=True)) == {measured.pk}


def test_the_loop_survives_a_database_error_while_looking_at_the_queue(
    transactional_db, as_user, org, _store
):
    upload_dossiers(as_user("owner"), D256)
    naps = []

    def nap(seconds):
        naps.append(seconds)
        if not Job.objects.filter(state__in=["queued", "running"]).exists():
            raise KeyboardInterrupt  # every job done: stop the worker as Ctrl-C does

    def looking(sql):
        return sql.startswith('SELECT "dossierdata_job"."id"')

    with (
        _database_fails(looking, "server closed the connection unexpectedly") as failed,
        mock.patch.object(worker.time, "sleep", nap),
        pytest.raises(KeyboardInterrupt),
    ):
        run_forever(interval=0.01)
    assert len(failed) == 1 and naps[0] == 0.01  # waited once after the error, then went on
    assert list(Job.objects.values_list("kind", "state")) == [
        ("measures", "done"),
        ("import", "done"),
    ]


def test_a_worker_that_lost_its_lease_writes_nothing(as_user, org, _store):
    upload_dossiers(as_user("owner"), D256)
    first = claim_next()
    _lease_runs_out()  # the first worker was paused longer than its lease
    second = claim_next()
    assert second.attempts == 2
    run(first)  # it wakes up: its first progress report finds the job taken
    job = Job.objects.get()
    assert (job.state, job.attempts, job.worker) == ("running", 2, second.worker)
    assert Store(_store).rows() == 0
    run(second)
    assert Job.objects.get(kind="import").state == "done" and Store(_store).rows() == 4


def test_stopping_the_worker_puts_its_job_back_in_the_queue(as_user, org, _store):
    upload_dossiers(as_user("owner"), D256)
    job = claim_next()
    with (
        mock.patch.object(worker, "run_import", side_effect=KeyboardInterrupt),
        pytest.raises(KeyboardInterrupt),
    ):
        run(job)
    job.refresh_from_db()
    assert (job.state, job.attempts, job.lease_until) == ("queued", 0, None)
    assert "worker was stopped" in job.progress
    run_pending()
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 1)


def test_the_heartbeat_renews_the_lease_while_a_job_runs(
    transactional_db, people, org, settings, _store
):
    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite is shared-cache here; test_worker_faults.py covers it")
    settings.DXSCORE_JOB_LEASE_SECONDS = 0.3
    job = Job.objects.create(kind="measures", created_by=people["steering"])
    job = claim_next()
    first = job.lease_until
    renewed = threading.Event()

    def slow_measures(job):
        for _ in range(200):  # the heartbeat, not this step, must renew the lease
            if Job.objects.get(pk=job.pk).lease_until > first:
                renewed.set()
                return
            threading.Event().wait(0.05)

    with mock.patch.object(worker, "run_measures", slow_measures):
        run(job)
    assert renewed.is_set()
    assert Job.objects.get(pk=job.pk).state == "done"


# -- what a person sees of a failed job (finding 9) --------------------------------------


def test_a_job_error_names_the_uploaded_file_not_the_servers_path(
    as_user, org, _store, settings, caplog
):
    upload_dossiers(as_user("owner"), D256)
    job = Job.objects.get()
    stored = job.file.path
    job.file.storage.delete(job.file.name)  # the upload is gone from the server
    with caplog.at_level(logging.WARNING, logger="dxscore.web.dossierdata.worker"):
        run_pending()
    job.refresh_from_db()
    assert job.state == "failed" and job.error == "dossiers.csv: no such file"
    assert stored in caplog.text  # the server log keeps the detail
    page = as_user("owner").get(reverse("dossier_job", args=[job.pk])).content.decode()
    assert "dossiers.csv: no such file" in page and str(settings.MEDIA_ROOT) not in page


def test_a_measures_error_names_the_dossier_store_not_its_path(as_user, org, _store):
    as_user("steering").post(reverse("dossier_compute"))
    run_pending()
    job = Job.objects.get()
    assert job.state == "failed"
    assert job.error.startswith("the dossier store: no dossier store here")
    assert str(_store) not in job.error


def test_shown_error_keeps_only_the_last_part_of_any_other_path(org, people, _store, tmp_path):
    job = Job(kind="measures", created_by=people["steering"])
    assert (
        shown_error(f"cannot read {tmp_path}/spill/x.parquet: disk full (/srv/a/b)", job)
        == "cannot read x.parquet: disk full (b)"
    )
    assert shown_error(r"C:\dxscore\uploads\x.csv: locked", job) == "x.csv: locked"
    assert shown_error("a share of 1/2 and/or 3/4", job) == "a share of 1/2 and/or 3/4"
    assert shown_error(f"{_store}/dossiers/part-1.parquet: gone", job) == (
        "the dossier store/dossiers/part-1.parquet: gone"
    )


def test_only_those_who_run_the_site_see_the_stores_folder(as_user, org, _store):
    for uploader in ("owner", "colleague", "outsider"):
        page = as_user(uploader).get(reverse("dossier_jobs"))
        assert page.status_code == 200 and str(_store) not in page.content.decode()
    assert str(_store) in as_user("steering").get(reverse("dossier_jobs")).content.decode()


# -- which uploads queue a measures run (finding 9) ---------------------------------------


def _measures_jobs() -> int:
    return Job.objects.filter(kind="measures").count()


def test_an_upload_that_stores_nothing_queues_no_measures(as_user, org, _store):
    client = as_user("owner")
    upload_dossiers(client, D256)
    run_pending()
    assert _measures_jobs() == 1
    upload_dossiers(client, D256)  # the same file again: already imported
    lines = D256.splitlines(keepends=True)
    upload_dossiers(client, "".join(reversed(lines)))  # the same records in another file: unchanged
    upload_dossiers(client, "a9,256,P1,full,fax,2024-07-01 08:00,,,in_progress\n")  # all rejected
    run_pending()
    imports = Job.objects.filter(kind="import").order_by("pk")
    assert [j.state for j in imports] == ["done"] * 4
    assert imports[1].summary["already_imported"] and imports[2].summary["unchanged"] == 4
    assert imports[3].summary["rejected"] == 1
    assert _measures_jobs() == 1  # none of them queued a measures run


def test_uploads_that_store_records_queue_one_measures_run_between_them(as_user, org, _store):
    upload_dossiers(as_user("steering"), D256)
    upload_dossiers(as_user("steering"), D257)
    changed = D256.replace("2024-07-09 10:00,finished", "2024-07-04 10:00,finished")
    upload_dossiers(as_user("steering"), changed)  # one record updated
    run_pending()
    imports = Job.objects.filter(kind="import").order_by("pk")
    assert [(j.summary["new"], j.summary["updated"]) for j in imports] == [(4, 0), (1, 0), (0, 1)]
    measured = Job.objects.get(kind="measures")  # the three imports ran before it: one run
    assert measured.state == "done" and measured.created_at > imports[0].created_at
