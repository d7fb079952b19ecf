"""Recommendation status rules, table-driven: computed from approved reports and
approved extensions as of a date."""

from __future__ import annotations

import datetime as dt

import pytest

from dxscore.errors import Problems
from dxscore.inspections import Extension, Recommendation, Report, assess, effective_deadline

D = dt.date
DEADLINE = D(2025, 6, 30)
BEFORE, AFTER = D(2025, 6, 1), D(2025, 7, 15)


def financial(*reports, extensions=()):
    return Recommendation("financial", DEADLINE, 100_000_000, tuple(reports), tuple(extensions))


def handling(*reports, extensions=()):
    return Recommendation("administrative", DEADLINE, None, tuple(reports), tuple(extensions))


@pytest.mark.parametrize(
    ("rec", "as_of", "status", "recovered", "on_time"),
    [
        # nothing reported: in progress until the deadline, then not implemented
        (financial(), BEFORE, "in_progress", 0, False),
        (financial(), DEADLINE, "in_progress", 0, False),
        (financial(), AFTER, "not_implemented", 0, False),
        # part recovered and approved: partly implemented, overdue after the deadline
        (
            financial(Report(D(2025, 5, 1), "approved", 40_000_000)),
            BEFORE,
            "partly_implemented",
            40_000_000,
            False,
        ),
        (
            financial(Report(D(2025, 5, 1), "approved", 40_000_000)),
            AFTER,
            "overdue",
            40_000_000,
            False,
        ),
        # a report waiting for review counts for nothing but keeps it from "not implemented"
        (
            financial(Report(D(2025, 5, 1), "submitted", 100_000_000)),
            BEFORE,
            "in_progress",
            0,
            False,
        ),
        (financial(Report(D(2025, 5, 1), "submitted", 100_000_000)), AFTER, "overdue", 0, False),
        # a returned report counts for nothing at all
        (
            financial(Report(D(2025, 5, 1), "returned", 100_000_000)),
            AFTER,
            "not_implemented",
            0,
            False,
        ),
        # the whole amount in two approved reports: implemented on the second one's date
        (
            financial(
                Report(D(2025, 5, 1), "approved", 60_000_000),
                Report(D(2025, 6, 20), "approved", 40_000_000),
            ),
            AFTER,
            "implemented",
            100_000_000,
            True,
        ),
        # ... late when that date is after the deadline
        (
            financial(
                Report(D(2025, 5, 1), "approved", 60_000_000),
                Report(D(2025, 7, 10), "approved", 40_000_000),
            ),
            AFTER,
            "implemented",
            100_000_000,
            False,
        ),
        # a report after the assessment date is not seen yet
        (
            financial(Report(D(2025, 7, 10), "approved", 100_000_000)),
            D(2025, 7, 1),
            "not_implemented",
            0,
            False,
        ),
        # other kinds: complete when an approved report says so
        (handling(Report(D(2025, 5, 1), "approved")), BEFORE, "partly_implemented", 0, False),
        (
            handling(Report(D(2025, 5, 1), "approved", complete=True)),
            BEFORE,
            "implemented",
            0,
            True,
        ),
        (
            handling(Report(D(2025, 5, 1), "submitted", complete=True)),
            BEFORE,
            "in_progress",
            0,
            False,
        ),
        # an approved extension moves the deadline; a refused one does not
        (
            handling(extensions=[Extension(D(2025, 9, 30), True, D(2025, 6, 15))]),
            AFTER,
            "in_progress",
            0,
            False,
        ),
        (
            handling(extensions=[Extension(D(2025, 9, 30), False, D(2025, 6, 15))]),
            AFTER,
            "not_implemented",
            0,
            False,
        ),
        (
            handling(
                Report(D(2025, 8, 1), "approved", complete=True),
                extensions=[Extension(D(2025, 9, 30), True, D(2025, 6, 15))],
            ),
            D(2025, 8, 2),
            "implemented",
            0,
            True,
        ),
    ],
)
def test_status(rec, as_of, status, recovered, on_time):
    state = assess(rec, as_of)
    assert (state.status, state.recovered, state.on_time) == (status, recovered, on_time)


def test_the_latest_approved_extension_decided_by_the_date_counts():
    rec = handling(
        extensions=[
            Extension(D(2025, 8, 31), True, D(2025, 6, 10)),
            Extension(D(2025, 7, 31), True, D(2025, 8, 20)),  # shortened again later
            Extension(D(2025, 12, 31), False, D(2025, 8, 25)),
        ]
    )
    assert effective_deadline(rec) == D(2025, 7, 31)
    assert effective_deadline(rec, D(2025, 7, 1)) == D(2025, 8, 31)
    assert effective_deadline(rec, D(2025, 6, 1)) == DEADLINE


@pytest.mark.parametrize(
    ("rec", "where"),
    [
        (Recommendation("financial", DEADLINE), "amount"),
        (Recommendation("financial", DEADLINE, 0), "amount"),
        (Recommendation("rules", DEADLINE, 5), "amount"),
        (Recommendation("praise", DEADLINE), "kind"),  # type: ignore[arg-type]
        (financial(Report(D(2025, 5, 1), "approved", -1)), "report 1"),
    ],
)
def test_impossible_recommendations_are_refused(rec, where):
    with pytest.raises(Problems) as caught:
        assess(rec, BEFORE)
    assert [w for w, _m in caught.value.problems] == [where]
