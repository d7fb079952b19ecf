"""Taking a round: joining with a one-time code, the draw, answers saved as given and
resumed, the timing rule on the server's clock, one attempt per round (or the allowed
number, the best counting), and fairness: no response before submission says which
options are correct."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.utils import timezone

from dxscore.web.contests import work
from dxscore.web.contests.models import Answer, Attempt, Option, Participant
from tests.web.contests.conftest import join_citizen

OPTION = re.compile(r'<label class="option">(.*?)</label>', re.S)


class Recorder:
    """The test client, keeping every response."""

    def __init__(self, client):
        self.client, self.responses = client, []

    def get(self, *a, **kw):
        r = self.client.get(*a, **kw)
        self.responses.append(r)
        return r

    def post(self, *a, **kw):
        r = self.client.post(*a, **kw)
        self.responses.append(r)
        return r


def correct_ids(attempt) -> set[int]:
    return set(
        Option.objects.filter(question_id__in=attempt.questions, correct=True).values_list(
            "pk", flat=True
        )
    )


def assert_no_key(response, attempt) -> None:
    """The response does not tell correct options from the others: JSON answers carry
    only their own fields; on a page every option is rendered the same way, its id and
    text aside, and each option id appears exactly once."""
    body = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        assert set(json.loads(body)) <= {"saved", "answered", "remaining", "error", "ok"}
        return
    assert "option right" not in body and "data-correct" not in body
    labels = OPTION.findall(body)
    shapes = {
        re.sub(r'(value|name)="q?\d+"', "", re.sub(r"<span>.*?</span>", "", x)) for x in labels
    }
    shapes = {s.replace(" checked", "").replace('type="checkbox"', 'type="radio"') for s in shapes}
    assert len(shapes) <= 1, shapes
    if labels:
        for oid in {o for q in attempt.questions for o in attempt.orders[str(q)]}:
            assert body.count(f'value="{oid}"') == 1


def test_a_citizen_joins_takes_the_round_resumes_and_submits(client, contest, round1, org):
    rec = Recorder(client)
    wrong = rec.post(
        f"/contests/{contest.slug}/join",
        {"type": "citizen", "name": "B", "identity": "12345", "unit": org.d256.pk},
    )
    assert wrong.status_code == 400 and "10 digits" in wrong.content.decode()
    me = join_citizen(client, contest, org)
    assert me.type == "citizen" and me.unit == org.d256 and me.identity == "dan@example.vn"
    answer = rec.post(f"/contests/{contest.slug}/rounds/1/start")
    attempt = Attempt.objects.get(participant=me)
    assert answer.url == f"/contests/a/{attempt.key}/"
    assert len(attempt.questions) == 4
    page = rec.get(answer.url)
    assert page.status_code == 200
    right = correct_ids(attempt)
    first, second = attempt.questions[:2]
    good = [o for o in attempt.orders[str(first)] if o in right]
    bad = [o for o in attempt.orders[str(second)] if o not in right][:1]
    saved = rec.post(f"{answer.url}answer", {"question": first, "option": good})
    assert saved.status_code == 200 and saved.json()["answered"] == 1
    rec.post(f"{answer.url}answer", {"question": second, "option": bad})
    rec.post(f"{answer.url}tab")
    # the connection drops; the participant comes back within the time: same attempt
    again = rec.post(f"/contests/{contest.slug}/rounds/1/start")
    assert again.url == answer.url
    resumed = rec.get(answer.url).content.decode()
    for oid in [*good, *bad]:
        assert f'value="{oid}" checked' in resumed
    contest_page = rec.get(f"/contests/{contest.slug}/")
    assert "Continue your attempt" in contest_page.content.decode()
    for r in rec.responses:
        assert_no_key(r, attempt)
    done = client.post(f"{answer.url}submit", {"prediction": "7"})
    attempt.refresh_from_db()
    assert done.url == f"/contests/a/{attempt.key}/result"
    assert attempt.correct_count == 1 and attempt.score == 1 and attempt.prediction == 7
    assert attempt.tab_switches == 1
    shown = client.get(done.url).content.decode()
    assert "option right" in shown  # after submission the key is shown
    late = client.post(f"{answer.url}answer", {"question": first, "option": good})
    assert late.status_code == 409


def test_the_server_refuses_answers_after_the_deadline(client, contest, round1, org, monkeypatch):
    me = join_citizen(client, contest, org)
    attempt = work.start(round1, me)
    assert attempt.deadline == attempt.served_at + dt.timedelta(seconds=300)
    q = attempt.questions[0]
    option = attempt.orders[str(q)][0]
    served = attempt.served_at
    monkeypatch.setattr(timezone, "now", lambda: served + dt.timedelta(seconds=299))
    work.save_answer(attempt, q, [option])  # within the time
    monkeypatch.setattr(timezone, "now", lambda: served + dt.timedelta(seconds=300))
    with pytest.raises(work.TimeUp):
        work.save_answer(attempt, q, [attempt.orders[str(q)][1]])
    answer = client.post(f"/contests/a/{attempt.key}/answer", {"question": q, "option": option})
    assert answer.status_code == 409 and "too late" in answer.json()["error"]
    assert Answer.objects.get(attempt=attempt).chosen == [option]  # the late one did not land
    # the page after the time finalises with what was saved in time
    page = client.get(f"/contests/a/{attempt.key}/")
    assert page.url.endswith("/result")
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline


def test_submitting_late_counts_only_answers_saved_in_time(
    client, contest, round1, org, monkeypatch
):
    me = join_citizen(client, contest, org)
    attempt = work.start(round1, me)
    right = correct_ids(attempt)
    served = attempt.served_at
    monkeypatch.setattr(timezone, "now", lambda: served + dt.timedelta(seconds=400))
    form = {f"q{q}": [o for o in attempt.orders[str(q)] if o in right] for q in attempt.questions}
    client.post(f"/contests/a/{attempt.key}/submit", {**form, "prediction": "3"})
    attempt.refresh_from_db()
    assert attempt.score == 0 and attempt.prediction is None
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_a_round_closing_cuts_the_time_short(contest, round1, org):
    round1.closes_at = timezone.now() + dt.timedelta(seconds=60)
    round1.save()
    me = Participant.objects.create(
        contest=contest,
        type="citizen",
        identity="x@e.vn",
        name="X",
        unit=org.d256,
        confirmed_at=timezone.now(),
    )
    assert work.start(round1, me).deadline == round1.closes_at


def test_one_attempt_per_round_unless_more_are_allowed_and_the_best_counts(
    client, contest, round1, org, monkeypatch
):
    me = join_citizen(client, contest, org)
    first = work.start(round1, me)
    work.finalise(first)
    refused = client.post(f"/contests/{contest.slug}/rounds/1/start", follow=True)
    assert "You have used every attempt of this round." in refused.content.decode()
    assert Attempt.objects.filter(participant=me).count() == 1
    round1.attempts_allowed = 2
    round1.save()
    second = work.start(round1, me)
    assert second.number == 2 and second.pk != first.pk
    right = correct_ids(second)
    for q in second.questions:
        work.save_answer(second, q, [o for o in second.orders[str(q)] if o in right])
    work.finalise(second)
    from dxscore.web.contests import results

    best = results.best_attempts(round1)
    assert best[me.pk].pk == second.pk and best[me.pk].score == 4
    with pytest.raises(work.ContestNotAllowed):
        work.start(round1, me)


def test_a_closed_or_upcoming_round_cannot_be_started(contest, round1, org):
    me = Participant.objects.create(
        contest=contest,
        type="citizen",
        identity="y@e.vn",
        name="Y",
        unit=org.d256,
        confirmed_at=timezone.now(),
    )
    round1.opens_at = timezone.now() + dt.timedelta(hours=1)
    round1.closes_at = timezone.now() + dt.timedelta(hours=2)
    round1.save()
    with pytest.raises(work.ContestError, match="not open"):
        work.start(round1, me)


def test_the_draw_is_the_same_for_a_participant_and_differs_between_them(contest, round1, org):
    seen = set()
    for n in range(8):
        p = Participant.objects.create(
            contest=contest,
            type="citizen",
            identity=f"p{n}@e.vn",
            name="P",
            unit=org.d256,
            confirmed_at=timezone.now(),
        )
        a = work.start(round1, p)
        seen.add((tuple(a.questions), tuple(tuple(a.orders[str(q)]) for q in a.questions)))
        cats = sorted(a.round.contest.questions.get(pk=q).category for q in a.questions)
        assert cats == ["cchc", "cchc", "dx", "dx"]
    assert len(seen) > 1


def test_codes_wrong_expired_and_rate_limited(client, contest, round1, org, settings):
    settings.DXSCORE_CONTEST_CODE_RATE = "2/hour"
    form = {"type": "citizen", "name": "C", "identity": "c@example.vn", "unit": org.d257.pk}
    assert client.post(f"/contests/{contest.slug}/join", form).status_code == 302
    for _n in range(5):
        bad = client.post(f"/contests/{contest.slug}/confirm", {"code": "000000"})
        assert bad.status_code == 200 and Participant.objects.count() == 0
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    spent = client.post(f"/contests/{contest.slug}/confirm", {"code": code})
    assert "expired" in spent.content.decode()  # five wrong tries spend a code
    assert client.post(f"/contests/{contest.slug}/join", form).status_code == 302
    third = client.post(f"/contests/{contest.slug}/join", form)
    assert third.status_code == 400 and "Too many codes" in third.content.decode()
    assert len(mail.outbox) == 2


def test_the_code_goes_in_the_visitors_language_and_a_new_one_ends_the_last(
    client, contest, round1, org, settings
):
    from dxscore.web.contests.models import OneTimeCode

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    form = {"type": "citizen", "name": "C", "identity": "0912 345 678", "unit": org.d257.pk}
    settings.DXSCORE_CONTEST_SMS_GATEWAY = "{phone}@sms.example.vn"
    assert client.post(f"/contests/{contest.slug}/join", form).status_code == 302
    first = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    assert mail.outbox[-1].to == ["0912345678@sms.example.vn"]
    assert mail.outbox[-1].subject.startswith("Mã xác nhận của bạn cho")
    assert client.post(f"/contests/{contest.slug}/join", form).status_code == 302
    second = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    stored = list(OneTimeCode.objects.filter(identity="0912345678").order_by("pk"))
    assert [c.used for c in stored] == [True, False]  # the first code ended
    assert not any(first in c.digest or second in c.digest for c in stored)
    if first != second:
        old = client.post(f"/contests/{contest.slug}/confirm", {"code": first})
        assert old.status_code == 200 and Participant.objects.count() == 0
    ok = client.post(f"/contests/{contest.slug}/confirm", {"code": second})
    assert ok.status_code == 302 and Participant.objects.get().identity == "0912345678"


def test_requests_per_address_are_limited(client, contest, round1, org, settings):
    settings.DXSCORE_CONTEST_IP_RATE = "3/min"
    me = join_citizen(client, contest, org)  # join + confirm: two requests
    attempt = work.start(round1, me)
    q = attempt.questions[0]
    ok = client.post(f"/contests/a/{attempt.key}/answer", {"question": q, "option": []})
    assert ok.status_code == 200
    refused = client.post(f"/contests/a/{attempt.key}/answer", {"question": q, "option": []})
    assert refused.status_code == 429 and refused["Retry-After"] == "60"


def test_an_official_takes_part_by_logging_in(client, contest, round1, people, org):
    client.force_login(people["owner"])
    client.post(f"/contests/{contest.slug}/join")
    me = Participant.objects.get(user=people["owner"])
    assert me.type == "official" and me.unit == org.d256 and me.identity == ""
    assert client.post(f"/contests/{contest.slug}/rounds/1/start").status_code == 302


def test_another_browser_cannot_open_an_attempt(client, contest, round1, org):
    me = join_citizen(client, contest, org)
    attempt = work.start(round1, me)
    client.cookies.clear()
    assert client.get(f"/contests/a/{attempt.key}/").status_code == 404
    q = attempt.questions[0]
    assert client.post(f"/contests/a/{attempt.key}/answer", {"question": q}).status_code == 404


def test_an_answer_must_be_of_the_attempt(client, contest, round1, org):
    me = join_citizen(client, contest, org)
    attempt = work.start(round1, me)
    other = Option.objects.exclude(question_id__in=attempt.questions).first()
    q = attempt.questions[0]
    bad = client.post(f"/contests/a/{attempt.key}/answer", {"question": q, "option": other.pk})
    assert bad.status_code == 400
    wrong_q = client.post(
        f"/contests/a/{attempt.key}/answer", {"question": other.question_id, "option": other.pk}
    )
    assert wrong_q.status_code == 400
    assert not Answer.objects.exists()
