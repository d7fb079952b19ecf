"""Figures per body, subject unit and in all: equal to plain counts, amounts add up."""

from __future__ import annotations

import datetime as dt

from dxscore.inspections import (
    InspectionFact,
    PlannedFact,
    Recommendation,
    RecommendationFact,
    Report,
    figures,
)

D = dt.date
TODAY = D(2026, 1, 15)

PLANNED = [
    PlannedFact("TT", ("S04",), "2025Q1"),
    PlannedFact("TT", ("S01", "D05"), "2025Q2"),
    PlannedFact("TT", ("D01",), "2026Q1"),  # another year
    PlannedFact("S04", ("S04",), "2025"),
]
INSPECTIONS = [
    InspectionFact("TT", ("S04",), D(2025, 2, 1), D(2025, 5, 1), on_time=True, planned=True),
    InspectionFact("TT", ("S01", "D05"), D(2025, 4, 1), D(2025, 8, 1), False, True),
    InspectionFact("TT", ("D01",), D(2025, 10, 1), None, False, False),  # not concluded
    InspectionFact("S04", ("S04",), D(2024, 11, 1), D(2025, 1, 20), True, False),
]


def rec(kind, deadline, amount=None, *reports):
    return Recommendation(kind, deadline, amount, tuple(reports))


RECS = [
    RecommendationFact(
        "TT",
        "S04",
        D(2025, 5, 1),
        rec("financial", D(2025, 9, 30), 50_000_000, Report(D(2025, 9, 1), "approved", 50_000_000)),
    ),
    RecommendationFact(
        "TT",
        "S04",
        D(2025, 5, 1),
        rec("financial", D(2025, 9, 30), 30_000_000, Report(D(2025, 9, 1), "approved", 10_000_000)),
    ),
    RecommendationFact("TT", "D05", D(2025, 8, 1), rec("administrative", D(2025, 10, 31))),
    RecommendationFact(
        "TT",
        "S01",
        D(2025, 8, 1),
        rec("rules", D(2026, 3, 31), None, Report(D(2025, 12, 1), "approved", complete=True)),
    ),
    RecommendationFact("S04", "S04", D(2025, 1, 20), rec("other", D(2025, 3, 31))),
]


def all_figures(by):
    return figures("2025", TODAY, PLANNED, INSPECTIONS, RECS, by=by)


def test_per_body_figures_are_plain_counts():
    tt = all_figures("body")["TT"]
    assert (tt.planned, tt.opened, tt.done, tt.done_planned, tt.on_time) == (2, 3, 2, 2, 1)
    assert tt.share_done == 1.0
    assert tt.recommendations == 4
    assert tt.by_kind == {"financial": 2, "administrative": 1, "rules": 1, "other": 0}
    assert tt.by_status == {
        "implemented": 2,
        "partly_implemented": 0,
        "in_progress": 0,
        "overdue": 1,
        "not_implemented": 1,
    }
    assert (tt.amount_recommended, tt.amount_recovered) == (80_000_000, 60_000_000)
    # due in 2025: the two financial ones and the administrative one; one done on time
    assert (tt.due, tt.implemented_on_time) == (3, 1)
    assert tt.share_on_time == 1 / 3
    s04 = all_figures("body")["S04"]
    assert (s04.planned, s04.opened, s04.done, s04.on_time) == (1, 0, 1, 1)


def test_per_subject_unit_and_in_all_add_up():
    by_unit = all_figures("subject")
    assert set(by_unit) == {"D01", "D05", "S01", "S04"}
    assert by_unit["S04"].done == 2 and by_unit["S01"].done == 1 and by_unit["D05"].done == 1
    assert by_unit["D01"].opened == 1 and by_unit["D01"].done == 0
    total = all_figures("all")[""]
    bodies = all_figures("body").values()
    for name in ("planned", "opened", "done", "on_time", "recommendations", "due"):
        assert getattr(total, name) == sum(getattr(f, name) for f in bodies), name
    # a recommendation has one addressee: per unit the amounts add up to the total
    assert sum(f.amount_recommended for f in by_unit.values()) == total.amount_recommended
    assert sum(f.amount_recovered for f in by_unit.values()) == total.amount_recovered == 60_000_000
    assert sum(sum(f.by_status.values()) for f in by_unit.values()) == total.recommendations == 5


def test_statuses_are_taken_at_the_end_of_the_period():
    # 2025Q3: two issued (2025-08-01), both before their deadlines; the two financial
    # ones of Q2 fall due in it, one of them recovered in full on time
    q3 = figures("2025Q3", TODAY, PLANNED, INSPECTIONS, RECS, by="all")[""]
    assert q3.done == 1 and q3.recommendations == 2
    assert q3.by_status["in_progress"] == 2
    assert (q3.due, q3.implemented_on_time) == (2, 1)
    q2 = figures("2025Q2", TODAY, PLANNED, INSPECTIONS, RECS, by="all")[""]
    assert q2.recommendations == 2 and q2.by_status["partly_implemented"] == 0
    assert q2.by_status["in_progress"] == 2  # reports of September are not seen yet
    assert q2.amount_recovered == 0


def test_no_due_recommendation_gives_no_share():
    empty = figures("2024", TODAY, PLANNED, INSPECTIONS, RECS, by="body")
    assert empty["S04"].opened == 1 and empty["S04"].share_on_time is None
