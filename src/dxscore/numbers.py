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
- Digits: as the locale's CLDR default numbering system says (Western digits for ``ar``
  and ``hi``, Arabic-Indic for ``ar-EG``); a BCP 47 tag chooses another: ``ar-u-nu-arab``
  or ``ar-u-nu-native`` writes ``١٬٠٢٧٬٨١١``, ``hi-u-nu-native`` Devanagari digits,
  ``ar-EG-u-nu-latn`` Western ones. Reading accepts Western and the locale's native
  digits (never a mix of scripts in one number), and the native separators.

Pure Python (no Django): the web platform's adapter, ``dxscore.web.l10n``, passes the
person's language and translates the problems.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
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
# the digit zero of each decimal numbering system the CLDR names (digits are consecutive)
ZEROS = {
    "latn": 0x30, "arab": 0x660, "arabext": 0x6F0, "deva": 0x966, "beng": 0x9E6,
    "guru": 0xA66, "gujr": 0xAE6, "orya": 0xB66, "tamldec": 0xBE6, "telu": 0xC66,
    "knda": 0xCE6, "mlym": 0xD66, "thai": 0xE50, "laoo": 0xED0, "tibt": 0xF20,
    "mymr": 0x1040, "khmr": 0x17E0,
}  # fmt: skip
# marks that only steer the display of bidirectional text: never part of a number
_BIDI_MARKS = dict.fromkeys(
    map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u2066\u2067\u2068\u2069")
)
_NU = re.compile(r"[-_]u[-_](?:.*?[-_])?nu[-_]([a-z0-9]+)", re.I)
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
    """A language tag as Babel names locales (``en-us`` -> ``en_US``, a Unicode extension
    such as ``-u-nu-arab`` left out); unknown or empty ones fall back to English."""
    tag = re.split(r"[-_]u[-_]", language or "en", maxsplit=1)[0].replace("-", "_")
    try:
        return str(Locale.parse(tag))
    except (UnknownLocaleError, ValueError, TypeError):
        return "en"


def numbering_system(language: str | None) -> str:
    """The digits ``language`` writes: the ``nu`` of its tag (``ar-u-nu-arab``; ``native``
    is the locale's native digits, ``latn`` Western ones), else the CLDR's default for
    the locale (``latn`` for ``ar`` and ``hi``, ``arab`` for ``ar-EG``). A system without
    decimal digits of its own here is written with Western digits."""
    locale = Locale.parse(locale_code(language))
    found = _NU.search(language or "")
    system = found.group(1).lower() if found else locale.default_numbering_system
    if system in ("native", "traditional", "finance"):
        system = str(locale.other_numbering_systems.get(system, "latn"))
    return system if system in ZEROS else "latn"


def native_digits(language: str | None) -> str:
    """The ten digits the locale's native numbering system writes (``٠١٢٣٤٥٦٧٨٩`` for
    Arabic, ``०१२३४५६७८९`` for Hindi, ``0123456789`` where it has none of its own)."""
    system = numbering_system(f"{locale_code(language)}-u-nu-native")
    return "".join(chr(ZEROS[system] + i) for i in range(10))


def _in_digits(text: str, system: str) -> str:
    """``text`` (Western digits, as Babel writes) in the digits of ``system``."""
    if system == "latn":
        return text
    zero = ZEROS[system]
    return text.translate({0x30 + i: zero + i for i in range(10)})


def _symbols(language: str | None) -> dict[str, str]:
    locale = locale_code(language)
    system = numbering_system(language)
    try:
        return dict(Locale.parse(locale).number_symbols[system])
    except KeyError:
        return dict(Locale.parse(locale).number_symbols["latn"])


def _western(text: str, language: str | None) -> str:
    """A number typed in the locale's native digits and separators (``١٬٢٣٤٫٥``) as the
    same text in Western digits with the locale's Western separators (``1,234.5``); a
    text mixing digits of two scripts is left as it is (and refused by the parser)."""
    scripts = {ord(ch) - unicodedata.decimal(ch) for ch in text if ch.isdecimal()}
    if not scripts or scripts == {0x30}:
        return text
    if len(scripts) > 1:
        return text
    locale = Locale.parse(locale_code(language))
    western = locale.number_symbols["latn"]
    out = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    for system in ("arab", "arabext", str(locale.other_numbering_systems.get("native", "latn"))):
        native = locale.number_symbols.get(system)
        if not native or system == "latn":
            continue
        for key in ("decimal", "group"):
            mark = native.get(key, "")
            if len(mark) == 1 and not mark.isascii():
                out = out.replace(mark, western[key])
    return out


def decimal_mark(language: str | None) -> str:
    return babel_numbers.get_decimal_symbol(locale_code(language))


def group_mark(language: str | None) -> str:
    return babel_numbers.get_group_symbol(locale_code(language))


def _strict(text: str, locale: str) -> Decimal | None:
    # the sign is read here: some locales write theirs with a bidi mark (Arabic)
    sign = -1 if text[:1] == "-" else 1
    body = text[1:] if text[:1] in "+-" else text
    try:
        value = babel_numbers.parse_decimal(body, locale=locale, strict=True)
    except (babel_numbers.NumberFormatError, InvalidOperation, ValueError):
        return None
    return value if sign > 0 else -value


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
    t = raw.strip().translate(_BIDI_MARKS).translate(_MINUS)
    if not t:
        return None
    locale = locale_code(language)
    # the Arabic separators (٫ decimal, ٬ group) are never the other one: one reading
    native_marks = any(ch in t for ch in "\u066b\u066c")
    t = _western(t, language)
    if any(ch.isdecimal() and not ch.isascii() for ch in t):  # digits of two scripts
        raise NumberProblem("not_a_number", raw.strip(), locale)
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
    if mine is None and (decimal_mark(locale), group_mark(locale)) == (".", ","):
        mine = _strict(t, "en")  # grouped by thousands where the locale groups otherwise
    other = None if native_marks else _strict(t, _OTHER.get(decimal_mark(locale), "en"))
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
    t = str(text).strip().translate(_BIDI_MARKS).replace("\u066a", "%")
    if t.endswith("%"):
        number = parse_number(t[:-1], language)
        return None if number is None else number / 100
    return parse_number(t, language)


def _grouping(locale: str) -> str:
    """The whole part of the locale's decimal pattern: ``#,##0``, or ``#,##,##0`` (Indian
    grouping: lakh and crore, as Hindi writes ``10,27,811``)."""
    pattern = str(Locale.parse(locale).decimal_formats[None].pattern).split(";")[0]
    whole = pattern.split(".")[0].lstrip("#") or "0"
    return "#" + whole if "," in whole else "#,##0"


def _pattern(decimals: int | None, grouping: bool, exact: Decimal, locale: str = "en") -> str:
    whole = _grouping(locale) if grouping else "0"
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
    system = numbering_system(language)
    text = babel_numbers.format_decimal(
        exact,
        format=_pattern(decimals, grouping, exact, locale),
        locale=locale,
        decimal_quantization=True,
        numbering_system=system,
    )
    return _in_digits(str(text), system)


def format_percent(share: float, language: str | None, decimals: int = 0) -> str:
    """A share (``0.853``) as a percentage with the locale's marks and sign (``85%``)."""
    locale = locale_code(language)
    number = float(share) * 100
    if not math.isfinite(number):
        return "–"
    exact = Decimal(f"{number:.{int(decimals)}f}")
    pattern = _grouping(locale) + ("." + "0" * decimals if decimals > 0 else "") + "%"
    system = numbering_system(language)
    # Babel multiplies by 100 for a pattern with %: give it the share of the rounded text
    text = babel_numbers.format_decimal(
        exact / 100,
        format=pattern,
        locale=locale,
        decimal_quantization=True,
        numbering_system=system,
    )
    return _in_digits(str(text), system)


def format_date(day: dt.date, language: str | None) -> str:
    """A day as people of ``language`` write it (``05/03/2024`` in Vietnamese, ``Mar 5,
    2024`` in English); ISO stays the form of files and the API."""
    locale = locale_code(language)
    if isinstance(day, dt.datetime):
        day = day.date()
    pattern = DATE_PATTERNS.get(Locale.parse(locale).language, "medium")
    text = str(babel_dates.format_date(day, format=pattern, locale=locale))
    return _in_digits(text, numbering_system(language))


def example_date(language: str | None) -> str:
    return format_date(dt.date(2025, 12, 31), language)


def parse_date(text: str | None, language: str | None) -> dt.date | None:
    """A day written in ISO (``2024-03-05``) or as people of ``language`` write it with
    digits (``05/03/2024`` in Vietnamese, day first; in English the CLDR's short order,
    month first); ``None`` if empty, ``NumberProblem("not_a_date")`` otherwise."""
    if text is None or not str(text).strip():
        return None
    t = str(text).strip().translate(_BIDI_MARKS)
    t = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in t)
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
