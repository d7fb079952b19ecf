"""The API over real HTTP: ``dxscore serve`` (waitress) on a workspace with a SQLite file,
on 127.0.0.1. The examples of docs/api.md run against it exactly as written, and
concurrent clients upsert the same values and the same dossiers."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.live import LiveServer, make_records

pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parents[3] / "docs" / "api.md"
CLIENTS = 8


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with LiveServer(tmp_path_factory.mktemp("live") / "home", threads=8) as server:
        yield server


def call(live, method, path, body=None, token="etl"):
    request = urllib.request.Request(
        f"{live.url}/api/v1/{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {live.tokens[token]}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def database(live) -> sqlite3.Connection:
    return sqlite3.connect(live.home / "dxscore.sqlite3", timeout=30)


def last_json(text: str):
    """The last of the JSON documents curl printed (one per request, no newlines)."""
    decoder, at, found = json.JSONDecoder(), 0, None
    while at < len(text.rstrip()):
        found, at = decoder.raw_decode(text, at)
        while at < len(text) and text[at].isspace():
            at += 1
    return found


def code_blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^```(sh|python)\n(.*?)^```", text, flags=re.S | re.M)


def test_the_examples_in_docs_api_md_run_as_written(live):
    blocks = code_blocks(DOCS.read_text(encoding="utf-8"))
    kinds = [kind for kind, _code in blocks]
    assert kinds.count("sh") >= 4 and kinds.count("python") >= 3
    assert kinds == sorted(kinds, key=lambda k: k == "python"), "shell examples come first"
    env = {
        **os.environ,
        "DXSCORE_URL": live.url,
        "DXSCORE_TOKEN": live.tokens["etl"],
        "DXSCORE_APPROVER_TOKEN": live.tokens["approver"],
    }
    shell_output = []
    for kind, code in blocks:
        if kind == "sh":
            ran = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", code],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert ran.returncode == 0, f"{code}\n{ran.stdout}\n{ran.stderr}"
            shell_output.append(last_json(ran.stdout))
    units, stored, invalid, approved, dossier = shell_output
    assert units["count"] == 23 and len(units["items"]) == 5
    assert (stored["created"], stored["unchanged"]) == (2, 0)
    assert invalid["status"] == 422 and invalid["errors"][0]["pointer"] == "/items/0/value"
    assert approved == {"changed": 2}
    assert dossier["new"] == 1
    script = "\n\n".join(code for kind, code in blocks if kind == "python")
    ran = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert ran.returncode == 0, ran.stderr
    out = ran.stdout
    assert "22 districts, e.g. ['" in out
    assert "locked: ['256/online_share']" in out
    assert "2 created, 0 updated, 1 unchanged" in out
    assert "records 20000-24999: 5000 new, 0 updated, 0 unchanged" in out
    assert "12500 dossiers of district 257 stored" in out
    assert re.search(r"^1 256 78\.67$", out, flags=re.M)  # (2 x 71.5 + 93) / 3, approved
    # what the examples left behind, seen through the API
    status, values = call(live, "GET", "values?unit=256&period=2024")
    assert {(v["indicator"], v["value"], v["status"]) for v in values["items"]} == {
        ("online_share", 71.5, "approved"),
        ("on_time_rate", 93.0, "approved"),
    }
    assert call(live, "GET", "dossiers?limit=1")[1]["count"] == 25_001
    assert call(live, "GET", "runs?published=true")[1]["count"] == 1


def test_concurrent_upserts_of_the_same_value_store_it_once(live):
    barrier = threading.Barrier(CLIENTS)
    body = {
        "methodology": "district-dx",
        "items": [{"unit": "B001", "indicator": "on_time_rate", "period": "2024", "value": 81}],
    }

    def same(_n):
        barrier.wait()
        return call(live, "POST", "values", body)

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(same, range(CLIENTS)))
    assert [status for status, _b in answers] == [200] * CLIENTS, answers
    results = sorted(b["items"][0]["result"] for _s, b in answers)
    assert results == ["created"] + ["unchanged"] * (CLIENTS - 1)
    with database(live) as db:
        rows = db.execute(
            "SELECT v.id, v.value FROM data_value v JOIN orgs_unit u ON u.id = v.unit_id "
            "WHERE u.code = 'B001'"
        ).fetchall()
        assert len(rows) == 1 and rows[0][1] == 81
        history = db.execute(
            "SELECT count(*) FROM data_historicalvalue WHERE id = ?", (rows[0][0],)
        ).fetchone()[0]
    assert history == 1


def test_concurrent_upserts_of_different_numbers_keep_one_value_and_every_change(live):
    barrier = threading.Barrier(CLIENTS)

    def different(n):
        barrier.wait()
        body = {
            "methodology": "district-dx",
            "items": [
                {"unit": "B002", "indicator": "online_share", "period": "2024", "value": 10 + n}
            ],
        }
        return call(live, "POST", "values", body)

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(different, range(CLIENTS)))
    assert [status for status, _b in answers] == [200] * CLIENTS, answers
    results = sorted(b["items"][0]["result"] for _s, b in answers)
    assert results == ["created"] + ["updated"] * (CLIENTS - 1)
    with database(live) as db:
        rows = db.execute(
            "SELECT v.id, v.value FROM data_value v JOIN orgs_unit u ON u.id = v.unit_id "
            "WHERE u.code = 'B002'"
        ).fetchall()
        assert len(rows) == 1 and rows[0][1] in {10 + n for n in range(CLIENTS)}
        history = db.execute(
            "SELECT value FROM data_historicalvalue WHERE id = ? ORDER BY history_id",
            (rows[0][0],),
        ).fetchall()
    assert len(history) == CLIENTS and history[-1][0] == rows[0][1]


def test_concurrent_batches_of_the_same_dossiers_store_each_once(live):
    records = [r for r in make_records(99, 0, 3000) if r["unit"] in ("B003", "B004")]
    orders = [records, records[::-1], records[1::2] + records[::2], records]
    barrier = threading.Barrier(len(orders))

    def push(order):
        barrier.wait()
        return call(live, "POST", "dossiers", {"records": order})

    with ThreadPoolExecutor(len(orders)) as pool:
        answers = list(pool.map(push, orders))
    assert [status for status, _b in answers] == [200] * len(orders), answers
    assert sum(b["new"] for _s, b in answers) == len(records)
    for unit in ("B003", "B004"):
        status, page = call(live, "GET", f"dossiers?unit={unit}&limit=1")
        assert page["count"] == sum(1 for r in records if r["unit"] == unit)
