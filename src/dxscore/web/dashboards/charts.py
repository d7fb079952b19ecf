"""Charts of the dashboards.

- Plotly figures as plain ``{"data": [...], "layout": {...}}`` dictionaries, drawn in the
  browser by the Plotly.js bundled with the installed ``plotly`` package (no CDN).
- Right to left (Arabic): the figures are the same in every language (their numbers are
  machine numbers, ``tests/web/dashboards/test_machine_numbers.py``); ``charts.js``
  mirrors them in the browser when the page is ``dir="rtl"``: every horizontal axis
  reads from right to left (periods, units best first, scores), the vertical axes swap
  sides (the score on the right, the rank on the left), and legend and title start at
  the right.
- Maps as server-drawn SVG (tiles are links, readable without JavaScript): a tile grid
  of the units (no geodata needed), or a boundary map from a GeoJSON file.
"""

from __future__ import annotations

import csv
import json
import math
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from django.utils.html import escape
from django.utils.translation import gettext as _

ACCENT, MEDIAN, TOP, GREY = "#0b5cad", "#6b7785", "#c25e00", "#9aa5b1"
BLUES = ["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08306b"]  # ColorBrewer-like
DARK = {3, 4}  # classes with white text
FONT = {
    "family": "'Noto Sans Arabic UI', 'Noto Sans Devanagari UI', system-ui, 'Segoe UI', "
    "Roboto, 'Noto Sans', sans-serif",
    "size": 13,
}


def base_layout(title: str, **extra) -> dict:
    """The layout every chart starts from (font, margins, legend), with ``extra`` over it."""
    out = {
        "title": {"text": title, "font": {"size": 15}},
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.2},
    }
    out.update(extra)
    return out


def figure(data: list, layout: dict) -> str:
    """The figure as JSON that is safe inside a ``<script>`` element."""
    text = json.dumps({"data": data, "layout": layout}, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def history_figure(points: list[dict], score_label: str) -> str:
    """Score (left axis) and rank (right axis, 1 at the top) per period."""
    periods = [p["period"] for p in points]
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": score_label,
            "x": periods,
            "y": [p["score"] for p in points],
            "line": {"color": ACCENT, "width": 3},
            "marker": {"size": 8},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": _("Rank"),
            "x": periods,
            "y": [p["rank"] for p in points],
            "yaxis": "y2",
            "line": {"color": TOP, "width": 2, "dash": "dot"},
            "marker": {"size": 7, "symbol": "diamond"},
        },
    ]
    size = max([p.get("size") or 1 for p in points] + [1])
    layout = base_layout(
        _("Score and rank by period"),
        xaxis={"type": "category", "title": {"text": _("Period")}},
        yaxis={"title": {"text": score_label}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": _("Rank (1 = best)")},
            "overlaying": "y",
            "side": "right",
            "autorange": False,
            "range": [size + 0.5, 0.5],
            "tick0": 1,
            "dtick": max(1, round(size / 6)),
            "showgrid": False,
        },
        margin={"l": 60, "r": 60, "t": 50, "b": 50},
    )
    return figure(data, layout)


def pillars_figure(profile: list[dict], unit_name: str) -> str:
    """The unit's index and pillars against the median and the top ten's mean."""
    names = [p["name"] for p in profile]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": unit_name,
            "y": names,
            "x": [p["score"] for p in profile],
            "marker": {"color": ACCENT},
        },
        {
            "type": "bar",
            "orientation": "h",
            "name": _("Median of all units"),
            "y": names,
            "x": [p["median"] for p in profile],
            "marker": {"color": MEDIAN},
        },
        {
            "type": "bar",
            "orientation": "h",
            "name": _("Mean of the top ten"),
            "y": names,
            "x": [p["top10"] for p in profile],
            "marker": {"color": TOP},
        },
    ]
    layout = base_layout(
        _("Index and pillars against the median and the top ten"),
        barmode="group",
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"title": {"text": _("Score")}, "rangemode": "tozero"},
        height=120 + 70 * len(profile),
    )
    return figure(data, layout)


def distribution_figure(rows: list[dict], label: str, highlight: str | None = None) -> str:
    """Every unit's score, best first, as bars (the highlighted unit in the accent colour)."""
    shown = [r for r in rows if r.get("score") is not None]
    colors = [ACCENT if r["unit"] == highlight else "#8fb3dc" for r in shown]
    data = [
        {
            "type": "bar",
            "x": [r["name"] for r in shown],
            "y": [r["score"] for r in shown],
            "marker": {"color": colors},
            "customdata": [r["rank"] for r in shown],
            "hovertemplate": "%{x}<br>"
            + escape(label)
            + ": %{y}<br>"
            + escape(_("Rank"))
            + " %{customdata}<extra></extra>",
            "name": label,
        }
    ]
    layout = base_layout(
        _("%(node)s across units, best first") % {"node": label},
        xaxis={"tickangle": -60, "automargin": True, "tickfont": {"size": 10}},
        yaxis={"title": {"text": _("Score")}, "rangemode": "tozero"},
        height=460,
        showlegend=False,
    )
    return figure(data, layout)


def node_history_figure(points: list[dict], label: str) -> str:
    """The median per period with the range from the lowest to the highest unit."""
    periods = [p["period"] for p in points]
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": _("Highest"),
            "x": periods,
            "y": [p["max"] for p in points],
            "line": {"color": "#bdd7e7"},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": _("Lowest"),
            "x": periods,
            "y": [p["min"] for p in points],
            "line": {"color": "#bdd7e7"},
            "fill": "tonexty",
            "fillcolor": "rgba(189,215,231,0.45)",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": _("Median"),
            "x": periods,
            "y": [p["median"] for p in points],
            "line": {"color": ACCENT, "width": 3},
        },
    ]
    layout = base_layout(
        _("%(node)s by period: median and range over units") % {"node": label},
        xaxis={"type": "category", "title": {"text": _("Period")}},
        yaxis={"title": {"text": _("Score")}},
    )
    return figure(data, layout)


def compare_figure(board, units: list[str], cells: dict) -> str:
    palette = [ACCENT, TOP, "#2e7d32", "#6a3d9a"]
    names = [board.name(n) for n in board.columns]
    data = []
    for i, u in enumerate(units):
        data.append(
            {
                "type": "bar",
                "name": board.unit_name(u),
                "x": names,
                "y": [getattr(cells.get(u, {}).get(n), "score", None) for n in board.columns],
                "marker": {"color": palette[i % len(palette)]},
            }
        )
    layout = base_layout(
        _("Index and pillars side by side"),
        barmode="group",
        yaxis={"title": {"text": _("Score")}, "rangemode": "tozero"},
        xaxis={"automargin": True},
    )
    return figure(data, layout)


# --- maps -----------------------------------------------------------------------------------


def classes(values: list[float], n: int = len(BLUES)) -> list[tuple[float, float]]:
    """``n`` equal-width classes from the lowest to the highest value."""
    lo, hi = min(values), max(values)
    if hi == lo:
        return [(lo, hi)]
    step = (hi - lo) / n
    return [(lo + i * step, lo + (i + 1) * step) for i in range(n)]


def class_of(value: float, bins: list[tuple[float, float]]) -> int:
    for i, (_lo, hi) in enumerate(bins):
        if value <= hi + 1e-12:
            return i
    return len(bins) - 1


@lru_cache(maxsize=1)
def vn_provinces_grid() -> dict[str, tuple[int, int, str]]:
    """Vietnam's 63 provinces (2008-2025 codes) on a tile grid: code -> (row, col, region)."""
    text = (
        files("dxscore.web.dashboards")
        .joinpath("data", "vn-provinces-grid.csv")
        .read_text(encoding="utf-8")
    )
    return {
        r["code"]: (int(r["row"]), int(r["col"]), r["region"])
        for r in csv.DictReader(text.splitlines())
    }


def grid_layout(codes: list[str]) -> dict[str, tuple[int, int]]:
    """Tile positions: the Vietnam grid when it covers the units, else rows in order."""
    known = vn_provinces_grid()
    if codes and all(c in known for c in codes):
        return {c: known[c][:2] for c in codes}
    cols = max(1, math.ceil(math.sqrt(len(codes) * 1.6)))
    return {c: (i // cols, i % cols) for i, c in enumerate(codes)}


def _short(name: str) -> str:
    return name.removeprefix("TP. ").removeprefix("Tỉnh ").removeprefix("Thành phố ")


def legend_svg(bins, fmt, y: float, x: float = 0) -> list[str]:
    parts = []
    for i, (lo, hi) in enumerate(bins):
        parts.append(
            f'<rect x="{x}" y="{y + i * 22}" width="18" height="18" fill="{BLUES[i]}" '
            f'stroke="#5b6775" stroke-width="0.5"/><text x="{x + 24}" y="{y + i * 22 + 14}" '
            f'font-size="12" fill="#1d2733">{escape(fmt(lo))} – {escape(fmt(hi))}</text>'
        )
    i = len(bins)
    parts.append(
        f'<rect x="{x}" y="{y + i * 22}" width="18" height="18" fill="#e3e7eb" stroke="#5b6775"'
        f' stroke-width="0.5" stroke-dasharray="2 2"/><text x="{x + 24}" y="{y + i * 22 + 14}"'
        f' font-size="12" fill="#1d2733">{escape(_("no score"))}</text>'
    )
    return parts


def tile_map(units: list[dict], title: str, fmt, link) -> str:
    """An SVG tile grid: one tile per unit (``code, name, score, rank``), coloured by
    score class, each a keyboard-focusable link with its name, score and rank."""
    layout = grid_layout([u["code"] for u in units])
    w, h, gap = 112, 42, 4
    rows = max(r for r, _c in layout.values()) + 1
    cols = max(c for _r, c in layout.values()) + 1
    scores = [u["score"] for u in units if u["score"] is not None]
    bins = classes(scores) if scores else []
    legend_x = cols * (w + gap) + 16
    width = legend_x + 150
    height = max(rows * (h + gap), 30 + 22 * (len(bins) + 1))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="tilemap" role="group" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for u in sorted(units, key=lambda u: layout[u["code"]]):
        r, c = layout[u["code"]]
        x, y = c * (w + gap), r * (h + gap)
        if u["score"] is None:
            fill, ink = "#e3e7eb", "#1d2733"
        else:
            k = class_of(u["score"], bins)
            fill, ink = BLUES[k], "#ffffff" if k in DARK else "#1d2733"
        label = f"{u['name']}: {fmt(u['score'])}" + (
            f" · {_('rank')} {u['rank']}" if u["rank"] is not None else ""
        )
        parts.append(
            f'<a href="{escape(link(u["code"]))}" aria-label="{escape(label)}">'
            f"<title>{escape(label)}</title>"
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="{fill}" '
            f'stroke="#ffffff" stroke-width="1"/>'
            f'<text x="{x + 6}" y="{y + 16}" font-size="11.5" fill="{ink}">'
            f"{escape(_short(u['name'])[:18])}</text>"
            f'<text x="{x + 6}" y="{y + 33}" font-size="12" font-weight="700" fill="{ink}">'
            f"{escape(fmt(u['score']))}</text></a>"
        )
    parts += legend_svg(bins, fmt, 8, legend_x)
    parts.append("</svg>")
    return "".join(parts)


# --- boundary map from a GeoJSON file ---------------------------------------------------------


@lru_cache(maxsize=4)
def _geojson(path: str, mtime: float) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_geojson(path: str | None) -> dict | None:
    if not path or not Path(path).is_file():
        return None
    return _geojson(path, Path(path).stat().st_mtime)


def _rings(geometry: dict) -> list[list]:
    if geometry is None:
        return []
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def boundary_map(
    geo: dict, code_property: str, units: list[dict], title: str, fmt, link, width: int = 640
) -> str:
    """An SVG choropleth from GeoJSON polygons (equirectangular, scaled by the cosine of
    the mean latitude); a feature's unit code is read from ``code_property``."""
    by_code = {u["code"]: u for u in units}
    features = [
        f
        for f in geo.get("features", [])
        if str((f.get("properties") or {}).get(code_property, "")) in by_code
    ]
    points = [pt for f in features for ring in _rings(f["geometry"]) for pt in ring]
    if not points:
        return ""
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = (max(lons) - min(lons)) * k or 1
    span_y = (max(lats) - min(lats)) or 1
    scale = width / span_x
    height = span_y * scale
    scores = [u["score"] for u in units if u["score"] is not None]
    bins = classes(scores) if scores else []

    def xy(pt) -> str:
        return f"{(pt[0] - min(lons)) * k * scale:.1f},{(max(lats) - pt[1]) * scale:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width + 170} '
        f'{max(height, 160):.0f}" class="tilemap" role="group" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for f in features:
        u = by_code[str(f["properties"][code_property])]
        d = " ".join(
            "M" + " L".join(xy(pt) for pt in ring) + " Z" for ring in _rings(f["geometry"])
        )
        fill = "#e3e7eb" if u["score"] is None else BLUES[class_of(u["score"], bins)]
        label = f"{u['name']}: {fmt(u['score'])}"
        parts.append(
            f'<a href="{escape(link(u["code"]))}" aria-label="{escape(label)}"><title>'
            f'{escape(label)}</title><path d="{d}" fill="{fill}" stroke="#ffffff" '
            f'stroke-width="0.7"/></a>'
        )
    parts += legend_svg(bins, fmt, 8, width + 16)
    parts.append("</svg>")
    return "".join(parts)
