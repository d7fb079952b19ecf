"""Period codes (``2024``, ``2024Q3``, ``2024-07``) and the dates they cover."""

from __future__ import annotations

import calendar
import datetime as dt
import re

PERIOD_PATTERN = re.compile(r"^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$")


def period_dates(code: str) -> tuple[dt.date, dt.date]:
    """First and last day of a period; ValueError for anything that is not a period."""
    match = PERIOD_PATTERN.match(code or "")
    if not match:
        raise ValueError(f"'{code}' is not a period (2024, 2024Q3 or 2024-07)")
    year = int(match.group(1))
    if match.group(2):
        first = 3 * (int(match.group(2)) - 1) + 1
        last = first + 2
    elif match.group(3):
        first = last = int(match.group(3))
    else:
        first, last = 1, 12
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


def period_kind(code: str) -> str:
    return "quarter" if "Q" in code else "month" if "-" in code else "year"
