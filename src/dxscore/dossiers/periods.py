"""Periods in local time: codes, a day-to-period calendar, and the zone's UTC offsets.

Measures bucket instants into local days with integer arithmetic (epoch seconds plus
the zone's offset, divided by 86400) and map days to periods through a small calendar
table. That is the same on every engine, needs no time-zone support in the engine, and
is several times faster than extracting fields from timestamps.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

GRAINS = ("month", "quarter", "year")
DAY = 86400
_CODE = re.compile(r"^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$")


class PeriodError(ValueError):
    pass


def period_index(code: str, grain: str) -> int:
    """The integer index of a period code (``2024``, ``2024Q3``, ``2024-07``) at ``grain``.

    A coarser code given for a finer grain means its first period (``2024`` as a month
    is ``2024-01``); use ``period_range`` for bounds.
    """
    return period_range(code, grain)[0]


def period_range(code: str, grain: str) -> tuple[int, int]:
    """The first and last period index at ``grain`` that lie inside period ``code``."""
    m = _CODE.match(str(code).strip())
    if not m:
        raise PeriodError(f"'{code}' is not a period code (use 2024, 2024Q3 or 2024-07)")
    year, quarter, month = int(m.group(1)), m.group(2), m.group(3)
    if month:
        first_month = last_month = int(month)
    elif quarter:
        first_month, last_month = 3 * int(quarter) - 2, 3 * int(quarter)
    else:
        first_month, last_month = 1, 12
    if grain == "month":
        return year * 12 + first_month - 1, year * 12 + last_month - 1
    if grain == "quarter":
        if month:
            raise PeriodError(f"'{code}' is a month; with --by quarter give a quarter or a year")
        return year * 4 + (first_month - 1) // 3, year * 4 + (last_month - 1) // 3
    if grain == "year":
        if month or quarter:
            raise PeriodError(f"'{code}' is not a year; with --by year give a year")
        return year, year
    raise PeriodError(f"unknown period grain '{grain}' (use {', '.join(GRAINS)})")


def period_codes(index: np.ndarray | pd.Series, grain: str) -> np.ndarray:
    index = np.asarray(index, dtype=np.int64)
    if grain == "month":
        return np.array([f"{i // 12}-{i % 12 + 1:02d}" for i in index], dtype=object)
    if grain == "quarter":
        return np.array([f"{i // 4}Q{i % 4 + 1}" for i in index], dtype=object)
    return np.array([str(i) for i in index], dtype=object)


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
        return int(when.utcoffset().total_seconds())

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
