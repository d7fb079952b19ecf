"""Fonts for scripts the system fonts of a reader may lack (Arabic, Devanagari): the Noto
UI fonts of the Debian package ``fonts-noto-ui-core`` (``make reports`` installs it),
read from where the package puts them, never from a CDN.

- Pages: ``site.css`` declares ``@font-face`` rules for "Noto Sans Arabic UI" and "Noto
  Sans Devanagari UI" with ``local()`` first (a reader who has the font installed
  downloads nothing) and then ``/fonts/<file>``, which ``font`` serves from the package;
  each rule has the ``unicode-range`` of its script, so a page without Arabic or
  Devanagari text never fetches them. The route lies outside the static files on
  purpose: ``collectstatic`` neither copies nor needs them, and a server without the
  package answers 404 and the browser falls back to its own fonts.
- PDFs: ``dashboards/reports.py`` lets WeasyPrint read exactly these files (and
  matplotlib's DejaVu Sans) by their file URL, nothing else.
"""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

NOTO_DIR = Path("/usr/share/fonts/truetype/noto")
# family, weight, file name: the only files ``font`` serves and a report may read
NOTO = (
    ("Noto Sans Arabic UI", "normal", "NotoSansArabicUI-Regular.ttf"),
    ("Noto Sans Arabic UI", "bold", "NotoSansArabicUI-Bold.ttf"),
    ("Noto Sans Devanagari UI", "normal", "NotoSansDevanagariUI-Regular.ttf"),
    ("Noto Sans Devanagari UI", "bold", "NotoSansDevanagariUI-Bold.ttf"),
)
FILES = {name for _family, _weight, name in NOTO}


def noto_path(name: str) -> Path | None:
    """The installed file of a listed Noto font, ``None`` if it is not listed or missing."""
    if name not in FILES:
        return None
    path = NOTO_DIR / name
    return path if path.is_file() else None


def dejavu_dir() -> Path:
    """DejaVu Sans of the installed matplotlib: Latin with Vietnamese diacritics, on any
    machine (the PDFs' first font)."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


DEJAVU = (
    ("DejaVu Sans", "normal", "DejaVuSans.ttf"),
    ("DejaVu Sans", "bold", "DejaVuSans-Bold.ttf"),
)


def pdf_fonts() -> list[tuple[str, str, Path]]:
    """Every font a PDF may use, as (family, weight, file): DejaVu Sans, and the Noto UI
    fonts for Arabic and Devanagari where the Debian package is installed."""
    found = [(family, weight, dejavu_dir() / name) for family, weight, name in DEJAVU]
    for family, weight, name in NOTO:
        path = noto_path(name)
        if path is not None:
            found.append((family, weight, path))
    return found


def font_family(language: str | None) -> str:
    """The PDFs' font stack for ``language``: the script's Noto font first where DejaVu
    Sans would otherwise draw it (its Arabic is partial and unshaped in places), DejaVu
    Sans first for every other language (Noto UI fonts then draw only what DejaVu lacks,
    such as Devanagari)."""
    code = (language or "en").split("-")[0]
    order = ["DejaVu Sans", "Noto Sans Arabic UI", "Noto Sans Devanagari UI"]
    if code in ("ar", "fa", "ur", "ps"):
        order = ["Noto Sans Arabic UI", "DejaVu Sans", "Noto Sans Devanagari UI"]
    elif code in ("hi", "mr", "ne"):
        order = ["Noto Sans Devanagari UI", "DejaVu Sans", "Noto Sans Arabic UI"]
    return ", ".join(f'"{f}"' for f in order) + ", sans-serif"


def font_faces() -> str:
    """The ``@font-face`` rules of ``pdf_fonts`` by file URL (what the reports' URL
    fetcher lets WeasyPrint read)."""
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url("{path.as_uri()}"); }}'
        for family, weight, path in pdf_fonts()
    )


@require_safe
def font(request, name: str):
    """One of the listed font files, cached for a week (their content changes only with
    the Debian package)."""
    path = noto_path(name)
    if path is None:
        raise Http404("no such font")
    response = FileResponse(path.open("rb"), content_type="font/ttf")
    response["Cache-Control"] = "public, max-age=604800"
    return response
