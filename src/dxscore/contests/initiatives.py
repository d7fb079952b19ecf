"""The initiatives competition's rules: who may not score a submission, and how the
evaluators' points for a criterion are combined."""

from __future__ import annotations

from collections.abc import Sequence

AGGREGATIONS = ("mean", "trimmed_mean")


def aggregate(points: Sequence[float], method: str = "mean") -> float | None:
    """The combined points of one criterion: the mean of the evaluators', or
    (``trimmed_mean``) the mean without the highest and the lowest, which needs at least
    three evaluators (with fewer it is the plain mean). None without any score."""
    if method not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {method!r}")
    values = sorted(points)
    if not values:
        return None
    if method == "trimmed_mean" and len(values) >= 3:
        values = values[1:-1]
    return sum(values) / len(values)


def conflicted(evaluator_unit: str | None, submission_unit: str, organiser_unit: str) -> bool:
    """Whether an evaluator of ``evaluator_unit`` (a unit path such as ``/1/7/``) may
    not score a submission of ``submission_unit``: when it is their own unit, a unit
    below theirs, or a unit above theirs — except the organising unit itself, which
    every submission lies within (its people judge everybody's submissions, never one
    of its own)."""
    if evaluator_unit is None:
        return False
    if evaluator_unit == submission_unit:
        return True
    if evaluator_unit == organiser_unit:
        return False
    below = submission_unit.startswith(evaluator_unit)
    above = evaluator_unit.startswith(submission_unit) and submission_unit != organiser_unit
    return below or above
