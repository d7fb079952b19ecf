"""Numbers and dates in templates, by the page's language (``dxscore.numbers``):
``{{ x|num }}`` (grouped, every digit), ``{{ x|num:2 }}`` (two decimals), ``{{ share|pct }}``
(``85%``), ``{{ day|day }}`` (``05/03/2024`` in Vietnamese), ``{{ moment|when }}`` (and
``14:30``), and ``{{ x|machine }}`` for SVG
coordinates, data attributes and other machine formats, which are never localised."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from dxscore import numbers
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
