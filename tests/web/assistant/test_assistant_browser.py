"""In a real browser, in English and in Vietnamese, on a desktop and a phone: a member of
staff asks the assistant with and without diacritics, sees the answer with its
highlighted passage and source, opens the procedure page from the answer's link, gives
a thumbs-up, and gets "I do not know" for a question the library cannot answer (kept
once, even after the language is changed). The demo library, lexical retrieval (the
model's answers are measured in ``tests/assistant`` and the benchmark). Screenshots go to
``DXSCORE_SCREENSHOTS``."""

from __future__ import annotations

import pytest

from tests.web.support import log_in

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo_library(settings, tmp_path, monkeypatch):
    from dxscore.assistant import Library
    from dxscore.demo.assistant import write_sources
    from dxscore.web.assistant import library as lib

    monkeypatch.setenv("DXSCORE_ASSISTANT_EMBEDDINGS", "none")
    settings.DXSCORE_ASSISTANT_STORE = tmp_path / "assistant"
    library = Library.open(settings.DXSCORE_ASSISTANT_STORE, create=True, embedder=None)
    library.import_files(write_sources(tmp_path / "sources"))
    lib.forget()
    yield library
    lib.forget()


def _ask(page, question):
    page.fill("#q", question)
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("#answers")


def test_staff_ask_read_the_source_open_the_procedure_and_give_feedback(
    transactional_db, live_server, browser, shots, monkeypatch, demo_library
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from dxscore.web.assistant.models import Asked, Feedback
    from dxscore.web.orgs.models import Role
    from tests.web.support import make_org, make_person

    org = make_org()
    make_person("owner", Role.DATA_OFFICER, org.d256, org.d256)
    base = live_server.url
    page = browser.new_page(viewport=DESKTOP, locale="en-GB")
    log_in(page, base, "owner")
    page.goto(f"{base}/assistant/")
    assert page.inner_text("h1") == "Procedure assistant"

    # with diacritics, asking for a field: the field's value, the passage, its source
    _ask(page, "Đăng ký khai sinh cần giấy tờ gì")
    first = page.locator("article.answer").first
    assert first.locator("h2 a").inner_text() == "Đăng ký khai sinh"
    assert "Documents of the dossier:" in first.inner_text()
    marks = [m.lower() for m in first.locator("blockquote.passage mark").all_inner_texts()]
    assert "giấy" in marks and "tờ" in marks
    assert "Source: Đăng ký khai sinh (1.000007)" in first.locator(".citation").inner_text()
    page.screenshot(path=str(shots / "assistant-1-en-diacritics.png"), full_page=True)

    # without diacritics: the same words are marked in the passage, which has them
    _ask(page, "dang ky ket hon o dau")
    first = page.locator("article.answer").first
    assert first.locator("h2 a").inner_text() == "Đăng ký kết hôn"
    assert "Agency:" in first.inner_text()
    marks = {m.lower() for m in first.locator("blockquote.passage mark").all_inner_texts()}
    assert {"đăng", "ký", "kết", "hôn"} & marks
    page.screenshot(path=str(shots / "assistant-2-en-no-diacritics.png"), full_page=True)

    # thumbs-up: stored, thanked, and the same answer is shown again
    first.locator("button[name=helpful][value='1']").click()
    page.wait_for_selector("text=Thank you: your feedback helps improve the library.")
    assert page.input_value("#q") == "dang ky ket hon o dau"
    feedback = Feedback.objects.get()
    assert (feedback.procedure, feedback.helpful) == ("1.000013", True)

    # the answer's link opens the procedure page
    page.locator("article.answer h2 a").first.click()
    page.wait_for_url(f"{base}/assistant/procedures/1.000013/")
    assert "Đăng ký kết hôn" in page.inner_text("h1")
    assert "Documents of the dossier" in page.inner_text("dl.fields")
    page.screenshot(path=str(shots / "assistant-3-en-procedure.png"), full_page=True)

    # a question the library cannot answer: "I do not know", kept once
    page.goto(f"{base}/assistant/")
    _ask(page, "cách nấu phở bò")
    assert page.locator("#not-found").is_visible()
    assert page.locator("article.answer").count() == 0

    # in Vietnamese (the selector re-shows the page: the question is not kept again)
    page.select_option("select[name=language]", "vi")
    page.wait_for_selector("html[lang=vi]")
    assert page.inner_text("h1") == "Trợ lý thủ tục hành chính"
    assert page.locator("#not-found").is_visible()
    assert list(Asked.objects.values_list("question", flat=True)) == ["cách nấu phở bò"]

    # on a phone, in Vietnamese, without diacritics and with a typo
    page.set_viewport_size(PHONE)
    _ask(page, "le phi cap doi giay phep lai xe bao nhieu")
    first = page.locator("article.answer").first
    assert first.locator("h2 a").inner_text() == "Cấp đổi giấy phép lái xe"
    text = first.inner_text()
    assert "Phí, lệ phí:" in text and "135.000 đồng" in text
    assert "Nguồn:" in first.locator(".citation").inner_text()
    assert first.locator("blockquote.passage mark").count() >= 3
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"
    page.screenshot(path=str(shots / "assistant-4-vi-phone.png"), full_page=True)
    _ask(page, "đăng ký khia sinh")  # a typo, with diacritics
    first = page.locator("article.answer").first
    assert first.locator("h2 a").inner_text() == "Đăng ký khai sinh"
    assert "Câu trả lời có hữu ích không?" in first.inner_text()
    first.locator("button[name=helpful][value='1']").click()
    page.wait_for_selector("text=Cảm ơn: góp ý của bạn giúp hoàn thiện thư viện.")
    assert Feedback.objects.filter(procedure="1.000007", helpful=True).count() == 1
    page.locator("article.answer h2 a").first.click()
    page.wait_for_url(f"{base}/assistant/procedures/1.000007/")
    assert "Thành phần hồ sơ" in page.inner_text("dl.fields")
    page.screenshot(path=str(shots / "assistant-5-vi-phone-procedure.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/assistant/?q=đăng ký khai sinh cho con mới sinh")
    assert page.locator("article.answer h2 a").first.inner_text() == "Đăng ký khai sinh"
    page.screenshot(path=str(shots / "assistant-6-vi-desktop-paraphrase.png"), full_page=True)
