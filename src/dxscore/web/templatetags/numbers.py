"""Numbers and dates in templates, by the page's language (``dxscore.numbers``):
``{{ x|num }}`` (grouped, every digit), ``{{ x|num:2 }}`` (two decimals), ``{{ share|pct }}``
(``85%``), ``{{ day|day }}`` (``05/03/2024`` in Vietnamese), ``{{ moment|when }}`` (and
``14:30``), and ``{{ x|machine }}`` for SVG
coordinates, data attributes and other machine formats, which are never localised.

Figures by their kind, one display rule each (``dxscore.figures``), the same in the PDFs:
``{{ x|figure:"rate" }}`` or ``{{ x|rate }}`` (``96,8%``), ``{{ x|score:decimals }}``
(the methodology's decimals), ``{{ x|points }}`` (2 decimals), ``{{ x|count }}``
(a grouped integer), ``{{ x|figure:kind }}`` for a kind chosen by the data (an
indicator's raw value: ``indicator_kind``)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from dxscore import figures, numbers
from dxscore.web.l10n import number_language

register = template.Library()


@register.filter
def num(value, decimals=None):
    if value is None or value == "":
        return "–"
    try:
        return numbers.format_number(
            value if isinstance(value, int) else float(value),
            number_language(),
            None if decimals in (None, "") else int(decimals),
        )
    except (TypeError, ValueError):
        return value


@register.filter
def pct(value, decimals=0):
    if value is None or value == "":
        return "–"
    return numbers.format_percent(float(value), number_language(), int(decimals))


@register.filter
def figure(value, kind="number"):
    """``value`` shown by its kind (``score``, ``points``, ``rate``, ``count``,
    ``number``); ``"score:2"`` gives a score's decimals with its kind."""
    kind, _sep, places = str(kind or "number").partition(":")
    return figures.format_figure(value, kind, number_language(), int(places) if places else None)


@register.filter
def rate(value, decimals=None):
    """A rate or share (a fraction) as a percentage with one decimal: ``96,8%``."""
    return figures.format_figure(value, figures.RATE, number_language(), _places(decimals))


@register.filter
def score(value, decimals=None):
    """An index or pillar score with the methodology's decimals (4 by default)."""
    return figures.format_figure(value, figures.SCORE, number_language(), _places(decimals))


@register.filter
def points(value, decimals=None):
    """Points earned, with two decimals."""
    return figures.format_figure(value, figures.POINTS, number_language(), _places(decimals))


@register.filter
def count(value):
    """A count: an integer, grouped."""
    return figures.format_figure(value, figures.COUNT, number_language())


def _places(decimals) -> int | None:
    return None if decimals in (None, "") else int(decimals)


@register.filter
def day(value):
    if not isinstance(value, dt.date):
        return "–" if value in (None, "") else value
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return numbers.format_date(value, number_language())


@register.filter
def when(value):
    """A moment on pages: its local day as people write it, and the time (``14:30``)."""
    if not isinstance(value, dt.datetime):
        return day(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{numbers.format_date(value.date(), number_language())} {value:%H:%M}"


@register.filter
def machine(value):
    """A number as SVG, JSON, CSS and data attributes write it, in every language."""
    return numbers.machine(value)
