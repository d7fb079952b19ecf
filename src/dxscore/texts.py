"""Content in several languages: a text is a string or a mapping language -> string.

Names, descriptions and help written in files and stored records (a methodology's
nodes, regions, resolution pillars, demo content) are *texts*: either one string, shown
whatever the reader's language, or a mapping such as ``{en: Digital awareness, vi:
Nhận thức số}``. :func:`pick` gives the reader's language, else English, else the first
language given. :func:`check` refuses a mapping with a language the platform does not
speak, naming where.

The reader's language is the one :func:`language` returns: the language set by
:func:`reading` (the command line, a test), else the language source installed with
:func:`use_language_source` (the web platform installs Django's active language), else
English. Pure: imports neither Django nor the web.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

# The languages content may be written in: the platform's ``LANGUAGES`` (a test checks
# that they agree). Add a language here when adding it to the site (docs/languages.md).
LANGUAGES: tuple[str, ...] = ("en", "vi", "ar", "hi")
FALLBACK = "en"

Text = str | Mapping[str, str]

_reading: ContextVar[str | None] = ContextVar("dxscore_reading", default=None)
_source: list[Callable[[], str | None]] = []


class TextError(ValueError):
    """A text is not a string or a mapping of known languages to strings."""


def base(language: str | None) -> str | None:
    """``vi-VN`` -> ``vi``; ``zh-hans`` -> ``zh``; None stays None."""
    if not language:
        return None
    return language.replace("_", "-").split("-")[0].lower()


def use_language_source(source: Callable[[], str | None] | None) -> None:
    """Install where the reader's language comes from (None: English unless
    :func:`reading` says otherwise)."""
    _source.clear()
    if source is not None:
        _source.append(source)


def language_source() -> Callable[[], str | None] | None:
    """The installed language source (None: none)."""
    return _source[0] if _source else None


def language() -> str:
    """The reader's language (a base code such as ``vi``)."""
    chosen = _reading.get()
    if chosen is None and _source:
        chosen = _source[0]()
    return base(chosen) or FALLBACK


@contextmanager
def reading(lang: str | None) -> Iterator[None]:
    """Texts picked inside the block are in ``lang`` (None: the installed source's)."""
    token = _reading.set(base(lang))
    try:
        yield
    finally:
        _reading.reset(token)


def pick(text: Text | None, lang: str | None = None) -> str:
    """The text in ``lang`` (default: the reader's language), else in English, else in
    the first language given; ``""`` for no text."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    wanted = base(lang) if lang else language()
    for code in (wanted, FALLBACK):
        value = text.get(code) if code else None
        if value:
            return value
    return next((v for v in text.values() if v), "")


def check(text: object, where: str = "text") -> Text:
    """``text`` if it is a string or a non-empty mapping of known languages to strings;
    otherwise a :class:`TextError` naming ``where`` and the problem."""
    if isinstance(text, str):
        return text
    if not isinstance(text, Mapping) or not text:
        raise TextError(
            f"{where}: must be a text or a mapping of languages to texts ({', '.join(LANGUAGES)})"
        )
    unknown = sorted(str(k) for k in text if k not in LANGUAGES)
    if unknown:
        raise TextError(
            f"{where}: unknown language code(s) {', '.join(unknown)} "
            f"(known: {', '.join(LANGUAGES)})"
        )
    for code, value in text.items():
        if not isinstance(value, str):
            raise TextError(f"{where}: the text in '{code}' must be a string")
    return {str(k): v for k, v in text.items()}


def translated(default: str, names: Mapping[str, str] | None, lang: str | None = None) -> str:
    """A stored record's name in ``lang`` (default: the reader's language): its
    translation in ``names`` when there is one, else ``default`` (the name as stored)."""
    wanted = base(lang) if lang else language()
    return (names or {}).get(wanted or FALLBACK) or default


def translations(text: Text | None) -> dict[str, str]:
    """Every language of a text (a plain string counts as English)."""
    if text is None or text == "":
        return {}
    if isinstance(text, str):
        return {FALLBACK: text}
    return dict(text)


def english(text: Text | None) -> str:
    """The text in English (or its first language): what digests and codes rest on."""
    return pick(text, FALLBACK)
