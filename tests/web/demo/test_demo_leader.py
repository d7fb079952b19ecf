"""The leader's view of the demo's Lạng Sơn: the figures of its detail pages, and a PDF of
one A4 page, for its steering office and for an anonymous visitor."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from dxscore.demo import workspace

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.HOME = tmp_path
    settings.DXSCORE_DOSSIER_STORE = tmp_path / "dossiers"
    return workspace.build(dossier_rows=20_000)


def _one_a4_page(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    return reader.pages[0].extract_text()


def test_lang_son_on_one_a4_page(demo, client):
    from django.contrib.auth import get_user_model

    steering = get_user_model().objects.get(username="steering")
    client.force_login(steering)
    page = client.get("/leader/20/")
    assert page.status_code == 200
    ctx = page.context
    # the latest edition: the DTI 2025 on the map of its period, against 2024 on that map
    score = ctx["score"]
    assert (score["run"].methodology.code, score["run"].period.code) == ("vn-dti-2022", "2025")
    assert score["previous"].period.code == "2024"
    card = client.get(score["url"])
    assert (score["score"], score["rank"]) == (
        card.context["index"]["score"],
        card.context["index"]["rank"],
    )
    assert score["change"] == card.context["change"]
    # Resolution 49-NQ/TU's 30 targets, its overdue tasks, the dossiers of two years
    resolution = client.get(ctx["targets"]["url"])
    assert ctx["targets"]["summary"] == resolution.context["summary"]
    assert ctx["targets"]["summary"]["total"] == 30
    listed = client.get(ctx["tasks"]["url"])
    assert ctx["tasks"]["overdue"] == len(listed.context["tasks"])
    services = ctx["services"]
    assert services["period"] == "2025" and len(services["trend"]) == 8
    dashboard = client.get(services["url"]).context["rows"][0]
    assert services["total"] == pytest.approx(dashboard["total"])
    assert services["quality"].records == dashboard["quality"].records

    text = _one_a4_page(client.get("/leader/20/leader.pdf").content)
    assert "Lạng Sơn" in text and "Resolution targets" in text and "Data quality" in text
    client.cookies["django_language"] = "vi"  # longer words, still one page
    vietnamese = client.get("/leader/20/leader.pdf", HTTP_ACCEPT_LANGUAGE="vi").content
    assert "Chỉ tiêu nghị quyết" in _one_a4_page(vietnamese)
    del client.cookies["django_language"]
    client.logout()
    text = _one_a4_page(client.get("/leader/20/leader.pdf").content)
    assert "Lạng Sơn" in text and "Resolution targets" not in text
