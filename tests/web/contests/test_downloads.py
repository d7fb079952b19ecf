"""The downloads of the contests' tables (a round's results, the overall ranking, the
initiatives standing): the rows the page shows (every one; the pages show 200), the
page's access rule, nothing exported as a formula; and the pages' numbers in the
reader's language (a decimal comma in Vietnamese, machine numbers in form inputs)."""

from __future__ import annotations

import csv
import datetime as dt
import html as markup
import io
import json
import re

import pytest
from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook

from dxscore.tables import read_text
from dxscore.web.contests import initiatives as initiative_work
from dxscore.web.contests.models import Assignment, Attempt
from tests.web.contests.conftest import join_citizen, submitted
from tests.web.contests.test_results import close, person, take

FORMATS = ("csv", "xlsx", "json")


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _json(response) -> dict:
    assert response.status_code == 200
    return json.loads(response.content)


def _sheet(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def _page_rows(response, table_id: str) -> list[list[str]]:
    html = response.content.decode()
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    cells = r"<td[^>]*>(.*?)</td>"
    return [
        [markup.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(cells, tr, re.S)]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def _publish(r):
    close(r)
    type(r).objects.filter(pk=r.pk).update(results_published_at=timezone.now())
    r.refresh_from_db()


@pytest.fixture
def ranked(contest, round1, org):
    """Three participants of round 1 (one named like a formula), with fractional times."""
    ps = [person(contest, org.d256, n) for n in range(3)]
    ps[2].name = '=HYPERLINK("http://x")'
    ps[2].save()
    take(round1, ps[0], 4, prediction=3, seconds=100.25)
    take(round1, ps[1], 3, prediction=1, seconds=50.5)
    take(round1, ps[2], 2, prediction=None, seconds=10)
    return ps


def test_round_results_download_has_the_pages_rows_at_stored_precision(
    client, contest, round1, org, people, ranked
):
    _publish(round1)
    base = f"/contests/{contest.slug}/rounds/1/results"
    page = client.get(base)
    assert 'class="downloads"' in page.content.decode()
    shown = _page_rows(page, "ranking")
    rows = _csv(client.get(f"{base}.csv"))
    assert [read_text(r["participant"]) for r in rows] == [s[1] for s in shown]
    assert [r["rank"] for r in rows] == [s[0] for s in shown]
    assert list(rows[0]) == [
        "rank",
        "participant",
        "unit",
        "score",
        "maximum",
        "prediction",
        "seconds",
        "prize",
    ]
    first = rows[0]
    assert first["participant"] == "P0" and first["unit"] == org.d256.name
    assert float(first["seconds"]) == pytest.approx(100.25)  # the page shows 100
    assert shown[0][5] == "100"
    assert first["prediction"] == "3" and rows[2]["prediction"] == ""
    assert shown[0][3] == f"{float(first['score']):.0f}/{float(first['maximum']):.0f}"
    data = _json(client.get(f"{base}.json"))
    assert [c["key"] for c in data["columns"]][:3] == ["rank", "participant", "unit"]
    assert [r["participant"] for r in data["rows"]] == [s[1] for s in shown]  # JSON: as typed
    assert data["meta"]["round"] == 1 and data["meta"]["contest"] == contest.slug
    ws = _sheet(client.get(f"{base}.xlsx"))
    assert [c.value for c in ws[1]][:3] == ["Rank", "Participant", "Unit"]
    assert ws.max_row == 4
    assert client.get(f"{base}.pdf").status_code == 404
    assert client.get(f"{base}.exe").status_code == 404


def test_a_name_like_a_formula_is_text_in_the_downloads(client, contest, round1, ranked):
    _publish(round1)
    base = f"/contests/{contest.slug}/rounds/1/results"
    names = [r["participant"] for r in _csv(client.get(f"{base}.csv"))]
    assert '\'=HYPERLINK("http://x")' in names
    ws = _sheet(client.get(f"{base}.xlsx"))
    cells = [c for c in ws["B"] if str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
    overall = _csv(client.get(f"/contests/{contest.slug}/results/overall.csv"))
    overall = [r["participant"] for r in overall]
    assert '\'=HYPERLINK("http://x")' in overall


def test_round_results_download_follows_the_pages_rule_before_publication(
    client, contest, round1, org, people
):
    me = join_citizen(client, contest, org)  # the participant (a citizen, no account)
    take(round1, me, 2)
    base = f"/contests/{contest.slug}/rounds/1/results"
    for fmt in FORMATS:
        assert client.get(f"{base}.{fmt}").status_code == 404  # as the page
    assert client.get(base).status_code == 404
    client.force_login(people["outsider"])
    for fmt in FORMATS:
        assert client.get(f"{base}.{fmt}").status_code == 404
    client.force_login(people["organiser"])  # the organisers preview them
    assert [r["participant"] for r in _csv(client.get(f"{base}.csv"))] == [me.name]
    assert client.get(f"{base}.xml").status_code == 404
    _publish(round1)
    client.force_login(people["outsider"])
    assert [r["participant"] for r in _csv(client.get(f"{base}.csv"))] == [me.name]
    client.logout()
    assert _json(client.get(f"{base}.json"))["rows"][0]["participant"] == me.name


def test_every_row_is_downloaded_where_the_page_shows_200(client, contest, round1, org):
    ps = [person(contest, org.d256, n) for n in range(205)]
    served = timezone.now() - dt.timedelta(minutes=30)
    Attempt.objects.bulk_create(
        Attempt(
            round=round1,
            participant=p,
            questions=[],
            orders={},
            served_at=served,
            deadline=served + dt.timedelta(minutes=5),
            submitted_at=served + dt.timedelta(seconds=10 + n),
            score=n % 7,
            maximum=6,
        )
        for n, p in enumerate(ps)
    )
    _publish(round1)
    page = client.get(f"/contests/{contest.slug}/rounds/1/results")
    assert len(_page_rows(page, "ranking")) == 200
    assert "the downloads have every one" in page.content.decode()
    rows = _csv(client.get(f"/contests/{contest.slug}/rounds/1/results.csv"))
    assert len(rows) == 205
    assert [r["participant"] for r in rows[:200]] == [s[1] for s in _page_rows(page, "ranking")]
    overall = client.get(f"/contests/{contest.slug}/results/")
    assert len(_page_rows(overall, "overall")) == 200
    assert len(_csv(client.get(f"/contests/{contest.slug}/results/overall.csv"))) == 205


def test_overall_download_personas_and_content(client, contest, round1, org, people, ranked):
    base = f"/contests/{contest.slug}/results/overall"
    # nothing published yet: the page and its download list nobody
    assert _csv(client.get(f"{base}.csv")) == []
    _publish(round1)
    expected = None
    for who in ("organiser", "outsider", None):  # organiser, a stranger, anonymous
        if who is None:
            client.logout()
        else:
            client.force_login(people[who])
        page = client.get(f"/contests/{contest.slug}/results/")
        shown = _page_rows(page, "overall")
        rows = _csv(client.get(f"{base}.csv"))
        assert [(r["rank"], read_text(r["participant"])) for r in rows] == [
            (s[0], s[1]) for s in shown
        ]
        assert "prediction" not in rows[0]
        expected = expected or rows
        assert rows == expected
    assert float(expected[0]["seconds"]) == pytest.approx(100.25)
    assert [c.value for c in _sheet(client.get(f"{base}.xlsx"))[1]][:2] == ["Rank", "Participant"]
    assert len(_json(client.get(f"{base}.json"))["rows"]) == 3
    assert client.get(f"{base}.txt").status_code == 404
    assert client.get("/contests/no-such-contest/results/overall.csv").status_code == 404


def _scored(client, competition, people):
    a = submitted(client, competition, people["owner"], "=Một cửa số")
    b = submitted(client, competition, people["colleague"], "Từ Sơn số")
    for evaluator, points in (
        (people["evaluator2"], {"novelty": 20.5, "effect": 30, "scope": 20}),
        (people["organiser"], {"novelty": 20.5, "effect": 30, "scope": 20}),
    ):
        initiative_work.assign(people["organiser"], a, evaluator)
        initiative_work.score(
            evaluator, Assignment.objects.get(initiative=a, evaluator=evaluator), points
        )
    e = people["evaluator2"]
    initiative_work.assign(people["organiser"], b, e)
    initiative_work.score(
        e,
        Assignment.objects.get(initiative=b, evaluator=e),
        {"novelty": 10, "effect": 20, "scope": 10.25},
    )
    return a, b


def test_the_standing_download_personas_and_stored_precision(
    client,
    competition,
    people,
):
    a, b = _scored(client, competition, people)
    base = f"/contests/initiatives/{competition.pk}/standing"
    # not published: the organisers see the standing, nobody else (the page shows none)
    client.force_login(people["organiser"])
    page = client.get(f"/contests/initiatives/{competition.pk}/")
    shown = _page_rows(page, "standing")
    rows = _csv(client.get(f"{base}.csv"))
    assert [r["code"] for r in rows] == [s[1].split()[0] for s in shown] == [a.code, b.code]
    assert rows[0]["title"] == "'=Một cửa số"  # a title like a formula is text
    assert float(rows[0]["points"]) == pytest.approx(70.5)
    assert float(rows[1]["points"]) == pytest.approx(40.25)  # the page shows 40.25
    assert float(rows[1]["score"]) == pytest.approx(40.25)
    assert list(rows[0]) == ["rank", "code", "title", "adopted", "score", "points", "evaluators"]
    data = _json(client.get(f"{base}.json"))
    assert data["rows"][0]["evaluators"] == 2 and data["rows"][0]["adopted"] is False
    ws = _sheet(client.get(f"{base}.xlsx"))
    assert [c.value for c in ws[1]][:3] == ["Rank", "Code", "Initiative"]
    assert ws["C2"].data_type == "s" and ws["E3"].value == pytest.approx(40.25)
    assert ws["E3"].number_format == "0.00"
    assert client.get(f"{base}.docx").status_code == 404
    for who in ("outsider", "owner"):  # a stranger; the submitter of one initiative
        client.force_login(people[who])
        page = client.get(f"/contests/initiatives/{competition.pk}/")
        assert page.status_code == 200 and 'id="standing"' not in page.content.decode()
        for fmt in FORMATS:
            assert client.get(f"{base}.{fmt}").status_code == 404
    client.logout()
    assert client.get(f"{base}.csv").status_code == 404
    initiative_work.publish(people["organiser"], competition)
    assert _csv(client.get(f"{base}.csv")) == rows  # published: everybody
    client.force_login(people["outsider"])
    assert _csv(client.get(f"{base}.csv")) == rows


def _explained_cells(row: dict) -> list[str]:
    """A download's explanation row as the page writes it in English (points and scores
    with 2 decimals, the maximum as a plain number; none for the index: ``–``)."""
    return [
        read_text(row["name"]),
        f"{float(row['points']):.2f}",
        f"{float(row['max_points']):g}" if row["max_points"] else "–",
        f"{float(row['score']):.2f}",
    ]


def test_the_explanation_download_is_the_pages_explanation(client, competition, people):
    from dxscore.web.data.methodologies import store

    rubric = initiative_work.RUBRIC_EXAMPLE.replace(
        "Scope of application", "=Scope of use"
    ).replace('version: "1"', 'version: "2"')
    competition.rubric = store(rubric)  # an organiser's name like a formula
    competition.save()
    a, b = _scored(client, competition, people)
    base = f"/contests/initiative/{a.pk}/explanation"
    client.force_login(people["organiser"])  # before publication: the organisers
    page = client.get(f"/contests/initiative/{a.pk}/")
    assert f'href="{base}.csv"' in page.content.decode()
    shown = _page_rows(page, "explanation")
    rows = _csv(client.get(f"{base}.csv"))
    assert [_explained_cells(r) for r in rows] == shown
    assert list(rows[0]) == ["name", "points", "max_points", "score"]
    assert [r["name"] for r in rows] == [
        "Initiative score",
        "Novelty and creativity",
        "Effect and benefit",
        "'=Scope of use",  # text, never a formula
    ]
    novelty = rows[1]
    assert float(novelty["points"]) == pytest.approx(20.5) and novelty["max_points"] == "30.0"
    assert float(novelty["score"]) == pytest.approx(20.5 / 30 * 100)  # stored: 68.333...
    assert novelty["score"] != "68.33"
    data = _json(client.get(f"{base}.json"))
    assert [c["key"] for c in data["columns"]] == ["name", "points", "max_points", "score"]
    assert data["rows"][3]["name"] == "=Scope of use"
    assert data["meta"]["initiative"] == a.code and data["meta"]["published_at"] is None
    ws = _sheet(client.get(f"{base}.xlsx"))
    assert [c.value for c in ws[1]] == ["Criterion", "Points", "Maximum", "Score"]
    assert ws["A5"].data_type == "s" and ws["A5"].value == "=Scope of use"
    assert ws["D3"].value == pytest.approx(20.5 / 30 * 100) and ws["D3"].number_format == "0.00"
    assert client.get(f"{base}.pdf").status_code == 404
    organiser_rows = rows
    for who in ("owner", "outsider"):  # the submitter: no explanation shown; a stranger
        client.force_login(people[who])
        page = client.get(f"/contests/initiative/{a.pk}/")
        assert page.status_code == (200 if who == "owner" else 404)
        assert 'id="explanation"' not in page.content.decode()
        for fmt in FORMATS:
            assert client.get(f"{base}.{fmt}").status_code == 404
    client.logout()
    assert client.get(f"{base}.csv").status_code == 404
    initiative_work.publish(people["organiser"], competition)
    for who in ("outsider", None):  # published: everybody, signed in or not
        if who:
            client.force_login(people[who])
        else:
            client.logout()
        shown = _page_rows(client.get(f"/contests/initiative/{a.pk}/"), "explanation")
        rows = _csv(client.get(f"{base}.csv"))
        assert rows == organiser_rows and [_explained_cells(r) for r in rows] == shown
    assert client.get("/contests/initiative/999999/explanation.csv").status_code == 404


def test_the_score_sheet_keeps_stored_numbers(client, competition, people):
    _scored(client, competition, people)
    client.force_login(people["organiser"])
    ws = load_workbook(
        io.BytesIO(client.get(f"/contests/initiatives/{competition.pk}/scores.xlsx").content)
    )["ranking"]
    header = [c.value for c in ws[1]]
    score = ws.cell(row=3, column=header.index("score") + 1)
    assert score.value == pytest.approx(40.25) and score.number_format == "0.00"


def test_a_vietnamese_page_writes_a_decimal_comma(client, competition, people):
    a, b = _scored(client, competition, people)
    client.force_login(people["organiser"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    shown = _page_rows(client.get(f"/contests/initiatives/{competition.pk}/"), "standing")
    assert shown[0][2:4] == ["70,50", "70,50"] and shown[1][2:4] == ["40,25", "40,25"]
    # the form's inputs keep machine numbers in every language
    html = client.get(f"/contests/initiative/{a.pk}/").content.decode()
    form = html.split('id="score"')[1].split("</form>")[0]
    assert 'max="30"' in form and 'value="20.5"' in form and "20,5" not in form
    explained = _page_rows(client.get(f"/contests/initiative/{a.pk}/"), "explanation")
    assert ["Novelty and creativity", "20,50", "30", "68,33"] in explained
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    shown = _page_rows(client.get(f"/contests/initiatives/{competition.pk}/"), "standing")
    assert shown[0][2:4] == ["70.50", "70.50"]


def test_the_certificate_writes_its_numbers_by_the_figures_rule(contest, round1, ranked, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import translation

    from dxscore.web.contests import results
    from dxscore.web.contests.certificates import certificate_html

    _publish(round1)
    rows, _true = results.round_ranking(round1)
    first = rows[0]
    request = rf.get("/")
    request.user = AnonymousUser()
    html = certificate_html(request, contest, round1, first)
    assert f"rank 1, {first.score:.0f} of {first.maximum:.0f} points" in html
    first.maximum = 1200.0  # a count: grouped as the reader's language groups it
    with translation.override("vi"):
        html = certificate_html(request, contest, round1, first)
    assert "1.200" in html and "1200" not in html
