"""Staff pages: the what-if simulator (administrators and steering officers, for units
in their viewing scope). Simulating changes nothing that is stored: it is a GET that
recomputes the run's stored inputs with the edited values."""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dxscore import figures
from dxscore import index as ix
from dxscore.index.methodology import ROOT
from dxscore.web import l10n
from dxscore.web.dashboards import analysis, exports, tables
from dxscore.web.dashboards.queries import Board
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit
from dxscore.web.scores.models import ScoreRun


def _staff_run(request, pk: int) -> Board:
    if not scope.can_manage(request.user):
        raise PermissionDenied
    run = get_object_or_404(ScoreRun.objects.select_related("methodology", "period"), pk=pk)
    return Board(run)


def _visible_units(request, board: Board) -> list[tuple[str, str]]:
    allowed = set(
        scope.restrict(
            Unit.objects.filter(code__in=list(board.unit_table)), request.user, scope.VIEW, via=""
        ).values_list("code", flat=True)
    )
    return sorted(((u, board.unit_name(u)) for u in allowed), key=lambda x: x[1])


@login_required
@require_GET
def whatif_pick(request, pk: int):
    board = _staff_run(request, pk)
    return render(
        request,
        "dashboards/whatif_pick.html",
        {"board": board, "run": board.run, "units": _visible_units(request, board)},
    )


def _kind(board: Board, code: str) -> str:
    return figures.declared_kind(board.m.nodes[code].spec)


def _parse(request, board: Board, current: dict[str, float]):
    """The values typed, read as the page's language writes numbers and by each
    indicator's kind of figure (a rate as ``96,8%`` or ``0.968``: ``l10n.typed_figure``)."""
    changes, errors = {}, []
    lang = l10n.language(request)
    for code in board.indicators:
        spec = board.m.nodes[code].spec
        low, high = spec.range if spec.range else (None, None)
        try:
            value = l10n.typed_figure(
                request.GET.get(f"v_{code}", ""), _kind(board, code), low, high, lang
            )
        except ValidationError as problem:
            errors.append((code, problem.messages[0]))
            continue
        if value is None:
            continue
        if code not in current or abs(current[code] - value) > 1e-12:
            changes[code] = value
    return changes, errors


def _num(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):  # None, pandas' NA
        return None
    return None if math.isnan(number) else number


def _rank(value) -> int | None:
    number = _num(value)
    return None if number is None else int(number)


def _rows(table) -> list[dict]:
    rows = []
    for r in table.to_dict("records"):
        rb, ra = _rank(r["rank_before"]), _rank(r["rank_after"])
        rows.append(
            {
                "node": r["node"],
                "name": r["name"],
                "kind": r["kind"],
                "score_before": _num(r["score_before"]),
                "score_after": _num(r["score_after"]),
                "rank_before": rb,
                "rank_after": ra,
                "gain": rb - ra if rb is not None and ra is not None else None,
            }
        )
    return rows


def _simulated(request, pk: int, unit: str):
    """The run, the unit's stored raw values, the changes asked for (``v_<code>``), the
    problems with them and every node's rows: what the page and its downloads show."""
    board = _staff_run(request, pk)
    unit_obj = get_object_or_404(Unit, code=unit)
    if not scope.allows(request.user, scope.VIEW, unit_obj) or not board.has_unit(unit):
        raise Http404
    current = board.unit_inputs(unit)
    changes, errors = _parse(request, board, current)
    rows = []
    if not errors:
        try:
            rows = _rows(analysis.simulate(board.run, unit, changes))
        except ix.DataError as exc:
            errors = list(exc.problems)
    return board, current, changes, errors, rows


@login_required
@require_GET
def whatif_download(request, pk: int, unit: str, fmt: str):
    """The page's table for the values in the query (the form's Download buttons send
    them): each node's score and rank now and after, each indicator's raw value now and
    as simulated. Values that cannot be read are a 400 naming them, as on the page."""
    board, _current, changes, errors, rows = _simulated(request, pk, unit)
    if errors:
        return HttpResponseBadRequest(
            "\n".join(f"{where}: {message}" for where, message in errors),
            content_type="text/plain; charset=utf-8",
        )
    note = _(
        "A simulation: nothing is stored. Every unit is recomputed from the stored inputs of "
        "score run %(id)s with the changes listed under changes."
    ) % {"id": board.run.pk}
    return exports.download(
        tables.whatif(board, unit, rows, changes), fmt, board.m, board.decimals, [note]
    )


@login_required
@require_GET
def whatif(request, pk: int, unit: str):
    board, current, changes, errors, rows = _simulated(request, pk, unit)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {"changes": changes, "errors": errors, "rows": rows},
            json_dumps_params={"ensure_ascii": False},
        )
    fields = []
    for code in board.indicators:
        spec = board.m.nodes[code].spec
        fields.append(
            {
                "code": code,
                "name": board.name(code),
                "current": current.get(code),
                "value": request.GET.get(f"v_{code}", ""),
                "range": spec.range,
                "unit": spec.unit,
                "kind": _kind(board, code),
                "step": "any",
            }
        )
    index_row = next((r for r in rows if r["node"] == ROOT), None)
    return render(
        request,
        "dashboards/whatif.html",
        {
            "board": board,
            "run": board.run,
            "unit": unit,
            "unit_name": board.unit_name(unit),
            "fields": fields,
            "rows": rows,
            "index_row": index_row,
            "changes": changes,
            "errors": errors,
            "decimals": board.decimals,
            "formats": exports.FORMATS,
        },
    )
