"""Public pages of published runs (no log-in): leaderboard, unit scorecard, indicator
page, map, comparison, and their downloads. A page's address names the methodology and
the period (``/public/vn-dti-2022/2022/``) and shows its widest published run;
``?run=N`` pins run N, which never changes once published."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from dxscore.index.methodology import ROOT
from dxscore.web.dashboards import charts, exports, queries, tables
from dxscore.web.dashboards.pages import (
    board_context,
    board_for,
    fmt_for,
    notice,
    page,
    shell,
)
from dxscore.web.dashboards.queries import Board
from dxscore.web.dashboards.scorecard import all_targets_state, scorecard_context, targets_state
from dxscore.web.scores.runs import widest_first

MAX_COMPARED = 4


@require_GET
def favicon(request):
    """No icon, but no 404 either: browsers ask for one on every public page."""
    response = HttpResponse(status=204)
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def public_index(request):
    """Each methodology's periods, linked to the ranking a public page shows for them
    (``widest_first``), and the published rankings within one unit that it does not show."""
    shown: dict[tuple[str, str], object] = {}
    within: list = []
    for run in widest_first(queries.published_runs()):
        key = (run.methodology.code, run.period.code)
        if key not in shown:
            shown[key] = run
        elif run.coverage_id is not None and run.coverage_id != shown[key].coverage_id:
            within.append(run)
    groups: dict[str, list] = {}
    for (code, _period), run in sorted(
        shown.items(), key=lambda kv: (kv[0][0], kv[1].period.start)
    ):
        groups.setdefault(code, []).append(run)
    within.sort(key=lambda r: (r.methodology.code, r.period.start, r.coverage.path))
    return render(
        request,
        "dashboards/index.html",
        {"groups": sorted(groups.items()), "within": within},
    )


def _leaderboard_table(request, board: Board):
    return tables.leaderboard(board, tables.LeaderboardQuery.from_request(request.GET))


@require_GET
def leaderboard(request, code: str, period: str):
    def build() -> dict:
        board = board_for(request, code, period)
        query = tables.LeaderboardQuery.from_request(request.GET)
        table = tables.leaderboard(board, query)
        header_top, header_sub = tables.header_rows(board, table.columns)
        return board_context(
            request,
            board,
            table=table,
            header_top=header_top,
            header_sub=header_sub,
            query=query,
            previous=board.previous,
            shown=len(table.rows),
            querystring=request.GET.urlencode(),
            page_title=_title(_("Leaderboard"), board),
            group_menu=[
                (kind, tables.group_kind_label(kind), labels)
                for kind, labels in board.group_choices
            ],
        )

    return page(request, "dashboards/leaderboard.html", build)


def _title(what: str, board: Board) -> str:
    return f"{what} · {board.run.methodology.heading} {board.run.period.code}"


@require_GET
def leaderboard_download(request, code: str, period: str, fmt: str):
    board = board_for(request, code, period)
    table = _leaderboard_table(request, board)
    return exports.download(table, fmt, board.m, board.decimals, _notes(board))


def _notes(board: Board) -> list[str]:
    out = [
        _(
            "Every number is stored with score run %(id)s; downloads keep the stored precision, "
            "the page rounds to %(d)s decimals."
        )
        % {"id": board.run.pk, "d": board.decimals}
    ]
    if notice(board):
        out.append(
            _(
                "Demo data: synthetic values calibrated to published facts (see "
                "docs/demo-data.md); only the values listed as published are facts."
            )
        )
    return out


@require_GET
def scorecard(request, code: str, period: str, unit: str):
    def build() -> dict:
        board = board_for(request, code, period)
        context = scorecard_context(request, board, unit)
        context["page_title"] = _title(context["unit_name"], board)
        return context

    return page(request, "dashboards/scorecard.html", build, targets_state(unit))


@require_GET
def scorecard_download(request, code: str, period: str, unit: str, fmt: str):
    board = board_for(request, code, period)
    if not board.has_unit(unit):
        raise Http404
    if fmt == "pdf":
        from dxscore.web.dashboards import reports

        return report_download(
            request,
            f"scorecard {board.run.pk} {unit}",
            (board.run.published_at, board.run.input_hash, *targets_state(unit)),
            lambda: reports.scorecard_pdf(request, board, unit),
            f"scorecard-{code}-{period}-{unit}.pdf",
            "application/pdf",
        )
    return exports.download(
        tables.scorecard(board, unit), fmt, board.m, board.decimals, _notes(board)
    )


@require_GET
def scorecards_zip(request, code: str, period: str):
    from dxscore.web.dashboards import reports

    board = board_for(request, code, period)

    def describe(done: int, total: int) -> str:
        return ngettext(
            "%(done)s of %(total)s scorecard done.",
            "%(done)s of %(total)s scorecards done.",
            total,
        ) % {"done": done, "total": total}

    return report_download(
        request,
        f"scorecards {board.run.pk}",
        (board.run.published_at, board.run.input_hash, *all_targets_state()),
        lambda progress: reports.scorecards_zip(request, board, progress),
        f"scorecards-{code}-{period}.zip",
        "application/zip",
        background=True,
        describe=describe,
    )


PREPARING_REFRESH_SECONDS = 3


def report_download(
    request,
    stem: str,
    state: tuple,
    build,
    filename: str,
    content_type: str,
    *,
    background: bool = False,
    describe=None,
):
    """A stored report file (``reports``) as a download.

    A short report (a PDF) is built in the request; while another request is building
    it, a short page asks to try again in a minute (503 with Retry-After). A long one
    (``background``: ``build(progress)``, the all-scorecards zip) is built in the
    background: the first click answers at once with a page saying it is being prepared
    (how far, by ``describe(done, total)``). Its script (``report_wait.js``, a static
    file: the CSP allows no inline script) asks ``?wait=1&format=json`` every few seconds
    and updates the count in a live region, then opens ``?wait=1``, which says the file is
    ready and starts the download (``<meta http-equiv=refresh content=0>``); without
    script, "Check now" opens the same. Every click meanwhile shares the one build. A
    failed build says so and offers to try again (``?retry=1``)."""
    from dxscore.web.dashboards import reports
    from dxscore.web.l10n import number_language

    # the digits (DXSCORE_DIGITS) are part of what a report says, as its language is
    state = (*state, number_language())
    if not background:
        try:
            path = reports.stored_report(stem, state, build)
        except reports.ReportBusy:
            response = render(
                request, "dashboards/report_busy.html", {"filename": filename}, status=503
            )
            response["Retry-After"] = "60"
            return response
        return _file(path, filename, content_type)
    found = reports.prepared_report(stem, state, build, retry=request.GET.get("retry") == "1")
    if isinstance(found, Path) and "wait" not in request.GET:
        return _file(found, filename, content_type)
    query = request.GET.copy()
    for key in ("wait", "retry", "format"):
        query.pop(key, None)
    plain = request.path + ("?" + query.urlencode() if query else "")
    query["wait"] = "1"
    again = request.path + "?" + query.urlencode()
    context = {"filename": filename, "download": plain, "again": again}
    state = "ready" if isinstance(found, Path) else "failed"
    if isinstance(found, reports.Preparing):
        state = "preparing"
        if found.done is not None and found.total and describe is not None:
            context["progress"] = describe(found.done, found.total)
            context["done"], context["total"] = found.done, found.total
    if request.GET.get("format") == "json":  # what the page's script asks while it waits
        response = JsonResponse(
            {
                "state": state,
                "done": context.get("done"),
                "total": context.get("total"),
                "progress": context.get("progress", ""),
                "page": again,
            }
        )
        response["Cache-Control"] = "no-store"
        return response
    if state == "ready":
        return render(request, "dashboards/report_preparing.html", context | {"ready": True})
    if state == "failed":
        query.pop("wait")
        query["retry"] = "1"
        context["retry"] = request.path + "?" + query.urlencode()
        return render(
            request, "dashboards/report_preparing.html", context | {"failed": True}, status=500
        )
    query["format"] = "json"
    context["poll"] = request.path + "?" + query.urlencode()
    context["seconds"] = PREPARING_REFRESH_SECONDS
    response = render(request, "dashboards/report_preparing.html", context, status=202)
    response["Retry-After"] = str(PREPARING_REFRESH_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _file(path: Path, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(path.read_bytes(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _node(board: Board, node: str):
    if node not in board.m.nodes:
        raise Http404
    return board.m.nodes[node]


@require_GET
def node_page(request, code: str, period: str, node: str):
    board = board_for(request, code, period)
    spec_node = _node(board, node)
    table = tables.node_values(board, node)
    history = board.node_history(node)
    parents = [p for p, n in board.m.nodes.items() if node in n.children]
    return shell(
        request,
        "dashboards/node.html",
        board_context(
            request,
            board,
            node=node,
            spec=spec_node.spec,
            kind="index" if node == ROOT else spec_node.kind,
            children=[(c, board.name(c)) for c in spec_node.children],
            parents=[(p, board.name(p)) for p in parents],
            table=table,
            history=history,
            distribution_json=charts.distribution_figure(table.rows, board.name(node)),
            history_json=charts.node_history_figure(history, board.name(node)),
            normalisation=getattr(spec_node.spec, "normalisation", None),
            aggregation=getattr(spec_node.spec, "aggregation", None),
        ),
        _title(board.name(node), board),
    )


@require_GET
def node_download(request, code: str, period: str, node: str, fmt: str):
    board = board_for(request, code, period)
    _node(board, node)
    return exports.download(
        tables.node_values(board, node), fmt, board.m, board.decimals, _notes(board)
    )


@require_GET
def map_page(request, code: str, period: str):
    board = board_for(request, code, period)
    node = _map_node(request, board)
    units = tables.map_units(board, node)
    fmt = fmt_for(board)
    pin = f"?run={board.run.number}"

    def link(unit: str) -> str:
        return reverse("dash_scorecard", args=[code, period, unit]) + pin

    title = _("%(node)s by unit, %(period)s") % {"node": board.name(node), "period": period}
    geo = charts.load_geojson(getattr(settings, "DXSCORE_GEOJSON", ""))
    svg = ""
    if geo is not None:
        svg = charts.boundary_map(
            geo, getattr(settings, "DXSCORE_GEOJSON_CODE", "code"), units, title, fmt, link
        )
    kind = "boundaries" if svg else "tiles"
    if not svg:
        svg = charts.tile_map(units, title, fmt, link)
    return shell(
        request,
        "dashboards/map.html",
        board_context(
            request,
            board,
            node=node,
            svg=svg,
            kind=kind,
            units=units,
            title=title,
            choices=[(c, board.name(c)) for c in board.columns],
            querystring=request.GET.urlencode(),
        ),
        _title(_("Map"), board),
    )


def _map_node(request, board: Board) -> str:
    node = request.GET.get("node", ROOT)
    return node if node in board.columns else ROOT


@require_GET
def map_download(request, code: str, period: str, fmt: str):
    """The map's units with the score and rank it colours them by (same ``node``, run
    and map as the page)."""
    board = board_for(request, code, period)
    table = tables.map_values(board, _map_node(request, board))
    return exports.download(table, fmt, board.m, board.decimals, _notes(board))


def _compared(request, board: Board) -> list[str]:
    chosen = []
    for u in request.GET.getlist("units"):
        if u and u in board.unit_table and u not in chosen:
            chosen.append(u)
    return chosen[:MAX_COMPARED]


@require_GET
def compare(request, code: str, period: str):
    board = board_for(request, code, period)
    units = _compared(request, board)
    table = tables.comparison(board, units) if len(units) >= 2 else None
    figure = None
    if table is not None:
        figure = charts.compare_figure(board, units, board.cells(board.columns, units))
    return shell(
        request,
        "dashboards/compare.html",
        board_context(
            request,
            board,
            units=units,
            table=table,
            figure=figure,
            all_units=sorted(
                ((u, board.unit_name(u)) for u in board.unit_table),
                key=lambda x: queries.fold(x[1]),
            ),
            slots=range(MAX_COMPARED),
            querystring=request.GET.urlencode(),
        ),
        _title(_("Compare"), board),
    )


@require_GET
def compare_download(request, code: str, period: str, fmt: str):
    board = board_for(request, code, period)
    units = _compared(request, board)
    if len(units) < 2:
        raise Http404
    return exports.download(
        tables.comparison(board, units), fmt, board.m, board.decimals, _notes(board)
    )
