"""Formatting of dashboard numbers: scores to the methodology's decimals (grouped, with
the language's decimal mark: ``dxscore.numbers``), ranks, and changes with an arrow and
words for screen readers."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dxscore import numbers
from dxscore.web.l10n import number_language, show

register = template.Library()


def fixed(value, decimals) -> str:
    """``value`` rounded as Python rounds the stored float (what a download's reader
    gets with ``round``), grouped, with the active language's decimal mark."""
    return numbers.format_number(float(value), number_language(), int(decimals))


@register.filter
def score(value, decimals=4):
    if value is None or value == "":
        return "–"
    return fixed(value, decimals)


@register.filter
def signed(value, decimals=4):
    if value is None:
        return "–"
    text = fixed(abs(value), decimals)
    if text.strip("0.,") == "":
        return "±" + text
    return ("+" if value > 0 else "−") + text


@register.filter
def percent(value, decimals=0):
    if value is None:
        return "–"
    return numbers.format_percent(value, number_language(), int(decimals))


@register.simple_tag
def change(places):
    """Places gained (positive) or lost since the previous period, as an arrow."""
    if places is None:
        return format_html('<span class="muted" title="{}">–</span>', _("no previous period"))
    if places > 0:
        words = ngettext("gained %(n)d place", "gained %(n)d places", places) % {"n": places}
        return format_html(
            '<span class="up" title="{}"><span aria-hidden="true">▲</span> {}'
            '<span class="sr">{}</span></span>',
            words,
            places,
            words,
        )
    if places < 0:
        n = -places
        words = ngettext("lost %(n)d place", "lost %(n)d places", n) % {"n": n}
        return format_html(
            '<span class="down" title="{}"><span aria-hidden="true">▼</span> {}'
            '<span class="sr">{}</span></span>',
            words,
            n,
            words,
        )
    return format_html(
        '<span class="same" title="{}"><span aria-hidden="true">▶</span> 0'
        '<span class="sr">{}</span></span>',
        _("same rank"),
        _("same rank"),
    )


@register.simple_tag
def cell(row, column, decimals=4):
    """One cell of a dashboards Table, formatted by the column's kind."""
    value = row.get(column.key)
    if column.kind == "score":
        return score(value, decimals)
    if column.kind == "delta":
        return signed(value, decimals)
    if column.kind == "change":
        return change(value)
    if column.kind == "number":
        return show(value)
    if value is None:
        return "–"
    return value


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def get_item(sequence, i):
    try:
        return sequence[int(i)]
    except (IndexError, TypeError, ValueError):
        return None


@register.simple_tag
def measure(row, key, kind):
    """A dossier measure of ``row`` as the services pages show it, by its kind: a share
    in percent, points and days with decimals, counts as integers."""
    value = row.get(key) if row else None
    if value is None or value == "":
        return "–"
    if kind == "share":
        return percent(value, 1)
    if kind == "points":
        return fixed(value, 2)
    if kind == "days":
        return fixed(value, 1)
    if kind == "number":
        return show(value)
    return value
