"""The platform's side of ``dxscore.numbers``: the person's language, the problems in
their words, and a form field. Pages, forms, imports and the what-if read people's
numbers through ``parse`` (the API takes JSON numbers, a machine format); templates
write them with the filters of ``templatetags/numbers.py``, and machine formats (SVG,
JSON, data attributes) with ``machine``, never localised."""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _

from dxscore import numbers
from dxscore.numbers import NumberProblem, machine

__all__ = ["NumberField", "NumberProblem", "language", "machine", "message", "parse"]


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
