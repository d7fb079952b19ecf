"""Figures of inspections and their recommendations per inspecting body, subject unit or
in all, for a period (``dxscore.periods``): plain counts and sums, so they add up.

- ``planned``: planned inspections whose planned period (``2025Q2``, ``2025``) lies in
  the period; ``opened``: inspections whose decision is dated in it; ``done``: those
  whose conclusion was issued in it, ``done_planned`` of them planned, ``on_time`` of
  them with every stage up to the conclusion by its due date (``stages``);
- recommendations of conclusions issued in the period: ``recommendations`` (count),
  ``by_kind``, ``by_status`` (as of the period's end, or today if earlier),
  ``amount_recommended`` and ``amount_recovered`` (approved amounts, đồng);
- ``due``: recommendations whose effective deadline lies in the period,
  ``implemented_on_time`` of them implemented by it, and ``share_on_time`` (None when
  none was due) — the figure indices and emulation rankings read.

Per subject unit, an inspection counts for each of its subject units and a
recommendation for its addressee unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from dxscore import periods
from dxscore.inspections.recommendations import (
    KINDS,
    STATUSES,
    Recommendation,
    RecommendationState,
    assess,
)

By = Literal["body", "subject", "all"]


@dataclass(frozen=True)
class PlannedFact:
    body: str
    subjects: tuple[str, ...]
    period: str  # the planned quarter (2025Q2) or year


@dataclass(frozen=True)
class InspectionFact:
    body: str
    subjects: tuple[str, ...]
    decided_on: dt.date
    concluded_on: dt.date | None
    on_time: bool
    planned: bool


@dataclass(frozen=True)
class RecommendationFact:
    body: str
    addressee: str  # unit code
    issued_on: dt.date  # the conclusion's date
    recommendation: Recommendation


@dataclass
class Figures:
    key: str
    planned: int = 0
    opened: int = 0
    done: int = 0
    done_planned: int = 0
    on_time: int = 0
    recommendations: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    amount_recommended: int = 0
    amount_recovered: int = 0
    due: int = 0
    implemented_on_time: int = 0

    @property
    def share_on_time(self) -> float | None:
        return self.implemented_on_time / self.due if self.due else None

    @property
    def share_done(self) -> float | None:
        """Planned inspections done, as a share of those planned."""
        return self.done_planned / self.planned if self.planned else None


def _keys(by: By, body: str, units: Iterable[str]) -> list[str]:
    if by == "all":
        return [""]
    if by == "body":
        return [body]
    return list(dict.fromkeys(units))


def figures(
    period: str,
    today: dt.date,
    planned: Iterable[PlannedFact] = (),
    inspections: Iterable[InspectionFact] = (),
    recommendations: Iterable[RecommendationFact] = (),
    by: By = "body",
) -> dict[str, Figures]:
    """The figures of ``period`` per key (body code, subject unit code, or ``""`` for all),
    sorted by key."""
    span = periods.parse(period)
    start, end = span.start, span.end
    as_of = min(end, today)
    out: dict[str, Figures] = {}

    def of(key: str) -> Figures:
        if key not in out:
            out[key] = Figures(key)
        return out[key]

    for p in planned:
        if span.contains(periods.parse(p.period)):
            for key in _keys(by, p.body, p.subjects):
                of(key).planned += 1
    for i in inspections:
        keys = _keys(by, i.body, i.subjects)
        if start <= i.decided_on <= end:
            for key in keys:
                of(key).opened += 1
        if i.concluded_on is not None and start <= i.concluded_on <= end:
            for key in keys:
                f = of(key)
                f.done += 1
                f.done_planned += i.planned
                f.on_time += i.on_time
    for r in recommendations:
        rec = r.recommendation
        if r.issued_on > as_of:
            continue
        state: RecommendationState = assess(rec, as_of)
        for key in _keys(by, r.body, [r.addressee]):
            f = of(key)
            if start <= r.issued_on <= end:
                f.recommendations += 1
                f.by_kind[rec.kind] += 1
                f.by_status[state.status] += 1
                f.amount_recommended += rec.amount or 0
                f.amount_recovered += state.recovered
            if start <= state.deadline <= end:
                f.due += 1
                f.implemented_on_time += state.on_time
    return dict(sorted(out.items()))
