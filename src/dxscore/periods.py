"""Periods, once for the whole project: the codes ``2024`` (a year), ``2024Q3`` (a quarter)
and ``2024-07`` (a month), their kind, the days they cover, containment and their integer
index at a kind (months since year 0, say), which the dossier measures use to bucket days.

Pure Python: the index engine, the dossier measures, the target rules, the platform and
the API read period codes through this module only. A *kind* is ``year``, ``quarter`` or
``month`` (the dossier measures' ``--by unit,month`` names a kind too).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["month", "quarter", "year"]
KINDS: tuple[Kind, ...] = ("month", "quarter", "year")  # finest first
PATTERN = re.compile(r"^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$")
EXAMPLES = "2024, 2024Q3 or 2024-07"


class PeriodError(ValueError):
    """Not a period code, or a period that does not fit the kind asked for."""


@dataclass(frozen=True, order=True)
class Period:
    """One parsed period code; ``first_month`` and ``last_month`` are 1-12."""

    year: int
    first_month: int
    last_month: int

    @property
    def kind(self) -> Kind:
        months = self.last_month - self.first_month + 1
        return "month" if months == 1 else "quarter" if months == 3 else "year"

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.first_month:02d}"
        if self.kind == "quarter":
            return f"{self.year}Q{(self.first_month + 2) // 3}"
        return str(self.year)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        """The last day (inclusive)."""
        return dt.date(
            self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1]
        )

    def contains(self, other: Period) -> bool:
        """Whether every day of ``other`` lies in this period (a period contains itself)."""
        return self.start <= other.start and other.end <= self.end

    def span(self, kind: Kind) -> tuple[int, int]:
        """The first and last index at ``kind`` of the periods inside this one. A coarser
        kind than the period's own is an error (a month has no quarter index)."""
        if kind == "month":
            first = self.year * 12 + self.first_month - 1
            return first, self.year * 12 + self.last_month - 1
        if kind == "quarter":
            if self.kind == "month":
                raise PeriodError(f"'{self.code}' is a month; give a quarter or a year")
            return (
                self.year * 4 + (self.first_month - 1) // 3,
                self.year * 4 + (self.last_month - 1) // 3,
            )
        if kind == "year":
            if self.kind != "year":
                raise PeriodError(f"'{self.code}' is not a year; give a year")
            return self.year, self.year
        raise PeriodError(f"unknown period kind '{kind}' (use {', '.join(KINDS)})")


def parse(code: object) -> Period:
    """The period a code names; ``PeriodError`` for anything else."""
    match = PATTERN.match(str(code).strip()) if code is not None else None
    if not match:
        raise PeriodError(f"'{code}' is not a period code (use {EXAMPLES})")
    year, quarter, month = int(match.group(1)), match.group(2), match.group(3)
    if month:
        return Period(year, int(month), int(month))
    if quarter:
        return Period(year, 3 * int(quarter) - 2, 3 * int(quarter))
    return Period(year, 1, 12)


def is_period(code: object) -> bool:
    return code is not None and PATTERN.match(str(code).strip()) is not None


def kind_of(code: str) -> Kind:
    """``year``, ``quarter`` or ``month``."""
    return parse(code).kind


def dates(code: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a period."""
    period = parse(code)
    return period.start, period.end


def code_at(index: int, kind: Kind) -> str:
    """The code of the period with integer ``index`` at ``kind`` (see ``Period.span``)."""
    if kind == "month":
        return f"{index // 12}-{index % 12 + 1:02d}"
    if kind == "quarter":
        return f"{index // 4}Q{index % 4 + 1}"
    if kind == "year":
        return str(index)
    raise PeriodError(f"unknown period kind '{kind}' (use {', '.join(KINDS)})")


def check_kind(kind: str) -> Kind:
    for known in KINDS:
        if kind == known:
            return known
    raise PeriodError(f"unknown period kind '{kind}' (use {', '.join(KINDS)})")
