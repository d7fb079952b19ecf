"""Participation per unit: how many distinct people of a unit (the unit or any unit
below it) took part, their rate per staff or per population where the size is known,
and their mean score (of each person's counted result, as a share of the maximum)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Participation:
    unit: str
    participants: int
    size: int | None  # staff (an agency) or population (a commune), when known
    rate: float | None  # participants / size
    mean_share: float | None  # mean of score / maximum, 0-1


def per_unit(
    units: Mapping[str, str],
    results: Iterable[tuple[str, str, float, float]],
    sizes: Mapping[str, int | None] | None = None,
) -> list[Participation]:
    """``units`` maps each ranked unit code to its path (``/1/7/``); ``results`` are
    ``(person, unit path, score, maximum)``, one per person and contest (or round). A
    person counts for every ranked unit whose path their unit's path starts with."""
    sizes = sizes or {}
    people: dict[str, dict[str, float]] = {code: {} for code in units}
    ordered: Sequence[tuple[str, str]] = sorted(units.items(), key=lambda cp: cp[1])
    for person, path, points, maximum in results:
        for code, prefix in ordered:
            if path.startswith(prefix):
                share = points / maximum if maximum else 0.0
                seen = people[code]
                seen[person] = max(seen.get(person, share), share)
    out = []
    for code in sorted(units):
        shares = list(people[code].values())
        size = sizes.get(code)
        count = len(shares)
        out.append(
            Participation(
                unit=code,
                participants=count,
                size=size,
                rate=count / size if size else None,
                mean_share=sum(shares) / count if count else None,
            )
        )
    return out
