"""The public-service dashboard: Decision 766 points per group per unit from the stored
dossier measures (engine, vn-766), trends, drill-down down the unit tree, and scope."""

from __future__ import annotations

import pytest

from dxscore.web.dossierdata.models import DossierMeasure

URL = "/dashboards/services/"


def _put(unit, period, grain="year", **values):
    for name, value in values.items():
        DossierMeasure.objects.create(
            unit=unit, period=period, grain=grain, measure=name, value=value
        )


@pytest.fixture
def measured(org):
    # timeliness 20 x rate; online service: online_share C with full marks at 50%
    _put(org.bac_ninh, "2023", received=900, online_share=0.2, timeliness_rate=0.8)
    _put(org.bac_ninh, "2024", received=1000, online_share=0.4, timeliness_rate=0.9)
    _put(org.d256, "2024", received=600, online_share=0.5, timeliness_rate=0.95)
    _put(org.d257, "2024", received=400, online_share=0.25, timeliness_rate=0.825)
    _put(org.lao_cai, "2024", received=50, online_share=0.9, timeliness_rate=1.0)
    return org


def test_points_per_group_are_the_engines_and_groups_without_inputs_are_named(as_user, measured):
    page = as_user("steering").get(URL, {"unit": "27"})
    text = page.content.decode()
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [r["unit"].code for r in rows] == ["27", "256", "257"]
    by_unit = {r["unit"].code: {c.code: c.points for c in r["cells"]} for r in rows}
    assert by_unit["27"]["timeliness"] == pytest.approx(18.0)  # 20 x 0.9
    assert by_unit["256"]["timeliness"] == pytest.approx(19.0)
    # online service: only C (6 points, full at 50%) has an input: 6 x 0.4 / 0.5
    assert by_unit["27"]["online_service"] == pytest.approx(4.8)
    assert by_unit["256"]["online_service"] == pytest.approx(6.0)
    assert by_unit["27"]["transparency"] is None and by_unit["27"]["digitisation"] is None
    assert rows[0]["total"] == pytest.approx(22.8) and rows[0]["out_of"] == 32
    lacking = dict(page.context["lacking"])
    assert set(lacking) == {"transparency", "online_payment", "satisfaction", "digitisation"}
    assert "Groups without inputs from dossier records" in text and "no inputs" in text
    assert "18,00" not in text and "18.00" in text


def test_trend_lists_every_period_of_the_grain_with_its_points(as_user, measured):
    page = as_user("steering").get(URL, {"unit": "27", "grain": "year"})
    assert page.context["period"] == "2024"
    trend = dict(page.context["trend"])
    assert trend["2023"] == pytest.approx(16.0 + 2.4)  # 20 x 0.8 + 6 x 0.2 / 0.5
    assert trend["2024"] == pytest.approx(22.8)
    text = page.content.decode()
    assert "chart-services-trend" in text and "dashboards/vendor/plotly.min.js" in text
    older = as_user("steering").get(URL, {"unit": "27", "period": "2023"})
    assert older.context["rows"][0]["values"][0] == ("received", 900)


def test_drill_down_goes_from_the_country_to_provinces_within_scope(as_user, people, measured):
    page = as_user("admin").get(URL, {"unit": "VN"})
    codes = [r["unit"].code for r in page.context["rows"]]
    assert codes == ["VN", "27", "15"]
    assert 'href="?unit=27&amp;grain=year&amp;period=2024"' in page.content.decode()


def test_scope_owner_colleague_outsider(as_user, measured):
    owner = as_user("owner").get(URL)
    assert [r["unit"].code for r in owner.context["rows"]] == ["256"]
    assert as_user("owner").get(URL, {"unit": "27"}).status_code == 404
    colleague = as_user("colleague").get(URL)
    assert [r["unit"].code for r in colleague.context["rows"]] == ["27", "256", "257"]
    outsider = as_user("outsider").get(URL)
    assert [r["unit"].code for r in outsider.context["rows"]] == ["15", "80"]
    assert as_user("outsider").get(URL, {"unit": "256"}).status_code == 404


def test_without_measures_the_page_says_so(as_user, org):
    page = as_user("steering").get(URL)
    assert page.status_code == 200
    assert "No dossier measures in your viewing scope yet." in page.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, org):
    assert client.get(URL).status_code == 302
