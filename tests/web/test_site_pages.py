"""The public front page, the error pages in the site's layout, and a menu that only
offers what the person may open."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory, override_settings
from django.urls import reverse

from dxscore.web import views
from dxscore.web.orgs.models import Role
from tests.web.support import make_person, publish_demo


@pytest.fixture
def published(people):
    return publish_demo(people["admin"])


def test_a_visitor_lands_on_the_published_rankings_without_logging_in(client, published):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Digital transformation scores" in html
    # the newest published edition (2022) with its first unit, Đà Nẵng (48) in DTI 2022
    board = reverse("dash_leaderboard", args=["vn-dti-2022", "2022"])
    assert f'href="{board}"' in html
    card = reverse("dash_scorecard", args=["vn-dti-2022", "2022", "48"])
    assert f'href="{card}"' in html
    first = html.index('<ol class="top-list">')
    assert html.index(f'href="{card}"') == html.index("href=", first)  # Đà Nẵng first
    assert reverse("dash_leaderboard", args=["vn-dti-2022", "2021"]) in html  # other edition
    assert "8 units ranked." in html


def test_the_landing_page_speaks_vietnamese(client, published):
    client.cookies["django_language"] = "vi"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Xếp hạng đầy đủ" in html and "Full ranking" not in html


def test_staff_still_get_their_work_page(client, people, published):
    client.force_login(people["owner"])
    html = client.get("/").content.decode()
    assert "Active methodologies" in html


def test_nothing_published_says_so(client, db):
    assert "Nothing has been published yet." in client.get("/").content.decode()


def test_not_found_is_a_page_of_the_site_that_says_where_to_go(client, people):
    client.force_login(people["owner"])
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'class="top"' in html  # the site's header
    assert f'href="{reverse("home")}"' in html


def test_not_found_in_vietnamese(client, db):
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html and "Page not found" not in html


def test_forbidden_says_why_and_offers_a_way_on(people):
    request = RequestFactory().get("/x/")
    request.user = people["owner"]
    response = views.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    html = response.content.decode()
    assert "Not allowed" in html and "ask an administrator" in html and 'class="top"' in html


def test_server_error_page_in_the_layout_and_its_plain_fallback(people, monkeypatch):
    request = RequestFactory().get("/x/")
    request.user = people["owner"]
    response = views.server_error(request)
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()

    def broken(*args, **kwargs):
        raise RuntimeError("the layout itself fails")

    monkeypatch.setattr(views, "render", broken)
    response = views.server_error(request)
    assert response.status_code == 500 and "Đã xảy ra lỗi" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_view_that_refuses_renders_the_403_page(client, db):
    viewer = make_person("viewer", Role.VIEWER)
    client.force_login(viewer)
    response = client.get(reverse("dossier_jobs"))
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("owner", True), ("admin", True), ("approver", False), ("viewer", False)],
)
def test_the_menu_offers_dossier_data_only_to_who_may_open_it(client, people, persona, sees):
    user = people.get(persona) or make_person(persona, Role.VIEWER)
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    link = f'href="{reverse("dossier_jobs")}"'
    assert (link in html) is sees
    if sees:
        assert client.get(reverse("dossier_jobs")).status_code == 200
    else:
        assert client.get(reverse("dossier_jobs")).status_code == 403


@pytest.mark.parametrize("language", ["en", "vi"])
def test_every_page_starts_with_a_link_that_skips_to_its_content(client, published, language):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in ("/", reverse("login")):
        page = client.get(url).content.decode()
        body = page[page.index("<body") :]
        first_link = body[body.index("<a ") : body.index("</a>")]
        assert 'class="skip" href="#content"' in first_link
        assert ("Skip to the content" if language == "en" else "Chuyển đến nội dung") in first_link
        assert '<main id="content"' in page
