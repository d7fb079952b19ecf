"""The workspace lock that makes a backup consistent: the site's writers of the dossier
store (the worker's imports, the API's dossier batches) hold it shared until the database
records what they stored; backup and restore hold it exclusively."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from dxscore.dossiers import Store
from dxscore.web import workspace
from dxscore.web.dossierdata.models import Job
from dxscore.web.dossierdata.worker import run_pending
from tests.web.support import problem

HEADER = "dossier_id,unit,procedure,service_level,channel,received_at,due_at,finished_at,status\n"
ROWS = "a1,256,P1,full,online,2024-07-01 08:00,2024-07-05,2024-07-03 10:00,finished\n"


def writers_hold_it(home: Path) -> bool:
    """Someone holds the writers' lock (an exclusive try from here fails)."""
    fd = os.open(home / workspace.WRITERS, os.O_RDONLY | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.fixture
def watched(settings, tmp_path, monkeypatch):
    """Records, at each import into the workspace's store, whether the lock was held."""
    settings.DXSCORE_DOSSIER_STORE = tmp_path / "dossiers"
    seen = []
    real = Store.import_files

    def import_files(self, *args, **kwargs):
        if Path(self.root) == settings.DXSCORE_DOSSIER_STORE:
            seen.append(writers_hold_it(Path(settings.HOME)))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Store, "import_files", import_files)
    return seen


def test_the_worker_imports_holding_the_lock_and_saves_its_job_before_letting_go(
    people, settings, watched
):
    """The statement that records the import as done runs while the lock is held."""
    from django.db import connection

    saves = []
    job = Job(kind=Job.Kind.IMPORT, filename="d.csv", created_by=people["owner"])
    job.file.save("d.csv", ContentFile((HEADER + ROWS).encode()))

    def spy(execute, sql, params, many, context):
        # the worker records a job's end in one UPDATE ... WHERE attempts, id, state (the
        # filter's keys in order): the statement that ends the import is the one of its id
        table = Job._meta.db_table
        update = sql.lstrip().upper().startswith("UPDATE") and table in sql
        if update and params and Job.State.DONE in params and list(params)[-2] == job.pk:
            saves.append(writers_hold_it(Path(settings.HOME)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        assert run_pending() == 2
    assert watched == [True] and saves and all(saves)
    assert not writers_hold_it(Path(settings.HOME))


def test_an_api_batch_holds_the_lock_and_waits_out_a_backup(api, settings, watched, monkeypatch):
    record = {
        "dossier_id": "HS-1",
        "unit": "256",
        "procedure": "1.001",
        "service_level": "full",
        "channel": "online",
        "received_at": "2024-07-01T08:30:00+07:00",
        "due_at": "2024-07-10",
        "status": "in_progress",
    }
    assert api.post("dossiers", {"records": [record]}).status_code == 200
    assert watched == [True]
    assert Job.objects.filter(kind=Job.Kind.MEASURES).count() == 1  # queued under the lock
    from dxscore.web.api import dossier_batches

    monkeypatch.setattr(dossier_batches, "LOCK_WAIT", 0.2)
    with workspace.frozen(Path(settings.HOME)):  # a backup is pinning the workspace
        body = problem(api.post("dossiers", {"records": [record]}), 503)
    assert body["title"] == "Backup in progress"
    assert watched == [True]  # the store was not touched


def test_frozen_waits_for_writers_and_writers_wait_for_frozen(tmp_path):
    told = []
    with (
        workspace.writing(tmp_path),
        workspace.writing(tmp_path),  # re-entrant in a thread
        pytest.raises(workspace.WorkspaceBusy),
        workspace.frozen(tmp_path, timeout=0.2, on_wait=lambda: told.append(1)),
    ):
        pass
    assert told == [1]
    with (
        workspace.frozen(tmp_path),
        pytest.raises(workspace.WorkspaceBusy),
        workspace.writing(tmp_path, timeout=0.2),
    ):
        pass
    with workspace.frozen(tmp_path, timeout=0):  # free again
        pass
