"""The what-if simulator reads typed values with the one parser (``dxscore.numbers``):
the page's language decides the decimal mark, and a value that reads two ways is an
error that says so, never a guess."""

from __future__ import annotations

import pytest
from django.conf import settings

from dxscore.numbers import format_number
from tests.web.support import publish_demo, url


@pytest.fixture
def run(people):
    return publish_demo(people["admin"])[-1]


def _simulate(client, run, language, **values):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url("dash_whatif", run.pk, "27", format="json", **values)).json()


@pytest.mark.parametrize(
    ("language", "typed"), [("vi", "0,7"), ("vi", "0.7"), ("en", "0.7"), ("en", "0,7")]
)
def test_a_value_that_reads_one_way_is_read_so(as_user, run, language, typed):
    data = _simulate(as_user("steering"), run, language, v_dg_activity=typed)
    assert data["errors"] == [] and data["changes"] == {"dg_activity": 0.7}


def test_an_ambiguous_value_is_an_error_in_the_person_s_language(as_user, run):
    client = as_user("steering")
    en = _simulate(client, run, "en", v_dg_activity="1,000")
    assert en["changes"] == {} and en["errors"] == [
        [
            "dg_activity",
            "'1,000' could be 1000 or 1: write the number without a thousands separator",
        ]
    ]
    vi = _simulate(client, run, "vi", v_dg_activity="1.000")
    assert vi["errors"] == [
        [
            "dg_activity",
            "'1.000' có thể là 1000 hoặc 1: hãy viết số không có dấu phân cách hàng nghìn",
        ]
    ]


def test_the_page_shows_the_typed_value_and_numbers_in_vietnamese(as_user, run):
    client = as_user("steering")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response = client.get(url("dash_whatif", run.pk, "27", v_dg_activity="0,9"))
    html = response.content.decode()
    assert 'value="0,9"' in html  # shown back as typed
    field = next(f for f in response.context["fields"] if f["code"] == "dg_activity")
    now = format_number(field["current"], "vi")
    assert "," in now and f"hiện tại {now}" in html.replace("\n", " ")
