"""Reports from the same templates as the pages: a unit's scorecard as an A4 PDF
(WeasyPrint; vector charts drawn by matplotlib as SVG; DejaVu Sans from the installed
matplotlib package, so Vietnamese diacritics render on any machine; page numbers, the
methodology version and the run id in the footer), and all units' PDFs in one zip."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from dxscore.index.methodology import ROOT
from dxscore.web.dashboards.charts import ACCENT, MEDIAN, TOP
from dxscore.web.dashboards.queries import Board


def font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _svg_uri(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 8, "svg.fonttype": "path"})
    return plt


def history_svg(history: list[dict], label: str, size: int) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.6, 2.2))
    periods = [h["period"] for h in history]
    ax.plot(periods, [h["score"] for h in history], "o-", color=ACCENT, lw=2, label=label)
    ax.set_ylabel(label)
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#e5e5e5")
    ranks = ax.twinx()
    ranks.plot(periods, [h["rank"] for h in history], "D:", color=TOP, lw=1.5, label=_("Rank"))
    ranks.set_ylim(size + 0.5, 0.5)
    ranks.set_ylabel(_("Rank (1 = best)"))
    for h in history:
        if h["rank"] is not None:
            ranks.annotate(
                str(h["rank"]),
                (h["period"], h["rank"]),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                color=TOP,
                fontsize=7,
            )
    lines = ax.get_lines() + ranks.get_lines()
    ax.legend(
        lines,
        [line.get_label() for line in lines],
        loc="lower left",
        frameon=False,
        fontsize=7,
        ncol=2,
    )
    return _svg_uri(fig)


def profile_svg(profile: list[dict], unit_name: str) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.6, 0.5 + 0.55 * len(profile)))
    names = [p["name"] for p in profile]
    y = range(len(profile))
    h = 0.26
    for k, (key, color, label) in enumerate(
        [
            ("score", ACCENT, unit_name),
            ("median", MEDIAN, _("Median of all units")),
            ("top10", TOP, _("Mean of the top ten")),
        ]
    ):
        ax.barh(
            [i + (k - 1) * h for i in y],
            [p[key] or 0 for p in profile],
            height=h,
            color=color,
            label=label,
        )
    ax.set_yticks(list(y), names)
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.grid(axis="x", color="#e5e5e5")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False, fontsize=7)
    return _svg_uri(fig)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def render_scorecard_html(request, board: Board, unit: str) -> str:
    from dxscore.web.dashboards.views import scorecard_context

    ctx = scorecard_context(request, board, unit)
    run = board.run
    ctx.update(
        pdf=True,
        font_dir=font_dir().as_uri(),
        history_svg=history_svg(ctx["history"], board.name(ROOT), board.count()),
        profile_svg=profile_svg(ctx["profile"], ctx["unit_name"]),
        footer_left=_css_string(
            f"{run.methodology.code} v{run.methodology.version} · "
            + _("run %(n)s (id %(id)s)") % {"n": run.number, "id": run.pk}
            + f" · {run.methodology_digest[:12]}"
        ),
        footer_right=_css_string(_("page")),
    )
    return render_to_string("dashboards/scorecard_pdf.html", ctx, request=request)


def scorecard_pdf(request, board: Board, unit: str) -> bytes:
    from weasyprint import HTML

    html = render_scorecard_html(request, board, unit)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()


def scorecards_zip(request, board: Board) -> bytes:
    buffer = io.BytesIO()
    run = board.run
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for row in board.rows():
            name = f"scorecard-{run.methodology.code}-{run.period.code}-{row.code}.pdf"
            archive.writestr(name, scorecard_pdf(request, board, row.code))
    return buffer.getvalue()
