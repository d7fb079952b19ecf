"""Formatting of dashboard numbers by the one display rule of each kind of figure
(``dxscore.figures``): scores to the methodology's decimals, rates as percentages,
points with two decimals, counts grouped; ranks, and changes with an arrow and words
for screen readers."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _

from dxscore import figures, numbers
from dxscore.web.dashboards.tables import figure_kind
from dxscore.web.l10n import number_language

register = template.Library()


def fixed(value, decimals) -> str:
    """``value`` rounded as Python rounds the stored float (what a download's reader
    gets with ``round``), grouped, with the active language's decimal mark."""
    return numbers.format_number(float(value), number_language(), int(decimals))


@register.filter
def score(value, decimals=4):
    return figures.format_figure(value, figures.SCORE, number_language(), int(decimals))


@register.filter
def signed(value, decimals=4):
    if value is None:
        return "–"
    text = fixed(abs(value), decimals)
    sign = "±" if text.strip("0.,") == "" else ("+" if value > 0 else "−")
    out = sign + text
    if get_language_bidi():  # the sign stays before the number in right-to-left text
        return "\u2066" + out + "\u2069"
    return out


@register.filter
def percent(value, decimals=0):
    return figures.format_figure(value, figures.RATE, number_language(), int(decimals))


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
    """One cell of a dashboards Table, formatted by the column's kind (or the row's own
    kind of that cell: ``row["raw_kind"]`` for a raw value, ``Table.kind``)."""
    value = row.get(column.key)
    kind = row.get(f"{column.key}_kind") or column.kind
    if kind == "delta":
        return signed(value, decimals)
    if kind == "change":
        return change(value)
    shown = figure_kind(kind)
    if shown is not None:
        return figures.format_figure(
            value, shown, number_language(), _decimals(shown, kind, decimals)
        )
    if value is None:
        return "–"
    return value


def _decimals(shown: str, kind: str, decimals) -> int | None:
    if shown == figures.SCORE:
        return int(decimals)
    return 1 if kind == "days" else None


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
    shown = figure_kind(kind)
    if shown is None:
        return "–" if value is None or value == "" else value
    return figures.format_figure(value, shown, number_language(), 1 if kind == "days" else None)


def chart_words_map() -> dict[str, str]:
    """The words of Plotly's tool bar and hover boxes in the page's language (Plotly's
    own English text is the key), for ``charts.js``'s ``locales`` configuration."""
    return {
        "Autoscale": _("Autoscale"),
        "Box Select": _("Box select"),
        "Compare data on hover": _("Compare data on hover"),
        "Download plot as a PNG": _("Download the chart as a PNG image"),
        "Lasso Select": _("Lasso select"),
        "Pan": _("Pan"),
        "Reset axes": _("Reset the axes"),
        "Reset view": _("Reset the view"),
        "Share chart...": _("Share the chart…"),
        "Show closest data on hover": _("Show the closest data on hover"),
        "Toggle Spike Lines": _("Show or hide spike lines"),
        "Zoom": _("Zoom"),
        "Zoom in": _("Zoom in"),
        "Zoom out": _("Zoom out"),
        "Double-click to zoom back out": _("Double-click to zoom back out"),
    }


@register.simple_tag
def chart_words():
    """A JSON block ``#chart-words``: the language, its decimal and group marks and the
    tool bar's words (Plotly then writes axis numbers as the language does; the chart
    data, machine numbers, are the same in every language)."""
    from django.utils.html import json_script

    from dxscore.web.l10n import language

    lang = language()
    words = {
        "locale": lang,
        "decimal": numbers.decimal_mark(lang),
        "thousands": numbers.group_mark(lang),
        "dictionary": chart_words_map(),
    }
    return json_script(words, "chart-words")
