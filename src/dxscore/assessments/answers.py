"""Answer sheets: which questions are shown (skip logic), what a valid answer is, and the
points each answer earns.

An answer sheet is a mapping ``question code -> answer``: an option code (single
choice), a list of option codes (multiple), a whole number (scale), a number, ``"yes"``
or ``"no"``, a text. A question is shown when it has no ``show_if``, or when the
question it names is shown and answered as it says; answers to questions not shown are
dropped. A question not shown, or not answered, earns no points."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from dxscore.assessments.questionnaire import Question, Questionnaire
from dxscore.index.arrays import Floats

Answers = Mapping[str, Any]


def _matches(question: Question, answer: Any, shown: bool) -> bool:
    cond = question.spec.show_if
    if cond is None:
        return True
    if not shown or answer is None:
        return False
    if cond.at_least is not None:
        return isinstance(answer, int | float) and answer >= cond.at_least
    assert cond.in_ is not None
    if isinstance(answer, list):
        return any(a in cond.in_ for a in answer)
    return str(answer) in cond.in_


def visible(q: Questionnaire, answers: Answers) -> list[str]:
    """The questions shown for these answers, in order."""
    shown: dict[str, bool] = {}
    for code, question in q.questions.items():
        cond = question.spec.show_if
        if cond is None:
            shown[code] = True
        else:
            shown[code] = _matches(question, answers.get(cond.question), shown[cond.question])
    return [c for c, s in shown.items() if s]


def _empty(answer: Any) -> bool:
    return answer is None or answer == "" or answer == []


def clean(
    q: Questionnaire, answers: Answers, complete: bool
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The answers of the questions shown, each checked; ``(cleaned, problems)`` with
    ``problems`` a list of ``(question code, reason)``. ``complete``: a submission, where
    every required question shown must be answered."""
    problems: list[tuple[str, str]] = []
    for code in answers:
        if code not in q.questions:
            problems.append((code, "not a question of this questionnaire"))
    shown = visible(q, answers)
    out: dict[str, Any] = {}
    for code in shown:
        question = q.questions[code]
        answer = answers.get(code)
        if _empty(answer):
            if complete and question.spec.required:
                problems.append((code, "an answer is required"))
            continue
        value, reason = _check(question, answer)
        if reason:
            problems.append((code, reason))
        else:
            out[code] = value
    return out, problems


def _check(question: Question, answer: Any) -> tuple[Any, str]:
    spec = question.spec
    t = spec.type
    options = {o.code for o in spec.options}
    if t == "single":
        if not isinstance(answer, str) or answer not in options:
            return None, "not one of the options"
        return answer, ""
    if t == "multiple":
        chosen = [answer] if isinstance(answer, str) else answer
        if not isinstance(chosen, list) or not all(isinstance(a, str) for a in chosen):
            return None, "not a list of options"
        if any(a not in options for a in chosen):
            return None, "not one of the options"
        return [o.code for o in spec.options if o.code in set(chosen)], ""
    if t == "yesno":
        if answer not in ("yes", "no"):
            return None, "answer yes or no"
        return answer, ""
    if t == "text":
        if not isinstance(answer, str):
            return None, "not a text"
        text = answer.strip()
        if len(text) > spec.max_length:
            return None, f"longer than {spec.max_length} characters"
        if any(ord(c) < 32 and c not in "\n\t\r" for c in text):
            return None, "control characters are not allowed"
        return text, ""
    number = _number(answer)
    if number is None:
        return None, "not a number"
    if t == "scale":
        if number != int(number) or int(number) not in question.scale_values():
            return None, f"a whole number from {spec.min:g} to {spec.max:g}"
        return int(number), ""
    if spec.min is not None and number < spec.min:
        return None, f"at least {spec.min:g}"
    if spec.max is not None and number > spec.max:
        return None, f"at most {spec.max:g}"
    return number, ""


def _number(answer: Any) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int | float):
        value = float(answer)
    elif isinstance(answer, str):
        try:
            value = float(answer.strip().replace(",", "."))
        except ValueError:
            return None
    else:
        return None
    return value if math.isfinite(value) else None


def earned(question: Question, answer: Any) -> float:
    """The points one (checked) answer earns; 0 when not answered."""
    if _empty(answer) or not question.scored:
        return 0.0
    spec = question.spec
    t = spec.type
    if t == "single":
        return next((max(o.points, 0.0) for o in spec.options if o.code == answer), 0.0)
    if t == "multiple":
        total = sum(max(o.points, 0.0) for o in spec.options if o.code in set(answer))
        return min(total, question.max_points)
    if t == "yesno":
        assert isinstance(spec.points, dict)
        return float(spec.points.get(answer, 0.0))
    if t == "scale":
        assert spec.min is not None
        step = int(answer) - int(spec.min)
        return float(spec.points[step]) if isinstance(spec.points, list) else float(step)
    if t == "number":
        reached = [b.points for b in spec.bands if float(answer) >= b.at_least]
        return reached[-1] if reached else 0.0
    return 0.0


def points(q: Questionnaire, answers: Answers) -> dict[str, float]:
    """Points per scored question shown on one sheet (0 for those not answered)."""
    shown = set(visible(q, answers))
    return {s.code: earned(s, answers.get(s.code)) for s in q.scored() if s.code in shown}


def points_table(q: Questionnaire, sheets: Sequence[Answers]) -> dict[str, Floats]:
    """Points per scored question for many sheets at once: ``code -> (N,)`` array, NaN
    where the question is not shown.

    Column by column: visibility is carried down the chain of ``show_if`` as boolean
    arrays, and each question's answers are mapped to points through a lookup of its
    distinct answers, so the cost is one pass over the answers per question."""
    n = len(sheets)
    shown: dict[str, np.ndarray] = {}
    out: dict[str, Floats] = {}
    for code, question in q.questions.items():
        cond = question.spec.show_if
        if cond is None:
            mask = np.ones(n, dtype=bool)
        else:
            parent = shown[cond.question]
            column = [s.get(cond.question) for s in sheets]
            mask = parent & np.fromiter(
                (_matches(question, a, True) for a in column), dtype=bool, count=n
            )
        shown[code] = mask
        if not question.scored:
            continue
        cache: dict[Any, float] = {}
        values = np.zeros(n)
        for i, sheet in enumerate(sheets):
            answer = sheet.get(code)
            if answer is None:
                continue
            key = tuple(answer) if isinstance(answer, list) else answer
            got = cache.get(key)
            if got is None:
                got = cache[key] = earned(question, answer)
            values[i] = got
        out[code] = np.where(mask, values, np.nan)
    return out
