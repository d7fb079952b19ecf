"""Stage rules, table-driven: each stage's state from its document's date and due date."""

from __future__ import annotations

import datetime as dt

import pytest

from dxscore.errors import Problems
from dxscore.inspections import Case, Limits, progress, time_limit_due

D = dt.date
DECIDED = D(2025, 3, 1)


def case(**dates) -> Case:
    return Case(decided_on=DECIDED, time_limit_days=30, **dates)


@pytest.mark.parametrize(
    ("dates", "today", "current", "overdue", "states"),
    [
        # just decided: the announcement is current, due 15 days after the decision
        ({}, D(2025, 3, 10), "announcement", False, {"decision": "done"}),
        ({}, D(2025, 3, 17), "announcement", True, {"announcement": "overdue"}),
        # announced in time; on-site work runs 30 days from the announcement (day 1)
        (
            {"announced_on": D(2025, 3, 5)},
            D(2025, 4, 3),
            "onsite",
            False,
            {"announcement": "done", "onsite": "current", "report": "pending"},
        ),
        ({"announced_on": D(2025, 3, 5)}, D(2025, 4, 4), "onsite", True, {"onsite": "overdue"}),
        # announced late: done late, and the clock starts then
        (
            {"announced_on": D(2025, 3, 20), "onsite_ended_on": D(2025, 4, 18)},
            D(2025, 4, 20),
            "report",
            False,
            {"announcement": "late", "onsite": "done"},
        ),
        # the report 16 days after on-site work: late; draft and conclusion on time
        (
            {
                "announced_on": D(2025, 3, 5),
                "onsite_ended_on": D(2025, 4, 1),
                "reported_on": D(2025, 4, 17),
                "drafted_on": D(2025, 4, 25),
                "concluded_on": D(2025, 5, 10),
            },
            D(2025, 5, 20),
            "publication",
            False,
            {"report": "late", "draft": "done", "conclusion": "done", "publication": "current"},
        ),
        # not published within 15 days of the conclusion
        (
            {
                "announced_on": D(2025, 3, 5),
                "onsite_ended_on": D(2025, 4, 1),
                "reported_on": D(2025, 4, 10),
                "drafted_on": D(2025, 4, 20),
                "concluded_on": D(2025, 5, 1),
            },
            D(2025, 5, 17),
            "publication",
            True,
            {"conclusion": "done", "publication": "overdue"},
        ),
        # everything done: nothing current
        (
            {
                "announced_on": D(2025, 3, 5),
                "onsite_ended_on": D(2025, 4, 1),
                "reported_on": D(2025, 4, 10),
                "drafted_on": D(2025, 4, 20),
                "concluded_on": D(2025, 5, 1),
                "published_on": D(2025, 5, 5),
            },
            D(2025, 12, 31),
            None,
            False,
            {"publication": "done"},
        ),
    ],
)
def test_stage_states(dates, today, current, overdue, states):
    state = progress(case(**dates), today)
    assert state.current == current
    assert state.overdue is overdue
    got = {s.stage: s.state for s in state.stages}
    assert {k: got[k] for k in states} == states


def test_an_extension_moves_the_on_site_due_date():
    plain = case(announced_on=D(2025, 3, 5))
    extended = Case(DECIDED, 30, extension_days=15, announced_on=D(2025, 3, 5))
    assert time_limit_due(plain) == D(2025, 4, 3)
    assert time_limit_due(extended) == D(2025, 4, 18)
    assert progress(plain, D(2025, 4, 10)).overdue
    assert not progress(extended, D(2025, 4, 10)).overdue
    # before the announcement the clock is counted from the announcement's due date
    assert time_limit_due(case()) == D(2025, 3, 16) + dt.timedelta(days=29)


def test_on_time_needs_every_stage_to_the_conclusion_by_its_due_date():
    on_time = case(
        announced_on=D(2025, 3, 5),
        onsite_ended_on=D(2025, 4, 1),
        reported_on=D(2025, 4, 10),
        drafted_on=D(2025, 4, 20),
        concluded_on=D(2025, 5, 1),
    )
    assert progress(on_time, D(2025, 6, 1)).on_time
    late = case(
        announced_on=D(2025, 3, 5),
        onsite_ended_on=D(2025, 4, 10),  # after the 30 days
        reported_on=D(2025, 4, 12),
        drafted_on=D(2025, 4, 20),
        concluded_on=D(2025, 5, 1),
    )
    state = progress(late, D(2025, 6, 1))
    assert state.concluded and not state.on_time and state.late == ["onsite"]
    assert not progress(case(announced_on=D(2025, 3, 5)), D(2025, 3, 6)).on_time


def test_other_limits_are_parameters():
    limits = Limits(announce_days=5)
    assert progress(case(), D(2025, 3, 7), limits).overdue
    assert not progress(case(), D(2025, 3, 7)).overdue


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"time_limit_days": 0}, "time_limit_days"),
        ({"extension_days": -1}, "extension_days"),
        ({"announced_on": D(2025, 2, 1)}, "announcement"),
        ({"onsite_ended_on": D(2025, 4, 1)}, "onsite"),  # without an announcement
        ({"announced_on": D(2025, 3, 5), "reported_on": D(2025, 4, 1)}, "report"),
    ],
)
def test_impossible_dates_are_refused_with_their_place(fields, where):
    base = {"decided_on": DECIDED, "time_limit_days": 30} | fields
    with pytest.raises(Problems) as caught:
        progress(Case(**base), D(2025, 6, 1))
    assert [w for w, _m in caught.value.problems] == [where]
