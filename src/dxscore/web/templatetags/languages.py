"""The language switch names each language in that language (``English``, ``Tiếng
Việt``, ``العربية``, ``हिन्दी``, from the CLDR through Babel), so a reader finds their own
whatever the page's language; ``{{ code|own_name }}``."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django import template

register = template.Library()


@lru_cache(maxsize=64)
def own_name(code: str) -> str:
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return (name[:1].upper() + name[1:]) if name else code


register.filter("own_name", own_name)
