"""Reminders of recommendations due soon or overdue: to the addressee unit's people,
once per deadline; an implemented one is not reminded."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from dxscore.web.inspections import work
from dxscore.web.inspections.models import Reminder
from dxscore.web.inspections.notices import notify
from tests.web.inspections.conftest import issue
from tests.web.support import TODAY


def test_reminders(case, people):
    rec = case["rec"]
    people["owner"].email = "owner@example.vn"
    people["owner"].save()
    assert notify(today=TODAY).reminders == 0  # not issued yet
    issue(case["inspection"])
    assert notify(today=TODAY).reminders == 0  # due in 30 days
    soon = rec.deadline - dt.timedelta(days=3)
    first = notify(today=soon)
    assert (first.due_soon, first.reminders, first.emails) == (1, 1, 1)
    assert "Thu hồi" in mail.outbox[0].body
    assert notify(today=soon).reminders == 0  # once per deadline
    late = notify(today=rec.deadline + dt.timedelta(days=1))
    assert (late.overdue, late.reminders) == (1, 1)
    assert set(Reminder.objects.values_list("user__username", flat=True)) == {"owner"}
    report = work.report_implementation(
        people["owner"], rec, "paid", 100_000_000, reported_on=TODAY, link="https://x.vn/p"
    )
    work.review_report(people["lead"], report, True)
    assert notify(today=rec.deadline + dt.timedelta(days=9)).overdue == 0
