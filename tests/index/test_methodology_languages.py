"""Names, descriptions and help of a methodology in several languages: the loader reads
``{en: ..., vi: ...}``, refuses an unknown language naming the node, keeps computing on
codes, and leaves the digest as it was (names are not scores)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from dxscore import index as ix
from dxscore import texts
from dxscore.index import methodology as mm

SMALL = """
id: small
version: "1"
title: {en: Small index, vi: Chỉ số nhỏ, ar: مؤشر صغير, hi: छोटा सूचकांक}
description: {en: Two indicators., vi: Hai chỉ tiêu.}
tree:
  code: index
  name: {en: Small, vi: Nhỏ}
  children:
    - code: a
      name: {en: Online dossiers, vi: Hồ sơ trực tuyến}
      help: {en: Share filed online., vi: Tỷ lệ nộp trực tuyến.}
    - code: b
      name: Plain name
"""


def test_names_in_several_languages_are_read_and_picked():
    m = mm.loads(SMALL)
    with texts.reading("vi"):
        assert m.title == "Chỉ số nhỏ" and m.description == "Hai chỉ tiêu."
        assert m.nodes["index"].name == "Nhỏ" and m.nodes["a"].name == "Hồ sơ trực tuyến"
        assert m.nodes["a"].help == "Tỷ lệ nộp trực tuyến."
        assert m.nodes["b"].name == "Plain name"  # a plain string in every language
    with texts.reading("ar"):
        assert m.title == "مؤشر صغير" and m.nodes["a"].name == "Online dossiers"  # English
    assert m.title == "Small index" and m.nodes["a"].name == "Online dossiers"
    assert m.indicators == ["a", "b"]  # codes, whatever the language


def test_an_unknown_language_is_refused_naming_the_node_and_field():
    bad = SMALL.replace("{en: Online dossiers, vi:", "{en: Online dossiers, vn:")
    with pytest.raises(ix.MethodologyError) as caught:
        mm.loads(bad)
    where = dict(caught.value.problems)
    assert "unknown language code(s) vn" in where["tree > index > a > name"]
    assert "en, vi, ar, hi" in where["tree > index > a > name"]
    bad = SMALL.replace("title: {en: Small index,", "title: {fr: Petit, en: Small index,")
    with pytest.raises(ix.MethodologyError) as caught:
        mm.loads(bad)
    assert "unknown language code(s) fr" in dict(caught.value.problems)["title"]


def test_each_language_is_checked_as_a_plain_text():
    bad = SMALL.replace("vi: Hồ sơ trực tuyến", 'vi: "Hồ sơ\\x07"')
    with pytest.raises(ix.MethodologyError) as caught:
        mm.loads(bad)
    message = dict(caught.value.problems)["tree > index > a > name"]
    assert "U+0007" in message and "(in 'vi')" in message
    long = SMALL.replace("vi: Hồ sơ trực tuyến", "vi: " + "x" * 301)
    with pytest.raises(ix.MethodologyError) as caught:
        mm.loads(long)
    assert "at most 300" in dict(caught.value.problems)["tree > index > a > name"]


def test_translations_leave_the_digest_and_the_scores_as_they_were():
    plain = re.sub(r"\{en: ([^,]+), vi: [^}]+\}", r"\1", SMALL)
    plain = plain.replace(", ar: مؤشر صغير, hi: छोटा सूचकांक", "")
    assert "vi:" not in plain
    assert mm.loads(plain).digest == mm.loads(SMALL).digest


def _english_only(node):
    if isinstance(node, dict):
        if (
            node
            and set(node) <= set(texts.LANGUAGES)
            and all(isinstance(v, str) for v in node.values())
        ):
            return texts.english(node)
        return {k: _english_only(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_english_only(v) for v in node]
    return node


@pytest.mark.parametrize("ref", mm.builtin_ids())
def test_the_builtins_speak_vietnamese_and_compute_as_before(ref):
    m = ix.load(ref)
    raw = yaml.safe_load(Path(m.path).read_text(encoding="utf-8"))
    assert mm.loads(yaml.safe_dump(_english_only(raw), allow_unicode=True)).digest == m.digest
    with texts.reading("vi"):
        assert m.title != texts.english(m.title_text)  # a Vietnamese title
        pillars = [m.nodes[c].name for c in m.nodes["index"].children]
    assert all(isinstance(texts.pick(m.nodes[c].spec.name, "vi"), str) for c in m.nodes)
    assert pillars and all(p for p in pillars)


def test_official_vietnamese_names_of_the_dti_pillars():
    m = ix.load("vn-dti-2022")
    with texts.reading("vi"):
        names = {c: m.nodes[c].name for c in m.nodes}
    assert names["awareness"] == "Nhận thức số" and names["institutions"] == "Thể chế số"
    assert names["cybersecurity"] == "An toàn thông tin mạng"
    assert names["digital_government"] == "Chính quyền số"
    for lang in ("ar", "hi"):
        with texts.reading(lang):
            assert all(m.nodes[c].name != texts.english(m.nodes[c].spec.name) for c in m.nodes)


def test_an_old_file_with_plain_names_still_loads_and_shows_them():
    old = SMALL.replace("{en: Online dossiers, vi: Hồ sơ trực tuyến}", "Online dossiers")
    old = re.sub(r"(?m)^title: .*$", "title: Small index", old)
    m = mm.loads(old)
    with texts.reading("vi"):
        assert m.title == "Small index" and m.nodes["a"].name == "Online dossiers"
