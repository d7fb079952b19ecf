"""Ranking participants: higher score first; then the closer prediction of the number of
participants who answered every question correctly (the Vietnamese tie-breaker
question; no prediction counts as farthest); then the shorter time. Participants equal
on all three share a rank (competition ranking: 1, 2, 2, 4)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K")


@dataclass(frozen=True)
class Entry:
    """One participant's counted result: key, score, prediction (or None), seconds."""

    key: object
    score: float
    prediction: int | None
    seconds: float


@dataclass(frozen=True)
class Ranked:
    rank: int
    entry: Entry
    distance: float  # |prediction - true count|, inf without a prediction


def _distance(entry: Entry, true_count: int) -> float:
    return math.inf if entry.prediction is None else float(abs(entry.prediction - true_count))


def rank(entries: Iterable[Entry], true_count: int) -> list[Ranked]:
    rows = [(e, _distance(e, true_count)) for e in entries]
    rows.sort(key=lambda r: (-r[0].score, r[1], r[0].seconds, str(r[0].key)))
    out: list[Ranked] = []
    previous: tuple[float, float, float] | None = None
    for position, (entry, distance) in enumerate(rows, start=1):
        key = (entry.score, distance, entry.seconds)
        number = out[-1].rank if previous == key and out else position
        out.append(Ranked(number, entry, distance))
        previous = key
    return out


def best_attempt(attempts: Sequence[tuple[K, float, float]]) -> K | None:
    """Of ``(attempt, score, seconds)``, the one that counts: best score, then shortest
    time, then the first."""
    if not attempts:
        return None
    return min(enumerate(attempts), key=lambda ia: (-ia[1][1], ia[1][2], ia[0]))[1][0]
