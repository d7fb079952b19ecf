"""The timing rule, read on the server's clock only: an attempt's time runs from the
moment its questions were served; its deadline is that moment plus the round's limit,
and never later than the round's closing time. An answer is accepted while ``now`` is
before the deadline (an answer at or after it is refused)."""

from __future__ import annotations

import datetime as dt


def deadline(served_at: dt.datetime, limit_seconds: int, closes_at: dt.datetime) -> dt.datetime:
    return min(served_at + dt.timedelta(seconds=limit_seconds), closes_at)


def accepts(now: dt.datetime, deadline_at: dt.datetime) -> bool:
    return now < deadline_at


def remaining(now: dt.datetime, deadline_at: dt.datetime) -> int:
    """Whole seconds left (0 once the time is up), rounded down."""
    return max(0, int((deadline_at - now).total_seconds()))
