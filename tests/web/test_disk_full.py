"""A full disk is said as such (507 "the server's disk is full", logged as an error), not
reported as "busy" or as a bare server error: SQLite's "database or disk is full",
PostgreSQL's disk_full, and no space left when writing files (the dossier store, uploads).
The errors are simulated."""

from __future__ import annotations

import errno
import json
import logging
import sqlite3

import duckdb
import psycopg.errors
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse

from dxscore.web.diskfull import is_disk_full
from dxscore.web.dossierdata.models import Job
from tests.web.support import problem

DISK_FULL = "urn:dxscore:problem:disk-full"


def sqlite_full() -> OperationalError:
    """What Django raises when SQLite cannot grow its file."""
    cause = sqlite3.OperationalError("database or disk is full")
    cause.sqlite_errorcode = sqlite3.SQLITE_FULL
    exc = OperationalError(*cause.args)
    exc.__cause__ = cause
    return exc


def postgres_full() -> OperationalError:
    """What Django raises when PostgreSQL cannot extend a table file (SQLSTATE 53100)."""
    cause = psycopg.errors.DiskFull('could not extend file "base/16384/16390"')
    exc = OperationalError(*cause.args)
    exc.__cause__ = cause
    return exc


def no_space() -> OSError:
    return OSError(errno.ENOSPC, "No space left on device")


def test_the_errors_of_a_full_disk_are_recognised_and_others_are_not():
    assert is_disk_full(sqlite_full())
    assert is_disk_full(postgres_full())
    assert is_disk_full(no_space())
    assert is_disk_full(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert is_disk_full(duckdb.IOException('Could not write file "x": No space left on device'))
    wrapped = RuntimeError("import failed")
    wrapped.__cause__ = no_space()
    assert is_disk_full(wrapped)
    assert not is_disk_full(OperationalError("database is locked"))
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))
    assert not is_disk_full(ValueError("bad value"))


VALUES = {
    "methodology": "test-districts",
    "items": [{"unit": "256", "indicator": "online", "period": "2024", "value": 55}],
}


@pytest.mark.parametrize("error", [sqlite_full, postgres_full], ids=["sqlite", "postgresql"])
def test_a_full_database_on_a_value_batch_is_a_507_not_busy(
    api, methodology, periods, monkeypatch, caplog, error
):
    from dxscore.web.api import value_batches

    def full(*args, **kwargs):
        raise error()

    monkeypatch.setattr(value_batches, "_store", full)
    with caplog.at_level(logging.ERROR):
        body = problem(api.post("values", VALUES), 507)
    assert body["type"] == DISK_FULL
    assert body["title"] == "The server's disk is full"
    assert "Nothing was stored" in body["detail"]
    assert any(r.levelno == logging.ERROR and "disk full" in r.getMessage() for r in caplog.records)


def test_a_locked_database_is_still_busy(api, methodology, periods, monkeypatch):
    from dxscore.web.api import value_batches

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(value_batches, "_store", locked)
    body = problem(api.post("values", VALUES), 503)
    assert body["type"] == "urn:dxscore:problem:busy"


def test_no_space_for_the_dossier_store_is_a_507_in_the_person_s_language(api, monkeypatch, caplog):
    from dxscore.dossiers import Store

    def full(self, *args, **kwargs):
        raise no_space()

    monkeypatch.setattr(Store, "import_files", full)
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
    with caplog.at_level(logging.ERROR):
        answer = api.client.post(
            "/api/v1/dossiers",
            json.dumps({"records": [record]}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {api.token('steering')}",
            HTTP_ACCEPT_LANGUAGE="vi",
        )
    body = problem(answer, 507)
    assert body["type"] == DISK_FULL
    assert body["title"] == "Ổ đĩa của máy chủ đã đầy"
    assert any(r.levelno == logging.ERROR for r in caplog.records)


@pytest.mark.parametrize("where", ["file", "database"])
def test_a_page_that_meets_a_full_disk_says_so(as_user, monkeypatch, caplog, where):
    """An upload of a dossier file: writing the file, or its job, finds no space."""
    from django.core.files.storage import FileSystemStorage

    def full(*args, **kwargs):
        raise no_space() if where == "file" else sqlite_full()

    monkeypatch.setattr(*((FileSystemStorage, "_save") if where == "file" else (Job, "save")), full)
    client = as_user("owner")
    upload = SimpleUploadedFile("d.csv", b"dossier_id,unit\na1,256\n", content_type="text/csv")
    with caplog.at_level(logging.ERROR):
        page = client.post(reverse("dossier_jobs"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 507
    text = page.content.decode()
    assert '<html lang="vi" dir="ltr">' in text
    assert "Ổ đĩa của máy chủ đã đầy" in text and "Không có gì được lưu" in text
    assert Job.objects.count() == 0
    assert any(r.levelno == logging.ERROR for r in caplog.records)
