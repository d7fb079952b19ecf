"""Text that reaches a report can never make the PDF read, attach or fetch anything.

The attack this guards against: a methodology whose version was
``1</style><link rel=attachment href=file:///…/secret_key>`` broke out of the footer's CSS
string and its ``<style>`` element, and WeasyPrint's default fetcher then attached the
server's secret key to every public scorecard PDF. Every free-text field that reaches a
report here carries ``file:``, ``http:`` and ``data:`` references; the PDF must show them
as text, fetch nothing (a loopback HTTP server counts the requests) and attach nothing.
"""

from __future__ import annotations

import base64
import http.server
import re
import threading

import pytest

from tests.web.support import PROVINCES, publish_demo, text_of, url

pytestmark = pytest.mark.slow


@pytest.fixture
def listener():
    """A loopback HTTP server that records every request it receives."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def payloads(secret_uri: str, http_base: str) -> dict[str, str]:
    data = "data:text/plain;base64," + base64.b64encode(b"smuggled").decode()
    return {
        "file": f'1</style><link rel=attachment href="{secret_uri}"><img src="{secret_uri}">',
        "http": f'"; }} @import url({http_base}/css); x {{ content: "'
        f'<img src="{http_base}/img"><link rel=stylesheet href="{http_base}/link">',
        "data": f'</style><link rel=attachment href="{data}"><img src="{data}">',
    }


def test_the_pdf_fetcher_serves_its_charts_and_fonts_and_refuses_everything_else(
    tmp_path, listener
):
    from dxscore.web.dashboards import reports

    http_base, hits = listener
    secret = tmp_path / "secret_key"
    secret.write_text("s3cr3t")
    fetcher = reports.chart_fetcher({"dxscore-chart:abc": b"<svg/>"})
    assert fetcher.fetch("dxscore-chart:abc").read() == b"<svg/>"
    font = next(iter(reports.font_files()))
    assert fetcher.fetch(font).read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    for refused in (
        secret.as_uri(),
        "file:///etc/passwd",
        f"{http_base}/x",
        "data:text/plain;base64,c211Z2dsZWQ=",
        "dxscore-chart:another-documents-chart",
        font + "/../../../../etc/passwd",
    ):
        with pytest.raises(reports.RefusedURL):
            fetcher.fetch(refused)
    assert hits == []


def test_even_markup_that_reached_a_report_could_not_attach_or_fetch(tmp_path, listener):
    from weasyprint import HTML

    from dxscore.web.dashboards import reports

    http_base, hits = listener
    secret = tmp_path / "secret_key"
    secret.write_text("s3cr3t")
    html = "<p>x</p>" + "".join(payloads(secret.as_uri(), http_base).values())
    fetcher = reports.chart_fetcher({})
    pdf = HTML(string=html, base_url="http://testserver/", url_fetcher=fetcher).write_pdf()
    assert b"/EmbeddedFile" not in pdf and b"s3cr3t" not in pdf and b"smuggled" not in pdf
    assert hits == []


def test_css_strings_cannot_end_the_string_the_rule_or_the_style_element():
    from dxscore.web.dashboards.reports import css_string

    out = css_string('1</style><link href="file:///x">\\"; } @import url(a);\n')
    body = out[1:-1]
    assert out[0] == out[-1] == '"'
    for dangerous in ('"', "<", ">", "{", "}", "\\\\", "\n", "@", "'"):
        assert dangerous not in body
    assert "\\3c " in body and "\\22 " in body
    assert css_string("vn-dti-2022 v2022.1 · trang") == '"vn-dti-2022 v2022.1 · trang"'


def test_a_scorecard_pdf_shows_hostile_text_as_text_and_reads_no_file_or_address(
    client,
    people,
    tmp_path,
    pdftotext,
    listener,
):
    from dxscore.web.data.models import Methodology
    from dxscore.web.orgs.models import Unit

    http_base, hits = listener
    secret = tmp_path / "secret_key"
    secret.write_text("s3cr3t-key-do-not-leak")
    attacks = payloads(secret.as_uri(), http_base)
    run = publish_demo(people["admin"], years=("2022",), provinces=PROVINCES[:3])[-1]
    unit = PROVINCES[0]
    # every free-text field that reaches the scorecard PDF. The version no longer passes
    # the methodology check (tested below), but rows stored before it must be safe too.
    m = Methodology.objects.get(pk=run.methodology_id)
    text = m.text
    for old, new in (
        ('{en: "Provincial DTI"', "{en: " + _yaml(attacks["http"])),
        ('{en: "Digital awareness (Nhận thức số)"', "{en: " + _yaml(attacks["file"])),
        ('{en: "Digital institutions (Thể chế số)"', "{en: " + _yaml(attacks["data"])),
    ):
        assert old in text
        text = text.replace(old, new)
    # a version fits 40 characters: a protocol-relative address reaches the listener
    version = "1</style><img src=//" + http_base.removeprefix("http://") + "/v>"
    assert len(version) <= 40
    Methodology.objects.filter(pk=m.pk).update(version=version, title=attacks["http"], text=text)
    Unit.objects.filter(code=unit).update(name=attacks["data"])
    run.refresh_from_db()
    table = run.unit_table
    for row in table:
        if row["unit"] == unit:
            row["name"] = attacks["file"]
    type(run).objects.filter(pk=run.pk).update(unit_table=table)

    response = client.get(url("dash_scorecard_dl", "vn-dti-2022", "2022", unit, "pdf"))
    assert response.status_code == 200
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert b"/EmbeddedFile" not in pdf and b"/FileAttachment" not in pdf
    assert b"s3cr3t" not in pdf and b"smuggled" not in pdf
    assert hits == []  # nothing was fetched from the network
    shown = " ".join(text_of(pdftotext, pdf, tmp_path).split())
    assert version.replace(" ", "") in shown.replace(" ", "")  # the footer's version, as text
    assert f"@import url({http_base}/css)" in shown  # the title and a pillar's name
    assert "data:text/plain;base64" in shown.replace(" ", ""), shown


def _yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_methodology_free_text_is_checked_on_upload():
    from dxscore import index as ix

    source = (ix.methodology.BUILTIN_DIR / "vn-766.yaml").read_text(encoding="utf-8")
    hostile = source.replace(
        'version: "2022.1"', 'version: "1</style><link rel=attachment href=file:///etc/passwd>"'
    )
    hostile = re.sub(r"(?m)^title: .*$", lambda _m: 'title: "Decision\\x1b[2J 766"', hostile)
    with pytest.raises(ix.MethodologyError) as caught:
        ix.methodology.loads(hostile)
    where = dict(caught.value.problems)
    assert "short label" in where["version"]
    assert "control characters" in where["title"] and "U+001B" in where["title"]
    # markup characters stay allowed in free text ("< 5 days"): pages escape them
    fine = re.sub(
        r"(?m)^title: .*$",
        lambda _m: 'title: {en: "Dossiers settled in < 5 days & <b>on time</b>", vi: "< 5 ngày"}',
        source,
    )
    assert ix.methodology.loads(fine).title.startswith("Dossiers settled in < 5 days")
