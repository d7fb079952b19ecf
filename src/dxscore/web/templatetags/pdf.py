"""The fonts of the PDFs (``dxscore.web.fonts``): ``{% pdf_font_faces %}`` writes the
``@font-face`` rules of DejaVu Sans and the Noto UI fonts for Arabic and Devanagari (by
the file URLs the reports' URL fetcher allows), ``{% pdf_font_family %}`` the font stack
for the page's language, its script's font first."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from dxscore.web import fonts

register = template.Library()


@register.simple_tag
def pdf_font_faces() -> str:
    return mark_safe(fonts.font_faces())  # noqa: S308 - file URLs of the listed fonts only


@register.simple_tag
def pdf_font_family() -> str:
    return mark_safe(fonts.font_family(get_language()))  # noqa: S308 - a fixed list of names
