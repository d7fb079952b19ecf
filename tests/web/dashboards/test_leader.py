"""The leader's view of a unit (``/leader/<unit>/``): its figures are those of the detail
pages each block links to (scorecard, resolution, task list, public-service dashboard);
published scores are public, targets, tasks and dossier figures follow their own pages'
read rules (three personas and more); the home page and the scorecard link to it."""

from __future__ import annotations

import re

import pytest

from dxscore.web.dossierdata.models import DossierMeasure, DossierQuality
from tests.web.support import publish_demo, url

QUARTERS = {"2024Q1": 0.6, "2024Q2": 0.7, "2024Q3": 0.8, "2024Q4": 0.9}


def _put(unit, period, kind, **values):
    for name, value in values.items():
        DossierMeasure.objects.create(
            unit=unit, period=period, kind=kind, measure=name, value=value
        )


@pytest.fixture
def leader(people, org, plan):
    """Bắc Ninh (27) ranked in the published DTI 2021 and 2022; the plan's resolution with
    two targets on district 256 and an overdue task of district 257; dossier measures of
    Bắc Ninh and its districts by year and quarter, and the data quality of 2024."""
    runs = publish_demo(people["admin"])
    for unit, share in ((org.bac_ninh, 0.4), (org.d256, 0.5), (org.d257, 0.25)):
        _put(unit, "2023", "year", online_share=share / 2, timeliness_rate=0.8)
        _put(unit, "2024", "year", online_share=share, timeliness_rate=0.9, received=1000)
    for quarter, rate in QUARTERS.items():
        _put(org.bac_ninh, quarter, "quarter", online_share=0.3, timeliness_rate=rate)
    DossierQuality.objects.create(
        unit=org.bac_ninh,
        period="2024",
        kind="year",
        records=1000,
        with_warnings=37,
        warnings={"finished_before_received": 37},
    )
    return {"runs": runs, **plan}


def text_of_id(html: str, element_id: str) -> str:
    """The text of the element with ``element_id`` (tags dropped, spaces joined)."""
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(p|span|strong|td)>', html, re.S)
    assert found, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_the_leaders_figures_are_those_of_the_detail_pages(as_user, leader, org):
    client = as_user("steering")
    page = client.get(url("dash_leader", "27"))
    assert page.status_code == 200
    html = page.content.decode()
    ctx = page.context

    # score, rank and change: the scorecard of the latest edition (2022, against 2021)
    score = ctx["score"]
    run = leader["runs"][-1]
    assert score["run"] == run and score["previous"] == leader["runs"][0]
    card = client.get(url("dash_scorecard", "vn-dti-2022", "2022", "27"))
    assert score["score"] == card.context["index"]["score"]
    assert score["rank"] == card.context["index"]["rank"]
    assert score["size"] == card.context["size"] == 8
    assert score["change"] == card.context["change"] is not None
    assert score["score_change"] == pytest.approx(card.context["score_change"])
    card_html = card.content.decode()
    assert text_of_id(html, "l-score") == text_of_id(card_html, "kpi-score")
    assert text_of_id(html, "l-rank") == text_of_id(card_html, "kpi-rank")
    profile = {p["node"]: p for p in card.context["profile"]}
    assert [p["node"] for p in score["pillars"]] == [
        "digital_government",
        "digital_economy",
        "digital_society",
    ]
    for p in score["pillars"]:
        assert (p["score"], p["rank"]) == (profile[p["node"]]["score"], profile[p["node"]]["rank"])
        assert f'id="lp-{p["node"]}"' in html
    assert f'href="{score["url"]}"' in html and score["url"].endswith(f"?run={run.number}")

    # targets: the resolution page's counts (its two targets lie under Bắc Ninh)
    targets = ctx["targets"]
    resolution = client.get(targets["url"])
    assert targets["url"] == url("plans:resolution", leader["resolution"].pk)
    assert targets["summary"] == resolution.context["summary"]
    assert targets["summary"]["total"] == 2
    for status, _label, n in targets["counts"]:
        assert text_of_id(html, f"l-t-{status}") == str(n)

    # tasks overdue: the task list filtered to the unit and "overdue"
    tasks = ctx["tasks"]
    listed = client.get(tasks["url"])
    assert tasks["url"] == url("plans:tasks") + "?unit=27&status=overdue"
    assert [t.pk for t in listed.context["tasks"]] == [leader["task2"].pk]
    assert tasks["overdue"] == 1 and text_of_id(html, "l-overdue") == "1"

    # Decision 766 points and data quality: the public-service dashboard's
    services = ctx["services"]
    assert services["period"] == "2024"
    dashboard = client.get(services["url"])
    mine = dashboard.context["rows"][0]
    assert mine["unit"] == org.bac_ninh and dashboard.context["period"] == "2024"
    assert [(c.code, c.points) for c in services["cells"]] == [
        (c.code, c.points) for c in mine["cells"]
    ]
    assert services["total"] == pytest.approx(mine["total"]) and services["total"] > 0
    assert services["out_of"] == mine["out_of"]
    assert text_of_id(html, "l-766-total").startswith(f"{mine['total']:.2f}")
    by_quarter = client.get(services["trend_url"])
    assert services["trend"] == by_quarter.context["trend"]
    assert [p for p, _t in services["trend"]] == list(QUARTERS)
    assert services["trend"][-1][1] > services["trend"][0][1]  # timeliness rose
    assert services["quality"] == mine["quality"]
    assert services["quality"].share == pytest.approx(0.037)
    assert text_of_id(html, "l-quality") == "3.7%"  # a rate as a percentage
    assert "<polyline" in html

    # every block links to its detail page
    for link in (score["url"], targets["url"], tasks["url"], services["url"]):
        assert f'href="{link.replace("&", "&amp;")}"' in html
        assert client.get(link).status_code == 200


def test_three_personas_see_what_their_scope_lets_them_read(as_user, client, leader):
    page = url("dash_leader", "27")
    staff = ("b-targets", "b-tasks", "b-services", "b-quality")

    # the steering office of Bắc Ninh (its owner): every block
    html = as_user("steering").get(page).content.decode()
    assert all(f'id="{b}"' in html for b in ("b-score", *staff))
    assert 'id="l-hidden"' not in html

    # a colleague of another unit (Lào Cai): the published score only
    other = as_user("outsider").get(page)
    assert other.status_code == 200
    html = other.content.decode()
    assert 'id="b-score"' in html and not any(f'id="{b}"' in html for b in staff)
    assert other.context["targets"] is None and other.context["services"] is None
    assert "52-NQ/TU" not in html and "3.7%" not in html
    assert "Not shown, outside your scope:" in html

    # an anonymous outsider: the published score only, and a word about logging in
    client.logout()
    anonymous = client.get(page)
    assert anonymous.status_code == 200
    html = anonymous.content.decode()
    assert 'id="b-score"' in html and not any(f'id="{b}"' in html for b in staff)
    assert "Log in to see what your scope covers" in html
    # a unit without a published score shows nothing to anyone outside its scope
    assert client.get(url("dash_leader", "256")).status_code == 404
    assert as_user("outsider").get(url("dash_leader", "256")).status_code == 404
    assert client.get(url("dash_leader", "nowhere")).status_code == 404


def test_each_block_follows_the_read_rule_of_its_own_page(as_user, leader):
    # a colleague who sees all of Bắc Ninh reads everything the steering office reads
    colleague = as_user("colleague").get(url("dash_leader", "27")).context
    steering = as_user("steering").get(url("dash_leader", "27")).context
    assert colleague["targets"]["summary"] == steering["targets"]["summary"]
    assert colleague["tasks"]["overdue"] == steering["tasks"]["overdue"] == 1
    assert colleague["services"]["total"] == steering["services"]["total"]
    # the owner of district 256 reads the province's plans (a resolution above their
    # scope) but not the province's dossier figures (the services dashboard's 404)
    owner = as_user("owner").get(url("dash_leader", "27")).context
    assert owner["targets"]["summary"] == steering["targets"]["summary"]
    assert owner["services"] is None
    assert as_user("owner").get("/dashboards/services/", {"unit": "27"}).status_code == 404
    # and their own district, which no published run ranks: targets and figures
    mine = as_user("owner").get(url("dash_leader", "256"))
    assert mine.status_code == 200 and mine.context["score"] is None
    assert mine.context["targets"]["summary"]["total"] == 2
    assert mine.context["tasks"]["overdue"] == 0  # the overdue task is 257's
    assert mine.context["services"]["period"] == "2024"
    assert mine.context["services"]["trend"] == []  # no quarters measured for 256


def test_numbers_follow_the_language(client, as_user, leader):
    client = as_user("steering")
    client.cookies["django_language"] = "vi"
    html = client.get(url("dash_leader", "27"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Tóm tắt cho lãnh đạo" in html and "Chỉ tiêu nghị quyết" in html
    assert text_of_id(html, "l-quality") == "3,7%"
    assert "," in text_of_id(html, "l-score") and "." not in text_of_id(html, "l-score")
    # points with two decimals, by the one rule of points (dxscore.figures)
    assert re.match(r"^\d+,\d\d /", text_of_id(html, "l-766-total"))


def test_the_home_page_and_the_scorecard_lead_to_the_leaders_view(as_user, client, leader):
    steering = as_user("steering")
    home = steering.get("/").content.decode()
    assert f'href="{url("dash_leader", "27")}"' in home and 'id="leader-card"' in home
    picked = steering.get(url("dash_leader_pick"), {"unit": "27"})
    assert picked.status_code == 302 and picked["Location"] == url("dash_leader", "27")
    unknown = steering.get(url("dash_leader_pick"), {"unit": "ZZ"}, follow=True)
    assert "No unit has the code ZZ." in unknown.content.decode()
    client.logout()
    card = client.get(url("dash_scorecard", "vn-dti-2022", "2022", "27")).content.decode()
    assert 'id="leader-link"' in card and f'href="{url("dash_leader", "27")}"' in card


@pytest.mark.slow
def test_the_pdf_is_one_a4_page_with_what_the_person_may_read(as_user, client, leader):
    import io

    from pypdf import PdfReader

    def pdf(who):
        response = (as_user(who) if who else client).get(url("dash_leader_pdf", "27"))
        assert response["Content-Type"] == "application/pdf"
        return response.content

    body = pdf("steering")
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = reader.pages[0].extract_text()
    assert "Bắc Ninh" in text and "Resolution targets" in text and "3.7%" in text
    assert pdf("steering") == body  # stored once, read back
    client.logout()
    public = PdfReader(io.BytesIO(pdf(None)))
    assert len(public.pages) == 1
    text = public.pages[0].extract_text()
    assert "Bắc Ninh" in text and "Resolution targets" not in text and "3.7%" not in text
