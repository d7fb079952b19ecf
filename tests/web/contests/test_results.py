"""Results and the organisers' side: ranking with tie-breaks, prizes, publishing,
personas (organiser, participant, outsider, anonymous), participation per unit equal to
a plain count, the emulation figures, the question bank in Excel (preview, all or
nothing), certificates, the API and the purge."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dxscore.web.contests import excel, results, work
from dxscore.web.contests.models import (
    Attempt,
    Option,
    Participant,
    Prize,
    Question,
    QuestionUpload,
    Round,
    UnitSize,
)
from dxscore.web.data.models import Period
from dxscore.web.plans import emulation
from tests.web.contests.conftest import join_citizen


def person(contest, unit, n):
    return Participant.objects.create(
        contest=contest,
        type="citizen",
        identity=f"p{n}@e.vn",
        name=f"P{n}",
        unit=unit,
        confirmed_at=timezone.now(),
    )


def take(r, p, right: int, prediction=None, seconds=100, address=None):
    """An attempt of ``p`` with ``right`` answers right, taking ``seconds``."""
    a = work.start(r, p, address)
    correct = set(Option.objects.filter(correct=True).values_list("pk", flat=True))
    for i, q in enumerate(a.questions):
        opts = a.orders[str(q)]
        good = [o for o in opts if o in correct]
        bad = [o for o in opts if o not in correct][:1]
        work.save_answer(a, q, good if i < right else bad)
    a = work.finalise(a, prediction)
    Attempt.objects.filter(pk=a.pk).update(submitted_at=a.served_at + dt.timedelta(seconds=seconds))
    return Attempt.objects.get(pk=a.pk)


def close(r):
    Round.objects.filter(pk=r.pk).update(
        opens_at=timezone.now() - dt.timedelta(hours=3), closes_at=timezone.now()
    )
    r.refresh_from_db()


def test_ranking_by_score_then_prediction_then_time_with_prizes(contest, round1, org):
    ps = [person(contest, org.d256, n) for n in range(5)]
    take(round1, ps[0], 4, prediction=50, seconds=200)  # all right
    take(round1, ps[1], 4, prediction=2, seconds=300)  # all right, exact prediction
    take(round1, ps[2], 4, prediction=2, seconds=250)  # same, faster
    take(round1, ps[3], 3, prediction=2, seconds=10)  # fewer right
    take(round1, ps[4], 4, prediction=None, seconds=5)  # no prediction: farthest
    # the true count is 4 (p0, p1, p2, p4): p1, p2 are 2 off, p0 46 off
    Prize.objects.create(contest=contest, round=round1, title="Giải Nhất", first=1, last=1)
    Prize.objects.create(contest=contest, round=round1, title="Giải Nhì", first=2, last=3)
    rows, true_count = results.round_ranking(round1)
    assert true_count == 4
    assert [(r.rank, r.participant.name, r.prize) for r in rows] == [
        (1, "P2", "Giải Nhất"),
        (2, "P1", "Giải Nhì"),
        (3, "P0", "Giải Nhì"),
        (4, "P4", ""),
        (5, "P3", ""),
    ]


def test_personas_on_the_organisers_pages_and_unpublished_results(
    client, contest, round1, org, people
):
    me = join_citizen(client, contest, org)
    take(round1, me, 2)
    base = f"/contests/{contest.slug}"
    # the participant (a citizen, no account): no organiser page, no unpublished results
    assert client.get(f"{base}/manage/").status_code == 302  # to the login page
    assert client.get(f"{base}/rounds/1/results").status_code == 404
    client.force_login(people["outsider"])
    assert client.get(f"{base}/manage/").status_code == 403
    assert client.post(f"{base}/manage/rounds/1/publish").status_code == 403
    assert client.get(f"{base}/manage/participation.xlsx").status_code == 403
    assert client.get(f"{base}/rounds/1/results").status_code == 404
    client.force_login(people["organiser"])
    assert client.get(f"{base}/manage/").status_code == 200
    assert client.get(f"{base}/rounds/1/results").status_code == 200
    early = client.post(f"{base}/manage/rounds/1/publish", follow=True)
    assert "after the round closes" in early.content.decode()
    close(round1)
    client.post(f"{base}/manage/rounds/1/publish")
    round1.refresh_from_db()
    assert round1.results_published_at is not None
    client.logout()
    page = client.get(f"{base}/rounds/1/results")
    assert page.status_code == 200 and me.name in page.content.decode()


def test_an_attempt_left_running_is_finalised_when_its_time_is_up(contest, round1, org):
    p = person(contest, org.d256, 1)
    a = work.start(round1, p)
    q = a.questions[0]
    work.save_answer(a, q, [a.orders[str(q)][0]])
    Attempt.objects.filter(pk=a.pk).update(deadline=timezone.now())
    rows, _t = results.round_ranking(round1)
    a.refresh_from_db()
    assert a.submitted_at == a.deadline and len(rows) == 1  # nothing lost


def test_participation_per_unit_equals_a_plain_count(contest, round1, org):
    from dxscore.web.orgs.models import Level, Unit

    commune = Level.objects.create(name="commune", depth=3)
    c1 = Unit.objects.create(code="256-01", name="Phường 1", level=commune, parent=org.d256)
    units = [org.d256, org.d256, c1, c1, c1, org.d257, org.bac_ninh]
    ps = [person(contest, u, n) for n, u in enumerate(units)]
    for n, p in enumerate(ps):
        take(round1, p, n % 5)
    UnitSize.objects.create(contest=contest, unit=org.d256, size=100)
    got = {p.unit: p for p in results.participation(contest, [org.d256, org.d257])}
    for unit in (org.d256, org.d257):
        plain = (
            Attempt.objects.filter(
                round=round1,
                submitted_at__isnull=False,
                participant__unit__path__startswith=unit.path,
            )
            .values("participant")
            .distinct()
            .count()
        )
        assert got[unit.code].participants == plain
    assert got["256"].participants == 5 and got["256"].rate == pytest.approx(0.05)
    shares = [a.score / a.maximum for a in Attempt.objects.filter(participant__in=ps[:5])]
    assert got["256"].mean_share == pytest.approx(sum(shares) / 5)


def test_the_emulation_ranking_reads_participation_like_task_delivery(contest, round1, org):
    for n, u in enumerate([org.d256, org.d256, org.d257]):
        take(round1, person(contest, u, n), 4 if n else 2)
    UnitSize.objects.create(contest=contest, unit=org.d257, size=10)
    year = timezone.localdate().year
    period = Period.objects.create(code=str(year))
    figures = emulation.delivery([org.d256, org.d257, org.d80], period)
    assert figures["256"]["contest_participants"] == 2
    assert figures["256"]["contest_participation_rate"] is None  # size unknown
    assert figures["256"]["contest_mean_score"] == pytest.approx(0.75)
    assert figures["257"]["contest_participation_rate"] == pytest.approx(0.1)
    assert figures["80"]["contest_participants"] is None
    other = Period.objects.create(code=str(year - 3))
    assert emulation.delivery([org.d256], other)["256"]["contest_participants"] is None


def test_participation_workbook_has_no_formula(client, contest, round1, org, people):
    take(round1, person(contest, org.d256, 1), 2)
    client.force_login(people["organiser"])
    data = client.get(f"/contests/{contest.slug}/manage/participation.xlsx").content
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.values)
    assert rows[0][:3] == ("unit", "name", "participants")
    assert rows[1][:3] == ("256", "TP. Bắc Ninh", 1)


def _upload(client, contest, rows):
    from openpyxl import Workbook

    from dxscore.tables import append, workbook_bytes

    wb = Workbook()
    ws = wb.active
    ws.title = "questions"
    for r in rows:
        append(ws, r)
    data = workbook_bytes(wb)
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/contests/{contest.slug}/manage/questions/upload",
        {"file": SimpleUploadedFile("q.xlsx", data)},
    )


def test_the_question_bank_round_trips_through_excel_all_or_nothing(client, contest, org, people):
    client.force_login(people["organiser"])
    data = client.get(f"/contests/{contest.slug}/manage/questions.xlsx").content
    rows = [list(r) for r in load_workbook(io.BytesIO(data)).active.values]
    assert rows[0] == excel.COLUMNS and len(rows) == 7
    rows[1][5] = "Chuyển đổi số là gì? (sửa)"
    new = ["Q7", "p06", 3, "multiple", 2, "Câu mới", "A", "B", "C", None, None, None, "1,3", ""]
    bad = ["Q8", "p06", 5, "single", 1, "Câu sai", "A", None, None, None, None, None, "2", ""]
    answer = _upload(client, contest, [*rows, bad])
    upload = QuestionUpload.objects.latest("pk")
    assert upload.state == "rejected"
    places = [w for w, _m in upload.problems]
    assert "sheet 'questions', row 8, column C (difficulty)" in places
    assert any("column M (correct)" in w for w in places)
    assert Question.objects.get(code="Q1").text == "Chuyển đổi số là gì?"
    answer = _upload(client, contest, [*rows, new])
    upload = QuestionUpload.objects.latest("pk")
    assert upload.state == "preview", upload.problems
    page = client.get(answer.url).content.decode()
    assert "Q7" in page and "Q1" in page
    client.post(f"/contests/{contest.slug}/manage/uploads/{upload.pk}/commit", {"action": "commit"})
    assert Question.objects.get(code="Q1").text.endswith("(sửa)")
    q7 = Question.objects.get(code="Q7")
    assert [o.correct for o in q7.options.all()] == [True, False, True] and q7.points == 2


def test_an_answered_questions_options_cannot_change(client, contest, round1, org, people):
    p = person(contest, org.d256, 1)
    take(round1, p, 4)
    client.force_login(people["organiser"])
    data = client.get(f"/contests/{contest.slug}/manage/questions.xlsx").content
    rows = [list(r) for r in load_workbook(io.BytesIO(data)).active.values]
    for r in rows[1:]:
        r[12] = "1" if r[12] != "1" else "2"
        if r[3] == "multiple":
            r[12] = "2"
    _upload(client, contest, rows)
    upload = QuestionUpload.objects.latest("pk")
    assert upload.state == "rejected"
    assert any("has been answered" in m for _w, m in upload.problems)


@pytest.mark.slow
def test_a_certificate_pdf_for_the_participant_only(
    client, contest, round1, org, people, pdftotext, tmp_path
):
    me = join_citizen(client, contest, org)
    a = take(round1, me, 3)
    Prize.objects.create(contest=contest, round=round1, title="Giải Nhất", first=1, last=1)
    close(round1)
    work.publish(people["organiser"], round1)
    answer = client.get(f"/contests/a/{a.key}/certificate.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    path = tmp_path / "c.pdf"
    path.write_bytes(answer.content)
    text = subprocess.run([pdftotext, str(path), "-"], capture_output=True, text=True).stdout
    assert "Nguyễn Văn A" in text and "Giải Nhất" in text and "TP. Bắc Ninh" in text
    client.cookies.clear()
    assert client.get(f"/contests/a/{a.key}/certificate.pdf").status_code == 404


def test_the_api_gives_rankings_to_organisers_only(api, contest, round1, org, people):
    take(round1, person(contest, org.d256, 1), 3)
    api.people = people
    ok = api.get(f"contests/{contest.slug}/rounds/1/ranking", who="organiser")
    assert ok.status_code == 200 and ok.json()[0]["unit"] == "256"
    assert api.get(f"contests/{contest.slug}/participation", who="organiser").json()[0] == {
        "unit": "256",
        "participants": 1,
        "size": None,
        "rate": None,
        "mean_score_share": 0.75,
    }
    assert api.get(f"contests/{contest.slug}/participation", who="outsider").status_code == 403


def test_flags_shared_address_and_tab_switches(contest, round1, org, client, people):
    for n in range(5):
        a = take(round1, person(contest, org.d256, n), 2, address="10.1.1.1")
    Attempt.objects.filter(pk=a.pk).update(tab_switches=4)
    found = results.flags(round1)
    assert list(found.addresses) == ["10.1.1.1"] and len(found.addresses["10.1.1.1"]) == 5
    assert [x.pk for x in found.tabs] == [a.pk]
    assert len(found.fast) == 5  # answered at once, faster than reading time
    client.force_login(people["organiser"])
    page = client.get(f"/contests/{contest.slug}/manage/").content.decode()
    assert "5 identities from 10.1.1.1" in page and "(4)" in page


def test_the_purge_removes_personal_data_after_the_retention_date(
    client, contest, round1, org, people
):
    me = join_citizen(client, contest, org)
    take(round1, me, 2, address="10.0.0.9")
    with pytest.raises(work.ContestError):
        work.purge(people["organiser"], contest)
    with pytest.raises(work.ContestNotAllowed):
        work.purge(people["outsider"], contest, contest.retention_until + dt.timedelta(days=1))
    n = work.purge(people["organiser"], contest, contest.retention_until + dt.timedelta(days=1))
    me.refresh_from_db()
    assert n == 1 and me.identity == "" and me.name == f"#{me.pk}" and me.unit == org.d256
    assert not Attempt.objects.filter(address__isnull=False).exists()
    assert results.participation(contest, [org.d256])[0].participants == 1  # figures stay


def test_the_manage_page_writes_the_mean_score_as_the_reader_writes_a_rate(
    client, contest, round1, org, people
):
    from django.conf import settings

    take(round1, person(contest, org.d256, 1), 1)
    take(round1, person(contest, org.d256, 2), 2)  # 1/4 and 2/4 right: a mean of 37.5%
    client.force_login(people["organiser"])
    for language, shown in (("vi", "37,5%"), ("en", "37.5%")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(f"/contests/{contest.slug}/manage/").content.decode()
        table = page[page.index('id="participation"') :]
        assert shown in table.split("</table>")[0], language
