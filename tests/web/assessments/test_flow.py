"""A business from start to figures: code by e-mail, draft, submission, result, PDF,
the province's figures and the published indicator values."""

from __future__ import annotations

from django.core import mail
from django.test import Client

from dxscore.web.assessments.models import Figure, Sheet, SheetState
from dxscore.web.data.models import Indicator, Value
from tests.web.assessments.conftest import FULL, register


def test_a_business_fills_submits_and_the_commune_figure_changes(surveys, communes, settings):
    settings.DXSCORE_SURVEY_MIN_COUNT = 1
    client = Client()
    sheet_url = register(client, communes["a"])
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chu@dn.vn"]
    page = client.get(sheet_url)
    assert page.status_code == 200 and "c_channels" in page.content.decode()
    sheet = Sheet.objects.get()
    # a draft saved as the person goes: only the valid answers are kept
    saved = client.post(f"/survey/sheet/{sheet.pk}/save", {"c_payment": "mixed", "c_feedback": "9"})
    assert saved.json()["saved"] and "c_feedback" in saved.json()["problems"]
    sheet.refresh_from_db()
    assert sheet.answers == {"c_payment": "mixed"} and sheet.state == SheetState.DRAFT
    # an incomplete submission changes nothing
    page = client.post(sheet_url, {"c_payment": "cash", "submit": "1"})
    assert page.status_code == 200 and "an answer is required" in page.content.decode()
    sheet.refresh_from_db()
    assert sheet.state == SheetState.DRAFT and sheet.answers == {"c_payment": "mixed"}
    # the whole sheet
    post = {k: v for k, v in FULL.items()}
    post["submit"] = "1"
    response = client.post(sheet_url, post)
    assert response.status_code == 302 and response["Location"].endswith("/result")
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED and sheet.level
    result = client.get(response["Location"])
    assert result.status_code == 200 and "Recommendations" in result.content.decode()
    figure = Figure.objects.get(unit=communes["a"], dimension="all", measure="score")
    assert figure.value == sheet.score and figure.count == 1
    value = Value.objects.get(unit=communes["a"], indicator__code="dbi_score")
    assert value.value == sheet.score and "1 answer sheets" in value.comment
    assert Indicator.objects.get(code="dbi_score").source == Indicator.Source.ASSESSMENTS
    pdf = client.get(f"/survey/sheet/{sheet.pk}/result.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # a submitted sheet is not changed any more
    client.post(f"/survey/sheet/{sheet.pk}/save", {"c_payment": "cash"})
    sheet.refresh_from_db()
    assert sheet.answers["c_payment"] == "mixed"
