"""Communes under the test org's districts and the built-in questionnaires, open.

Communes ``256-01``, ``256-02`` (district 256, Bắc Ninh) and ``80-01`` (Lào Cai).
Personas: a **respondent** is a test client whose session confirmed a business;
**province staff** is ``colleague`` (sees all of Bắc Ninh) or ``steering``; the
**outsider** sees Lào Cai only."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from dxscore.web.assessments import work
from dxscore.web.assessments.models import Questionnaire
from dxscore.web.orgs.models import Level, Unit

# a full answer sheet of the built-in self-assessment (skip: no plan, so no budget)
FULL = {
    "c_channels": ["web", "social"],
    "c_order_online": "yes",
    "c_payment": "mixed",
    "c_feedback": "3",
    "s_has_plan": "no",
    "s_leader": "yes",
    "i_basics": ["broadband", "einvoice"],
    "i_integrated": "2",
    "i_new_tech": "no",
    "o_processes": ["accounting", "sales"],
    "o_dashboard": "spreadsheet",
    "k_trained": "some",
    "k_ideas": "2",
    "k_reward": "no",
    "d_stored": "files",
    "d_backup": "yes",
    "d_decisions": "3",
}


@pytest.fixture
def communes(org):
    level = Level.objects.create(name="commune", depth=3)
    return {
        "a": Unit.objects.create(
            code="256-01", name="Phường Suối Hoa", level=level, parent=org.d256
        ),
        "b": Unit.objects.create(
            code="256-02", name="Phường Vũ Ninh", level=level, parent=org.d256
        ),
        "lc": Unit.objects.create(code="80-01", name="Phường Cốc Lếu", level=level, parent=org.d80),
    }


@pytest.fixture
def surveys(communes, settings):
    settings.DXSCORE_SURVEY_MIN_COUNT = 3
    settings.DXSCORE_SURVEY_RATE = "1000/hour"
    work.ensure_builtins()
    dbi = Questionnaire.objects.get(code="dbi-business", active=True)
    work.open_period(dbi, "2025")
    sat = Questionnaire.objects.get(code="satisfaction", active=True)
    work.open_period(sat, "2025Q2")
    return {"dbi": dbi, "sat": sat}


def register(
    client, commune, tax_code="0101234567", email="chu@dn.vn", sector="trade", size="small"
):
    """A business asks for a code and confirms it; the sheet's address."""
    response = client.post(
        "/survey/dbi-business/",
        {
            "tax_code": tax_code,
            "name": "Công ty TNHH Hoa Mai",
            "email": email,
            "sector": sector,
            "size": size,
            "commune": commune.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    response = client.post("/survey/dbi-business/confirm", {"code": code})
    assert response.status_code == 302
    return response["Location"]
