"""The platform's side of ``dxscore.numbers``: the person's language, the problems in
their words, and a form field. Pages, forms, imports and the what-if read people's
numbers through ``parse`` (the API takes JSON numbers, a machine format); templates
write them with the filters of ``templatetags/numbers.py``, and machine formats (SVG,
JSON, data attributes) with ``machine``, never localised."""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _

from dxscore import figures, numbers
from dxscore.numbers import NumberProblem, machine

__all__ = [
    "NumberField",
    "NumberProblem",
    "RateField",
    "figure_field",
    "language",
    "machine",
    "message",
    "parse",
]


def language(request=None) -> str:
    """The language a request is answered in (the active one without a request)."""
    code = getattr(request, "LANGUAGE_CODE", None) or translation.get_language() or "en"
    return code.split("-")[0]


def number_language(lang: str | None = None) -> str:
    """``lang`` (the active language by default) as ``dxscore.numbers`` reads it, with the
    digits ``DXSCORE_DIGITS`` chooses: ``locale`` (the CLDR's default for the language,
    Western digits for Arabic and Hindi), ``native`` (the language's own: ``٠١٢`` in
    Arabic, ``०१२`` in Hindi) or ``western`` (``012`` in every language)."""
    from django.conf import settings

    code = (lang or language()).split("-")[0]
    digits = getattr(settings, "DXSCORE_DIGITS", "locale")
    if digits == "native":
        return f"{code}-u-nu-native"
    if digits == "western":
        return f"{code}-u-nu-latn"
    return code


def message(problem: NumberProblem) -> str:
    """Why ``problem``'s text is not one number, in the person's language."""
    if problem.kind == "ambiguous":
        lang = language()
        a, b = (
            numbers.format_number(x, number_language(lang), grouping=False)
            for x in problem.readings
        )
        return _(
            "'%(v)s' could be %(a)s or %(b)s: write the number without a thousands separator"
        ) % {"v": problem.text, "a": a, "b": b}
    if problem.kind == "not_finite":
        return _("'%(v)s' is not a finite number") % {"v": problem.text}
    if problem.kind == "not_a_date":
        return _("'%(v)s' is not a date: write it as %(e)s or 2025-12-31") % {
            "v": problem.text,
            "e": numbers.example_date(number_language(problem.locale)),
        }
    return _("'%(v)s' is not a number") % {"v": problem.text}


def parse(text, lang: str | None = None) -> float | None:
    """``text`` as a number in ``lang`` (the active language by default); ``None`` if
    empty; ``NumberProblem`` if it is no number or reads two ways."""
    return numbers.parse_number(text, lang or language())


def show(value, decimals: int | None = None, lang: str | None = None) -> str:
    """A number for people: grouped, the language's decimal mark; "–" for none."""
    if value is None or value == "":
        return "–"
    return numbers.format_number(value, number_language(lang), decimals)


class NumberInput(forms.TextInput):
    """A text box for a number as people type it (``0,85`` in Vietnamese): a browser's
    number box takes only its own locale's mark and sends nothing for the other."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value  # what the person typed, shown back as typed
        return numbers.format_number(value, number_language(), grouping=False)


class NumberField(forms.FloatField):
    """A float typed the way the person's language writes it, read by ``parse``."""

    widget = NumberInput

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int | float):
            return float(value)
        try:
            return parse(value)
        except NumberProblem as problem:
            raise forms.ValidationError(message(problem), code="invalid") from None

    def widget_attrs(self, widget):
        # FloatField would add min, max and step, which a text box does not use
        return {}


def validate_translations(value) -> None:
    """A ``translations`` field: ``{}`` or a mapping of the site's languages to texts
    (``dxscore.texts``); anything else is refused with the reason."""
    from django.core.exceptions import ValidationError

    from dxscore import texts

    if value in (None, {}):
        return
    try:
        texts.check(value, _("translations"))
    except texts.TextError as exc:
        raise ValidationError(str(exc)) from None


class RateInput(NumberInput):
    """A rate's text box: the stored fraction shown as a percentage (``96,8%``)."""

    def format_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value
        return figures.format_figure(value, figures.RATE, number_language())


class RateField(NumberField):
    """A rate or share (stored as a fraction in [0, 1]) typed as a percentage with its
    sign (``96,8%``, ``96.8 %``: 0.968) or as the fraction itself (``0.968``); a number
    without ``%`` is always the fraction, so a text reads one way only. Shown as a
    percentage with one decimal; left as shown, the stored value keeps its full
    precision (``0.967816091954023`` shown ``96.8%`` stays ``0.967816091954023``)."""

    widget = RateInput

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int | float):
            return float(value)
        text = str(value).strip()
        initial = self.initial
        if isinstance(initial, int | float) and text == RateInput().format_value(initial):
            return float(initial)  # unchanged: the stored number, not the rounded text
        return typed_figure(text, figures.RATE, self.min_value, self.max_value)


def typed_figure(
    text, kind: str, low: float | None = None, high: float | None = None, lang: str | None = None
) -> float | None:
    """A figure of ``kind`` as a person typed it (``dxscore.figures.parse_figure``): a rate
    as ``96,8%`` or as the fraction ``0.968``; ``None`` if empty. A ``ValidationError``
    says why not: no number, a rate's ``96,8`` without ``%`` above a bound of 1 (both ways
    to write it shown), or outside ``[low, high]`` (a rate's bounds as percentages)."""
    lang = lang or language()
    try:
        number = figures.parse_figure(text, kind, lang)
    except NumberProblem as problem:
        raise forms.ValidationError(message(problem), code="invalid") from None
    if number is None:
        return None
    rate = figures.as_kind(kind) == figures.RATE
    percent = figures.is_percentage(text)
    if rate and not percent and high is not None and high < number and 1 < number <= 100:
        raise forms.ValidationError(rate_hint(number), code="max_value")
    if (low is not None and number < low) or (high is not None and number > high):
        if rate:
            bounds = {
                "low": figures.format_figure(low if low is not None else 0, figures.RATE, lang, 0),
                "high": figures.format_figure(
                    high if high is not None else 1, figures.RATE, lang, 0
                ),
            }
            raise forms.ValidationError(
                _("Enter a rate from %(low)s to %(high)s.") % bounds, code="range"
            )
        bounds = {
            "low": show(low, lang=lang) if low is not None else "–",
            "high": show(high, lang=lang) if high is not None else "–",
        }
        raise forms.ValidationError(
            _("Enter a number from %(low)s to %(high)s.") % bounds, code="range"
        )
    return number


class PercentNumberField(NumberField):
    """A number shown as itself that may also be typed as a percentage (``90%`` is 0.9),
    where the kind of the figure is chosen on the same form (a target's indicator)."""

    def to_python(self, value):
        if isinstance(value, str) and figures.is_percentage(value):
            try:
                return figures.parse_figure(value, figures.RATE, language())
            except NumberProblem as problem:
                raise forms.ValidationError(message(problem), code="invalid") from None
        return super().to_python(value)


def rate_hint(number: float) -> str:
    """Why ``96.8`` is refused in a rate field, and how to write it."""
    lang = language()
    return _(
        "%(v)s is more than 1: type a rate as a percentage with %% (%(p)s) "
        "or as the fraction (%(f)s)"
    ) % {
        "v": numbers.format_number(number, lang, grouping=False),
        "p": figures.format_figure(number / 100, figures.RATE, lang),
        "f": numbers.format_number(number / 100, lang, grouping=False),
    }


def rate_rule() -> str:
    """The rule of a rate field, said next to it."""
    lang = language()
    return _("Type a percentage with %% (%(p)s) or the fraction (%(f)s).") % {
        "p": figures.format_figure(0.968, figures.RATE, lang),
        "f": numbers.format_number(0.968, lang),
    }


def raw_kind(m, code: str) -> str:
    """How a raw value of node ``code`` of a compiled methodology ``m`` is shown: by the
    indicator's declared unit and range (a rate in [0, 1] as a percentage), else as a
    plain number (``dxscore.figures``)."""
    node = m.nodes.get(code)
    if node is None or not node.is_indicator:
        return figures.NUMBER
    return figures.declared_kind(node.spec)


def figure_field(kind: str, **options) -> NumberField:
    """The form field of a figure of ``kind``: a rate takes percentages."""
    return RateField(**options) if kind == figures.RATE else NumberField(**options)
