"""Scripts and digits on pages: the Noto UI fonts served from the Debian package (only
the listed files), the language switch naming each language in its own language, the
digits ``DXSCORE_DIGITS`` chooses, ``dir="rtl"`` for Arabic."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from dxscore.web.fonts import FILES, noto_path
from tests.web.support import publish_demo, url


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_listed_noto_fonts_are_served_offline(client, name):
    if noto_path(name) is None:
        pytest.skip("fonts-noto-ui-core is not installed (`make reports` installs it)")
    response = client.get(url("font", name))
    assert response.status_code == 200
    assert response["Content-Type"] == "font/ttf"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x01\x00\x00"  # TrueType
    assert "max-age" in response["Cache-Control"]


@pytest.mark.parametrize(
    "name", ["DejaVuSans.ttf", "NotoSansThaiUI-Regular.ttf", "..%2F..%2Fetc%2Fpasswd", "x"]
)
def test_no_other_file_is_served_as_a_font(client, db, name):
    assert client.get(f"/fonts/{name}").status_code == 404


def test_the_stylesheet_names_the_fonts_by_their_local_route(client):
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("dxscore/site.css")).read_text(encoding="utf-8")
    for name in FILES:
        assert f'url("/fonts/{name}")' in css
    assert "Noto Sans Arabic UI" in css and "Noto Sans Devanagari UI" in css
    assert "http" not in css  # no CDN


@pytest.mark.parametrize(
    ("lang", "direction"), [("en", "ltr"), ("vi", "ltr"), ("ar", "rtl"), ("hi", "ltr")]
)
def test_each_language_is_named_in_itself_and_arabic_is_right_to_left(client, db, lang, direction):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = lang
    html = client.get(url("login")).content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in html
    for code, own in (("en", "English"), ("vi", "Tiếng Việt"), ("ar", "العربية"), ("hi", "हिन्दी")):
        assert f'<option value="{code}" lang="{code}"' in html
        assert f">{own}</option>" in html


@pytest.mark.parametrize(
    ("digits", "lang", "expected"),
    [("locale", "ar", "0.6884"), ("native", "ar", "٠٫٦٨٨٤"), ("native", "hi", "०.६८८४"),
     ("western", "ar", "0.6884"), ("native", "vi", "0,6884")],
)  # fmt: skip
def test_pages_write_the_digits_the_workspace_chooses(
    client, people, settings, digits, lang, expected
):
    from tests.web.support import stored

    run = publish_demo(people["admin"])[-1]
    assert f"{stored(run)['20'][0]:.4f}" == "0.6884"
    settings.DXSCORE_DIGITS = digits
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = lang
    html = client.get(url("dash_scorecard", "vn-dti-2022", "2022", "20")).content.decode()
    assert expected in html
