"""Concurrent upserts of the same value: however the requests interleave, exactly one
value exists afterwards, with the last batch's number, one history row per real change,
and every request gets an answer from the documented set (never a server error).

Runs threads against the WSGI application in this process, on PostgreSQL (CI's second
run), where the batches truly overlap and the retry after a unique-constraint race is
exercised. The test database of the SQLite run is an in-memory, shared-cache database
that refuses concurrent writers outright, so on SQLite the same is tested over HTTP
against a real server and database file (test_api_live.py)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from dxscore.web.api import tokens
from dxscore.web.data.models import Value

WORKERS = 6


@pytest.fixture
def shared(transactional_db, people, methodology, periods, settings, tmp_path):
    settings.DXSCORE_API_RATE = "100000/min"
    settings.DXSCORE_DOSSIER_STORE = tmp_path / "dossiers"
    return {name: tokens.issue(people[name], "concurrency")[1] for name in ("owner", "steering")}


def _post(token: str, path: str, body: dict) -> tuple[int, dict]:
    try:
        answer = Client().post(
            f"/api/v1/{path}",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        return answer.status_code, answer.json()
    finally:
        connection.close()  # each thread has its own connection: give it back


def test_concurrent_upserts_of_the_same_new_value_create_it_once(shared):
    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite is shared-cache here; test_api_live.py covers SQLite")
    barrier = threading.Barrier(WORKERS)

    def one(n: int):
        barrier.wait()
        body = {
            "methodology": "test-districts",
            "items": [{"unit": "256", "indicator": "online", "period": "2024", "value": 50}],
        }
        return _post(shared["owner" if n % 2 else "steering"], "values", body)

    with ThreadPoolExecutor(WORKERS) as pool:
        answers = list(pool.map(one, range(WORKERS)))
    assert {status for status, _body in answers} == {200}
    results = [body["items"][0]["result"] for _s, body in answers]
    assert results.count("created") == 1 and results.count("unchanged") == WORKERS - 1
    assert Value.objects.count() == 1 and Value.history.count() == 1


def test_concurrent_upserts_of_different_numbers_keep_one_value_and_every_change(shared):
    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite is shared-cache here; test_api_live.py covers SQLite")
    barrier = threading.Barrier(WORKERS)

    def one(n: int):
        barrier.wait()
        body = {
            "methodology": "test-districts",
            "items": [{"unit": "256", "indicator": "ontime", "period": "2024", "value": 10 + n}],
        }
        return _post(shared["owner" if n % 2 else "steering"], "values", body)

    with ThreadPoolExecutor(WORKERS) as pool:
        answers = list(pool.map(one, range(WORKERS)))
    assert {status for status, _body in answers} == {200}
    results = sorted(body["items"][0]["result"] for _s, body in answers)
    assert results == ["created"] + ["updated"] * (WORKERS - 1)
    value = Value.objects.get()
    assert value.value in {10 + n for n in range(WORKERS)}
    assert Value.history.count() == WORKERS
    assert Value.history.order_by("history_id").last().value == value.value
