"""The unit scorecard (page and PDF) shows the unit's resolution targets with their
computed statuses and "N of M met"."""

from __future__ import annotations

import datetime as dt

import pytest

from dxscore.web.data.models import Indicator, Period, Status, Value
from dxscore.web.plans.models import Resolution, Target
from tests.web.test_dashboards import _fresh_cache, publish_demo, url  # noqa: F401
from tests.web.test_dashboards_reports import pdftotext, text_of  # noqa: F401


@pytest.fixture
def targets(people, org):
    runs = publish_demo(people["admin"])
    resolution = Resolution.objects.create(
        unit=org.bac_ninh,
        code="52-NQ/TU",
        title="Digital transformation to 2025",
        issuer="Bắc Ninh Party Committee",
        issued_on=dt.date(2022, 3, 18),
        horizon="2025",
    )
    online = Indicator.objects.create(code="online_test", name="Online dossiers", measure="%")
    period = Period.objects.get_or_create(code="2023")[0]
    Value.objects.create(
        unit=org.bac_ninh, indicator=online, period=period, value=75.0, status=Status.APPROVED
    )
    common = {"resolution": resolution, "unit": org.bac_ninh}
    Target.objects.create(
        number=1,
        title="Online dossiers at least 70%",
        indicator=online,
        comparison=">=",
        value=70.0,
        deadline="2023",
        **common,
    )
    Target.objects.create(number=2, title="A provincial data centre", deadline="2023", **common)
    return runs


def test_the_scorecard_shows_each_target_status_and_how_many_are_met(client, targets):
    response = client.get(url("dash_scorecard", "vn-dti-2022", "2022", "27"))
    summary = response.context["targets"]["summary"]
    assert (summary["met"], summary["missed"], summary["total"]) == (1, 1, 2)
    statuses = [a.status for a in response.context["targets"]["items"]]
    assert statuses == ["met", "missed"]
    html = response.content.decode()
    assert "1 of 2 met" in html and "Online dossiers at least 70%" in html
    assert "75.0000" in html  # the latest approved value


def test_a_unit_without_targets_says_so(client, targets):
    html = client.get(url("dash_scorecard", "vn-dti-2022", "2022", "20")).content.decode()
    assert "No resolution targets for this unit." in html


def test_a_new_target_shows_on_the_cached_scorecard(client, targets, org):
    assert (
        "1 of 2 met"
        in client.get(url("dash_scorecard", "vn-dti-2022", "2022", "27")).content.decode()
    )
    Target.objects.create(
        resolution=Resolution.objects.get(),
        unit=org.bac_ninh,
        number=3,
        title="E-health",
        deadline="2030",
    )
    html = client.get(url("dash_scorecard", "vn-dti-2022", "2022", "27")).content.decode()
    assert "1 of 3 met" in html


def test_the_scorecard_pdf_lists_the_targets(client, targets, tmp_path, pdftotext):  # noqa: F811
    response = client.get(url("dash_scorecard_dl", "vn-dti-2022", "2022", "27", "pdf"))
    text = text_of(pdftotext, response.content, tmp_path)
    assert "1 of 2 met" in text and "A provincial data centre" in text and "missed" in text
