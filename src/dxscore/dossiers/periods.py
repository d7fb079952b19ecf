"""What the dossier measures add to ``dxscore.periods``: local days and the zone's offsets.

Period codes, kinds, containment and the integer index of a period at a kind live in
``dxscore.periods``. Measures bucket instants into local days with integer arithmetic
(epoch seconds plus the zone's offset, divided by 86400) and map days to period indices
through a small calendar table. That is the same on every engine, needs no time-zone
support in the engine, and is several times faster than extracting fields from
timestamps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from dxscore.periods import Kind, code_at, parse

__all__ = [
    "DAY",
    "Offsets",
    "calendar",
    "day_periods",
    "period_days",
    "zone_offsets",
]

DAY = 86400
EPOCH = dt.date(1970, 1, 1)


def calendar(first_day: int, last_day: int, kind: Kind) -> pd.DataFrame:
    """``day`` (days since 1970-01-01, local) to ``period`` index, for a span of days."""
    days = np.arange(first_day, last_day + 1, dtype=np.int64)
    return pd.DataFrame({"day": days.astype(np.int32), "period": day_periods(days, kind)})


def day_periods(days: np.ndarray | list[int], kind: Kind) -> np.ndarray:
    """The period index at ``kind`` (``dxscore.periods.Period.span``) of local days."""
    months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
    m = months.astype(np.int64) + 1970 * 12  # year * 12 + month - 1
    if kind == "month":
        return m.astype(np.int32)
    if kind == "quarter":
        return ((m // 12) * 4 + (m % 12) // 3).astype(np.int32)
    return (m // 12).astype(np.int32)


def period_days(index: int, kind: Kind) -> tuple[int, int]:
    """First and last local day (days since 1970-01-01) of the period ``index`` at ``kind``."""
    period = parse(code_at(index, kind))
    return (period.start - EPOCH).days, (period.end - EPOCH).days


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

    Found by sampling every day and bisecting each change to the second: zones change
    offset at most a few times a year and never twice within a day, so this is fast and
    exact.
    """
    zone = ZoneInfo(tz)

    def offset(s: int) -> int:
        utc_offset = dt.datetime.fromtimestamp(s, zone).utcoffset()
        assert utc_offset is not None  # an aware time has one
        return int(utc_offset.total_seconds())

    step = DAY
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
