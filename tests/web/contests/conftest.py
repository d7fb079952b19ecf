"""A Bắc Ninh contest with one open round of four questions drawn from six, and the
personas: ``organiser`` (organises it), ``owner`` (an official of district 256, who can
take part by logging in), ``outsider`` (Lào Cai; organises nothing), and a citizen who
joins with a one-time code sent by e-mail (``join_citizen``)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from dxscore.web.contests import initiatives
from dxscore.web.contests.models import (
    Contest,
    Initiative,
    InitiativeRound,
    Option,
    Question,
    Round,
)
from dxscore.web.data.methodologies import store
from dxscore.web.orgs.models import Role
from tests.web.support import make_person

QUESTIONS = [
    ("Q1", "dx", 1, "single", "Chuyển đổi số là gì?", ["A", "B", "C", "D"], [2]),
    ("Q2", "dx", 1, "single", "Đề án 06 về gì?", ["Dân cư", "Đất đai", "Thuế"], [1]),
    ("Q3", "dx", 2, "multiple", "Chọn các dịch vụ công trực tuyến", ["X", "Y", "Z"], [1, 3]),
    ("Q4", "cchc", 1, "single", "Một cửa là gì?", ["M", "N"], [2]),
    ("Q5", "cchc", 1, "single", "Cải cách hành chính là gì?", ["P", "Q", "R"], [3]),
    ("Q6", "cchc", 2, "single", "Thủ tục nào?", ["S", "T"], [1]),
]


def make_questions(contest) -> None:
    for code, cat, diff, kind, text, options, correct in QUESTIONS:
        q = Question.objects.create(
            contest=contest, code=code, category=cat, difficulty=diff, kind=kind, text=text
        )
        for n, t in enumerate(options, start=1):
            Option.objects.create(question=q, number=n, text=f"{code}-{t}", correct=n in correct)


@pytest.fixture
def organiser(people, org):
    user = make_person("organiser", Role.VIEWER, org.bac_ninh, org.bac_ninh)
    people["organiser"] = user
    return user


@pytest.fixture
def contest(org, organiser):
    c = Contest.objects.create(
        slug="cds-2025",
        title="Tìm hiểu chuyển đổi số 2025",
        organiser_unit=org.bac_ninh,
        rules_text="Mỗi người một lượt.",
        retention_until=timezone.localdate() + dt.timedelta(days=90),
    )
    c.organisers.add(organiser)
    make_questions(c)
    return c


@pytest.fixture
def round1(contest):
    now = timezone.now()
    return Round.objects.create(
        contest=contest,
        number=1,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=1),
        time_limit_seconds=300,
        quotas=[{"count": 2, "category": "dx"}, {"count": 2, "category": "cchc"}],
    )


def join_citizen(client, contest, org, email="dan@example.vn", name="Nguyễn Văn A"):
    """Join as a citizen: ask for a code, read it from the e-mail, confirm it."""
    mail.outbox.clear()
    answer = client.post(
        f"/contests/{contest.slug}/join",
        {"type": "citizen", "name": name, "identity": email, "unit": org.d256.pk},
    )
    assert answer.status_code == 302, answer.content[:800]
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    answer = client.post(f"/contests/{contest.slug}/confirm", {"code": code})
    assert answer.status_code == 302
    from dxscore.web.contests.models import Participant

    return Participant.objects.get(contest=contest, identity=email)


@pytest.fixture
def competition(org, people):
    """An initiatives competition of Bắc Ninh with its organiser and three evaluators
    (two of Từ Sơn, 257; one of Bắc Ninh)."""
    organiser = make_person("organiser", Role.VIEWER, org.bac_ninh, org.bac_ninh)
    people["organiser"] = organiser
    people["evaluator"] = make_person("evaluator", Role.VIEWER, org.d257, org.d257)
    people["evaluator2"] = make_person("evaluator2", Role.VIEWER, org.bac_ninh, org.bac_ninh)
    people["evaluator3"] = make_person("evaluator3", Role.VIEWER, org.d257, org.d257)
    c = InitiativeRound.objects.create(
        title="Sáng kiến CCHC 2025",
        organiser_unit=org.bac_ninh,
        rubric=store(initiatives.RUBRIC_EXAMPLE),
        period="2025",
        closes_on=timezone.localdate() + dt.timedelta(days=10),
        aggregation="trimmed_mean",
    )
    c.organisers.add(organiser)
    return c


def submitted(client, competition, who, title):
    client.force_login(who)
    answer = client.post(
        f"/contests/initiatives/{competition.pk}/submit",
        {"title": title, "problem": "Vấn đề", "solution": "Giải pháp", "effect": "Hiệu quả"},
    )
    assert answer.status_code == 302, answer
    return Initiative.objects.get(title=title)
