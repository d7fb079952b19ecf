"""Periods in local time: codes, a day-to-period calendar, and the zone's UTC offsets.

Measures bucket instants into local days with integer arithmetic (epoch seconds plus
the zone's offset, divided by 86400) and map days to periods through a small calendar
table. That is the same on every engine, needs no time-zone support in the engine, and
is several times faster than extracting fields from timestamps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from dxscore.periods import KINDS, Kind, PeriodError, check_kind, code_at, parse

__all__ = [
    "DAY",
    "GRAINS",
    "Offsets",
    "PeriodError",
    "calendar",
    "day_periods",
    "period_codes",
    "period_days",
    "period_index",
    "period_range",
    "zone_offsets",
]

GRAINS = KINDS  # the kinds of period measures are grouped by (``--by unit,month``)
DAY = 86400


def period_index(code: str, grain: Kind) -> int:
    """The integer index of a period code (``2024``, ``2024Q3``, ``2024-07``) at ``grain``.

    A coarser code given for a finer grain means its first period (``2024`` as a month
    is ``2024-01``); use ``period_range`` for bounds.
    """
    return period_range(code, grain)[0]


def period_range(code: str, grain: Kind) -> tuple[int, int]:
    """The first and last period index at ``grain`` that lie inside period ``code``."""
    return parse(code).span(check_kind(grain))


def period_codes(index: np.ndarray | pd.Series, grain: Kind) -> np.ndarray:
    check_kind(grain)
    return np.array(
        [code_at(int(i), grain) for i in np.asarray(index, dtype=np.int64)], dtype=object
    )


def calendar(first_day: int, last_day: int, grain: str) -> pd.DataFrame:
    """``day`` (days since 1970-01-01, local) to ``period`` index, for a span of days."""
    days = np.arange(first_day, last_day + 1, dtype=np.int64)
    return pd.DataFrame({"day": days.astype(np.int32), "period": day_periods(days, grain)})


def day_periods(days: np.ndarray, grain: str) -> np.ndarray:
    months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
    m = months.astype(np.int64) + 1970 * 12  # year * 12 + month - 1
    if grain == "month":
        return m.astype(np.int32)
    if grain == "quarter":
        return ((m // 12) * 4 + (m % 12) // 3).astype(np.int32)
    return (m // 12).astype(np.int32)


def period_days(index: int, grain: str) -> tuple[int, int]:
    """First and last local day (days since 1970-01-01) of a period."""
    if grain == "month":
        y, m = divmod(index, 12)
        start, months = dt.date(y, m + 1, 1), 1
    elif grain == "quarter":
        y, q = divmod(index, 4)
        start, months = dt.date(y, 3 * q + 1, 1), 3
    else:
        start, months = dt.date(index, 1, 1), 12
    y2, m2 = divmod(start.month - 1 + months, 12)
    end = dt.date(start.year + y2, m2 + 1, 1)
    epoch = dt.date(1970, 1, 1)
    return (start - epoch).days, (end - epoch).days - 1


@dataclass(frozen=True)
class Offsets:
    """A zone's UTC offset as a step function of UTC epoch seconds over a span:
    ``offsets[i]`` applies from ``starts[i]`` (the first start is the span's start)."""

    starts: tuple[int, ...]
    offsets: tuple[int, ...]

    def at(self, seconds: int) -> int:
        i = int(np.searchsorted(np.asarray(self.starts), seconds, side="right")) - 1
        return self.offsets[max(i, 0)]

    def local_day(self, seconds: int) -> int:
        return (seconds + self.at(seconds)) // DAY


def zone_offsets(tz: str, start: int, end: int) -> Offsets:
    """The offsets of zone ``tz`` between two UTC epoch seconds (inclusive).

    Found by sampling every 6 hours and bisecting each change to the second: zones
    change offset at most a few times a year, so this is fast and exact.
    """
    zone = ZoneInfo(tz)

    def offset(s: int) -> int:
        when = dt.datetime.fromtimestamp(s, dt.UTC).astimezone(zone)
        utc_offset = when.utcoffset()
        assert utc_offset is not None  # an aware time has one
        return int(utc_offset.total_seconds())

    step = 6 * 3600
    starts, offsets = [start], [offset(start)]
    s = start
    while s < end:
        nxt = min(s + step, end)
        if offset(nxt) != offsets[-1]:
            lo, hi = s, nxt  # offset(lo) == current, offset(hi) differs
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset(mid) == offsets[-1]:
                    lo = mid
                else:
                    hi = mid
            starts.append(hi)
            offsets.append(offset(hi))
        s = nxt
    return Offsets(tuple(starts), tuple(offsets))
