"""An inspection's stages, computed from the dates of its documents, never typed in.

Stages, in order: ``decision`` (the decision opening the inspection is signed),
``announcement`` (the decision is announced to the subject units), ``onsite`` (on-site
work ends), ``report`` (the team's report to the signer), ``draft`` (the draft
conclusion), ``conclusion`` (the conclusion is issued) and ``publication`` (the
conclusion is made public). A stage is done on the date of its document.

Each stage has a due date (``docs/inspections.md`` says the same for inspectors):

- announcement: ``announce_days`` after the decision;
- on-site work: the inspection's **time limit** plus its **extension**, counted in
  calendar days from the announcement (the announcement day is day 1; before the
  announcement, from its due date);
- report: ``report_days`` after on-site work ends; draft conclusion: ``draft_days``
  after the report; conclusion: ``conclude_days`` after the report; publication:
  ``publish_days`` after the conclusion.

When a stage's predecessor is not done yet, its due date is counted from the
predecessor's due date. A stage done after its due date is *late*; the first stage not
done is *current*, or *overdue* once today is after its due date; the stages after it
are *pending*. The limits are parameters (``Limits``): the defaults are the usual ones;
an operator sets those of the law in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from dxscore.errors import Problems

Stage = Literal[
    "decision", "announcement", "onsite", "report", "draft", "conclusion", "publication"
]
STAGES: tuple[Stage, ...] = (
    "decision",
    "announcement",
    "onsite",
    "report",
    "draft",
    "conclusion",
    "publication",
)
State = Literal["done", "late", "current", "overdue", "pending"]


def add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


@dataclass(frozen=True)
class Limits:
    """Days each stage may take (see the module's text)."""

    announce_days: int = 15
    report_days: int = 15
    draft_days: int = 15
    conclude_days: int = 30
    publish_days: int = 15


@dataclass(frozen=True)
class Case:
    """An inspection as the rules see it: the decision's date, the time limit (days) and
    its extension (days), and the date of each later stage's document, if any."""

    decided_on: dt.date
    time_limit_days: int
    extension_days: int = 0
    announced_on: dt.date | None = None
    onsite_ended_on: dt.date | None = None
    reported_on: dt.date | None = None
    drafted_on: dt.date | None = None
    concluded_on: dt.date | None = None
    published_on: dt.date | None = None

    def dates(self) -> dict[Stage, dt.date | None]:
        return {
            "decision": self.decided_on,
            "announcement": self.announced_on,
            "onsite": self.onsite_ended_on,
            "report": self.reported_on,
            "draft": self.drafted_on,
            "conclusion": self.concluded_on,
            "publication": self.published_on,
        }

    def problems(self) -> list[tuple[str, str]]:
        """What makes the dates impossible: limits out of range, a stage done before the
        one it follows, a stage done while an earlier one is not."""
        out: list[tuple[str, str]] = []
        if self.time_limit_days < 1:
            out.append(("time_limit_days", "the time limit is at least one day"))
        if self.extension_days < 0:
            out.append(("extension_days", "the extension cannot be negative"))
        dates = self.dates()
        previous: tuple[Stage, dt.date | None] = ("decision", self.decided_on)
        for stage in STAGES[1:]:
            day = dates[stage]
            if day is not None and previous[1] is None:
                out.append((stage, f"the {previous[0]} stage is not done yet"))
            elif day is not None and previous[1] is not None and day < previous[1]:
                out.append((stage, f"{day.isoformat()} is before the {previous[0]} stage"))
            previous = (stage, day)
        return out

    def check(self) -> None:
        problems = self.problems()
        if problems:
            raise Problems(problems)


def time_limit_due(case: Case, limits: Limits = Limits()) -> dt.date:
    """The last day of on-site work: the time limit and extension from the announcement."""
    start = case.announced_on or add_days(case.decided_on, limits.announce_days)
    return add_days(start, case.time_limit_days + case.extension_days - 1)


@dataclass(frozen=True)
class StageState:
    stage: Stage
    state: State
    due: dt.date
    done_on: dt.date | None = None


@dataclass(frozen=True)
class CaseState:
    stages: list[StageState]
    current: Stage | None  # the first stage not done; None when published
    overdue: bool  # the current stage is past its due date
    due: dt.date  # the time limit's last day (on-site work)
    late: list[Stage] = field(default_factory=list)

    @property
    def stage(self) -> Stage:
        """The last stage done."""
        done = [s.stage for s in self.stages if s.done_on is not None]
        return done[-1] if done else "decision"

    @property
    def concluded(self) -> bool:
        return any(s.stage == "conclusion" and s.done_on is not None for s in self.stages)

    @property
    def on_time(self) -> bool:
        """Concluded with every stage up to the conclusion done by its due date."""
        upto = STAGES[: STAGES.index("conclusion") + 1]
        return self.concluded and not any(s in upto for s in self.late)


def progress(case: Case, today: dt.date, limits: Limits = Limits()) -> CaseState:
    """Every stage's state on ``today``."""
    case.check()
    dates = case.dates()
    due_of: dict[Stage, dt.date] = {"decision": case.decided_on}

    def base(stage: Stage) -> dt.date:
        day = dates[stage]
        return day if day is not None else due_of[stage]

    due_of["announcement"] = add_days(case.decided_on, limits.announce_days)
    due_of["onsite"] = time_limit_due(case, limits)
    due_of["report"] = add_days(base("onsite"), limits.report_days)
    due_of["draft"] = add_days(base("report"), limits.draft_days)
    due_of["conclusion"] = add_days(base("report"), limits.conclude_days)
    due_of["publication"] = add_days(base("conclusion"), limits.publish_days)
    states: list[StageState] = []
    current: Stage | None = None
    overdue = False
    late: list[Stage] = []
    for stage in STAGES:
        day, due = dates[stage], due_of[stage]
        if day is not None:
            state: State = "late" if day > due else "done"
            if state == "late":
                late.append(stage)
        elif current is None:
            current = stage
            overdue = today > due
            state = "overdue" if overdue else "current"
        else:
            state = "pending"
        states.append(StageState(stage, state, due, day))
    return CaseState(states, current, overdue, due_of["onsite"], late)
