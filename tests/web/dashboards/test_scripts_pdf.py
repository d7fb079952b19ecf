"""PDFs in Arabic and Hindi: the scorecard renders Arabic (right to left) and Devanagari
with the Noto UI fonts of the Debian package, embedded in the file (pdffonts), and
Arabic-Indic or Devanagari digits when ``DXSCORE_DIGITS=native``. The unit's name is
written in the script here, so the test holds before the catalogues are complete; with
them, the page's own text is in the script too."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.conf import settings

from dxscore.web.fonts import noto_path
from tests.web.dashboards import test_leader
from tests.web.support import publish_demo, text_of, url

pytestmark = pytest.mark.slow
leader = test_leader.leader  # the leader's page's fixture

ARABIC = re.compile(r"[\u0600-\u06ff]")
DEVANAGARI = re.compile(r"[\u0900-\u097f]")
SCRIPTS = {
    "ar": ("لانغ سون", ARABIC, "NotoSansArabicUI", "٠١٢٣٤٥٦٧٨٩"),
    "hi": ("लांग सोन", DEVANAGARI, "NotoSansDevanagariUI", "०१२३४५६७८९"),
}
# pdffonts names them "Noto-Sans-Arabic-UI" (a subset prefix before, "-Bold" after)
PDF_NAMES = {
    "ar": re.compile(r"\+Noto-?Sans-?Arabic-?UI\b"),
    "hi": re.compile(r"\+Noto-?Sans-?Devanagari-?UI\b"),
}


def _fonts(pdftotext, path) -> str:
    pdffonts = shutil.which("pdffonts") or pdftotext.replace("pdftotext", "pdffonts")
    return subprocess.run([pdffonts, str(path)], check=True, capture_output=True, text=True).stdout


def _named(run, name: str) -> None:
    """Lạng Sơn named in the script, in the run's own table of units (what pages show)."""
    table = [dict(row, name=name) if row["unit"] == "20" else row for row in run.unit_table]
    type(run).objects.filter(pk=run.pk).update(unit_table=table)


@pytest.mark.parametrize("lang", ["ar", "hi"])
def test_the_scorecard_pdf_renders_its_script_with_an_embedded_noto_font(
    client, people, tmp_path, pdftotext, lang, settings
):
    name, script, font, digits = SCRIPTS[lang]
    if noto_path(f"{font}-Regular.ttf") is None:
        pytest.skip("fonts-noto-ui-core is not installed (`make reports` installs it)")
    _named(publish_demo(people["admin"])[-1], name)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(url("dash_scorecard_dl", "vn-dti-2022", "2022", "20", "pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Language"] == lang
    text = text_of(pdftotext, response.content, tmp_path, f"card-{lang}.pdf")
    # (pdftotext writes the Arabic lam-alef ligature's letters in visual order: the last
    # word is compared)
    assert name.split()[-1] in text, text[:400]
    assert len(script.findall(text)) >= len(name) - 2
    embedded = _fonts(pdftotext, tmp_path / f"card-{lang}.pdf")
    lines = [line for line in embedded.splitlines() if PDF_NAMES[lang].search(line)]
    assert lines, embedded
    assert all(line.split()[-5] == "yes" for line in lines), embedded  # embedded

    # the locale's own digits, where the workspace chooses them
    settings.DXSCORE_DIGITS = "native"
    response = client.get(url("dash_scorecard_dl", "vn-dti-2022", "2022", "20", "pdf"))
    text = text_of(pdftotext, response.content, tmp_path, f"native-{lang}.pdf")
    assert sum(text.count(d) for d in digits) > 10


def test_the_scorecard_pdf_is_right_to_left_in_arabic(client, people):
    """The document says so (``dir="rtl"``) and names the Arabic font first."""
    from django.test import RequestFactory
    from django.urls import resolve
    from django.utils import translation

    from dxscore.web.dashboards import reports
    from dxscore.web.dashboards.queries import Board

    run = publish_demo(people["admin"])[-1]
    address = url("dash_scorecard", "vn-dti-2022", "2022", "20")
    for lang, direction, first in (("ar", "rtl", "Noto Sans Arabic UI"), ("vi", "ltr", "DejaVu")):
        request = RequestFactory().get(address)
        request.resolver_match = resolve(address)
        request.user = people["admin"]
        request.LANGUAGE_CODE = lang
        with translation.override(lang):
            html, _charts = reports.scorecard_document(request, Board(run), "20")
        assert f'dir="{direction}"' in html.split("<head>")[0]
        assert re.search(r'body \{ font-family: "' + first, html), lang
    assert settings.LANGUAGE_COOKIE_NAME


@pytest.mark.usefixtures("leader")
def test_the_leaders_pdf_in_arabic_uses_the_arabic_font_and_digits(
    as_user, settings, tmp_path, pdftotext
):
    """The leader's one-page PDF in Arabic with the locale's native digits: Arabic-Indic
    digits, drawn with the embedded Noto Sans Arabic UI."""
    if noto_path("NotoSansArabicUI-Regular.ttf") is None:
        pytest.skip("fonts-noto-ui-core is not installed (`make reports` installs it)")
    settings.DXSCORE_DIGITS = "native"
    client = as_user("steering")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    response = client.get(url("dash_leader_pdf", "27"))
    assert response["Content-Type"] == "application/pdf"
    text = text_of(pdftotext, response.content, tmp_path, "leader-ar.pdf")
    assert sum(text.count(d) for d in SCRIPTS["ar"][3]) > 5
    embedded = _fonts(pdftotext, tmp_path / "leader-ar.pdf")
    assert PDF_NAMES["ar"].search(embedded), embedded
