"""Personas: the respondent (a session that confirmed the business), province staff
(``colleague`` sees all of Bắc Ninh), the outsider (Lào Cai); one sheet per respondent
and period; codes go to the address on record; rate limits."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.db import IntegrityError
from django.test import Client
from openpyxl import load_workbook

from dxscore.web.assessments import figures
from dxscore.web.assessments.models import Respondent, Sheet, SheetState
from tests.web.assessments.conftest import FULL, register


def submit(client, url):
    response = client.post(url, {**FULL, "submit": "1"})
    assert response.status_code == 302
    return Sheet.objects.get(pk=int(url.strip("/").split("/")[-1]))


def test_only_the_respondents_session_reads_and_changes_the_sheet(surveys, communes, as_user):
    mine = Client()
    url = register(mine, communes["a"])
    sheet = Sheet.objects.get()
    other = Client()  # another browser, without the code
    assert other.get(url).status_code == 404
    assert other.post(f"/survey/sheet/{sheet.pk}/save", {"c_payment": "cash"}).status_code == 404
    staff = as_user("colleague")  # province staff read figures, never a sheet
    assert staff.get(url).status_code == 404
    assert mine.get(url).status_code == 200
    submit(mine, url)
    assert other.get(f"/survey/sheet/{sheet.pk}/result").status_code == 404
    assert other.get(f"/survey/sheet/{sheet.pk}/result.pdf").status_code == 404
    assert mine.get(f"/survey/sheet/{sheet.pk}/result").status_code == 200


def test_one_sheet_per_respondent_and_period(surveys, communes):
    first = Client()
    url = register(first, communes["a"])
    again = Client()
    assert register(again, communes["a"]) == url  # the same business: the same sheet
    assert Sheet.objects.count() == 1
    sheet = Sheet.objects.get()
    with pytest.raises(IntegrityError):
        Sheet.objects.create(
            questionnaire=sheet.questionnaire,
            series=sheet.series,
            period=sheet.period,
            respondent=sheet.respondent,
        )


def test_later_codes_go_to_the_address_on_record(surveys, communes):
    register(Client(), communes["a"], email="chu@dn.vn")
    client = Client()
    client.post(
        "/survey/dbi-business/",
        {
            "tax_code": "0101234567",
            "email": "ke.gian@x.vn",
            "sector": "trade",
            "size": "small",
            "commune": communes["a"].pk,
        },
    )
    assert mail.outbox[-1].to == ["chu@dn.vn"]
    assert Respondent.objects.get().email == "chu@dn.vn"


def test_a_wrong_code_five_times_and_the_code_is_dead(surveys, communes):
    client = Client()
    client.post(
        "/survey/dbi-business/",
        {
            "tax_code": "0101234567",
            "email": "a@b.vn",
            "sector": "trade",
            "size": "small",
            "commune": communes["a"].pk,
        },
    )
    code = re.search(r"(\d{6})", mail.outbox[-1].subject).group(1)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert client.post("/survey/dbi-business/confirm", {"code": wrong}).status_code == 200
    page = client.post("/survey/dbi-business/confirm", {"code": code})
    assert page.status_code == 200 and "no longer valid" in page.content.decode()
    assert not Sheet.objects.exists()


def test_bad_details_are_refused_naming_the_field(surveys, communes):
    client = Client()
    page = client.post(
        "/survey/dbi-business/",
        {
            "tax_code": "12345",
            "email": "a@b.vn",
            "sector": "trade",
            "size": "small",
            "commune": communes["a"].pk,
        },
    )
    assert "Tax code" in page.content.decode() and not mail.outbox
    page = client.post(
        "/survey/dbi-business/",
        {
            "tax_code": "0101234567",
            "email": "a@b.vn",
            "sector": "trade",
            "size": "small",
            "commune": 999999,
        },
    )
    assert "current map" in page.content.decode() and not mail.outbox


def test_the_code_mail_is_in_the_language_of_the_business_asking(surveys, communes, settings):
    from dxscore.web.assessments.models import Confirmation

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    url = register(client, communes["a"])
    assert mail.outbox[-1].subject.startswith("Mã xác nhận dxscore của bạn")
    code = re.search(r"(\d{6})", mail.outbox[-1].subject).group(1)
    stored = Confirmation.objects.get()
    assert stored.used and len(stored.digest) == 64 and code not in stored.digest
    assert url.startswith("/survey/sheet/")


def test_requests_for_codes_are_rate_limited(surveys, communes, settings):
    settings.DXSCORE_SURVEY_RATE = "2/hour"
    client = Client()
    data = {
        "tax_code": "0101234567",
        "email": "a@b.vn",
        "sector": "trade",
        "size": "small",
        "commune": communes["a"].pk,
    }
    for _ in range(2):
        assert client.post("/survey/dbi-business/", data).status_code == 302
    page = client.post("/survey/dbi-business/", data)
    assert page.status_code == 200 and "Too many requests" in page.content.decode()
    assert len(mail.outbox) == 2


def test_staff_see_the_figures_of_their_scope_and_the_outsider_none(
    surveys, communes, as_user, client, people
):
    for i in range(3):
        c = Client()
        url = register(c, communes["a"], tax_code=f"01012345{i:02d}", email=f"b{i}@dn.vn")
        submit(c, url)
    c = Client()
    submit(c, register(c, communes["lc"], tax_code="0300000001", email="lc@dn.vn"))
    as_user("colleague")
    page = client.get("/assessments/dbi-business/?period=2025")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="unit-256-01"' in text and 'id="unit-27"' in text
    assert 'id="unit-80-01"' not in text and 'id="unit-15"' not in text
    as_user("outsider")
    text = client.get("/assessments/dbi-business/?period=2025").content.decode()
    assert 'id="unit-80-01"' in text and 'id="unit-256-01"' not in text
    # the Excel download says the same, in scope
    as_user("colleague")
    body = client.get("/assessments/dbi-business/figures.xlsx?period=2025").content
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    codes = {r[0] for r in rows[1:]}
    assert "256-01" in codes and "80-01" not in codes
    # a person without a role (no staff) gets nothing
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody")
    client.force_login(nobody)
    assert client.get("/assessments/dbi-business/?period=2025").status_code == 403


def test_a_figure_of_few_sheets_is_suppressed_and_not_published(surveys, communes, as_user, client):
    from dxscore.web.data.models import Value

    for i in range(2):  # below the minimum of 3
        c = Client()
        submit(c, register(c, communes["a"], tax_code=f"01012345{i:02d}", email=f"b{i}@dn.vn"))
    as_user("colleague")
    text = client.get("/assessments/dbi-business/?period=2025").content.decode()
    row = re.search(r'<tr id="unit-256-01">(.*?)</tr>', text, re.S).group(1)
    assert 'data-measure="responses">2<' in row and 'data-measure="score">–<' in row
    assert not Value.objects.filter(indicator__code="dbi_score").exists()
    assert Value.objects.get(indicator__code="dbi_responses", unit=communes["a"]).value == 2
    c = Client()
    submit(c, register(c, communes["a"], tax_code="0101234599", email="b9@dn.vn"))
    text = client.get("/assessments/dbi-business/?period=2025").content.decode()
    row = re.search(r'<tr id="unit-256-01">(.*?)</tr>', text, re.S).group(1)
    assert 'data-measure="responses">3<' in row and 'data-measure="score">–<' not in row
    assert Value.objects.filter(indicator__code="dbi_score", unit=communes["a"]).exists()


def test_stored_figures_equal_plain_counts(surveys, communes):
    for i, commune in enumerate(["a", "a", "b", "a", "b"]):
        c = Client()
        submit(c, register(c, communes[commune], tax_code=f"01012345{i:02d}", email=f"b{i}@dn.vn"))
    period = surveys["dbi"].period
    figures.refresh("dbi-business", period)
    from dxscore.web.assessments.models import Figure

    sheets = Sheet.objects.filter(state=SheetState.SUBMITTED)
    province = Figure.objects.get(unit__code="27", dimension="all", measure="responses")
    assert province.value == sheets.count() == 5
    district = Figure.objects.get(unit__code="256", dimension="all", measure="score")
    mean = sum(s.score for s in sheets) / 5
    assert district.value == pytest.approx(mean)
    rate = Figure.objects.get(unit__code="27", dimension="all", measure="response_rate")
    assert rate.value == pytest.approx(5 / Respondent.objects.count())


def test_the_api_gives_the_figures_in_scope(surveys, communes, api):
    for i in range(3):
        c = Client()
        submit(c, register(c, communes["a"], tax_code=f"01012345{i:02d}", email=f"b{i}@dn.vn"))
    got = api.get("assessments/dbi-business/figures", who="colleague", period="2025")
    assert got.status_code == 200, got.content
    body = got.json()
    units = {i["unit"] for i in body["items"]}
    assert {"256-01", "256", "27"} <= units and body["min_count"] == 3
    score = next(i for i in body["items"] if i["unit"] == "256-01" and i["measure"] == "score")
    assert score["count"] == 3 and not score["suppressed"]
    got = api.get("assessments/dbi-business/figures", who="outsider", period="2025")
    assert got.json()["items"] == []
    listed = api.get("assessments", who="colleague").json()
    assert {q["code"] for q in listed} == {"dbi-business", "satisfaction"}


def test_a_citizen_rates_anonymously_once_per_sheet(surveys, communes):
    client = Client()
    response = client.post("/survey/satisfaction/", {"dossier": "", "commune": communes["b"].pk})
    assert response.status_code == 302
    sheet = Sheet.objects.get(series="satisfaction")
    assert sheet.commune == communes["b"] and sheet.respondent is None
    answers = {
        "r_access": "4",
        "r_online": "no",
        "r_procedure": "5",
        "r_staff": "4",
        "r_result": "3",
    }
    response = client.post(response["Location"], {**answers, "submit": "1"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED
    # access 3/4, procedure 4/4, staff 3/4, result 2/4 -> (75 + 100 + 75 + 50) / 4
    assert sheet.score == pytest.approx(75.0) and sheet.level == "satisfied"
    assert Client().get(f"/survey/sheet/{sheet.pk}/result").status_code == 404


def test_a_dossier_code_that_is_not_stored_is_refused(surveys, communes):
    page = Client().post("/survey/satisfaction/", {"dossier": "HS-NOPE", "commune": ""})
    assert page.status_code == 200 and "No dossier with this code" in page.content.decode()
    assert not Sheet.objects.exists()
