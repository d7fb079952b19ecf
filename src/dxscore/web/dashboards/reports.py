"""Reports from the same templates as the pages: a unit's scorecard as an A4 PDF
(WeasyPrint; vector charts drawn by matplotlib as SVG; DejaVu Sans from the installed
matplotlib package, so Vietnamese diacritics render on any machine; page numbers, the
methodology version and the run id in the footer), and all units' PDFs in one zip. Both
are stored as files once built (``stored_report``) and served from there.

Speed (``benchmarks/bench_pages.py``): a chart is drawn once for what it shows (its data,
labels and language) and kept in Django's cache; WeasyPrint reads the charts through a
URL fetcher (``dxscore-chart:<key>``) instead of parsing base64 data addresses, and the
charts' text is SVG text set in the document's font rather than one path per glyph."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import socket
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dxscore.index.methodology import ROOT
from dxscore.web.dashboards.charts import ACCENT, MEDIAN, TOP
from dxscore.web.dashboards.queries import Board
from dxscore.web.dashboards.scorecard import scorecard_context
from dxscore.web.fonts import NOTO, dejavu_dir, pdf_fonts

NOTO_FILES = tuple(name for _family, _weight, name in NOTO)


def font_dir() -> Path:
    return dejavu_dir()


CHART_SCHEME = "dxscore-chart:"
CHART_SECONDS = 24 * 3600


def _svg(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def cached_chart(charts: dict[str, bytes], draw, *args) -> str:
    """The address of the chart ``draw(*args)`` draws, added to ``charts``; drawn once per
    content and language: the key is a hash of the arguments, so it never goes stale."""
    raw = json.dumps([draw.__name__, get_language(), args], default=str, sort_keys=True)
    key = "dash:chart:" + hashlib.sha256(raw.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = draw(*args)
        cache.set(key, svg, CHART_SECONDS)
    charts[CHART_SCHEME + key] = svg
    return CHART_SCHEME + key


class RefusedURL(ValueError):
    """A report referred to something it may not read."""


def font_files() -> dict[str, Path]:
    """The only local files a report may read: the fonts it names, by their file URL
    (matplotlib's DejaVu Sans and the listed Noto UI fonts of the Debian package for
    Arabic and Devanagari, ``dxscore.web.fonts``)."""
    return {path.as_uri(): path for _family, _weight, path in pdf_fonts() if path.name in FONTS}


# the font files a report may read, by name: nothing else is ever fetched from disk
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", *NOTO_FILES)


def chart_fetcher(charts: dict[str, bytes]):
    """A WeasyPrint URL fetcher for one document: its charts from memory and its fonts
    from the installed matplotlib, nothing else. Every other address (``file:``,
    ``http:``, ``data:``, a chart of another document) is refused, so text that reaches a
    report can never make WeasyPrint read or attach a server file or call out."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    fonts = font_files()

    class ChartFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith(CHART_SCHEME) and url in charts:
                return URLFetcherResponse(url, charts[url], {"Content-Type": "image/svg+xml"})
            if url in fonts:
                body = fonts[url].read_bytes()
                return URLFetcherResponse(url, body, {"Content-Type": "font/ttf"})
            raise RefusedURL(f"a report may not read {url[:80]!r}")

    return ChartFetcher()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # text as SVG text in the PDF's own fonts: far fewer nodes than a path per glyph; the
    # family list names the Noto UI fonts, so Arabic and Devanagari labels are drawn
    plt.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [
                "DejaVu Sans",
                "Noto Sans Arabic UI",
                "Noto Sans Devanagari UI",
            ],
            "font.size": 8,
            "svg.fonttype": "none",
        }
    )
    return plt


def _right_to_left() -> bool:
    """Whether the active language is written right to left (the charts are mirrored)."""
    from django.utils.translation import get_language_bidi

    return get_language_bidi()


def history_svg(history: list[dict], label: str, size: int) -> bytes:
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
    rtl = _right_to_left()
    if rtl:  # mirrored: periods from right to left, the score's axis on the right
        ax.invert_xaxis()
        ax.yaxis.tick_right()
        ax.yaxis.set_label_position("right")
        ranks.yaxis.tick_left()
        ranks.yaxis.set_label_position("left")
    lines = ax.get_lines() + ranks.get_lines()
    ax.legend(
        lines,
        [line.get_label() for line in lines],
        loc="lower right" if rtl else "lower left",
        frameon=False,
        fontsize=7,
        ncol=2,
    )
    return _svg(fig)


def profile_svg(profile: list[dict], unit_name: str) -> bytes:
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
    if _right_to_left():  # mirrored: bars grow from the right, their names on the right
        ax.invert_xaxis()
        ax.yaxis.tick_right()
    ax.grid(axis="x", color="#e5e5e5")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False, fontsize=7)
    return _svg(fig)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end the string, the rule or the
    ``<style>`` element it stands in: every character but letters, digits, spaces and a
    few harmless marks is written as a CSS escape (``<`` is ``\\3c ``)."""
    out = []
    for ch in text:
        if ch.isalnum() or ch in " .,:;·#()-_/":
            out.append(ch)
        elif ch in "\r\n\t":
            out.append(" ")
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def _chart_data(history: list[dict], profile: list[dict]) -> tuple[list, list]:
    """Only what the charts draw (also their cache keys)."""
    return (
        [{"period": h["period"], "score": h["score"], "rank": h["rank"]} for h in history],
        [{k: p.get(k) for k in ("name", "score", "median", "top10")} for p in profile],
    )


def scorecard_document(request, board: Board, unit: str) -> tuple[str, dict[str, bytes]]:
    """The scorecard's PDF HTML and the charts it refers to."""
    ctx = scorecard_context(request, board, unit)
    run = board.run
    history, profile = _chart_data(ctx["history"], ctx["profile"])
    charts: dict[str, bytes] = {}
    ctx.update(
        pdf=True,
        font_dir=font_dir().as_uri(),
        history_svg=cached_chart(charts, history_svg, history, board.name(ROOT), board.count()),
        profile_svg=cached_chart(charts, profile_svg, profile, ctx["unit_name"]),
        footer_left=css_string(
            f"{run.methodology.code} v{run.methodology.version} · "
            + _("run %(n)s (id %(id)s)") % {"n": run.number, "id": run.pk}
            + f" · {run.methodology_digest[:12]}"
        ),
        footer_right=css_string(_("page")),
    )
    return render_to_string("dashboards/scorecard_pdf.html", ctx, request=request), charts


def render_scorecard_html(request, board: Board, unit: str) -> str:
    return scorecard_document(request, board, unit)[0]


def scorecard_pdf(request, board: Board, unit: str) -> bytes:
    from weasyprint import HTML

    html, charts = scorecard_document(request, board, unit)
    base_url = request.build_absolute_uri("/")
    return HTML(string=html, base_url=base_url, url_fetcher=chart_fetcher(charts)).write_pdf()


def leader_document(request, context: dict) -> str:
    """The leader's page as the HTML of its one-page A4 PDF."""
    from dxscore.numbers import format_date
    from dxscore.web.l10n import number_language

    unit = context["unit"]
    left = f"{unit.name} ({unit.code}) · " + _("as of %(day)s") % {
        "day": format_date(context["today"], number_language())
    }
    score = context.get("score")
    if score:
        run = score["run"]
        left += f" · {run.methodology.code} v{run.methodology.version} · " + _(
            "run %(n)s (id %(id)s)"
        ) % {"n": run.number, "id": run.pk}
    ctx = dict(
        context,
        pdf=True,
        font_dir=font_dir().as_uri(),
        footer_left=css_string(left),
        footer_right=css_string(context["permalink"]),
    )
    return render_to_string("dashboards/leader_pdf.html", ctx, request=request)


def pdf_of(request, html: str, charts: dict[str, bytes] | None = None) -> bytes:
    """A report's HTML as PDF: links relative to the site, nothing read but its own
    charts and fonts (``chart_fetcher``)."""
    from weasyprint import HTML

    base_url = request.build_absolute_uri("/")
    return HTML(string=html, base_url=base_url, url_fetcher=chart_fetcher(charts or {})).write_pdf()


def scorecards_zip(request, board: Board, progress=None) -> bytes:
    """Every unit's scorecard PDF in one zip; ``progress(done, total)`` after each."""
    buffer = io.BytesIO()
    run = board.run
    rows = board.rows()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, row in enumerate(rows, start=1):
            name = f"scorecard-{run.methodology.code}-{run.period.code}-{row.code}.pdf"
            archive.writestr(name, scorecard_pdf(request, board, row.code))
            if progress is not None:
                progress(done, len(rows))
    return buffer.getvalue()


# --- stored report files ------------------------------------------------------------------

BUILD_LOCK_SECONDS = 30 * 60  # a lock not touched for this long is from a process that died

logger = logging.getLogger(__name__)


class ReportBusy(Exception):
    """Another request is building the same report file right now."""


@dataclass(frozen=True)
class Preparing:
    """A report being built in the background: how far it got, when it is told."""

    done: int | None = None
    total: int | None = None
    started: float | None = None


@dataclass(frozen=True)
class Failed:
    """The last build of a report for this state failed (the error is in the log)."""

    at: float


@dataclass(frozen=True)
class _Files:
    folder: Path
    name: str  # the stem's hash: every state's file of the stem starts with it
    path: Path

    @property
    def lock(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    @property
    def failed(self) -> Path:
        return self.path.with_name(self.path.name + ".failed")


def _files(stem: str, state: tuple) -> _Files:
    from django.conf import settings

    from dxscore import __version__

    folder = Path(settings.HOME) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(stem.encode()).hexdigest()[:24]
    key = hashlib.sha256(repr((__version__, get_language(), *state)).encode()).hexdigest()
    return _Files(folder, name, folder / f"{name}-{key[:24]}")


def _take_lock(files: _Files) -> int | None:
    """The lock's descriptor, or None while someone else holds a live lock. A lock not
    touched for ``BUILD_LOCK_SECONDS``, or held by a process of this machine that is gone,
    is taken over."""
    for _attempt in range(2):
        try:
            return os.open(files.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if not _stale(files.lock):
                return None
            files.lock.unlink(missing_ok=True)
    return None


def _stale(lock: Path) -> bool:
    try:
        age = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return True
    if age >= BUILD_LOCK_SECONDS:
        return True
    holder = _read(lock)
    pid, host = holder.get("pid"), holder.get("host")
    if isinstance(pid, int) and host == socket.gethostname() and age > 5:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
    return False


def _read(lock: Path) -> dict:
    try:
        found = json.loads(lock.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _write(files: _Files, body: bytes) -> Path:
    partial = files.path.with_name(files.path.name + ".partial")
    partial.write_bytes(body)
    os.replace(partial, files.path)
    for old in files.folder.glob(f"{files.name}-*"):
        if old.suffix not in (".lock", ".partial") and old != files.path:
            old.unlink(missing_ok=True)
    return files.path


def stored_report(stem: str, state: tuple, build) -> Path:
    """The report file named by ``stem`` (say, a run and a unit) for ``state`` (what else
    its content depends on), built by ``build()`` (bytes) the first time and read from
    ``DXSCORE_HOME/reports`` afterwards, by every server process. A public address must
    not cost a minute of CPU per visit: one request builds a given file at a time
    (``ReportBusy`` for the others), and the files of ``stem`` for an older state are
    removed when a new one is written. File names are hashes (``stem`` may hold unit
    codes with any characters)."""
    files = _files(stem, state)
    if files.path.exists():
        return files.path
    fd = _take_lock(files)
    if fd is None:
        raise ReportBusy(stem)
    try:
        return _write(files, build())
    finally:
        os.close(fd)
        files.lock.unlink(missing_ok=True)


def prepared_report(stem: str, state: tuple, build, *, retry: bool = False):
    """A long report (``build(progress)`` returns bytes and calls ``progress(done,
    total)`` as it goes) built in the background: its file when it is ready, else
    ``Preparing`` (how far the build got) or ``Failed``. The first call starts the build
    (``start``: a thread of this server process) and returns at once; later calls, from
    any process, share that build through its lock file, which holds the progress. A
    failed build is remembered for the state until ``retry``."""
    files = _files(stem, state)
    if files.path.exists():
        return files.path
    if files.failed.exists():
        if not retry:
            return Failed(files.failed.stat().st_mtime)
        files.failed.unlink(missing_ok=True)
    fd = _take_lock(files)
    if fd is None:
        held = _read(files.lock)
        return Preparing(held.get("done"), held.get("total"), held.get("started"))
    started = time.time()
    os.write(fd, json.dumps(_holder(started, None, None)).encode())
    os.close(fd)
    language = get_language()

    def job():
        _build_in_background(files, build, language, started)

    try:
        start(job)
    except Exception:
        files.lock.unlink(missing_ok=True)
        raise
    return Preparing(None, None, started)


def _holder(started: float, done, total) -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": started} | (
        {"done": done, "total": total}
    )


def _build_in_background(files: _Files, build, language: str, started: float) -> None:
    from django.utils import translation

    def progress(done: int, total: int) -> None:
        partial = files.lock.with_name(files.lock.name + ".progress")
        partial.write_text(json.dumps(_holder(started, done, total)), encoding="utf-8")
        os.replace(partial, files.lock)  # also marks the lock as alive

    try:
        with translation.override(language):
            _write(files, build(progress))
        files.failed.unlink(missing_ok=True)
    except Exception:
        logger.exception("building the report %s failed", files.path.name)
        files.failed.touch()
    finally:
        files.lock.unlink(missing_ok=True)


def start(job) -> None:
    """Run ``job`` in the background: a daemon thread of this process, with its own
    database connection, closed when it ends (tests replace this to run it when they
    choose)."""
    import threading

    from django.db import connections

    def run():
        try:
            job()
        finally:
            connections.close_all()

    threading.Thread(target=run, name="dxscore-report", daemon=True).start()
