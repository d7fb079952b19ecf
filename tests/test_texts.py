"""dxscore.texts: a text is a string or a mapping language -> string, picked in the
reader's language, else English, else the first language given."""

from __future__ import annotations

import pytest

from dxscore import texts


def test_a_plain_string_is_the_same_in_every_language():
    for lang in ("en", "vi", "ar", "hi", None):
        assert texts.pick("Provincial DTI", lang) == "Provincial DTI"
    assert texts.pick(None, "vi") == "" and texts.pick("", "vi") == ""


def test_the_readers_language_then_english_then_the_first_given():
    name = {"en": "Digital awareness", "vi": "Nhận thức số"}
    assert texts.pick(name, "vi") == "Nhận thức số"
    assert texts.pick(name, "vi-VN") == "Nhận thức số"  # a regional code reads as its language
    assert texts.pick(name, "ar") == "Digital awareness"
    assert texts.pick({"vi": "Nhận thức số", "hi": "डिजिटल जागरूकता"}, "ar") == "Nhận thức số"
    assert texts.pick({"en": "", "vi": "Nhận thức số"}, "en") == "Nhận thức số"  # empty = none


def test_the_reader_comes_from_the_installed_source_or_a_block():
    name = {"en": "Digital awareness", "vi": "Nhận thức số", "hi": "डिजिटल जागरूकता"}
    texts.use_language_source(lambda: "hi")
    try:
        assert texts.language() == "hi" and texts.pick(name) == "डिजिटल जागरूकता"
        with texts.reading("vi"):
            assert texts.pick(name) == "Nhận thức số"
            with texts.reading("en"):
                assert texts.pick(name) == "Digital awareness"
            assert texts.pick(name) == "Nhận thức số"
        assert texts.pick(name) == "डिजिटल जागरूकता"
    finally:
        texts.use_language_source(None)
    assert texts.language() == "en" and texts.pick(name) == "Digital awareness"


def test_a_stored_name_and_its_translations():
    assert texts.translated("Red River Delta", {"vi": "Đồng bằng sông Hồng"}, "vi") == (
        "Đồng bằng sông Hồng"
    )
    assert texts.translated("Red River Delta", {"vi": "Đồng bằng sông Hồng"}, "ar") == (
        "Red River Delta"
    )
    assert texts.translated("Red River Delta", None, "vi") == "Red River Delta"
    # a record stored in Vietnamese carries its English as a translation
    assert texts.translated("Chính quyền số", {"en": "Digital government"}, "en") == (
        "Digital government"
    )


def test_check_refuses_unknown_languages_and_names_where():
    assert texts.check("x", "awareness > name") == "x"
    assert texts.check({"en": "a", "vi": "b"}) == {"en": "a", "vi": "b"}
    with pytest.raises(texts.TextError, match=r"awareness > name: unknown language code\(s\) vn"):
        texts.check({"en": "a", "vn": "b"}, "awareness > name")
    with pytest.raises(texts.TextError, match="the text in 'vi' must be a string"):
        texts.check({"en": "a", "vi": 3}, "name")
    with pytest.raises(texts.TextError, match="must be a text or a mapping"):
        texts.check({}, "name")
    with pytest.raises(texts.TextError, match="must be a text or a mapping"):
        texts.check(3, "name")


def test_english_and_translations():
    assert texts.english({"vi": "Nhận thức số", "en": "Digital awareness"}) == "Digital awareness"
    assert texts.english({"vi": "Nhận thức số"}) == "Nhận thức số"
    assert texts.translations("Provincial DTI") == {"en": "Provincial DTI"}
    assert texts.translations({"en": "a", "vi": "b"}) == {"en": "a", "vi": "b"}
    assert texts.translations("") == {}


def test_the_platform_speaks_the_languages_content_may_be_written_in():
    from dxscore.web import settings

    assert tuple(code for code, _name in settings.LANGUAGES) == texts.LANGUAGES
