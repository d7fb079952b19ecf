"""Numbers and dates as people write them, by locale, once for the whole project (Babel,
the CLDR's data): one parser and one formatter that forms, imports, the what-if, filters
and the API's text inputs read through, and one writer of numbers in machine formats.

- People's numbers: ``parse_number("0,85", "vi") == 0.85``, ``format_number(1027811,
  "vi") == "1.027.811"``, ``format_number(0.5, "en", 2) == "0.50"``.
- A text that reads one way only is read that way: ``"0.85"`` in Vietnamese cannot be a
  thousands grouping, so it is 0.85. A text that reads two ways is refused, never guessed:
  ``"1,234"`` in English is 1234, or 1.234 as a decimal comma writes it
  (``NumberProblem`` with ``kind == "ambiguous"`` and both readings).
- Machine formats (SVG, JSON, CSS, data attributes, chart specifications, files and the
  API) are never localised: ``machine(37.6) == "37.6"`` in every language.
- Dates: ISO (``2024-03-05``) in files and the API; ``format_date`` writes them as people of
  the locale do (``05/03/2024`` in Vietnamese), ``parse_date`` reads ISO or that form.

Pure Python (no Django): the web platform's adapter, ``dxscore.web.l10n``, passes the
person's language and translates the problems.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

ProblemKind = Literal["not_a_number", "ambiguous", "not_finite", "not_a_date"]

# the locale whose conventions are the other common ones, by a locale's decimal mark: a
# text that is not a number in its locale may be one, and only one, in the other
_OTHER = {",": "en", ".": "de"}
# what may appear in a number at all (digits of any script, signs, separators, exponent,
# spaces between groups); Python's Decimal would take "NaN", "Infinity" or "1_000" too
_ALLOWED = re.compile(r"^[+\-]?[\d.,'\s\u00a0\u202f]*\d[\d.,'\s\u00a0\u202f]*(?:[eE][+\-]?\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_SPACE_GROUPED = re.compile(r"^[+\-]?\d{1,3}(?:[\s\u00a0\u202f']\d{3})+(?:[.,]\d+)?$")
_PLAIN = re.compile(r"^[+\-]?\d+(?:[eE][+\-]?\d+)?$")
_MACHINE = re.compile(r"^[+\-]?\d+\.\d+[eE][+\-]?\d+$")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})
# the date people of a language write, where the CLDR's own forms are not it (its
# Vietnamese short date is d/M/yy); others use the CLDR's medium form
DATE_PATTERNS = {"vi": "dd/MM/yyyy"}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMERIC_DAY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


@dataclass
class NumberProblem(ValueError):
    """A text that is not one number in its locale: ``kind`` says why (``not_a_number``,
    ``ambiguous``, ``not_finite``, ``not_a_date``), ``readings`` the two numbers an
    ambiguous text could be (the locale's first)."""

    kind: ProblemKind
    text: str
    locale: str
    readings: tuple[float, ...] = field(default=())

    def __str__(self) -> str:
        if self.kind == "ambiguous":
            a, b = self.readings
            return (
                f"'{self.text}' is ambiguous: {machine(a)} or {machine(b)}; "
                f"write it without a thousands separator"
            )
        if self.kind == "not_finite":
            return f"'{self.text}' is not a finite number"
        if self.kind == "not_a_date":
            return f"'{self.text}' is not a date (write {example_date(self.locale)} or ISO)"
        return f"'{self.text}' is not a number"


def locale_code(language: str | None) -> str:
    """A language tag as Babel names locales (``en-us`` -> ``en_US``); unknown or empty
    ones fall back to English."""
    tag = (language or "en").replace("-", "_")
    try:
        return str(Locale.parse(tag))
    except (UnknownLocaleError, ValueError, TypeError):
        return "en"


def decimal_mark(language: str | None) -> str:
    return babel_numbers.get_decimal_symbol(locale_code(language))


def group_mark(language: str | None) -> str:
    return babel_numbers.get_group_symbol(locale_code(language))


def _strict(text: str, locale: str) -> Decimal | None:
    try:
        value = babel_numbers.parse_decimal(text, locale=locale, strict=True)
    except (babel_numbers.NumberFormatError, InvalidOperation, ValueError):
        return None
    return value


def _finite(value: Decimal | float, text: str, locale: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise NumberProblem("not_finite", text, locale)
    return number


def parse_number(text: str | None, language: str | None) -> float | None:
    """The number ``text`` writes in ``language``'s conventions, ``None`` if it is empty;
    ``NumberProblem`` when it is no number or two. Accepted: the locale's decimal mark and
    grouping (``1.027.811,5`` in Vietnamese), a text that reads one way only in the other
    common convention (``0.85`` in Vietnamese), spaces between groups of three, a sign or
    a minus sign, and an exponent (``1.5e-3``, as programs write)."""
    if text is None:
        return None
    raw = str(text)
    t = raw.strip().translate(_MINUS)
    if not t:
        return None
    locale = locale_code(language)
    if not _ALLOWED.match(t):
        raise NumberProblem("not_a_number", raw.strip(), locale)
    if _PLAIN.match(t) or _MACHINE.match(t):
        return _finite(float(t), raw.strip(), locale)
    if _SPACES.search(t):
        if not _SPACE_GROUPED.match(t):
            raise NumberProblem("not_a_number", raw.strip(), locale)
        t = _SPACES.sub("", t)
        if _PLAIN.match(t):
            return _finite(float(t), raw.strip(), locale)
    mine = _strict(t, locale)
    other = _strict(t, _OTHER.get(decimal_mark(locale), "en"))
    if mine is not None and other is not None and mine != other:
        readings = (float(mine), float(other))
        raise NumberProblem("ambiguous", raw.strip(), locale, readings)
    found = mine if mine is not None else other
    if found is None:
        raise NumberProblem("not_a_number", raw.strip(), locale)
    return _finite(found, raw.strip(), locale)


def parse_percent(text: str | None, language: str | None) -> float | None:
    """A share written as a percentage (``85 %``, ``12,5%``) or as a number (``0,85``)."""
    if text is None:
        return None
    t = str(text).strip()
    if t.endswith("%"):
        number = parse_number(t[:-1], language)
        return None if number is None else number / 100
    return parse_number(t, language)


def _pattern(decimals: int | None, grouping: bool, exact: Decimal) -> str:
    whole = "#,##0" if grouping else "0"
    if decimals is None:
        exponent = exact.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return whole + ("." + "#" * places if places else "")
    return whole + ("." + "0" * decimals if decimals > 0 else "")


def format_number(
    value: float | int | Decimal,
    language: str | None,
    decimals: int | None = None,
    *,
    grouping: bool = True,
) -> str:
    """``value`` as people of ``language`` read it: grouped (``1.027.811`` in Vietnamese,
    ``1,027,811`` in English) with the locale's decimal mark. With ``decimals`` it is
    rounded as Python rounds the stored float (what a download's reader gets with
    ``round``), else written with every digit of its shortest form."""
    locale = locale_code(language)
    if isinstance(value, Decimal):
        exact = value
    elif isinstance(value, int) and not isinstance(value, bool):
        exact = Decimal(value)
    else:
        number = float(value)
        if not math.isfinite(number):
            return "–"
        if decimals is not None:
            exact = Decimal(f"{number:.{int(decimals)}f}")
        else:
            exact = Decimal(repr(number)) if not number.is_integer() else Decimal(int(number))
    text = babel_numbers.format_decimal(
        exact, format=_pattern(decimals, grouping, exact), locale=locale, decimal_quantization=True
    )
    return str(text)


def format_percent(share: float, language: str | None, decimals: int = 0) -> str:
    """A share (``0.853``) as a percentage with the locale's marks and sign (``85%``)."""
    locale = locale_code(language)
    number = float(share) * 100
    if not math.isfinite(number):
        return "–"
    exact = Decimal(f"{number:.{int(decimals)}f}")
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    # Babel multiplies by 100 for a pattern with %: give it the share of the rounded text
    return str(
        babel_numbers.format_decimal(
            exact / 100, format=pattern, locale=locale, decimal_quantization=True
        )
    )


def format_date(day: dt.date, language: str | None) -> str:
    """A day as people of ``language`` write it (``05/03/2024`` in Vietnamese, ``Mar 5,
    2024`` in English); ISO stays the form of files and the API."""
    locale = locale_code(language)
    if isinstance(day, dt.datetime):
        day = day.date()
    pattern = DATE_PATTERNS.get(Locale.parse(locale).language, "medium")
    return str(babel_dates.format_date(day, format=pattern, locale=locale))


def example_date(language: str | None) -> str:
    return format_date(dt.date(2025, 12, 31), language)


def parse_date(text: str | None, language: str | None) -> dt.date | None:
    """A day written in ISO (``2024-03-05``) or as people of ``language`` write it with
    digits (``05/03/2024`` in Vietnamese, day first; in English the CLDR's short order,
    month first); ``None`` if empty, ``NumberProblem("not_a_date")`` otherwise."""
    if text is None or not str(text).strip():
        return None
    t = str(text).strip()
    locale = locale_code(language)
    try:
        if _ISO_DAY.match(t):
            return dt.date.fromisoformat(t)
        found = _NUMERIC_DAY.match(t)
        if found:
            order = _day_order(locale)
            parts = dict(zip(order, (int(g) for g in found.groups()), strict=True))
            return dt.date(parts["y"], parts["m"], parts["d"])
    except ValueError:
        pass
    raise NumberProblem("not_a_date", t, locale)


def _day_order(locale: str) -> tuple[str, str, str]:
    """The order of day, month and year in the locale's short date (``dmy`` or ``mdy``);
    the year comes last in the numeric forms read here."""
    pattern = DATE_PATTERNS.get(Locale.parse(locale).language) or str(
        Locale.parse(locale).date_formats["short"].pattern
    )
    d, m = pattern.find("d"), pattern.find("M")
    return ("m", "d", "y") if 0 <= m < d else ("d", "m", "y")


def machine(value: float | int | Decimal | None) -> str:
    """A number as machine formats write it (SVG, JSON, CSS, data attributes): a point,
    no grouping, the shortest text that reads back to the same float, whatever the
    language. ``None`` and non-finite values are refused: no format has them."""
    if value is None or isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int):
        return str(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return str(int(number)) if number.is_integer() and abs(number) < 1e16 else repr(number)
