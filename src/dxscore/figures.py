"""Figures as people read them: one display rule per kind of figure, the same on pages,
in PDFs and in Excel downloads (``docs/languages.md``, "How each kind of figure is
shown").

- ``score``: an index or pillar score, with the methodology's own decimals (4 by
  default): ``0.8241``; Excel ``0.0000``.
- ``points``: points earned (Decision 766's 100 points), 2 decimals: ``76.60``; ``0.00``.
- ``rate``: a rate or share, a fraction in [0, 1], as a percentage with 1 decimal:
  ``96.8%`` (``96,8%`` in Vietnamese); Excel ``0.0%``.
- ``count``: an integer, grouped: ``1,027,811``; ``#,##0``.
- ``number``: any other value, grouped, at most 4 decimals, no trailing zeros: ``3.25``;
  ``General``.

A raw indicator value is shown by the indicator's declared unit and range
(:func:`indicator_kind`): a rate or share in [0, 1] is a ``rate``. What is stored and
downloaded is always the real number with its full precision; only the text people read
is rounded. A rate may be typed as a percentage (:func:`parse_figure`): ``96,8%`` or
``96.8 %`` means 0.968, a number without ``%`` is the fraction itself (``0.968``).

Pure Python (no Django), on ``dxscore.numbers``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Literal, Protocol

from dxscore import numbers

Kind = Literal["score", "points", "rate", "count", "number"]
SCORE: Kind = "score"
POINTS: Kind = "points"
RATE: Kind = "rate"
COUNT: Kind = "count"
NUMBER: Kind = "number"
KINDS: tuple[Kind, ...] = (SCORE, POINTS, RATE, COUNT, NUMBER)

# the decimals each kind is shown with (a score's are the methodology's, this by default)
DECIMALS: dict[Kind, int] = {SCORE: 4, POINTS: 2, RATE: 1, COUNT: 0, NUMBER: 4}
MISSING = "–"
# the percent signs people type: ASCII, full width, Arabic
_PERCENT = re.compile(r"\s*[%\uff05\u066a]\s*$")
# the words of a declared unit that say it is a rate or share (in [0, 1]) or a count
# ("%" alone is not one: a unit "%" says the values are written in percent, 62.5)
_RATE_WORDS = re.compile(r"\b(rate|share|ratio|proportion|fraction)\b|\b0\s*-\s*1\b")
# a unit in [0, 1] that is points or a score as published ("share of maximum points")
_SCORE_WORDS = re.compile(r"\bpoints?\b")
_RATE_ONLY = re.compile(r"\brate\b")
_COUNT_WORDS = re.compile(r"\b(count|number of|dossiers|records|persons|people)\b")


def as_kind(kind: str | None) -> Kind:
    """``kind`` as one of :data:`KINDS` (an unknown or empty one is a plain number)."""
    for k in KINDS:
        if kind == k:
            return k
    return NUMBER


def indicator_kind(
    unit: str | None = "", low: float | None = None, high: float | None = None
) -> Kind:
    """How a raw value of an indicator is shown, from what its methodology declares.

    - A unit that says points: a ``score`` when in [0, 1] or a share ("share of maximum
      points", DTI's main indices as published: ``0.8241``), else ``points``.
    - A range of exactly [0, 1], or a unit that says rate, share, ratio or "0-1" with a
      range inside [0, 1] (or none): a ``rate`` (Decision 766's "rate (0-1)": ``96.8%``).
    - A unit that says count: a ``count``.
    - Anything else a plain ``number`` (a unit "%" whose values are 62.5, a rating 1-5,
      tonnes, USD)."""
    text = (unit or "").casefold()
    inside = low is not None and high is not None and low >= 0 and high <= 1
    unbounded = low is None and high is None
    if _SCORE_WORDS.search(text) and not _RATE_ONLY.search(text):
        if inside or (unbounded and "share" in text):
            return SCORE  # a score published as a fraction (DTI's 0.8241), not a percentage
        return POINTS
    if (low, high) == (0, 1) or (_RATE_WORDS.search(text) and (inside or unbounded)):
        return RATE
    if _COUNT_WORDS.search(text):
        return COUNT
    return NUMBER


class Declared(Protocol):
    """What a methodology declares of an indicator (``dxscore.index``'s ``IndicatorSpec``)."""

    @property
    def unit(self) -> str: ...

    @property
    def range(self) -> tuple[float | None, float | None] | None: ...


def declared_kind(spec: Declared | None) -> Kind:
    """:func:`indicator_kind` of an indicator as its methodology declares it (``unit``,
    ``range``); a node without them (an aggregate) is a plain number."""
    if spec is None or not hasattr(spec, "unit"):
        return NUMBER
    bounds = getattr(spec, "range", None)
    low, high = bounds if bounds is not None else (None, None)
    return indicator_kind(spec.unit, low, high)


def _finite(value: object) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def format_figure(
    value: float | int | Decimal | None,
    kind: str,
    language: str | None,
    decimals: int | None = None,
) -> str:
    """``value`` as people of ``language`` read a figure of ``kind``: a rate as a
    percentage (``96,8%``), a score with ``decimals`` (the methodology's, else 4),
    points with 2, a count as a grouped integer, any other number with at most 4
    decimals; ``–`` for a missing or non-finite value."""
    k = as_kind(kind)
    number = _finite(value)
    if number is None:
        return MISSING
    places = DECIMALS[k] if decimals is None else int(decimals)
    if k == RATE:
        return numbers.format_percent(number, language, places)
    if k == COUNT:
        return numbers.format_number(round(number), language, 0)
    if k == NUMBER:
        if number.is_integer() and abs(number) < 1e15:
            return numbers.format_number(int(number), language)
        # rounded to ``places``, then written without trailing zeros
        rounded = Decimal(f"{number:.{places}f}").normalize()
        if rounded == 0:
            rounded = Decimal(0)
        return numbers.format_number(rounded, language)
    return numbers.format_number(number, language, places)


def excel_format(kind: str, decimals: int | None = None) -> str:
    """The number format of a spreadsheet cell holding a figure of ``kind`` (the cell
    holds the real number; the format only says how Excel shows it)."""
    k = as_kind(kind)
    places = DECIMALS[k] if decimals is None else int(decimals)
    fraction = "." + "0" * places if places > 0 else ""
    if k == RATE:
        return "0" + fraction + "%"
    if k == COUNT:
        return "#,##0"
    if k == NUMBER:
        return "General"
    return "0" + fraction


def is_percentage(text: str | None) -> bool:
    """Whether ``text`` is written as a percentage (it ends with a percent sign)."""
    return text is not None and bool(_PERCENT.search(str(text)))


def parse_figure(text: str | None, kind: str, language: str | None) -> float | None:
    """A figure of ``kind`` as a person typed it, ``None`` if empty. For a ``rate``, a
    number followed by a percent sign is a percentage (``96,8%``, ``96.8 %`` -> 0.968,
    exactly as the decimal text says) and a number without one is the fraction itself
    (``0.968``); every other kind reads as :func:`dxscore.numbers.parse_number` does
    (``NumberProblem`` when it is no number or two)."""
    if text is None:
        return None
    raw = str(text)
    if as_kind(kind) == RATE and is_percentage(raw):
        number = numbers.parse_number(_PERCENT.sub("", raw), language)
        if number is None:
            raise numbers.NumberProblem("not_a_number", raw.strip(), numbers.locale_code(language))
        return float(Decimal(repr(number)) / 100)
    return numbers.parse_number(raw, language)
