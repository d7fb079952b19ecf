"""The language switch keeps the page (its address and query) and remembers the choice on
the person; log-in applies the person's language; nobody else's choice changes."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from dxscore.web.orgs.models import Person

PASSWORD = "correct horse battery"


def _switch(client, language, next_url):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


@pytest.mark.parametrize(
    "page",
    ["/plans/?status=at_risk&unit=27", "/dashboards/whatif/3/27/?v_online=0%2C7", "/"],
)
def test_the_switch_goes_back_to_the_same_page_with_its_query(client, people, page):
    response = _switch(client, "vi", page)
    assert response.status_code == 302 and response["Location"] == page
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"


def test_the_switch_never_leaves_the_site(client, people):
    response = _switch(client, "vi", "https://elsewhere.example/phish")
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_form_in_every_page_sends_the_page_it_is_on(client, people):
    client.force_login(people["owner"])
    html = client.get("/?a=1&b=2").content.decode()
    assert 'name="next" type="hidden" value="/?a=1&amp;b=2"' in html


@pytest.mark.parametrize(("persona", "stored"), [("owner", "vi"), ("colleague", "")])
def test_the_choice_is_remembered_on_the_person_who_made_it_only(client, people, persona, stored):
    client.force_login(people["owner"])
    _switch(client, "vi", "/")
    assert Person.objects.get(user=people[persona]).language == stored


def test_an_unknown_language_changes_nothing(client, people):
    client.force_login(people["owner"])
    _switch(client, "xx", "/")
    assert Person.objects.get(user=people["owner"]).language == ""


def test_an_anonymous_switch_stores_nothing(client, people):
    response = _switch(client, "vi", "/public/")
    assert response["Location"] == "/public/"
    assert set(Person.objects.values_list("language", flat=True)) == {""}


def test_log_in_applies_the_person_s_language(client, people):
    Person.objects.filter(user=people["owner"]).update(language="vi")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # another person's, on this browser
    response = client.post(
        reverse("login"), {"username": "owner", "password": PASSWORD, "next": "/"}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"
    page = client.get("/")
    assert page["Content-Language"] == "vi" and '<html lang="vi"' in page.content.decode()


def test_log_in_without_a_stored_language_keeps_the_browser_s(client, people):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response = client.post(reverse("login"), {"username": "colleague", "password": PASSWORD})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert client.get("/")["Content-Language"] == "vi"


def test_the_choice_made_in_one_browser_follows_the_person_to_another(client, people):
    client.force_login(people["owner"])
    _switch(client, "vi", "/")
    client.logout()
    client.cookies.clear()
    client.post(reverse("login"), {"username": "owner", "password": PASSWORD})
    assert client.get("/")["Content-Language"] == "vi"
