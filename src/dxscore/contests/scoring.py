"""Scoring: a single-choice answer is right when it names the one correct option; a
multiple-choice answer when it names exactly the correct options (no partial credit, as
the provincial contests score). An attempt's score is the sum of its right answers'
points."""

from __future__ import annotations

from collections.abc import Collection, Iterable


def is_correct(kind: str, correct: Collection[int], chosen: Collection[int]) -> bool:
    chosen_set, correct_set = set(chosen), set(correct)
    if not correct_set:
        return False
    if kind == "single" and len(chosen_set) != 1:
        return False
    return chosen_set == correct_set


def score(answers: Iterable[tuple[str, Collection[int], Collection[int], int]]) -> int:
    """Sum of the points of the right answers in ``(kind, correct, chosen, points)``."""
    return sum(points for kind, right, chosen, points in answers if is_correct(kind, right, chosen))
