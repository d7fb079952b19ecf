"""Rates as staff read and type them (issue 18, point 13): a rate indicator (declared
``rate (0-1)`` in [0, 1]) is shown as a percentage with one decimal on the entry form,
the upload preview, the value's history and the explanation page (96.8% in English,
96,8% in Vietnamese, never 0.967816091954023); it is typed as a percentage with its sign
or as the fraction; the stored value keeps its full precision; the Excel template and
the explanation workbook hold the real number with the ``0.0%`` format, and the
template's round trip stays exact."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dxscore.web.data.methodologies import store
from dxscore.web.data.models import Indicator, Upload, Value
from dxscore.web.scores import runs
from tests.web.support import approved, page_rows

RATES_YAML = """\
id: test-rates
version: "1"
title: Public service rates
scale: [0, 100]
defaults:
  indicator:
    unit: rate (0-1)
    range: [0, 1]
    normalisation: {method: goalposts, lower: 0, upper: 1}
tree:
  code: index
  name: Rates index
  children:
    - {code: online_share, name: Dossiers received online}
    - {code: timeliness_rate, name: Dossiers on time}
    - code: satisfaction
      name: Satisfaction
      unit: mean rating
      range: [1, 5]
      normalisation: {method: goalposts, lower: 1, upper: 5}
"""
COMPUTED = 0.967816091954023  # issue 18's value, as the dossier worker stores it


@pytest.fixture
def rates(org, periods):
    methodology = store(RATES_YAML, purpose="rates")
    methodology.reporting_level = org.district
    methodology.save()
    online = Indicator.objects.get(code="online_share")
    online.source = Indicator.Source.DOSSIERS
    online.save()
    Value.objects.create(unit=org.d256, indicator=online, period=periods["2024"], value=COMPUTED)
    return methodology


def _in(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _entry(methodology, period, unit):
    return reverse("entry", args=[methodology.pk, period.code, unit.code])


def _stored(code, unit, period):
    return Value.objects.get(indicator__code=code, unit=unit, period=period).value


@pytest.mark.parametrize(
    ("language", "shown", "rule"), [("en", "96.8%", "(0.968)"), ("vi", "96,8%", "(0,968)")]
)
def test_a_computed_rate_reads_as_a_percentage_on_the_entry_form(
    as_user, rates, periods, org, language, shown, rule
):
    page = _in(as_user("owner"), language).get(_entry(rates, periods["2024"], org.d256))
    text = page.content.decode()
    assert page.status_code == 200
    assert f'value="{shown}"' in text and "0.967816091954023" not in text
    assert "0,967816091954023" not in text
    # the rule of typing a rate, next to the field it concerns, and the valid range
    assert 'aria-describedby="rule-timeliness_rate"' in text
    assert 'id="rule-timeliness_rate"' in text and rule in text
    assert "0%–100%" in text
    assert 'id="rule-online_share"' not in text  # read-only: nothing to type
    # a rating in [1, 5] is no rate: its range stays as declared
    assert "[1, 5]" in text


@pytest.mark.parametrize(
    ("language", "typed", "stored"),
    [
        ("vi", "96,8%", 0.968),
        ("en", "96.8 %", 0.968),
        ("vi", "96.8 %", 0.968),
        ("en", "0.968", 0.968),  # a number without % is the fraction itself
        ("vi", "0,968", 0.968),
        ("en", "57.7%", 0.577),  # the decimal text exactly, not 0.5770000000000001
    ],
)
def test_a_rate_is_typed_as_a_percentage_or_as_the_fraction(
    as_user, rates, periods, org, language, typed, stored
):
    client = _in(as_user("owner"), language)
    url = _entry(rates, periods["2024"], org.d256)
    response = client.post(url, {"v_timeliness_rate": typed, "action": "save"})
    assert response.status_code == 302
    assert _stored("timeliness_rate", org.d256, periods["2024"]) == stored
    assert _stored("online_share", org.d256, periods["2024"]) == COMPUTED  # read-only


def test_a_percentage_without_its_sign_is_refused_and_says_how_to_write_it(
    as_user, rates, periods, org
):
    client = _in(as_user("owner"), "vi")
    url = _entry(rates, periods["2024"], org.d256)
    response = client.post(url, {"v_timeliness_rate": "96,8", "action": "save"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "96,8%" in text and "0,968" in text  # both ways of writing it
    assert not Value.objects.filter(indicator__code="timeliness_rate").exists()
    response = client.post(url, {"v_timeliness_rate": "140%", "action": "save"})
    assert response.status_code == 200  # above 100%: the range, said as percentages
    assert "Nhập tỷ lệ từ 0% đến 100%." in response.content.decode()
    assert not Value.objects.filter(indicator__code="timeliness_rate").exists()


def test_a_rate_left_as_shown_keeps_its_full_precision(as_user, rates, periods, org):
    period = periods["2024"]
    indicator = Indicator.objects.get(code="timeliness_rate")
    Value.objects.create(unit=org.d256, indicator=indicator, period=period, value=0.123456789)
    client = _in(as_user("owner"), "vi")
    url = _entry(rates, period, org.d256)
    assert 'value="12,3%"' in client.get(url).content.decode()
    client.post(url, {"v_timeliness_rate": "12,3%", "c_timeliness_rate": "checked"})
    value = Value.objects.get(indicator=indicator, unit=org.d256)
    assert (value.value, value.comment) == (0.123456789, "checked")
    client.post(url, {"v_timeliness_rate": "12,4%"})  # a change is a change
    assert _stored("timeliness_rate", org.d256, period) == 0.124


def test_the_history_shows_a_rate_as_a_percentage(as_user, rates, periods, org):
    client = _in(as_user("owner"), "vi")
    client.post(_entry(rates, periods["2024"], org.d256), {"v_timeliness_rate": "0,9"})
    value = Value.objects.get(indicator__code="timeliness_rate")
    client.post(_entry(rates, periods["2024"], org.d256), {"v_timeliness_rate": "92,5%"})
    text = client.get(reverse("value_history", args=[value.pk])).content.decode()
    assert "92,5%" in text and "90,0%" in text


# --- the Excel template -----------------------------------------------------------------


def _template(client, methodology, period, unit):
    response = client.get(reverse("template", args=[methodology.pk, period.code, unit.code]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _upload(client, methodology, period, unit, content: bytes, name="values.xlsx", **fields):
    response = client.post(
        reverse("upload_values", args=[methodology.pk, period.code, unit.code]),
        {"file": SimpleUploadedFile(name, content), **fields},
    )
    assert response.status_code == 302, response.content
    return Upload.objects.latest("pk")


def test_the_template_holds_the_real_rate_with_a_percent_format_and_round_trips(
    as_user, rates, periods, org
):
    client = as_user("owner")
    period = periods["2024"]
    wb = _template(client, rates, period, org.d256)
    cells = {r[3].value: r[8] for r in wb["values"].iter_rows(min_row=2)}
    assert cells["online_share"].value == pytest.approx(COMPUTED, rel=1e-15)
    assert isinstance(cells["online_share"].value, float)  # a number, not "96.8%"
    assert cells["online_share"].number_format == "0.0%"
    assert cells["timeliness_rate"].number_format == "0.0%"
    assert cells["satisfaction"].number_format == "General"  # a rating is no rate
    # uploaded back as it came, nothing changes (the computed rate is not "changed")
    out = io.BytesIO()
    wb.save(out)
    upload = _upload(client, rates, period, org.d256, out.getvalue())
    assert upload.problems == [] and upload.rows == []


def test_a_rates_text_cell_may_be_a_percentage(as_user, rates, periods, org):
    client = _in(as_user("owner"), "vi")
    period = periods["2024"]
    wb = _template(client, rates, period, org.d256)
    for row in wb["values"].iter_rows(min_row=2):
        if row[3].value == "timeliness_rate":
            row[8].value = "96,8%"  # typed as text
        if row[3].value == "satisfaction":
            row[8].value = "4,5"
    out = io.BytesIO()
    wb.save(out)
    upload = _upload(client, rates, period, org.d256, out.getvalue(), numbers="vi")
    assert upload.problems == []
    assert sorted((r["indicator"], r["value"]) for r in upload.rows) == [
        ("satisfaction", 4.5),
        ("timeliness_rate", 0.968),
    ]
    text = client.get(reverse("upload", args=[upload.pk])).content.decode()
    assert "96,8%" in text and "4,5" in text


# --- the explanation page and its workbook ----------------------------------------------


@pytest.fixture
def run(people, rates, periods, org):
    period = periods["2024"]
    approved(people, rates, period, org.d256, timeliness_rate=0.9375, satisfaction=4.25)
    online = Indicator.objects.get(code="online_share")
    Value.objects.create(unit=org.d257, indicator=online, period=period, value=0.5)
    Value.objects.filter(indicator=online).update(status="approved")  # as the worker stores
    approved(people, rates, period, org.d257, timeliness_rate=0.8, satisfaction=3)
    found = runs.compute_run(people["admin"], rates, period)
    runs.publish(found, people["admin"], anyway=True)
    return found


@pytest.mark.parametrize(("language", "shown"), [("en", "96.8%"), ("vi", "96,8%")])
def test_the_explanation_shows_a_rate_as_a_percentage(run, org, language, shown):
    client = _in(Client(), language)
    page = client.get(reverse("run_explain", args=[run.pk, org.d256.code]))
    assert page.status_code == 200
    rows = page_rows(page)
    assert shown in rows["n-online_share"][1] and "0.9678160" not in page.content.decode()
    values = {cells[0].split()[-1]: cells for key, cells in rows.items() if key.startswith("v-")}
    assert values["online_share"][2] == shown
    assert values["timeliness_rate"][2] == ("93.8%" if language == "en" else "93,8%")
    assert values["satisfaction"][2] == ("4.25" if language == "en" else "4,25")


def test_the_explanation_workbook_holds_the_real_rate_with_a_percent_format(run, org):
    url = reverse("run_explain_values", args=[run.pk, org.d256.code, "xlsx"])
    sheet = load_workbook(io.BytesIO(Client().get(url).content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    column = header.index("Value in the run")
    cells = {row[3].value: row[column] for row in sheet.iter_rows(min_row=2)}
    assert cells["online_share"].value == pytest.approx(COMPUTED, rel=1e-15)
    assert cells["online_share"].number_format == "0.0%"
    assert cells["satisfaction"].value == 4.25
    assert cells["satisfaction"].number_format == "General"


# --- the what-if simulator ---------------------------------------------------------------


def _whatif(client, run, unit, **values):
    return client.get(reverse("dash_whatif", args=[run.pk, unit.code]), values)


@pytest.mark.parametrize(
    ("language", "shown", "typed"), [("en", "96.8%", "50%"), ("vi", "96,8%", "50,0 %")]
)
def test_the_whatif_shows_a_rate_as_a_percentage_and_takes_one(
    as_user, run, org, language, shown, typed
):
    """Issue 18, point 13: the simulator shows a rate's value now and its valid range as
    percentages and reads ``50%`` as 0.5, exactly as the fraction typed."""
    client = _in(as_user("admin"), language)
    html = _whatif(client, run, org.d256).content.decode()
    assert f'placeholder="{shown}"' in html and "0.9678160" not in html
    assert ("0.0%–100.0%" if language == "en" else "0,0%–100,0%") in html
    as_percent = _whatif(client, run, org.d256, v_online_share=typed, format="json").json()
    as_fraction = _whatif(
        client, run, org.d256, v_online_share="0.5" if language == "en" else "0,5", format="json"
    ).json()
    assert as_percent["errors"] == [] and as_percent["changes"] == {"online_share": 0.5}
    assert as_percent["rows"] == as_fraction["rows"]


def test_the_whatif_refuses_a_percentage_without_its_sign_and_says_how(as_user, run, org):
    client = _in(as_user("admin"), "en")
    data = _whatif(client, run, org.d256, v_online_share="50", format="json").json()
    assert data["changes"] == {}
    assert data["errors"] == [
        [
            "online_share",
            "50 is more than 1: type a rate as a percentage with % (50.0%) "
            "or as the fraction (0.5)",
        ]
    ]
    out = _whatif(client, run, org.d256, v_satisfaction="7", format="json").json()
    assert out["errors"] == [["satisfaction", "Enter a number from 1 to 5."]]
    download = client.get(
        reverse("dash_whatif_dl", args=[run.pk, org.d256.code, "csv"]), {"v_online_share": "50"}
    )
    assert download.status_code == 400 and "online_share: 50 is more than 1" in (
        download.content.decode()
    )
