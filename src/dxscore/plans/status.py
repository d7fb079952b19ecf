"""Target status, computed, never typed: met, on track, at risk, missed, no data.

Rules (``docs/targets.md`` says the same for steering officers):

- A **qualitative** target is met when its evidence is approved. Without approved
  evidence it has no data before its deadline period, is at risk during it, and is
  missed after it.
- A **quantitative** target compares a value with ``>=``, ``>``, ``<=``, ``<`` or ``==``.
  Only observations up to the assessment date count.
  - After the deadline: met if the last value observed by the deadline satisfies the
    comparison, missed if not, no data if nothing was observed by then.
  - Up to the deadline: met if the latest value satisfies it; otherwise the trend is
    projected to the deadline (least squares over the latest ``trend_periods``
    observations, with the baseline as an extra point when fewer than two observations
    exist): on track if the projection satisfies it, at risk if not or if there is no
    trend to project.
- Time is measured at the end of each period (``2024`` ends with 2024, ``2024Q3`` with
  September, ``2024-07`` with July; a date ``2025-06-30`` at that day), so targets,
  observations and deadlines of different granularity compare correctly.
- A baseline must come before the deadline; otherwise the target is invalid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

from dxscore import periods

Status = Literal["met", "on_track", "at_risk", "missed", "no_data"]
STATUSES: tuple[Status, ...] = ("met", "on_track", "at_risk", "missed", "no_data")
Comparison = Literal[">=", ">", "<=", "<", "=="]

_TOLERANCE = 1e-9


class TargetError(ValueError):
    """A target that cannot be assessed as defined."""


def _day(code: str) -> date | None:
    """A date written ``2024-07-15`` (targets may be due on a day), else None."""
    try:
        return date.fromisoformat(code) if len(code) == 10 else None
    except ValueError:
        return None


def period_end(code: str) -> float:
    """The end of a period (``2024``, ``2024Q3``, ``2024-07``) or a date (``2024-07-15``)
    as a fractional year: 2024 ends at 2025.0, 2024Q3 at 2024.75."""
    text = str(code).strip()
    day = _day(text)
    if day is not None:
        start = date(day.year, 1, 1)
        return day.year + ((day - start).days + 1) / ((date(day.year + 1, 1, 1) - start).days)
    try:
        period = periods.parse(text)
    except periods.PeriodError:
        raise TargetError(f"'{code}' is not a period (2024, 2024Q3, 2024-07) or date") from None
    return period.year + period.last_month / 12


@dataclass(frozen=True)
class Target:
    deadline: str
    comparison: Comparison | None = None  # None: a qualitative target
    value: float | None = None
    baseline: float | None = None
    baseline_period: str | None = None

    @property
    def qualitative(self) -> bool:
        return self.comparison is None

    def check(self) -> None:
        period_end(self.deadline)
        if self.qualitative:
            return
        if self.value is None:
            raise TargetError("a quantitative target needs a value")
        if self.baseline_period is not None and period_end(self.baseline_period) > period_end(
            self.deadline
        ):
            raise TargetError(
                f"the baseline period {self.baseline_period} is after the deadline {self.deadline}"
            )

    def satisfied(self, x: float) -> bool:
        v, comparison = self.value, self.comparison
        if v is None or comparison is None:
            raise TargetError("a qualitative target has no value to compare with")
        return {
            ">=": x >= v - _TOLERANCE,
            ">": x > v,
            "<=": x <= v + _TOLERANCE,
            "<": x < v,
            "==": abs(x - v) <= _TOLERANCE,
        }[comparison]


@dataclass(frozen=True)
class Assessment:
    status: Status
    reason: str
    latest_value: float | None = None
    latest_period: str | None = None
    projected_value: float | None = None
    progress: float | None = None  # share of the way from the baseline to the target
    # which reason (``REASONS``): ``reason`` is its English text, with the numbers; the
    # platform writes it in the reader's language from ``why`` and the fields above
    why: str = ""


# the reasons an assessment gives, by key (the English ``reason`` of each)
REASONS = (
    "evidence_approved",
    "evidence_missed",
    "evidence_due",
    "evidence_none",
    "value_none",
    "value_none_by_deadline",
    "value_by_deadline",
    "value_met",
    "value_short_history",
    "value_trend",
)


def assess(
    target: Target,
    observations: Mapping[str, float],
    as_of: str,
    evidence_approved: bool = False,
    trend_periods: int = 3,
) -> Assessment:
    """The status of ``target`` on ``as_of`` from approved ``observations``
    (period -> value)."""
    target.check()
    now, deadline = period_end(as_of), period_end(target.deadline)
    if target.qualitative:
        if evidence_approved:
            return Assessment("met", "evidence approved", why="evidence_approved")
        if now > deadline:
            return Assessment(
                "missed", "deadline passed without approved evidence", why="evidence_missed"
            )
        if now > deadline - _span(target.deadline):
            return Assessment(
                "at_risk", "deadline period, no approved evidence yet", why="evidence_due"
            )
        return Assessment("no_data", "no approved evidence yet", why="evidence_none")

    value = target.value
    assert value is not None  # check() rejects a quantitative target without one
    seen = sorted(
        (
            (period_end(p), p, float(v))
            for p, v in observations.items()
            if v is not None and not np.isnan(v) and period_end(p) <= now
        ),
    )
    if not seen:
        return Assessment("no_data", "no approved value yet", why="value_none")
    if now > deadline:
        by_deadline = [s for s in seen if s[0] <= deadline]
        if not by_deadline:
            return Assessment(
                "no_data", "no value observed by the deadline", why="value_none_by_deadline"
            )
        t, p, x = by_deadline[-1]
        status: Status = "met" if target.satisfied(x) else "missed"
        reason = f"{x:g} in {p}, by the deadline {target.deadline}"
        return Assessment(
            status, reason, x, p, progress=_progress(target, x), why="value_by_deadline"
        )
    t, p, x = seen[-1]
    if target.satisfied(x):
        return Assessment(
            "met", f"{x:g} in {p}", x, p, progress=_progress(target, x), why="value_met"
        )
    points = seen[-trend_periods:]
    if len(points) < 2 and target.baseline is not None and target.baseline_period is not None:
        base_t = period_end(target.baseline_period)
        if base_t < points[0][0]:
            points = [(base_t, target.baseline_period, float(target.baseline)), *points]
    if len(points) < 2:
        return Assessment(
            "at_risk",
            f"{x:g} in {p}, not met; too little history to project",
            x,
            p,
            progress=_progress(target, x),
            why="value_short_history",
        )
    ts = np.array([s[0] for s in points])
    xs = np.array([s[2] for s in points])
    slope, intercept = np.polyfit(ts, xs, 1)
    projected = float(slope * deadline + intercept)
    reaches = target.satisfied(projected) or (
        target.comparison == "==" and (projected - value) * (x - value) <= 0
    )
    status = "on_track" if reaches else "at_risk"
    reason = f"{x:g} in {p}; the trend projects {projected:.4g} by {target.deadline}"
    return Assessment(status, reason, x, p, projected, _progress(target, x), why="value_trend")


def _span(code: str) -> float:
    """The length of a period in years."""
    if _day(code) is not None:
        return 1 / 365
    return {"quarter": 0.25, "month": 1 / 12, "year": 1.0}[periods.kind_of(code)]


def _progress(target: Target, x: float) -> float | None:
    if target.baseline is None or target.value is None or target.value == target.baseline:
        return None
    return float(np.clip((x - target.baseline) / (target.value - target.baseline), 0.0, 1.0))


def summarise(statuses: Iterable[Status]) -> dict[str, int]:
    """Counts per status plus ``total``: "N of M met" is ``met`` of ``total``."""
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    total = 0
    for s in statuses:
        counts[s] += 1
        total += 1
    return {**counts, "total": total}
