"""The public-service dashboard: Decision 766 points per group per unit from the stored
dossier measures (engine, vn-766), trends, drill-down down the unit tree, and scope."""

from __future__ import annotations

import pytest

from dxscore.web.dossierdata.models import DossierMeasure, Procedure, ProcedureMeasure

URL = "/dashboards/services/"


def _put(unit, period, kind="year", **values):
    for name, value in values.items():
        DossierMeasure.objects.create(
            unit=unit, period=period, kind=kind, measure=name, value=value
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


def test_trend_lists_every_period_of_the_kind_with_its_points(as_user, measured):
    page = as_user("steering").get(URL, {"unit": "27", "kind": "year"})
    assert page.context["period"] == "2024"
    trend = dict(page.context["trend"])
    assert trend["2023"] == pytest.approx(16.0 + 2.4)  # 20 x 0.8 + 6 x 0.2 / 0.5
    assert trend["2024"] == pytest.approx(22.8)
    text = page.content.decode()
    assert "chart-services-trend" in text and "dashboards/vendor/plotly.min.js" in text
    table = text[text.index('id="t-trend"') :]
    table = table[: table.index("</table>")]
    head, body = table.split("<tbody>")
    first_row = body.split("</tr>")[0]
    assert head.count("<th>") + head.count("<th ") == first_row.count(
        "<td"
    )  # a header for each column, no more
    older = as_user("steering").get(URL, {"unit": "27", "period": "2023"})
    assert older.context["rows"][0]["values"][0] == ("received", 900)


def test_a_link_made_with_grain_the_former_name_of_kind_still_works(as_user, measured):
    assert as_user("steering").get(URL, {"unit": "27", "grain": "quarter"}).context["kind"] == (
        "quarter"
    )
    page = as_user("steering").get(URL, {"unit": "27", "kind": "month", "grain": "quarter"})
    assert page.context["kind"] == "month"
    assert as_user("steering").get(URL, {"unit": "27", "kind": "week"}).context["kind"] == "year"


def test_drill_down_goes_from_the_country_to_provinces_within_scope(as_user, people, measured):
    page = as_user("admin").get(URL, {"unit": "VN"})
    codes = [r["unit"].code for r in page.context["rows"]]
    assert codes == ["VN", "27", "15"]
    assert 'href="?unit=27&amp;kind=year&amp;period=2024"' in page.content.decode()


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


# --- procedures -----------------------------------------------------------------------------

PROCEDURES = "/dashboards/services/procedures/"


def _proc(unit, procedure, period, kind="year", **counts):
    """A stored procedure row: finished f (on time t), open o (overdue v), received r."""
    f, t, o, v = counts.get("f", 0), counts.get("t", 0), counts.get("o", 0), counts.get("v", 0)
    denominator = f + o
    return ProcedureMeasure.objects.create(
        unit=unit,
        procedure=procedure,
        period=period,
        kind=kind,
        received=counts.get("r", f + o),
        received_online=counts.get("online", 0),
        finished=f,
        finished_on_time=t,
        open_at_end=o,
        open_overdue=v,
        online_share=counts.get("online", 0) / counts.get("r", f + o) if f + o else None,
        on_time_rate=t / f if f else None,
        timeliness_rate=(t + o - v) / denominator if denominator else None,
        avg_processing_days=counts.get("days"),
    )


@pytest.fixture
def procedures(measured):
    org = measured
    Procedure.objects.create(code="1.001", name="Đăng ký khai sinh")
    Procedure.objects.create(code="1.002", name="Cấp giấy phép xây dựng")
    Procedure.objects.create(code="1.003", name="Chứng thực bản sao")
    # province 27 in 2024: 100 finished and open in all, 10 late: timeliness 0.9 (18 points)
    _proc(org.bac_ninh, "1.001", "2024", f=50, t=48, o=10, v=1, online=30, days=2.5)  # late 3
    _proc(org.bac_ninh, "1.002", "2024", f=20, t=14, o=5, v=1)  # late 7
    _proc(org.bac_ninh, "1.003", "2024", f=15, t=15)  # late 0
    _proc(org.bac_ninh, "1.002", "2023", f=10, t=9)
    _proc(org.d256, "1.002", "2024", f=12, t=7, o=3, v=1)  # late 6 of 15
    _proc(org.d257, "1.002", "2024", f=8, t=7, o=2)  # late 1
    _proc(org.d256, "1.001", "2024", f=50, t=48, o=10, v=1)
    _proc(org.lao_cai, "1.001", "2024", f=5, t=5)
    return org


def test_procedures_are_ranked_by_the_timeliness_points_they_cost(as_user, procedures):
    page = as_user("steering").get(PROCEDURES, {"unit": "27"})
    assert page.status_code == 200
    rows = page.context["table"].rows
    assert [r["procedure"] for r in rows] == ["1.002", "1.001", "1.003"]
    assert [r["late"] for r in rows] == [7, 3, 0]
    assert rows[0]["points_lost"] == pytest.approx(20 * 7 / 100)
    # the points lost add up to what the unit loses: 20 x (1 - 0.9)
    assert page.context["lost"] == pytest.approx(2.0)
    text = page.content.decode()
    assert "Cấp giấy phép xây dựng" in text and "1,40" not in text and "1.40" in text
    link = '/dashboards/services/procedures/1.002/?unit=27&amp;kind=year&amp;period=2024"'
    assert link in text


def test_procedure_search_ignores_diacritics_and_sorting_follows_the_header(as_user, procedures):
    client = as_user("steering")
    found = client.get(PROCEDURES, {"unit": "27", "q": "giay phep"})
    assert [r["procedure"] for r in found.context["table"].rows] == ["1.002"]
    assert found.context["lost"] is None  # a part is not the whole
    by_received = client.get(PROCEDURES, {"unit": "27", "sort": "received", "dir": "asc"})
    assert [r["received"] for r in by_received.context["table"].rows] == [15, 25, 60]
    by_name = client.get(PROCEDURES, {"unit": "27", "sort": "name", "dir": "asc"})
    assert [r["procedure"] for r in by_name.context["table"].rows] == ["1.002", "1.003", "1.001"]
    older = client.get(PROCEDURES, {"unit": "27", "period": "2023"})
    assert [r["procedure"] for r in older.context["table"].rows] == ["1.002"]


def test_procedure_downloads_equal_the_page(as_user, procedures):
    import csv
    import io
    import json

    from openpyxl import load_workbook

    client = as_user("steering")
    query = {"unit": "27", "sort": "received", "dir": "desc"}
    page = client.get(PROCEDURES, query).context["table"]
    body = client.get(PROCEDURES.rstrip("/") + ".csv", query).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["procedure"] for r in rows] == [r["procedure"] for r in page.rows]
    assert [float(r["points_lost"]) for r in rows] == [r["points_lost"] for r in page.rows]
    data = json.loads(client.get(PROCEDURES.rstrip("/") + ".json", query).content)
    assert data["meta"]["unit"] == "27" and data["meta"]["period"] == "2024"
    assert [r["late"] for r in data["rows"]] == [r["late"] for r in page.rows]
    book = client.get(PROCEDURES.rstrip("/") + ".xlsx", query).content
    sheet = load_workbook(io.BytesIO(book)).worksheets[0]
    table = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in table] == [r["procedure"] for r in page.rows]
    assert [r[1] for r in table] == [r["name"] for r in page.rows]


def test_a_procedure_shows_its_trend_and_each_child_unit(as_user, procedures):
    client = as_user("steering")
    page = client.get(PROCEDURES + "1.002/", {"unit": "27"})
    assert page.status_code == 200
    assert [r["period"] for r in page.context["history"]] == ["2023", "2024"]
    current = page.context["current"]
    assert (current["period"], current["late"]) == ("2024", 7)
    assert current["points_lost"] == pytest.approx(1.4)
    children = [
        (c["unit"].code, c["row"]["late"] if c["row"] else None) for c in page.context["children"]
    ]
    assert children == [("256", 6), ("257", 1)]
    d256 = page.context["children"][0]["row"]
    assert d256["points_lost"] == pytest.approx(20 * 6 / (15 + 60))  # of 256's own dossiers
    text = page.content.decode()
    assert "Cấp giấy phép xây dựng" in text and "chart-procedure-trend" in text
    assert 'href="?unit=256&amp;kind=year&amp;period=2024"' in text
    child = client.get(PROCEDURES + "1.002/", {"unit": "256"})
    assert child.status_code == 200 and child.context["children"] == []
    assert client.get(PROCEDURES + "9.999/", {"unit": "27"}).status_code == 404


def test_procedure_pages_respect_the_viewing_scope(as_user, procedures):
    owner = as_user("owner")
    assert owner.get(PROCEDURES, {"unit": "27"}).status_code == 404
    assert owner.get(PROCEDURES + "1.002/", {"unit": "27"}).status_code == 404
    assert owner.get(PROCEDURES.rstrip("/") + ".csv", {"unit": "27"}).status_code == 404
    mine = owner.get(PROCEDURES)  # their own unit by default
    assert mine.context["unit"].code == "256"
    assert as_user("outsider").get(PROCEDURES + "1.001/", {"unit": "27"}).status_code == 404


def test_the_dashboard_lists_the_costliest_procedures_and_links_to_all(as_user, procedures):
    page = as_user("steering").get(URL, {"unit": "27"})
    assert [r["procedure"] for r in page.context["costly"]] == ["1.002", "1.001", "1.003"]
    assert page.context["procedure_count"] == 3
    text = page.content.decode()
    assert "All 3 procedures, with every measure and downloads" in text
    assert "/dashboards/services/procedures/?unit=256&amp;kind=year&amp;period=2024" in text


# --- downloads of the dashboard and of a procedure's page ----------------------------------


def _csv(response) -> list[dict]:
    import csv
    import io

    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _sheet(response):
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def test_the_dashboard_downloads_its_units_with_points_quality_and_measures(as_user, measured):
    client = as_user("steering")
    query = {"unit": "27", "kind": "year", "period": "2024"}
    page = client.get(URL, query)
    text = page.content.decode()
    assert 'href="/dashboards/services.csv?unit=27&amp;kind=year&amp;period=2024"' in text
    rows = _csv(client.get("/dashboards/services.csv", query))
    assert [r["unit"] for r in rows] == [r["unit"].code for r in page.context["rows"]]
    assert [r["name"] for r in rows] == ["Bắc Ninh", "TP. Bắc Ninh", "Từ Sơn"]
    first = rows[0]
    assert float(first["points_timeliness"]) == pytest.approx(18.0)
    assert float(first["points_online_service"]) == pytest.approx(4.8)
    assert first["points_transparency"] == ""  # no inputs: empty, as "no inputs" on the page
    assert float(first["points_total"]) == pytest.approx(22.8) and first["points_max"] == "32.0"
    assert first["online_share"] == "0.4" and first["received"] == "1000"  # point decimals
    # the workbook: names, not codes, in the header; shares as percentages of the stored share
    sheet = _sheet(client.get("/dashboards/services.xlsx", query))
    header = [c.value for c in sheet[1]]
    assert "Received online" in header and "online_share" not in header
    assert "Points from dossier inputs" in header and "Unit" in header
    assert any(h.startswith("Timeliness") and "/ 20" in h for h in header if h)
    online = sheet.cell(row=2, column=header.index("Received online") + 1)
    assert online.value == 0.4 and online.number_format == "0.0%"
    # another period: the page's and the download's rows follow the query
    older = _csv(client.get("/dashboards/services.csv", {"unit": "27", "period": "2023"}))
    assert [r["unit"] for r in older] == ["27", "256", "257"]
    assert older[0]["received"] == "900" and older[1]["received"] == ""


def test_the_dashboard_download_has_the_pages_scope(as_user, client, measured):
    owner = as_user("owner")
    assert [r["unit"] for r in _csv(owner.get("/dashboards/services.csv"))] == ["256"]
    assert owner.get("/dashboards/services.csv", {"unit": "27"}).status_code == 404
    colleague = _csv(as_user("colleague").get("/dashboards/services.csv", {"unit": "27"}))
    assert [r["unit"] for r in colleague] == ["27", "256", "257"]
    outsider = as_user("outsider")
    assert [r["unit"] for r in _csv(outsider.get("/dashboards/services.csv"))] == ["15", "80"]
    assert outsider.get("/dashboards/services.json", {"unit": "27"}).status_code == 404
    client.logout()
    assert client.get("/dashboards/services.csv").status_code == 302  # log in first


def test_a_procedures_page_downloads_its_trend_and_the_units_under_it(as_user, procedures):
    import json

    client = as_user("steering")
    page = client.get(PROCEDURES + "1.002/", {"unit": "27"})
    assert 'href="/dashboards/services/procedures/1.002/figures.xlsx?unit=27"' in (
        page.content.decode()
    )
    rows = _csv(client.get(PROCEDURES + "1.002/figures.csv", {"unit": "27"}))
    assert [(r["unit"], r["period"]) for r in rows] == [
        ("27", "2023"),
        ("27", "2024"),
        ("256", "2024"),
        ("257", "2024"),
    ]
    assert [r["late"] for r in rows] == ["1", "7", "6", "1"]
    assert float(rows[1]["points_lost"]) == pytest.approx(1.4)
    assert float(rows[2]["points_lost"]) == pytest.approx(20 * 6 / (15 + 60))
    assert rows[2]["unit_name"] == "TP. Bắc Ninh"
    data = json.loads(client.get(PROCEDURES + "1.002/figures.json", {"unit": "27"}).content)
    assert data["meta"]["procedure_name"] == "Cấp giấy phép xây dựng"
    assert data["meta"]["period"] == "2024"
    header = [c.value for c in _sheet(client.get(PROCEDURES + "1.002/figures.xlsx"))[1]]
    assert header[:4] == ["Code", "Unit", "Period", "Received"]
    # the period asked for picks the children's rows, as on the page
    older = _csv(client.get(PROCEDURES + "1.002/figures.csv", {"unit": "27", "period": "2023"}))
    assert [(r["unit"], r["period"], r["late"]) for r in older][2:] == [
        ("256", "2023", ""),
        ("257", "2023", ""),
    ]


def test_a_procedures_download_has_the_pages_scope(as_user, client, procedures):
    address = PROCEDURES + "1.002/figures.csv"
    assert as_user("owner").get(address, {"unit": "27"}).status_code == 404
    assert [r["unit"] for r in _csv(as_user("owner").get(address, {"unit": "256"}))] == ["256"]
    assert as_user("colleague").get(address, {"unit": "27"}).status_code == 200
    assert as_user("outsider").get(address, {"unit": "27"}).status_code == 404
    assert as_user("steering").get(PROCEDURES + "9.999/figures.csv").status_code == 404
    client.logout()
    assert client.get(address, {"unit": "27"}).status_code == 302


# --- figures as people read them (issue 18, point 13) -------------------------------------


@pytest.mark.parametrize(
    ("language", "rate", "points"), [("en", "90.0%", "18.00"), ("vi", "90,0%", "18,00")]
)
def test_rates_read_as_percentages_and_points_with_two_decimals(
    as_user, procedures, settings, language, rate, points
):
    client = as_user("steering")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(PROCEDURES + "1.001/", {"unit": "27"}).content.decode()
    # 1.001 in 2024: 48 on time + 10 open - 1 overdue of 60: 95.0%
    assert ("95.0%" if language == "en" else "95,0%") in page
    dashboard = client.get(URL, {"unit": "27"}).content.decode()
    assert points in dashboard  # Bắc Ninh's timeliness points: 20 x 0.9
    table = client.get(URL, {"unit": "27", "kind": "year"}).content.decode()
    assert rate in table and "0.9<" not in table  # its timeliness rate, not the fraction


def test_the_procedures_workbook_holds_real_rates_with_a_percent_format(as_user, procedures):
    import io

    from openpyxl import load_workbook

    book = as_user("steering").get(PROCEDURES.rstrip("/") + ".xlsx", {"unit": "27"}).content
    sheet = load_workbook(io.BytesIO(book)).worksheets[0]
    header = [c.value for c in sheet[1]]
    first = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert first["Procedure"].value == "1.002"
    rate = first["Timeliness rate"]
    assert rate.value == pytest.approx((14 + 5 - 1) / 25) and rate.number_format == "0.0%"
    assert first["Received online"].number_format == "0.0%"
    assert first["Timeliness points lost"].number_format == "0.00"
    assert first["Received"].value == 25 and first["Received"].number_format == "#,##0"
