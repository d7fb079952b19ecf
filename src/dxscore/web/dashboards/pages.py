"""How public pages are rendered: the site's shell around a page's content, which is rendered
once and cached per state of the published runs (a published run never changes), and the
context every page of a board shares (run, permanent link, period links, demo notice)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from dxscore import figures
from dxscore.index.methodology import ROOT
from dxscore.web.dashboards import queries
from dxscore.web.dashboards.queries import Board
from dxscore.web.l10n import number_language
from dxscore.web.orgs import scope
from dxscore.web.provenance.notices import run_notice
from dxscore.web.scores.models import ScoreRun

PAGE_SECONDS = 300  # bounds how long a renamed unit group shows its old name


def published_state() -> tuple:
    """Changes whenever a run is published or withdrawn anywhere (one small query)."""
    state = ScoreRun.objects.filter(published_at__isnull=False).aggregate(
        n=Count("id"),
        last=Max("published_at"),
        withdrawn=Count("withdrawn_at"),
        last_withdrawn=Max("withdrawn_at"),
    )
    return state["n"], state["last"], state["withdrawn"], state["last_withdrawn"]


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
                *published_state(),
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


def shell(request, template: str, context: dict, title: str) -> HttpResponse:
    """A public page rendered on each request (pages that depend on free choices)."""
    content = render_to_string(template, context, request=request)
    return render(
        request, "dashboards/_shell.html", {"page_title": title, "content": mark_safe(content)}
    )


def board_for(request, code: str, period: str) -> Board:
    return Board(queries.find_run(code, period, request.GET.get("run"), request.GET.get("map")))


def notice(board: Board) -> dict | None:
    return run_notice(board.run)


def fmt_for(board: Board):
    def fmt(value) -> str:  # a score, by its one rule (``dxscore.figures``)
        return figures.format_figure(value, figures.SCORE, number_language(), board.decimals)

    return fmt


def board_context(request, board: Board, **extra) -> dict:
    run = board.run
    pinned = f"?run={run.number}"
    return {
        "board": board,
        "run": run,
        "decimals": board.decimals,
        "pin": pinned,
        "permalink": request.build_absolute_uri(request.path) + pinned,
        "notice": notice(board),
        "period_links": period_links(request, run),
        "map_links": map_links(request, board),
        "index_name": board.name(ROOT),
        **extra,
    }


def period_links(request, run) -> list[tuple[str, str]]:
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


def map_links(request, board: Board) -> list[dict]:
    """The same page on every map the run's methodology and period is published on
    ("63 provinces (map of 2024) | 34 provinces (map of 1 July 2025)"), the older
    map first; empty when there is one. A unit's page links to the same unit on the other
    map when it is there, else to that map's leaderboard (a code may denote another
    unit on another map)."""
    run = board.run
    found = queries.map_runs(run.methodology.code, run.period.code)
    if len(found) < 2:
        return []
    from dxscore.web.scores.models import NodeScore
    from dxscore.web.scores.runs import map_label

    match = request.resolver_match
    kwargs = dict(match.kwargs)
    unit = board.map_units.get(kwargs.get("unit", ""))
    links = []
    for other in reversed(found):  # the older map first, as people read them
        name, args = match.url_name, dict(kwargs)
        elsewhere = unit is not None and not NodeScore.objects.filter(run=other, unit=unit).exists()
        if elsewhere or ("unit" in kwargs and unit is None):
            name = "dash_leaderboard"
            args = {"code": kwargs["code"], "period": kwargs["period"]}
        query = request.GET.copy()
        query.pop("run", None)
        query["map"] = queries.map_key(other)
        links.append(
            {
                "label": map_label(other),
                "url": reverse(name, kwargs=args) + "?" + query.urlencode(),
                "current": other.pk == run.pk,
            }
        )
    return links
