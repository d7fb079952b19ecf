"""The runs list downloads what it lists (issue 18): every run for those who manage runs,
the published ones for everybody else, newest first, in CSV, XLSX and JSON; who computed
a run is named only to those who manage runs, as on the run page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dxscore.web.scores import runs
from tests.web.scores.test_publishing import gappy, scored  # noqa: F401  fixtures


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _csv(client) -> list[dict]:
    response = client.get(reverse("runs_dl", args=["csv"]))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def two_runs(people, methodology, scored):  # noqa: F811
    """One run published, a later one not."""
    published = runs.compute_run(people["admin"], methodology, scored)
    runs.publish(published, people["admin"], anyway=True)
    later = runs.compute_run(people["admin"], methodology, scored)
    return published, later


def test_the_download_lists_the_runs_the_page_lists_to_each_persona(people, two_runs):
    published, later = two_runs
    for user, expected in (
        (people["steering"], [later.pk, published.pk]),  # manages runs: every run
        (people["colleague"], [published.pk]),  # a data officer: the published ones
        (people["outsider"], [published.pk]),
        (None, [published.pk]),  # the public
    ):
        client = _client(user)
        page = client.get(reverse("runs")).content.decode()
        listed = _csv(client)
        assert [int(r["run"]) for r in listed] == expected
        shown = [
            pk for pk in (later.pk, published.pk) if f'href="{reverse("run", args=[pk])}"' in page
        ]
        assert shown == expected  # the page lists the same runs
        for row in listed:
            assert row["period"] == "2024" and row["methodology"] == published.methodology.code
        states = {int(r["run"]): r["state"] for r in listed}
        assert states[published.pk] == "published"
        if later.pk in states:
            assert states[later.pk] == "not published"
        names = {r["computed_by"] for r in listed}
        assert names == ({"admin"} if user is people["steering"] else {""})


def test_the_page_names_who_computed_a_run_only_to_those_who_manage_runs(people, two_runs):
    published, _later = two_runs
    staff = _client(people["steering"]).get(reverse("runs")).content.decode()
    public = Client().get(reverse("runs")).content.decode()
    assert "· admin</td>" in staff and "· admin</td>" not in public
    assert reverse("runs_dl", args=["xlsx"]) in public


def test_every_format_holds_the_same_rows(people, two_runs):
    published, later = two_runs
    client = _client(people["steering"])
    listed = _csv(client)
    book = load_workbook(io.BytesIO(client.get(reverse("runs_dl", args=["xlsx"])).content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Run id", "Methodology"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [later.pk, published.pk]
    data = json.loads(client.get(reverse("runs_dl", args=["json"])).content)
    assert [r["run"] for r in data["rows"]] == [int(r["run"]) for r in listed]
    assert data["rows"][1]["input_hash"] == published.input_hash
    assert client.get(reverse("runs_dl", args=["pdf"])).status_code == 404
