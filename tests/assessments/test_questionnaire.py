"""Questionnaire files: every problem named with the file, the question and the reason;
skip logic; points and the engine's scores equal to a hand computation."""

from __future__ import annotations

import numpy as np
import pytest

from dxscore import assessments as qa

SMALL = """\
id: small
version: "1"
kind: business
publish: sm
title: {en: Small, vi: Nhỏ}
levels:
  - {code: low, from: 0, name: {en: Low, vi: Thấp}}
  - {code: high, from: 50, name: {en: High, vi: Cao}}
pillars:
  - code: p1
    name: {en: One, vi: Một}
    recommendations:
      low: {en: Do more, vi: Làm thêm}
  - code: p2
    name: {en: Two, vi: Hai}
    weight: 3
sections:
  - code: s1
    title: {en: First, vi: Thứ nhất}
    pillar: p1
    questions:
      - code: has
        type: yesno
        text: {en: Has it, vi: Có không}
        points: {yes: 2, no: 0}
      - code: how
        type: single
        show_if: {question: has, in: [yes]}
        text: {en: How, vi: Thế nào}
        options:
          - {code: a, points: 1, text: {en: A, vi: A}}
          - {code: b, points: 3, text: {en: B, vi: B}}
      - code: many
        type: multiple
        required: false
        max_points: 3
        text: {en: Which, vi: Cái nào}
        options:
          - {code: x, points: 2, text: {en: X, vi: X}}
          - {code: y, points: 2, text: {en: Y, vi: Y}}
  - code: s2
    title: {en: Second, vi: Thứ hai}
    pillar: p2
    questions:
      - code: rate
        type: scale
        min: 1
        max: 5
        text: {en: Rate, vi: Chấm}
      - code: count
        type: number
        required: false
        text: {en: How many, vi: Bao nhiêu}
        bands: [{at_least: 1, points: 1}, {at_least: 10, points: 4}]
        show_if: {question: rate, at_least: 3}
      - code: note
        type: text
        required: false
        text: {en: Note, vi: Ghi chú}
"""


def small() -> qa.Questionnaire:
    return qa.loads(SMALL, source="small.yaml")


def test_the_builtins_load_and_have_the_six_pillars():
    assert qa.builtin_ids() == ["dbi-business", "satisfaction"]
    dbi = qa.load("dbi-business")
    assert dbi.pillars == [
        "customers",
        "strategy",
        "infrastructure",
        "operations",
        "culture",
        "data",
    ]
    for p in dbi.spec.pillars:  # a recommendation for every level below the top
        assert set(p.recommendations) == set(dbi.levels[:-1])
    assert qa.load("satisfaction").spec.kind == "citizen"


@pytest.mark.parametrize(
    ("change", "where", "reason"),
    [
        (
            ("show_if: {question: has, in: [yes]}", "show_if: {question: rate, in: [yes]}"),
            "question how > show_if",
            "'rate' is not a question asked before this one",
        ),
        (
            ("show_if: {question: has, in: [yes]}", "show_if: {question: has, in: [maybe]}"),
            "question how > show_if",
            "'maybe' is not an answer of 'has'",
        ),
        (
            ("      - code: many", "      - code: has"),
            "question has",
            "the question code is given twice",
        ),
        (("    pillar: p2\n", "    pillar: p9\n"), "section s2 > pillar", "unknown pillar 'p9'"),
        (
            ("        min: 1\n        max: 5\n", "        min: 5\n        max: 1\n"),
            "question rate",
            "a scale goes from min to a larger max, at most 10 steps",
        ),
        (
            ("points: {yes: 2, no: 0}", "points: {yes: 2, perhaps: 1}"),
            "question has > points",
            "a yes/no question's points are {yes: N, no: N}",
        ),
        (
            ("  - {code: high, from: 50,", "  - {code: high, from: 0,"),
            "level high > from",
            "levels go up: each starts above the one before",
        ),
        (
            ("      low: {en: Do more", "      top: {en: Do more"),
            "pillar p1 > recommendations > top",
            "not a level of the file",
        ),
        (
            ("        text: {en: How, vi: Thế nào}", "        text: {en: How}"),
            "section s1 > question how > text > vi",
            "Field required",
        ),
        (("        type: single", "        type: choice"), "section s1 > question how > type", ""),
    ],
)
def test_a_problem_names_file_question_and_reason(change, where, reason):
    old, new = change
    assert old in SMALL
    with pytest.raises(qa.QuestionnaireError) as caught:
        qa.loads(SMALL.replace(old, new, 1), source="bad.yaml")
    assert caught.value.source == "bad.yaml"
    assert "bad.yaml" in str(caught.value)
    found = [(w, m) for w, m in caught.value.problems if w == where]
    assert found, caught.value.problems
    if reason:
        assert reason in [m for _w, m in found]


def test_every_problem_is_reported_at_once():
    text = SMALL.replace("in: [yes]", "in: [maybe]").replace("pillar: p2\n", "pillar: p9\n")
    with pytest.raises(qa.QuestionnaireError) as caught:
        qa.loads(text, source="bad.yaml")
    wheres = {w for w, _m in caught.value.problems}
    assert {"question how > show_if", "section s2 > pillar"} <= wheres


def test_yaml_errors_say_the_line():
    with pytest.raises(qa.QuestionnaireError) as caught:
        qa.loads("id: [", source="broken.yaml")
    assert caught.value.problems[0][0].startswith("line ")


def test_skip_logic_shows_follow_ups_only_when_the_answer_says_so():
    q = small()
    assert "how" not in qa.visible(q, {"has": "no"})
    assert "how" in qa.visible(q, {"has": "yes"})
    assert "count" not in qa.visible(q, {"rate": 2})
    assert "count" in qa.visible(q, {"rate": 3})
    # a hidden question's answer is dropped and a hidden question is not required
    cleaned, problems = qa.clean(q, {"has": "no", "how": "b", "rate": 2}, complete=True)
    assert cleaned == {"has": "no", "rate": 2} and problems == []
    _cleaned, problems = qa.clean(q, {"has": "yes", "rate": 2}, complete=True)
    assert problems == [("how", "an answer is required")]


def test_answers_are_checked():
    q = small()
    _c, problems = qa.clean(
        q, {"has": "oui", "rate": 7, "many": ["x", "z"], "zzz": 1, "count": "lots"}, False
    )
    assert dict(problems) == {
        "zzz": "not a question of this questionnaire",
        "has": "answer yes or no",
        "rate": "a whole number from 1 to 5",
        "many": "not one of the options",
        "count": "not a number",  # shown: the rate given reaches 3
    }


def test_scores_equal_a_hand_computation():
    q = small()
    answers = {"has": "yes", "how": "b", "many": ["x", "y"], "rate": 4, "count": 12}
    # p1: has 2 + how 3 + many min(4, 3) = 8 of 2 + 3 + 3 = 8 -> 100
    # p2: rate 4 - 1 = 3 of 4, count band 4 of 4 -> 7 of 8 = 87.5
    # index: (1 * 100 + 3 * 87.5) / 4 = 90.625
    assert qa.points(q, answers) == {"has": 2, "how": 3, "many": 3, "rate": 3, "count": 4}
    s = qa.score_sheets(q, ["a"], [answers])
    assert s.pillars["p1"][0] == pytest.approx(100)
    assert s.pillars["p2"][0] == pytest.approx(87.5)
    assert s.index[0] == pytest.approx(90.625)
    assert s.levels[0] == "high"
    # not shown -> left out: has no (how hidden): 0 of 2 + many unanswered 0 of 3;
    # rate 2 (count hidden): 1 of 4 -> 25; index (0 + 3 * 25) / 4
    other = {"has": "no", "how": "b", "rate": 2, "count": 50}
    assert qa.points(q, other) == {"has": 0, "many": 0, "rate": 1}
    s = qa.score_sheets(q, ["b"], [qa.clean(q, other, False)[0]])
    assert s.pillars["p1"][0] == pytest.approx(0)
    assert s.pillars["p2"][0] == pytest.approx(25)
    assert s.index[0] == pytest.approx(3 * 25 / 4)
    assert s.levels[0] == "low"
    # shown but not answered earns 0 of its maximum: count shown (rate 3), unanswered
    s = qa.score_sheets(q, ["c"], [{"has": "no", "rate": 3}])
    assert s.pillars["p2"][0] == pytest.approx(100 * 2 / 8)


def test_many_sheets_at_once_equal_one_by_one():
    q = qa.load("dbi-business")
    rng = np.random.default_rng(3)
    sheets = []
    for _ in range(200):
        sheet = {}
        for code, question in q.questions.items():
            spec = question.spec
            if spec.type in ("single", "multiple"):
                picks = [o.code for o in spec.options if rng.random() < 0.5] or [
                    spec.options[0].code
                ]
                sheet[code] = picks if spec.type == "multiple" else picks[0]
            elif spec.type == "yesno":
                sheet[code] = "yes" if rng.random() < 0.5 else "no"
            elif spec.type == "scale":
                sheet[code] = int(rng.integers(1, 6))
            elif spec.type == "number":
                sheet[code] = float(rng.integers(0, 60))
        sheets.append(sheet)
    table = qa.points_table(q, sheets)
    for i, sheet in enumerate(sheets):
        assert {c: table[c][i] for c in table if not np.isnan(table[c][i])} == qa.points(q, sheet)


def test_the_explanation_is_the_engines_with_the_questions_texts():
    q = small()
    table = qa.explain(q, {"has": "yes", "how": "a", "rate": 5}, "vi")
    rows = table.set_index("node")
    assert rows.loc["how", "name"] == "Thế nào"
    assert rows.loc["how", "raw"] == 1
    # contributions of the pillars add up to the index
    pillars = table[table["parent"] == "index"]
    assert pillars["contribution"].sum() == pytest.approx(rows.loc["index", "score"])


def test_recommendations_of_the_weakest_pillars():
    q = qa.load("dbi-business")
    scores = {p: 90.0 for p in q.pillars} | {"data": 10.0, "strategy": 45.0}
    recs = qa.recommendations(q, scores, "vi")
    assert [(r.pillar, r.level) for r in recs] == [("data", "l1"), ("strategy", "l3")]
    assert recs[0].text == q.pillar("data").recommendations["l1"].vi


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("0101234567", True),
        ("0101234567-001", True),
        ("0101 234 567", True),
        ("010123456", False),
        ("0101234567-01", False),
        ("01012345678", False),
        ("abcdefghij", False),
        ("0000000000", False),
        ("", False),
    ],
)
def test_tax_codes_are_checked_for_format(text, ok):
    _code, reason = qa.check_tax_code(text)
    assert (reason == "") is ok
