"""Public pages of published runs (no log-in): leaderboard, unit scorecard, indicator
page, map, comparison, and their downloads. A page's address names the methodology and
the period (``/public/vn-dti-2022/2022/``) and shows its latest published run;
``?run=N`` pins run N, which never changes once published."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dxscore.index.methodology import ROOT
from dxscore.web.dashboards import analysis, charts, exports, queries, tables
from dxscore.web.dashboards.queries import Board
from dxscore.web.orgs import scope
from dxscore.web.provenance.notices import run_notice
from dxscore.web.scores.runs import widest_first

MAX_COMPARED = 4
PAGE_SECONDS = 300  # bounds how long a renamed unit group shows its old name


def _published_state() -> tuple:
    """Changes whenever a run is published anywhere (one small query)."""
    state = queries.published_runs().aggregate(n=Count("id"), last=Max("published_at"))
    return state["n"], state["last"]


def page(request, template: str, build_context, state: tuple = ()) -> HttpResponse:
    """A public page whose content (everything but the site's header) is rendered once
    and cached: published runs never change, so the key is the state of the published
    runs, the language, whether the person manages runs, and the full address with its
    scheme and host (the permanent link is absolute: https behind the proxy)."""
    raw = "|".join(
        map(
            str,
            (
                template,
                *_published_state(),
                get_language(),
                scope.can_manage(request.user),
                request.build_absolute_uri(),
                *state,
            ),
        )
    )
    key = "dash:" + hashlib.sha256(raw.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        context = build_context()
        title = context.pop("page_title", "")
        found = (title, render_to_string(template, context, request=request))
        cache.set(key, found, PAGE_SECONDS)
    title, content = found
    return render(
        request, "dashboards/_shell.html", {"page_title": title, "content": mark_safe(content)}
    )


def _board(request, code: str, period: str) -> Board:
    return Board(queries.find_run(code, period, request.GET.get("run")))


def notice(board: Board) -> dict | None:
    return run_notice(board.run)


def fmt_for(board: Board):
    def fmt(value) -> str:
        return "–" if value is None else f"{value:.{board.decimals}f}"

    return fmt


def _context(request, board: Board, **extra) -> dict:
    run = board.run
    pinned = f"?run={run.number}"
    return {
        "board": board,
        "run": run,
        "decimals": board.decimals,
        "pin": pinned,
        "permalink": request.build_absolute_uri(request.path) + pinned,
        "notice": notice(board),
        "period_links": _period_links(request, run),
        "index_name": board.name(ROOT),
        **extra,
    }


@require_GET
def favicon(request):
    """No icon, but no 404 either: browsers ask for one on every public page."""
    response = HttpResponse(status=204)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _period_links(request, run) -> list[tuple[str, str]]:
    """The same page for every period that has a published run of the methodology."""
    match = request.resolver_match
    links = []
    for p in queries.periods_with_runs(run.methodology.code):
        kwargs = dict(match.kwargs) | {"period": p.code}
        query = request.GET.copy()
        query.pop("run", None)
        url = reverse(match.url_name, kwargs=kwargs)
        links.append((p.code, url + ("?" + query.urlencode() if query else "")))
    return links


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


# --- leaderboard ---------------------------------------------------------------------------


def _leaderboard_table(request, board: Board):
    return tables.leaderboard(board, tables.LeaderboardQuery.from_request(request.GET))


@require_GET
def leaderboard(request, code: str, period: str):
    def build() -> dict:
        board = _board(request, code, period)
        query = tables.LeaderboardQuery.from_request(request.GET)
        table = tables.leaderboard(board, query)
        header_top, header_sub = tables.header_rows(board, table.columns)
        return _context(
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
        )

    return page(request, "dashboards/leaderboard.html", build)


def shell(request, template: str, context: dict, title: str) -> HttpResponse:
    """A public page rendered on each request (pages that depend on free choices)."""
    content = render_to_string(template, context, request=request)
    return render(
        request, "dashboards/_shell.html", {"page_title": title, "content": mark_safe(content)}
    )


def _title(what: str, board: Board) -> str:
    return f"{what} · {board.run.methodology.title} {board.run.period.code}"


@require_GET
def leaderboard_download(request, code: str, period: str, fmt: str):
    board = _board(request, code, period)
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


# --- scorecard -----------------------------------------------------------------------------


def scorecard_context(request, board: Board, unit: str) -> dict:
    """Everything a scorecard shows (the page and the PDF use the same)."""
    if not board.has_unit(unit):
        raise Http404
    table = tables.scorecard(board, unit)
    cells = {r["node"]: r for r in table.rows}
    history = [
        {
            "period": h["period"],
            "score": getattr(h["units"].get(unit, {}).get(ROOT), "score", None),
            "rank": getattr(h["units"].get(unit, {}).get(ROOT), "rank", None),
            "size": h["size"],
            "run": h["run"],
        }
        for h in board.history([unit], [ROOT])
    ]
    profile = tables.pillar_profile(board, unit)
    standing = tables.indicator_standing(board, unit)
    k = min(3, len(standing) // 2) if len(standing) > 1 else len(standing)
    strengths = standing[:k]
    weaknesses = list(reversed(standing[-k:])) if k else []
    intervals = analysis.rank_intervals(board.run)
    interval = intervals["units"].get(unit)
    levers_payload = analysis.unit_levers(board.run, unit)
    index_cell = cells.get(ROOT, {})
    row = next((r for r in board.rows() if r.code == unit), None)
    return _context(
        request,
        board,
        unit=unit,
        unit_name=board.unit_name(unit),
        table=table,
        index=index_cell,
        size=board.count(),
        change=row.rank_change if row else None,
        score_change=row.score_change if row else None,
        history=history,
        history_methodologies=sorted({h["run"].methodology.code for h in history}),
        history_json=charts.history_figure(history, board.name(ROOT)),
        profile=profile,
        profile_json=charts.pillars_figure(profile, board.unit_name(unit)),
        strengths=strengths,
        weaknesses=weaknesses,
        interval=interval,
        interval_x=_interval_x(interval, board.count()),
        intervals=intervals,
        levers=analysis.best_levers(levers_payload),
        levers_rank=levers_payload["rank"],
        targets=unit_targets(unit),
    )


def unit_targets(unit: str) -> dict:
    """The unit's resolution targets with their computed statuses and "N of M met"."""
    from dxscore.web.plans.assessing import assess_targets, summary
    from dxscore.web.plans.models import Target

    found = Target.objects.filter(unit__code=unit).select_related("resolution", "indicator")
    items = assess_targets(found.order_by("resolution__code", "number"))
    return {"items": items, "summary": summary(items)}


def targets_state(unit: str) -> tuple:
    """What the unit's targets section depends on: its targets (count and latest change:
    adding, editing or deleting one, or editing its resolution, moves them), the values
    of their indicators for the unit (count and latest ``updated_at``, which entering,
    submitting, approving, returning and reopening a value move), and today's date.

    One statement of four index lookups over the unit's own rows (targets by unit, values
    by unit and indicator), so its cost does not grow with the number of values stored.
    In the database, so every server process sees the same state. It can miss a change
    committed after a later-stamped one was read; ``PAGE_SECONDS`` bounds that.
    Plain SQL: it runs on every request for a scorecard, and building the same query
    with the ORM cost 1-2 ms of Python per request, more than the database's work."""
    from django.db import connection
    from django.utils import timezone

    from dxscore.web.data.models import Value
    from dxscore.web.orgs.models import Unit
    from dxscore.web.plans.models import Target

    targets, values = Target._meta.db_table, Value._meta.db_table
    own_targets = f"FROM {targets} t WHERE t.unit_id = u.id"
    own_values = (
        f"FROM {values} v WHERE v.unit_id = u.id"
        f" AND v.indicator_id IN (SELECT t.indicator_id {own_targets})"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) {own_targets}), (SELECT MAX(t.updated_at) {own_targets}),"
            f" (SELECT COUNT(*) {own_values}), (SELECT MAX(v.updated_at) {own_values})"
            f" FROM {Unit._meta.db_table} u WHERE u.code = %s",
            [unit],
        )
        found = cursor.fetchone()
    return (*(found or ()), timezone.localdate())


def all_targets_state() -> tuple:
    """What every unit's targets section depends on (for the zip of all scorecards): the
    targets' count and latest change, the latest change of any value, and today."""
    from django.db.models import Count, Max
    from django.utils import timezone

    from dxscore.web.data.models import Value
    from dxscore.web.plans.models import Target

    t = Target.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    v = Value.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (t["n"], t["last"], v["n"], v["last"], timezone.localdate())


def _interval_x(interval: dict | None, n: int) -> tuple[float, float, float] | None:
    """x, width and median position of the rank interval on a 10-390 axis of ranks 1-n."""
    if not interval or interval.get("p05") is None:
        return None

    def x(rank: float) -> float:
        return round(10 + 380 * (rank - 1) / max(n - 1, 1), 1)

    left, right = x(interval["p05"]), x(interval["p95"])
    return left - 3, max(right - left, 0) + 6, x(interval["median"])


@require_GET
def scorecard(request, code: str, period: str, unit: str):
    def build() -> dict:
        board = _board(request, code, period)
        context = scorecard_context(request, board, unit)
        context["page_title"] = _title(context["unit_name"], board)
        return context

    return page(request, "dashboards/scorecard.html", build, targets_state(unit))


@require_GET
def scorecard_download(request, code: str, period: str, unit: str, fmt: str):
    board = _board(request, code, period)
    if not board.has_unit(unit):
        raise Http404
    if fmt == "pdf":
        from dxscore.web.dashboards import reports

        return _report(
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

    board = _board(request, code, period)
    return _report(
        request,
        f"scorecards {board.run.pk}",
        (board.run.published_at, board.run.input_hash, *all_targets_state()),
        lambda: reports.scorecards_zip(request, board),
        f"scorecards-{code}-{period}.zip",
        "application/zip",
    )


def _report(request, stem: str, state: tuple, build, filename: str, content_type: str):
    """A stored report file as a download; while another request is building it, a
    short page asking to try again in a minute (503 with Retry-After)."""
    from dxscore.web.dashboards import reports

    try:
        path = reports.stored_report(stem, state, build)
    except reports.ReportBusy:
        response = render(
            request, "dashboards/report_busy.html", {"filename": filename}, status=503
        )
        response["Retry-After"] = "60"
        return response
    response = HttpResponse(path.read_bytes(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- indicator / node page -------------------------------------------------------------------


def _node(board: Board, node: str):
    if node not in board.m.nodes:
        raise Http404
    return board.m.nodes[node]


@require_GET
def node_page(request, code: str, period: str, node: str):
    board = _board(request, code, period)
    spec_node = _node(board, node)
    table = tables.node_values(board, node)
    history = board.node_history(node)
    parents = [p for p, n in board.m.nodes.items() if node in n.children]
    return shell(
        request,
        "dashboards/node.html",
        _context(
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
    board = _board(request, code, period)
    _node(board, node)
    return exports.download(
        tables.node_values(board, node), fmt, board.m, board.decimals, _notes(board)
    )


# --- map ----------------------------------------------------------------------------------


@require_GET
def map_page(request, code: str, period: str):
    board = _board(request, code, period)
    node = request.GET.get("node", ROOT)
    if node not in board.columns:
        node = ROOT
    cells = board.cells([node])
    units = sorted(
        (
            {
                "code": u,
                "name": board.unit_name(u),
                "score": c[node].score,
                "rank": c[node].rank,
            }
            for u, c in cells.items()
        ),
        key=lambda u: u["code"],
    )
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
        _context(
            request,
            board,
            node=node,
            svg=svg,
            kind=kind,
            units=units,
            title=title,
            choices=[(c, board.name(c)) for c in board.columns],
        ),
        _title(_("Map"), board),
    )


# --- comparison -----------------------------------------------------------------------------


def _compared(request, board: Board) -> list[str]:
    chosen = []
    for u in request.GET.getlist("units"):
        if u and u in board.unit_table and u not in chosen:
            chosen.append(u)
    return chosen[:MAX_COMPARED]


@require_GET
def compare(request, code: str, period: str):
    board = _board(request, code, period)
    units = _compared(request, board)
    table = tables.comparison(board, units) if len(units) >= 2 else None
    figure = None
    if table is not None:
        figure = charts.compare_figure(board, units, board.cells(board.columns, units))
    return shell(
        request,
        "dashboards/compare.html",
        _context(
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
    board = _board(request, code, period)
    units = _compared(request, board)
    if len(units) < 2:
        raise Http404
    return exports.download(
        tables.comparison(board, units), fmt, board.m, board.decimals, _notes(board)
    )
