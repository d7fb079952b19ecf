"""The Content-Security-Policy: the header on every kind of page, and templates that need
nothing it refuses (no inline script, event handler, javascript: address, style element
or style attribute). The browser tests (test_*browser.py, test_csp_browser.py) fail on
any violation a page shows."""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from pathlib import Path

import pytest
from django.conf import settings as django_settings

import dxscore.web

TEMPLATES = Path(dxscore.web.__file__).parent / "templates"
# the scorecard's PDF document: WeasyPrint reads it, no browser does (its <style> is CSS
# for print, never served as a page)
NOT_FOR_BROWSERS = {  # rendered by WeasyPrint into PDFs, never served as pages
    "dashboards/scorecard_pdf.html",
    "dashboards/leader_pdf.html",
    "assessments/result_pdf.html",
    "contests/certificate_pdf.html",
}


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _assert_strict(response):
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["style-src"][0] == "'self'"
    assert all(s.startswith("'sha256-") for s in policy["style-src"][1:])
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/public/", "/api/v1/docs", "/health"])
def test_public_pages_carry_the_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    _assert_strict(response)


@pytest.mark.django_db
def test_only_the_api_docs_allow_data_images(client):
    """Swagger UI's stylesheet draws its icons as data: SVG images; no other page may."""
    assert _policy(client.get("/api/v1/docs"))["img-src"] == ["'self'", "data:"]
    assert _policy(client.get("/accounts/login/"))["img-src"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/units/", "/plans/", "/plans/tasks/calendar.ics?subscribe=1", "/admin/"]
)
def test_staff_pages_carry_the_policy(as_user, path):
    response = as_user("admin").get(path, follow=True)
    assert response.status_code == 200, path
    _assert_strict(response)


def _templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name not in NOT_FOR_BROWSERS:
            yield name, path.read_text(encoding="utf-8")


SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_needs_what_the_policy_refuses():
    found = []
    for name, text in _templates():
        for match in SCRIPT.finditer(text):
            attributes = match.group(1)
            data_block = re.search(r'type="application/json"', attributes)
            if "src=" not in attributes and not data_block:
                found.append((name, "inline script", match.group(0)))
        found += [(name, "event handler", m.group(0)[-60:]) for m in HANDLER.finditer(text)]
        if re.search(r"javascript:", text, re.IGNORECASE):
            found.append((name, "javascript: address", ""))
        if re.search(r"<style\b", text, re.IGNORECASE):
            found.append((name, "style element", ""))
        if re.search(r"\sstyle\s*=", text, re.IGNORECASE):
            found.append((name, "style attribute", ""))
    assert not found, found


def test_the_template_check_finds_each_kind():
    text = (
        '<script>alert(1)</script><select onchange="x()"><a href="javascript:x()">'
        '<style>p{}</style><p style="color:red"><script src="/s.js"></script>'
        '<script type="application/json" id="d">{}</script>'
    )
    assert len(SCRIPT.findall(text)) == 3
    assert len(HANDLER.findall(text)) == 1


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_allowed_style_hashes_are_plotlys_style_elements():
    """Plotly.js creates an empty <style> it fills by the CSSOM, and one holding its map
    library's CSS: the hashes the policy allows are exactly those (a new Plotly.js that
    changes either fails here, and the browser tests say which hash it needs)."""
    bundle = (files("plotly") / "package_data" / "plotly.min.js").read_text(encoding="utf-8")
    assert (
        'createElement("style"),n.setAttribute("id",i),n.appendChild(document.createTextNode(""))'
        in bundle
    )
    start = bundle.index(".maplibregl-map{")
    css = bundle[start : bundle.index("'", start)]
    assert "\\" not in css  # a plain literal: its text is the stylesheet
    expected = [_hash(""), _hash(css)]
    assert expected == django_settings.PLOTLY_STYLE_HASHES
