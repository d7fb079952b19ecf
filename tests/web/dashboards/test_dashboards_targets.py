"""The unit scorecard (page and PDF) shows the unit's resolution targets with their
computed statuses and "N of M met"."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dxscore.web.data.models import Indicator, Period, Status, Value
from dxscore.web.plans.models import Resolution, Target
from tests.web.support import publish_demo, text_of, url


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
    # the latest approved value, as its indicator's values are written (a "%" unit: 75),
    # not with a score's decimals
    assert '<td class="num">75</td>' in html and "75.0000" not in html


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


def test_the_scorecard_pdf_lists_the_targets(client, targets, tmp_path, pdftotext):
    response = client.get(url("dash_scorecard_dl", "vn-dti-2022", "2022", "27", "pdf"))
    text = text_of(pdftotext, response.content, tmp_path)
    assert "1 of 2 met" in text and "A provincial data centre" in text and "missed" in text


# --- the cached scorecard follows the targets' state -----------------------------------------

SCORECARD = ("dash_scorecard", "vn-dti-2022", "2022", "27")


def _summary(client) -> str:
    """The scorecard's "N of M met" line, as text."""
    html = client.get(url(*SCORECARD)).content.decode()
    found = re.search(r'<p id="targets-summary">(.*?)</p>', html).group(1)
    return re.sub(r"<[^>]+>", "", found)


def test_an_unchanged_scorecard_is_served_from_the_cache(
    client, targets, org, django_assert_max_num_queries
):
    first = client.get(url(*SCORECARD))
    assert "targets" in first.context  # rendered
    # changes that the unit's targets do not depend on: another unit's value, a target
    # of another unit, a value of the unit for an indicator without a target
    Value.objects.create(
        unit=org.lao_cai,
        indicator=Indicator.objects.get(code="online_test"),
        period=Period.objects.get(code="2023"),
        value=10.0,
        status=Status.APPROVED,
    )
    other = Indicator.objects.create(code="other_test")
    Value.objects.create(
        unit=org.bac_ninh,
        indicator=other,
        period=Period.objects.get(code="2023"),
        value=1.0,
        status=Status.APPROVED,
    )
    resolution = Resolution.objects.create(
        unit=org.lao_cai,
        code="1-NQ",
        title="Lào Cai",
        issued_on=dt.date(2022, 1, 1),
        horizon="2025",
    )
    Target.objects.create(
        resolution=resolution, unit=org.lao_cai, number=1, title="X", deadline="2025"
    )
    with django_assert_max_num_queries(12):
        again = client.get(url(*SCORECARD))
    assert "targets" not in again.context and "content" in again.context  # from the cache
    assert again.context["content"] == first.context["content"]


def test_editing_a_target_shows_its_new_status_on_the_cached_scorecard(client, targets):
    assert _summary(client).startswith("1 of 2 met")
    target = Target.objects.get(number=1)
    target.value = 80.0  # the approved 75 no longer meets it
    target.save()
    assert _summary(client).startswith("0 of 2 met")


def test_deleting_a_target_or_renaming_its_resolution_shows_on_the_cached_scorecard(
    client, targets
):
    assert _summary(client).startswith("1 of 2 met")
    Target.objects.get(number=2).delete()
    assert _summary(client).startswith("1 of 1 met")
    resolution = Resolution.objects.get()
    resolution.code = "53-NQ/TU"
    resolution.save()
    assert "53-NQ/TU #1" in client.get(url(*SCORECARD)).content.decode()


def test_approved_evidence_shows_on_the_cached_scorecard(client, targets, people):
    from dxscore.web.plans import work

    assert _summary(client).startswith("1 of 2 met")
    target = Target.objects.get(number=2)
    target.evidence_state = "submitted"
    target.save()
    assert _summary(client).startswith("1 of 2 met")
    work.approve_evidence(people["admin"], Target.objects.get(number=2))
    assert _summary(client).startswith("2 of 2 met")


def test_approving_a_changed_value_shows_the_new_status_on_the_cached_scorecard(
    client, targets, people, org
):
    from dxscore.web.data import workflow
    from dxscore.web.data.models import Methodology

    methodology = Methodology.objects.get(code="vn-dti-2022")
    period = Period.objects.get(code="2022")
    code = methodology.inputs()[0]
    value = Value.objects.get(unit=org.bac_ninh, indicator__code=code, period=period)
    assert value.status == Status.APPROVED
    Target.objects.create(
        resolution=Resolution.objects.get(),
        unit=org.bac_ninh,
        number=3,
        title="A published indicator",
        indicator=value.indicator,
        comparison=">=",
        value=value.value + 1,
        deadline="2022",
    )
    assert _summary(client).startswith("1 of 3 met")
    workflow.reopen(people["approver"], methodology, period, org.bac_ninh, "a correction")
    workflow.save_entries(
        people["steering"],
        methodology,
        period,
        org.bac_ninh,
        [workflow.Entry(code, value.value + 2)],
    )
    workflow.submit(people["steering"], methodology, period, org.bac_ninh)
    assert _summary(client).startswith("1 of 3 met")  # submitted, not approved: not counted yet
    workflow.approve(people["approver"], methodology, period, org.bac_ninh)
    assert _summary(client).startswith("2 of 3 met")


def test_the_cached_scorecard_follows_the_date(client, targets, monkeypatch):
    from django.utils import timezone

    Target.objects.filter(number=2).update(deadline="2099")  # qualitative, not due yet
    before = _summary(client)
    assert before.startswith("1 of 2 met") and "0 missed" in before
    later = dt.date(2100, 1, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    assert "1 missed" in _summary(client)
