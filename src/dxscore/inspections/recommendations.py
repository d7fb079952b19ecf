"""A recommendation's status, computed from what was approved, never typed in.

A recommendation is addressed to a unit or a person, of a kind (``financial`` recovery
with an amount in đồng, ``administrative`` or disciplinary handling, a ``rules`` change,
``other``), with a deadline. The addressee reports implementation with evidence; the
inspectorate approves or returns each report (only approved reports count). The
addressee may ask to extend the deadline; the latest approved extension is the
**effective deadline**.

- **implemented**: a financial recommendation whose approved recovered amounts reach
  its amount; any other whose approved report says it is complete. It is implemented
  *on time* when that report's date is on or before the effective deadline.
- Up to the effective deadline: **partly implemented** when an approved report shows
  part of it (an amount recovered, or a report not saying complete); **in progress**
  otherwise.
- After the effective deadline: **overdue** when part of it was done or a report waits
  for review; **not implemented** when nothing was.

Only what happened by the assessment date counts (reports and extensions of later
dates are ignored), so a status can be computed as of the end of any period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from dxscore.errors import Problems

Kind = Literal["financial", "administrative", "rules", "other"]
KINDS: tuple[Kind, ...] = ("financial", "administrative", "rules", "other")
Status = Literal["implemented", "partly_implemented", "in_progress", "overdue", "not_implemented"]
STATUSES: tuple[Status, ...] = (
    "implemented",
    "partly_implemented",
    "in_progress",
    "overdue",
    "not_implemented",
)
Review = Literal["submitted", "approved", "returned"]


@dataclass(frozen=True)
class Report:
    """What the addressee reported on ``reported_on``: an amount recovered (đồng), whether
    it says the recommendation is complete, and the inspectorate's review."""

    reported_on: dt.date
    review: Review = "submitted"
    recovered: int = 0
    complete: bool = False


@dataclass(frozen=True)
class Extension:
    """A request to move the deadline to ``new_deadline``, decided on ``decided_on``."""

    new_deadline: dt.date
    approved: bool
    decided_on: dt.date | None = None


@dataclass(frozen=True)
class Recommendation:
    kind: Kind
    deadline: dt.date
    amount: int | None = None  # đồng, for a financial recovery
    reports: tuple[Report, ...] = ()
    extensions: tuple[Extension, ...] = ()

    def problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.kind not in KINDS:
            out.append(("kind", f"'{self.kind}' is not a kind ({', '.join(KINDS)})"))
        if self.kind == "financial" and (self.amount is None or self.amount <= 0):
            out.append(("amount", "a financial recovery needs an amount above zero"))
        if self.kind != "financial" and self.amount:
            out.append(("amount", "only a financial recovery has an amount"))
        for n, r in enumerate(self.reports, start=1):
            if r.recovered < 0:
                out.append((f"report {n}", "a recovered amount cannot be negative"))
        return out

    def check(self) -> None:
        problems = self.problems()
        if problems:
            raise Problems(problems)


def _counted(extensions: Iterable[Extension], as_of: dt.date | None) -> list[Extension]:
    return [
        e
        for e in extensions
        if e.approved and (as_of is None or e.decided_on is None or e.decided_on <= as_of)
    ]


def effective_deadline(rec: Recommendation, as_of: dt.date | None = None) -> dt.date:
    """The deadline, or the one the latest approved extension (decided by ``as_of``) set."""
    approved = _counted(rec.extensions, as_of)
    if not approved:
        return rec.deadline
    latest = max(approved, key=lambda e: (e.decided_on or dt.date.min, e.new_deadline))
    return latest.new_deadline


@dataclass(frozen=True)
class RecommendationState:
    status: Status
    deadline: dt.date  # the effective deadline
    recovered: int  # approved amounts recovered, đồng
    implemented_on: dt.date | None = None
    waiting: int = 0  # reports waiting for review

    @property
    def on_time(self) -> bool:
        return self.implemented_on is not None and self.implemented_on <= self.deadline


def assess(rec: Recommendation, as_of: dt.date) -> RecommendationState:
    """The status of ``rec`` on ``as_of``."""
    rec.check()
    deadline = effective_deadline(rec, as_of)
    reports = sorted(
        (r for r in rec.reports if r.reported_on <= as_of), key=lambda r: r.reported_on
    )
    approved = [r for r in reports if r.review == "approved"]
    waiting = sum(r.review == "submitted" for r in reports)
    recovered = 0
    implemented_on = None
    for r in approved:
        recovered += r.recovered
        if rec.kind == "financial":
            whole = rec.amount is not None and recovered >= rec.amount
        else:
            whole = r.complete
        if implemented_on is None and whole:
            implemented_on = r.reported_on
    if implemented_on is not None:
        return RecommendationState("implemented", deadline, recovered, implemented_on, waiting)
    part = bool(approved)
    if as_of <= deadline:
        status: Status = "partly_implemented" if part else "in_progress"
    else:
        status = "overdue" if part or waiting else "not_implemented"
    return RecommendationState(status, deadline, recovered, None, waiting)


def summarise(statuses: Iterable[Status]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    total = 0
    for s in statuses:
        counts[s] += 1
        total += 1
    return {**counts, "total": total}
