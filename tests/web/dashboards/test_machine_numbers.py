"""Numbers in machine formats are never localised: every page that carries a chart, an
inline SVG, a JSON data block or numeric data attributes is rendered in every language,
its SVG parsed (xml.etree) with every numeric attribute read by ``float``, its JSON parsed,
and the numbers of each language compared with English's (a decimal comma in an SVG
attribute hides the shape; in a JSON array it silently splits one number into two)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import resolve
from django.utils import translation

from dxscore.web.dashboards import reports
from dxscore.web.dashboards.queries import Board
from tests.web.support import publish_demo, url

LANGUAGES = [code for code, _name in settings.LANGUAGES]
SVG_NUMBERS = {
    "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "width", "height",
    "stroke-width", "font-size", "opacity", "fill-opacity", "stroke-opacity", "offset",
}  # fmt: skip
SVG_LISTS = {"viewBox", "points", "d", "transform"}  # numbers among letters and commas
SVG_TAG = re.compile(r"<svg\b.*?</svg>", re.S)
JSON_BLOCK = re.compile(r'<script type="application/json"[^>]*>(.*?)</script>', re.S)
DATA_ATTR = re.compile(r'\sdata-([a-z-]+)="([^"]*)"')
NUMBER_IN_LIST = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _svg_numbers(svg: str) -> list[float]:
    """Every number of an SVG's attributes, in document order; fails on one that does not
    read as a number (a decimal comma, grouping)."""
    root = ET.fromstring(svg)
    found = []
    for element in root.iter():
        for name, value in element.attrib.items():
            name = name.rsplit("}", 1)[-1]
            if name in SVG_NUMBERS:
                text = value.removesuffix("px").removesuffix("pt").removesuffix("%")
                found.append(float(text))  # raises on "37,6"
            elif name in SVG_LISTS:
                if name == "viewBox":
                    parts = value.split()
                    assert len(parts) == 4, value
                    found += [float(p) for p in parts]
                else:
                    found += [float(n) for n in NUMBER_IN_LIST.findall(value)]
    return found


def _json_numbers(data) -> list[float]:
    if isinstance(data, bool) or data is None:
        return []
    if isinstance(data, int | float):
        return [float(data)]
    if isinstance(data, dict):
        return [n for k in sorted(data) for n in _json_numbers(data[k])]
    if isinstance(data, list):
        return [n for item in data for n in _json_numbers(item)]
    return []


def _machine_numbers(html: str) -> dict[str, list]:
    svgs = SVG_TAG.findall(html)
    blocks = [json.loads(b) for b in JSON_BLOCK.findall(html)]
    data = [
        (name, value) for name, value in DATA_ATTR.findall(html) if re.fullmatch(r"[-\d.,]+", value)
    ]
    for _name, value in data:
        float(value)  # a numeric data attribute reads as a number
    return {
        "svg": [_svg_numbers(s) for s in svgs],
        "json": [_json_numbers(b) for b in blocks],
        "data": data,
    }


def _pages(run):
    code, period = "vn-dti-2022", "2022"
    return {
        "leaderboard": (None, url("dash_leaderboard", code, period)),
        "scorecard": (None, url("dash_scorecard", code, period, "27")),
        "indicator": (None, url("dash_node", code, period, "dg_activity")),
        "pillar": (None, url("dash_node", code, period, "digital_society")),
        "tile map": (None, url("dash_map", code, period, node="digital_society")),
        "comparison": (None, url("dash_compare", code, period, units=["27", "20", "48"])),
        "what-if": ("steering", url("dash_whatif", run.pk, "27", v_dg_activity="0,9")),
    }


@pytest.fixture
def dti(people):
    return publish_demo(people["admin"])


def test_every_chart_page_writes_the_same_machine_numbers_in_every_language(client, people, dti):
    seen: dict[str, dict[str, dict]] = {}
    for name, (persona, address) in _pages(dti[-1]).items():
        client.logout()
        if persona:
            client.force_login(people[persona])
        for lang in LANGUAGES:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
            response = client.get(address)
            assert response.status_code == 200, (name, lang)
            assert response["Content-Language"] == lang
            seen.setdefault(name, {})[lang] = _machine_numbers(response.content.decode())
    assert [len(s) for s in seen["scorecard"]["en"]["svg"]] and seen["scorecard"]["en"]["json"]
    for name, by_lang in seen.items():
        for lang in LANGUAGES:
            assert by_lang[lang] == by_lang["en"], (name, lang)


def test_the_rank_interval_box_keeps_its_coordinates_in_vietnamese(client, dti):
    """The bug: ``<rect x="37,6">`` in Vietnamese, the interval box gone."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    html = client.get(url("dash_scorecard", "vn-dti-2022", "2022", "27")).content.decode()
    svg = next(s for s in SVG_TAG.findall(html) if 'class="interval"' in s)
    rect = next(e for e in ET.fromstring(svg).iter() if e.tag.endswith("rect"))
    x, width = float(rect.get("x")), float(rect.get("width"))
    assert 7 <= x <= 390 and width >= 6
    assert "Thứ hạng vững chắc đến đâu?" in html  # the page is Vietnamese


def test_the_scorecard_pdf_document_and_its_charts_write_machine_numbers(dti, people):
    """The PDF is the same body with charts drawn by matplotlib: its inline SVG and every
    chart file parse, with the same numbers in every language."""
    board = Board(dti[-1])
    found = {}
    for lang in LANGUAGES:
        address = url("dash_scorecard", "vn-dti-2022", "2022", "27")
        request = RequestFactory().get(address)
        request.resolver_match = resolve(address.split("?")[0])
        request.user = people["admin"]
        request.LANGUAGE_CODE = lang
        with translation.override(lang):
            html, charts = reports.scorecard_document(request, board, "27")
        inline = [_svg_numbers(s) for s in SVG_TAG.findall(html)]
        files = {key[-12:]: len(_svg_numbers(svg.decode())) for key, svg in charts.items()}
        assert inline and charts
        found[lang] = inline
        assert all(n > 0 for n in files.values())
    for lang in LANGUAGES:
        assert found[lang] == found["en"], lang
