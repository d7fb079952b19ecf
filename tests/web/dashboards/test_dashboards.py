"""Public dashboards of published runs: every number on a page is the stored run's, the
downloads are the page's table, unpublished runs stay private, and the staff simulator
follows the scopes. Data: eight provinces of the demo DTI (synthetic, calibrated), 2021
and 2022, computed and published through the platform's own score runs."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dxscore.index.methodology import ROOT
from dxscore.web.dashboards import analysis, sample
from dxscore.web.data.models import Methodology
from dxscore.web.scores import runs as score_runs
from dxscore.web.scores.models import NodeScore, ScoreRun
from tests.web.support import PROVINCES, page_rows, publish_demo, stored, url


@pytest.fixture
def dti(people):
    """Published runs of vn-dti-2022 for 2021 and 2022 (eight provinces)."""
    return publish_demo(people["admin"])


# --- leaderboard ---------------------------------------------------------------------------


def test_the_leaderboard_is_public_and_shows_the_stored_run(client, dti):
    run = dti[-1]
    response = client.get(url("dash_leaderboard", "vn-dti-2022", "2022"))
    assert response.status_code == 200
    rows = page_rows(response)
    index = stored(run)
    assert len(rows) == len(PROVINCES)
    for code, (score, rank) in index.items():
        cells = rows[f"u-{code}"]
        assert cells[0] == str(rank)
        assert f"{score:.4f}" in cells
    # the published 2022 order of the demo: Đà Nẵng, HCMC, Quảng Ninh, ..., Cần Thơ
    ordered = [key.removeprefix("u-") for key in rows]
    assert ordered[:4] == ["48", "79", "22", "92"]
    assert "Demo data." in response.content.decode()


def test_the_change_is_against_the_previous_periods_published_run(client, dti):
    before, now = stored(dti[0]), stored(dti[1])
    rows = page_rows(client.get(url("dash_leaderboard", "vn-dti-2022", "2022")))
    for code in PROVINCES:
        places = before[code][1] - now[code][1]
        cell = rows[f"u-{code}"][1]
        if places > 0:
            assert cell.startswith("▲") and f"gained {places} place" in cell
        elif places < 0:
            assert cell.startswith("▼") and f"lost {-places} place" in cell
        else:
            assert "same rank" in cell
        assert rows[f"u-{code}"][5] == f"{now[code][0] - before[code][0]:+.4f}".replace("-", "−")


def test_search_ignores_diacritics_and_group_filters_by_region(client, dti):
    rows = page_rows(client.get(url("dash_leaderboard", "vn-dti-2022", "2022", q="lang son")))
    assert list(rows) == ["u-20"]
    rows = page_rows(
        client.get(url("dash_leaderboard", "vn-dti-2022", "2022", group="region:Red River Delta"))
    )
    assert set(rows) == {"u-01", "u-22", "u-27", "u-30"}


def test_sorting_by_a_pillar_orders_by_its_stored_score(client, dti):
    run = dti[-1]
    scores = stored(run, "digital_economy")
    response = client.get(
        url("dash_leaderboard", "vn-dti-2022", "2022", sort="digital_economy", dir="desc")
    )
    order = [k.removeprefix("u-") for k in page_rows(response)]
    assert order == sorted(scores, key=lambda u: -scores[u][0])
    assert 'aria-sort="descending"' in response.content.decode()


def test_downloads_are_the_table_of_the_page(client, dti):
    query = {"group": "region:Red River Delta", "sort": "digital_society"}
    page = page_rows(client.get(url("dash_leaderboard", "vn-dti-2022", "2022", **query)))
    body = client.get(url("dash_leaderboard_dl", "vn-dti-2022", "2022", "csv", **query))
    assert body["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(body.content.decode("utf-8-sig"))))
    assert [f"u-{r['unit']}" for r in table] == list(page)
    for r in table:
        cells = page[f"u-{r['unit']}"]
        assert cells[0] == r["rank"]
        assert f"{float(r['index']):.4f}" in cells
        assert f"{float(r['digital_society']):.4f}" in cells
    data = json.loads(
        client.get(url("dash_leaderboard_dl", "vn-dti-2022", "2022", "json", **query)).content
    )
    assert [r["unit"] for r in data["rows"]] == [r["unit"] for r in table]
    assert data["meta"]["run_id"] == dti[-1].pk and data["meta"]["filters"]["sort"] == (
        "digital_society"
    )
    xlsx = client.get(url("dash_leaderboard_dl", "vn-dti-2022", "2022", "xlsx", **query))
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["leaderboard", "methodology", "about"]
    ws = wb["leaderboard"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Rank", "Change in rank", "Code", "Unit"]
    sheet = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(2)]
    assert [s["Code"] for s in sheet] == [r["unit"] for r in table]
    stored_index = stored(dti[-1])
    for s in sheet:
        assert s["Provincial DTI"] == pytest.approx(stored_index[s["Code"]][0], abs=0)
    codes = [row[0].value for row in wb["methodology"].iter_rows(2)]
    assert {"index", "digital_government", "dg_activity"} <= set(codes)


def test_unpublished_runs_are_not_public(client, people, dti):
    methodology = Methodology.objects.get(code="vn-dti-2022")
    draft = score_runs.compute_run(people["admin"], methodology, dti[-1].period)
    assert not draft.published
    pinned = url("dash_leaderboard", "vn-dti-2022", "2022", run=draft.number)
    assert client.get(pinned).status_code == 404
    assert client.get(url("dash_leaderboard", "vn-dti-2022", "2020")).status_code == 404
    # the latest published run is still what the page shows
    assert client.get(url("dash_leaderboard", "vn-dti-2022", "2022")).status_code == 200


def test_a_pinned_run_keeps_its_numbers_after_a_newer_one_is_published(client, people, dti):
    from dxscore.web.data.models import Value

    run = dti[-1]
    value = Value.objects.get(unit__code="30", indicator__code="dg_activity", period=run.period)
    value.value = 0.99
    value.save()
    newer = score_runs.compute_run(people["admin"], run.methodology, run.period)
    score_runs.publish(newer, people["admin"], anyway=True)  # Lào Cai (15) has no values
    old = page_rows(client.get(url("dash_leaderboard", "vn-dti-2022", "2022", run=run.number)))
    new = page_rows(client.get(url("dash_leaderboard", "vn-dti-2022", "2022")))
    assert f"{stored(run)['30'][0]:.4f}" in old["u-30"]
    assert f"{stored(newer)['30'][0]:.4f}" in new["u-30"]
    assert old["u-30"] != new["u-30"]


# --- scorecard -----------------------------------------------------------------------------


def test_the_scorecard_shows_history_pillars_and_verified_levers(client, dti):
    run = dti[-1]
    response = client.get(url("dash_scorecard", "vn-dti-2022", "2022", "27"))
    assert response.status_code == 200
    ctx = response.context
    score, rank = stored(run)["27"]
    assert ctx["index"]["score"] == score and ctx["index"]["rank"] == rank
    assert [h["period"] for h in ctx["history"]] == ["2021", "2022"]
    assert ctx["history"][0]["rank"] == stored(dti[0])["27"][1]
    html = response.content.decode()
    assert "Bắc Ninh" in html and f"{score:.4f}" in html
    # pillars: median over all units and mean of the ten best (all eight here)
    profile = {p["node"]: p for p in ctx["profile"]}
    econ = sorted(s for s, _r in stored(run, "digital_economy").values())
    assert profile["digital_economy"]["median"] == pytest.approx((econ[3] + econ[4]) / 2)
    assert profile["digital_economy"]["top10"] == pytest.approx(sum(econ) / len(econ))
    # strengths rank better than weaknesses
    assert ctx["strengths"][0]["rank"] <= ctx["weaknesses"][0]["rank"]
    # every lever's rank holds when the whole index is recomputed with the change
    assert ctx["levers"]
    for lever in ctx["levers"]:
        table = analysis.simulate(run, "27", {lever["indicator"]: lever["required"]})
        assert int(table.set_index("node").loc[ROOT, "rank_after"]) == lever["new_rank"]
        assert lever["new_rank"] < rank
    interval = ctx["interval"]
    assert interval["p05"] <= interval["median"] <= interval["p95"]
    assert not ctx["intervals"]["declared"] and ctx["intervals"]["noise"] == 0.25


def test_analyses_are_computed_once_per_run(client, dti, django_assert_max_num_queries):
    from django.core.cache import cache

    from dxscore.web.dashboards.models import RunAnalysis
    from dxscore.web.provenance.models import DemoMark

    client.get(url("dash_scorecard", "vn-dti-2022", "2022", "27"))
    keys = set(RunAnalysis.objects.filter(run=dti[-1]).values_list("key", flat=True))
    assert keys == {"sensitivity", "levers:27"}  # the demo mark is a DemoMark now
    assert DemoMark.objects.filter(kind="run", run=dti[-1]).exists()
    cache.clear()
    with django_assert_max_num_queries(40):
        assert client.get(url("dash_scorecard", "vn-dti-2022", "2022", "27")).status_code == 200


def test_a_rendered_page_part_is_reused_until_another_run_is_published(client, people, dti):
    page = url("dash_leaderboard", "vn-dti-2022", "2022")
    first = client.get(page)
    assert "table" in first.context  # rendered
    again = client.get(page)
    assert "table" not in again.context and "content" in again.context  # from the cache
    assert page_rows(again) == page_rows(first)
    methodology = Methodology.objects.get(code="vn-dti-2022")
    newer = score_runs.compute_run(people["admin"], methodology, dti[0].period)
    # a new 2021 run (changes may differ), anyway: the test org's Lào Cai has no values
    score_runs.publish(newer, people["admin"], anyway=True)
    assert "table" in client.get(page).context


def test_scorecard_downloads_hold_every_node_of_the_unit(client, dti):
    run = dti[-1]
    body = client.get(url("dash_scorecard_dl", "vn-dti-2022", "2022", "27", "csv"))
    rows = {r["node"]: r for r in csv.DictReader(io.StringIO(body.content.decode("utf-8-sig")))}
    for node in ("index", "digital_government", "awareness"):
        s = NodeScore.objects.get(run=run, unit__code="27", node=node)
        assert float(rows[node]["score"]) == s.score and int(rows[node]["rank"]) == s.rank
    assert (
        float(rows["awareness"]["raw"])
        == run.inputs.get(unit__code="27", indicator="awareness").value
    )


def test_the_scorecard_workbook_holds_real_numbers_formatted_by_their_kind(client, dti):
    """One display rule per kind (``dxscore.figures``): the workbook's cells hold the
    stored numbers; the format shows a score with the methodology's 4 decimals, and a
    DTI main index ("share of maximum points" in [0, 1]) as the score it is published
    as, not as a percentage."""
    run = dti[-1]
    body = client.get(url("dash_scorecard_dl", "vn-dti-2022", "2022", "27", "xlsx")).content
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {r[0].value: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2)}
    raw = rows["awareness"]["Raw value"]
    assert raw.value == run.inputs.get(unit__code="27", indicator="awareness").value
    assert raw.number_format == "0.0000"
    score = rows["index"]["Score"]
    assert score.value == NodeScore.objects.get(run=run, unit__code="27", node="index").score
    assert score.number_format == "0.0000"
    assert rows["index"]["Raw value"].value is None
    assert client.get(url("dash_scorecard", "vn-dti-2022", "2022", "XX")).status_code == 404


# --- indicator page, map, comparison -------------------------------------------------------


def test_the_indicator_page_has_the_definition_distribution_and_raw_values(client, dti):
    run = dti[-1]
    response = client.get(url("dash_node", "vn-dti-2022", "2022", "dg_activity"))
    html = response.content.decode()
    assert "Activity index, 22 components." in html  # the methodology's help text
    assert "Maximum points" in html
    rows = response.context["table"].rows
    raw = dict(run.inputs.filter(indicator="dg_activity").values_list("unit__code", "value"))
    assert {r["unit"]: r["raw"] for r in rows} == raw
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    assert [h["period"] for h in response.context["history"]] == ["2021", "2022"]
    assert client.get(url("dash_node", "vn-dti-2022", "2022", "nope")).status_code == 404


def test_the_tile_map_has_a_linked_tile_per_unit_coloured_by_score(client, dti):
    response = client.get(url("dash_map", "vn-dti-2022", "2022", node="digital_society"))
    html = response.content.decode()
    assert html.count("<rect x=") >= len(PROVINCES)
    for code in PROVINCES:
        assert reverse("dash_scorecard", args=["vn-dti-2022", "2022", code]) in html
    best = max(stored(dti[-1], "digital_society").items(), key=lambda kv: kv[1][0])
    assert f"{best[1][0]:.4f}" in html
    assert "#08306b" in html  # the darkest class holds the best unit


def test_a_geojson_file_gives_a_boundary_map(client, dti, settings, tmp_path):
    square = [[[105.0, 21.0], [105.5, 21.0], [105.5, 21.5], [105.0, 21.5], [105.0, 21.0]]]
    geo = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"ma": code},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[x + i, y] for x, y in square[0]]],
                },
            }
            for i, code in enumerate(PROVINCES)
        ],
    }
    path = tmp_path / "units.geojson"
    path.write_text(json.dumps(geo))
    settings.DXSCORE_GEOJSON, settings.DXSCORE_GEOJSON_CODE = str(path), "ma"
    response = client.get(url("dash_map", "vn-dti-2022", "2022"))
    assert response.context["kind"] == "boundaries"
    assert response.content.decode().count("<path d=") == len(PROVINCES)


def test_comparison_of_two_to_four_units(client, dti):
    run = dti[-1]
    response = client.get(url("dash_compare", "vn-dti-2022", "2022", units=["27", "20", "48"]))
    table = response.context["table"]
    index = next(r for r in table.rows if r["node"] == "index")
    for code in ("27", "20", "48"):
        assert (index[f"{code}_score"], index[f"{code}_rank"]) == stored(run)[code]
    one = client.get(url("dash_compare", "vn-dti-2022", "2022", units=["27"]))
    assert one.context["table"] is None and "Choose two to four units." in one.content.decode()
    five = client.get(url("dash_compare", "vn-dti-2022", "2022", units=PROVINCES[:5]))
    assert len(five.context["units"]) == 4
    body = client.get(url("dash_compare_dl", "vn-dti-2022", "2022", "json", units=["27", "20"]))
    assert [c["key"] for c in json.loads(body.content)["columns"]][2:] == [
        "27_score",
        "27_rank",
        "20_score",
        "20_rank",
    ]


def test_plotly_comes_from_the_installed_package(client, dti):
    import plotly

    response = client.get("/static/dashboards/vendor/plotly.min.js")
    assert response.status_code == 200
    from pathlib import Path

    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert b"".join(response.streaming_content) == bundled.read_bytes()
    html = client.get(url("dash_scorecard", "vn-dti-2022", "2022", "27")).content.decode()
    assert "/static/dashboards/vendor/plotly.min.js" in html
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost|testserver)[^\"' ]+\.js", html)


def test_pages_are_in_vietnamese(client, dti):
    client.cookies["django_language"] = "vi"
    html = client.get(url("dash_leaderboard", "vn-dti-2022", "2022")).content.decode()
    assert "Bảng xếp hạng" in html and "Tìm đơn vị" in html
    card = client.get(url("dash_scorecard", "vn-dti-2022", "2022", "27")).content.decode()
    assert "Ba đòn bẩy tốt nhất" in card and "Điểm mạnh" in card
    assert "0,6735" in card  # Bắc Ninh 2022, with the Vietnamese decimal comma


# --- staff what-if simulator -----------------------------------------------------------------


def test_the_simulator_is_for_steering_officers_within_their_scope(client, as_user, dti):
    run = dti[-1]
    target = url("dash_whatif", run.pk, "27")
    assert client.get(target).status_code == 302  # log in first
    assert as_user("owner").get(target).status_code == 403
    steering = as_user("steering")
    assert steering.get(target).status_code == 200
    assert steering.get(url("dash_whatif", run.pk, "48")).status_code == 404  # outside scope


def test_the_simulator_recomputes_score_and_rank_at_once(as_user, dti):
    run = dti[-1]
    client = as_user("steering")
    before = stored(run)["27"]
    data = client.get(
        url("dash_whatif", run.pk, "27", v_dg_activity="1", v_de_activity="1", format="json")
    ).json()
    index = next(r for r in data["rows"] if r["node"] == "index")
    assert index["score_before"] == pytest.approx(before[0]) and index["rank_before"] == before[1]
    assert index["score_after"] > index["score_before"] and index["rank_after"] < before[1]
    assert data["changes"] == {"dg_activity": 1.0, "de_activity": 1.0}
    assert ScoreRun.objects.count() == 2 and stored(run)["27"] == before  # nothing stored
    bad = client.get(url("dash_whatif", run.pk, "27", v_dg_activity="2", format="json")).json()
    assert bad["errors"] == [["dg_activity", "Enter a number from 0 to 1."]]
    page = client.get(url("dash_whatif", run.pk, "27", v_dg_activity="1"))
    assert page.context["index_row"]["rank_after"] <= before[1]


def test_history_and_rank_change_span_the_methodologies_of_one_series(client, people, dti):
    """vn-dti-2020 and vn-dti-2022 are one series (vn-dti): the 2021 leaderboard compares
    with the 2020 run, and the scorecard's history starts in 2020."""
    from dxscore.demo import dti as demo_dti

    d = demo_dti.build()
    table = d.pillars_2020[d.pillars_2020["unit"].isin(PROVINCES)]
    long = table.drop(columns=["name"]).melt(
        id_vars=["unit", "period"], var_name="indicator", value_name="value"
    )
    level = Methodology.objects.get(code="vn-dti-2022").reporting_level
    old = Methodology.objects.get(code="vn-dti-2020")
    (run_2020,) = sample.publish_frame(old, long, people["admin"], level)
    response = client.get(url("dash_scorecard", "vn-dti-2022", "2022", "27"))
    history = response.context["history"]
    assert [(h["period"], h["run"].methodology.code) for h in history] == [
        ("2020", "vn-dti-2020"),
        ("2021", "vn-dti-2022"),
        ("2022", "vn-dti-2022"),
    ]
    assert history[0]["rank"] == stored(run_2020)["27"][1]
    html = response.content.decode()
    assert 'id="history-note"' in html and "vn-dti-2020 v2020.2" in html
    assert url("dash_scorecard", "vn-dti-2020", "2020", "27") in html
    board = json.loads(
        client.get(url("dash_leaderboard_dl", "vn-dti-2022", "2021", "json")).content
    )
    row = next(r for r in board["rows"] if r["unit"] == "27")
    assert row["rank_change"] == stored(run_2020)["27"][1] - stored(dti[0])["27"][1]
    # a methodology of its own series keeps its own history
    alone = client.get(url("dash_scorecard", "vn-dti-2020", "2020", "27")).context["history"]
    assert [h["period"] for h in alone] == ["2020"]


# --- downloads of the map and the simulator ------------------------------------------------


def _csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_map_downloads_its_units_with_the_score_it_colours_them_by(client, dti):
    query = {"node": "digital_society", "run": dti[-1].number}
    page = client.get(url("dash_map", "vn-dti-2022", "2022", **query))
    dl = url("dash_map_dl", "vn-dti-2022", "2022", "csv", **query)
    assert dl.replace("&", "&amp;") in page.content.decode()
    rows = _csv_rows(client.get(dl))  # public, like the page: no log-in
    assert [r["unit"] for r in rows] == [u["code"] for u in page.context["units"]]
    scores = stored(dti[-1], "digital_society")
    for r in rows:
        assert float(r["score"]) == scores[r["unit"]][0]  # the stored precision, point decimals
        assert int(r["rank"]) == scores[r["unit"]][1]
    data = json.loads(
        client.get(url("dash_map_dl", "vn-dti-2022", "2022", "json", **query)).content
    )
    assert data["meta"]["node"] == "digital_society" and data["meta"]["run"] == dti[-1].number
    assert data["meta"]["published_at"][:4].isdigit() and "T" in data["meta"]["published_at"]
    book = client.get(url("dash_map_dl", "vn-dti-2022", "2022", "xlsx", **query)).content
    sheet = load_workbook(io.BytesIO(book)).worksheets[0]
    header = [c.value for c in sheet[1]]
    name = dict(page.context["choices"])["digital_society"]
    assert name != "digital_society"
    assert header == ["Code", "Unit", name, "Rank"]  # the node's name, not its code
    # an unknown node is the index, as on the page; the 2021 run is another period's map
    index = _csv_rows(client.get(url("dash_map_dl", "vn-dti-2022", "2022", "csv", node="x")))
    assert float(index[0]["score"]) == stored(dti[-1])[index[0]["unit"]][0]
    older = _csv_rows(client.get(url("dash_map_dl", "vn-dti-2022", "2021", "csv")))
    assert float(older[0]["score"]) == stored(dti[0])[older[0]["unit"]][0]


def test_the_simulators_download_is_its_table_for_the_values_in_the_form(as_user, dti):
    run = dti[-1]
    client = as_user("steering")
    values = {"v_dg_activity": "1", "v_de_activity": "1"}
    page = client.get(url("dash_whatif", run.pk, "27", **values))
    html = page.content.decode()
    assert f'formaction="{url("dash_whatif_dl", run.pk, "27", "xlsx")}"' in html
    rows = _csv_rows(client.get(url("dash_whatif_dl", run.pk, "27", "csv", **values)))
    shown = page.context["rows"]
    assert [r["node"] for r in rows] == [r["node"] for r in shown]
    index = rows[0]
    assert index["node"] == "index"
    assert float(index["score_after"]) == shown[0]["score_after"]
    assert int(index["rank_after"]) == shown[0]["rank_after"]
    assert float(index["score_before"]) == stored(run)["27"][0]
    activity = next(r for r in rows if r["node"] == "dg_activity")
    from dxscore.web.dashboards.queries import Board

    assert float(activity["raw_now"]) == Board(run).unit_inputs("27")["dg_activity"]
    assert activity["raw_after"] == "1.0"
    data = json.loads(client.get(url("dash_whatif_dl", run.pk, "27", "json", **values)).content)
    assert data["meta"]["changes"] == {"dg_activity": 1.0, "de_activity": 1.0}
    book = client.get(url("dash_whatif_dl", run.pk, "27", "xlsx", **values)).content
    header = [c.value for c in load_workbook(io.BytesIO(book)).worksheets[0][1]]
    assert header[:2] == ["Code", "Node"] and "Score after" in header
    # a value the page refuses is refused by the download too, naming it
    bad = client.get(url("dash_whatif_dl", run.pk, "27", "csv", v_dg_activity="2"))
    assert (
        bad.status_code == 400
        and bad.content.decode() == "dg_activity: Enter a number from 0 to 1."
    )
    assert ScoreRun.objects.count() == 2  # nothing stored


def test_the_simulators_download_has_the_pages_access_rule(client, as_user, dti):
    run = dti[-1]
    target = url("dash_whatif_dl", run.pk, "27", "csv")
    assert client.get(target).status_code == 302  # log in first
    for who in ("owner", "colleague", "outsider"):  # data officers: not a simulator's users
        assert as_user(who).get(target).status_code == 403
    steering = as_user("steering")
    assert steering.get(target).status_code == 200
    assert steering.get(url("dash_whatif_dl", run.pk, "48", "csv")).status_code == 404
