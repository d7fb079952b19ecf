"""Score-run pages: list, compute, ranking with the diff, publish (a confirmation page
with the run's coverage), withdraw (with a reason), explanations. Published runs are
public, withdrawn ones too (with the notice); unpublished ones are for administrators
and steering officers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dxscore.lineage import day as ln_day
from dxscore.web.data.methodologies import indicator_rows
from dxscore.web.data.models import Methodology, Period
from dxscore.web.l10n import raw_kind
from dxscore.web.orgs import scope
from dxscore.web.scores import audits, explanations, maps, runs, selectors
from dxscore.web.scores.forms import PublishForm, WithdrawForm
from dxscore.web.scores.models import Immutable, ScoreRun


def _visible_run(request, pk: int) -> ScoreRun:
    return get_object_or_404(selectors.visible_runs(request.user), pk=pk)


def run_list(request):
    visible = selectors.visible_runs(request.user)
    return render(
        request,
        "dxscore/runs.html",
        {
            "runs": visible,
            "methodologies": Methodology.objects.filter(active=True),
            "periods": Period.objects.all(),
            "maps": maps.change_days(),
        },
    )


def run_list_download(request, fmt: str):
    """The runs list as CSV, XLSX or JSON: the runs the page lists to this person (every
    run for those who manage runs, else the published ones), newest first as shown."""
    from dxscore.web.dashboards import exports
    from dxscore.web.dashboards.tables import COUNT, DATETIME, Column, Table

    if fmt not in exports.FORMATS:
        raise Http404
    columns = [
        Column("run", _("Run id"), COUNT),
        Column("methodology", _("Methodology")),
        Column("title", _("Title")),
        Column("version", _("Version")),
        Column("period", _("Period")),
        Column("number", _("Run"), COUNT),
        Column("computed_at", _("Computed"), DATETIME),
        Column("computed_by", _("computed by")),
        Column("state", _("State")),
        Column("published_at", _("published at"), DATETIME),
        Column("withdrawn_at", _("withdrawn at"), DATETIME),
        Column("input_hash", _("input hash")),
        Column("digest", _("methodology digest")),
    ]
    manager = scope.can_manage(request.user)
    rows = []
    for r in selectors.visible_runs(request.user):
        if r.withdrawn:
            state = _("withdrawn")
        elif r.published:
            state = _("published")
        else:
            state = _("not published")
        rows.append(
            {
                "run": r.pk,
                "methodology": r.methodology.code,
                "title": r.methodology.heading,
                "version": r.methodology.version,
                "period": r.period.code,
                "number": r.number,
                "computed_at": r.created_at,
                # people are named to those who manage runs, as on the run page
                "computed_by": r.created_by.get_username() if manager else None,
                "state": str(state),
                "published_at": r.published_at,
                "withdrawn_at": r.withdrawn_at,
                "input_hash": r.input_hash,
                "digest": r.methodology_digest,
            }
        )
    table = Table(name="score-runs", title=_("Score runs"), columns=columns, rows=rows)
    return exports.download(table, fmt)


def _as_of(request, period: Period):
    """The map chosen in the compute form: ``today`` (the default) is the map in force
    today when it differs from the period's own map, else the period's own map; ``""``
    the period's own map; a day, the map of that day. ``ValueError`` for a bad day."""
    chosen = request.POST.get("as_of", "").strip()
    if chosen == "today":
        return maps.todays_map(period)
    return ln_day(chosen) if chosen else None


@login_required
@require_POST
def run_compute(request):
    if not scope.can_manage(request.user):
        raise PermissionDenied
    methodology = get_object_or_404(Methodology, pk=request.POST.get("methodology"))
    period = get_object_or_404(Period, code=request.POST.get("period"))
    try:
        as_of = _as_of(request, period)
    except ValueError as exc:
        messages.error(request, _("The run was not computed: ") + str(exc))
        return redirect("runs")
    try:
        run = runs.compute_run(request.user, methodology, period, as_of=as_of)
    except runs.RunError as exc:
        shown = exc.problems[:20]
        messages.error(
            request,
            _("The run was not computed: ")
            + "; ".join(f"{where}: {message}" for where, message in shown),
        )
        return redirect("runs")
    messages.success(request, _("Computed %(run)s.") % {"run": run})
    return redirect("run", run.pk)


def _ranking(run: ScoreRun):
    """The run page's ranking: its columns (the index and the top nodes) and one row per
    unit with its scores, best first, and the units its values were carried from."""
    m = run.methodology.compiled()
    result_nodes = list(m.side_nodes) or list(m.nodes["index"].children)
    columns = ["index", *result_nodes]
    table: dict[str, dict] = {}
    for s in run.scores.filter(node__in=columns).select_related("unit"):
        row = table.setdefault(s.unit.code, {"unit": s.unit, "cells": {}})
        row["cells"][s.node] = s
    ranking = sorted(
        table.values(),
        key=lambda r: (
            r["cells"].get("index").rank if r["cells"].get("index") else 10**9,
            r["unit"].code,
        ),
    )
    carried = runs.carried_from(run)
    for row in ranking:
        row["ordered"] = [row["cells"].get(c) for c in columns]
        row["carried"] = carried.get(row["unit"].pk, [])
    return [(c, m.nodes[c].name) for c in columns], ranking


def run_detail(request, pk: int):
    run = _visible_run(request, pk)
    columns, ranking = _ranking(run)
    may_publish = runs.may_publish(run, request.user)
    return render(
        request,
        "dxscore/run.html",
        {
            "run": run,
            "columns": columns,
            "ranking": ranking,
            "formats": ("csv", "xlsx", "json"),
            "changes": runs.diff(run),
            "inputs": run.inputs.filter(period=run.period, origin="").count(),
            "coverage": runs.coverage_label(run),
            "may_publish": may_publish,
            "map_label": runs.map_label(run),
            "published_coverage": selectors.published_coverage(run),
            "withdrawn_by": selectors.withdrawn_by(run, request.user),
        },
    )


def run_ranking_download(request, pk: int, fmt: str):
    """The run page's ranking (whoever may see the run: published runs are public) with
    each column's score and rank, as CSV, XLSX or JSON."""
    from dxscore.web.dashboards import exports, tables
    from dxscore.web.dashboards.tables import RANK, SCORE, Column, Table

    if fmt not in exports.FORMATS:
        raise Http404
    run = _visible_run(request, pk)
    columns, ranking = _ranking(run)
    cols = [
        Column("rank", _("Rank"), RANK),
        Column("unit", _("Code")),
        Column("name", _("Unit")),
        Column("carried_from", _("carried from")),
    ]
    for code, name in columns:
        cols += [
            Column(code, name, SCORE),
            Column(f"{code}_rank", _("%(node)s rank") % {"node": name}, RANK),
        ]
    rows = []
    for r in ranking:
        row = {
            "rank": r["cells"]["index"].rank if r["cells"].get("index") else None,
            "unit": r["unit"].code,
            "name": r["unit"].name,
            "carried_from": ", ".join(u.name for u in r["carried"]),
        }
        for (code, _name), cell in zip(columns, r["ordered"], strict=True):
            row[code] = cell.score if cell else None
            row[f"{code}_rank"] = cell.rank if cell else None
        rows.append(row)
    m = run.methodology
    table = Table(
        name=f"run-{run.pk}-{m.code}-{run.period.code}",
        title=f"{m.title} · {run.period.code} · #{run.number}",
        columns=cols,
        rows=rows,
        meta={
            **tables.score_run_meta(run),
            "computed_at": run.created_at.isoformat(),
            "withdrawn_at": run.withdrawn_at.isoformat() if run.withdrawn_at else None,
        },
    )
    return exports.download(table, fmt, m.compiled())


def _run_to_publish(request, pk: int) -> ScoreRun:
    """The run for a person who may publish it (and so withdraw it): 404 when they may
    not see it, 403 when they may not publish it (the service's rule)."""
    run = _visible_run(request, pk)
    try:
        runs.check_may_publish(
            run, request.user, _("Only administrators and steering officers publish runs.")
        )
    except runs.RunNotAllowed as exc:
        raise PermissionDenied("; ".join(m for _w, m in exc.problems)) from None
    return run


@login_required
@require_http_methods(["GET", "POST"])
def run_publish(request, pk: int):
    """The publish step: the run's coverage, a warning below the threshold (which asks for
    "publish anyway"), and the confirmation every publishing needs."""
    run = _run_to_publish(request, pk)
    if run.published:
        messages.info(request, _("This run is already published."))
        return redirect("run", pk)
    form = PublishForm(request.POST if request.method == "POST" else None)
    figures = None
    if request.method == "POST" and form.is_valid():
        try:
            runs.publish(run, request.user, anyway=form.cleaned_data["anyway"])
        except runs.LowCoverage as exc:
            figures = exc.coverage
            form.add_error("anyway", exc.problems[0][1])
        except runs.RunNotAllowed as exc:
            raise PermissionDenied("; ".join(m for _w, m in exc.problems)) from None
        except Immutable as exc:
            messages.error(request, str(exc))
            return redirect("run", pk)
        else:
            messages.success(request, _("Published %(run)s.") % {"run": run})
            return redirect("run", pk)
    figures = figures or selectors.coverage(run)
    return render(
        request,
        "dxscore/run_publish.html",
        {
            "run": run,
            "form": form,
            "figures": figures,
            "coverage": runs.coverage_label(run),
            "map_label": runs.map_label(run),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def run_withdraw(request, pk: int):
    """Withdrawing a published run, with a reason, by someone who may publish it."""
    run = _run_to_publish(request, pk)
    if not run.in_force:
        messages.error(
            request,
            _("This run is already withdrawn.")
            if run.withdrawn
            else _("Only a published run is withdrawn."),
        )
        return redirect("run", pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            runs.withdraw(run, request.user, form.cleaned_data["reason"])
        except runs.RunNotAllowed as exc:
            raise PermissionDenied("; ".join(m for _w, m in exc.problems)) from None
        except runs.RunError as exc:
            form.add_error("reason", "; ".join(m for _w, m in exc.problems))
        except Immutable as exc:
            messages.error(request, str(exc))
            return redirect("run", pk)
        else:
            messages.success(request, _("Withdrew %(run)s.") % {"run": run})
            return redirect("run", pk)
    return render(
        request,
        "dxscore/run_withdraw.html",
        {"run": run, "form": form, "coverage": runs.coverage_label(run)},
    )


@login_required
@require_POST
def run_recompute(request, pk: int):
    run = _visible_run(request, pk)
    if not scope.can_manage(request.user):
        raise PermissionDenied
    try:
        new = runs.compute_run(request.user, run.methodology, run.period, as_of=run.as_of)
    except runs.RunError as exc:
        messages.error(request, _("The run was not computed: ") + str(exc))
        return redirect("run", pk)
    messages.success(request, _("Computed %(run)s.") % {"run": new})
    return redirect("run", new.pk)


def _explained(request, pk: int, unit: str):
    """The run, the unit (a code denotes one unit on the run's map; units of other maps
    may share it) and where each of its raw values came from, as ``request.user`` may
    see it."""
    run = _visible_run(request, pk)
    score = run.scores.filter(unit__code=unit).select_related("unit").first()
    if score is None:
        raise Http404
    return run, score.unit, selectors.run_sources(run, score.unit, request.user)


def run_explain(request, pk: int, unit: str):
    run, unit_obj, sources = _explained(request, pk, unit)
    rows = runs.explain(run, unit_obj, [s.input for s in sources])
    by_input = {s.input.pk: s for s in sources}
    m = run.methodology.compiled()
    for row in rows:
        row["figure"] = raw_kind(m, row["node"])  # a rate's raw value as 96.8%
        row["source"] = by_input.get(row["input"].pk) if row["input"] else None
        row["earlier_source"] = by_input.get(row["earlier"].pk) if row["earlier"] else None
    return render(
        request,
        "dxscore/explain.html",
        {
            "run": run,
            "unit": unit_obj,
            "rows": rows,
            "sources": sources,
            "several_units": len({s.input.unit_id for s in sources}) > 1,
            "changed": sum(s.changed for s in sources),
            "names_shown": any(s.history for s in sources),
            "immutable_note": explanations.immutable_note(),
            "pin": f"?run={run.number}",
            "map_label": runs.map_label(run) if run.as_of else "",
            "carried_from": runs.carried_from(run).get(unit_obj.pk, []),
        },
    )


def run_explain_values(request, pk: int, unit: str, fmt: str):
    """Every raw value of the page's table, as a CSV file or a workbook."""
    if fmt not in explanations.FORMATS:
        raise Http404
    run, unit_obj, sources = _explained(request, pk, unit)
    if fmt == "csv":
        body = explanations.csv_bytes(sources)
    else:
        body = explanations.xlsx_bytes(run, unit_obj, sources)
    response = HttpResponse(body, content_type=explanations.FORMATS[fmt])
    name = explanations.filename(run, unit_obj, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def run_methodology(request, pk: int):
    """The methodology version a run was computed with, read-only: public for a published
    run (its explanation and public pages link here), like the run itself."""
    run = _visible_run(request, pk)
    m = run.methodology.compiled()
    return render(
        request,
        "dxscore/run_methodology.html",
        {"run": run, "methodology": run.methodology, "m": m, "rows": indicator_rows(m)},
    )


def run_methodology_download(request, pk: int, fmt: str):
    """The indicators of the version a run was computed with, as its page lists them;
    public for a published run, like the page."""
    from dxscore.web.dashboards import exports, tables

    if fmt not in exports.FORMATS:
        raise Http404
    run = _visible_run(request, pk)
    table = tables.indicators(run.methodology, run.methodology.compiled())
    table.meta |= {"run": run.pk, "period": run.period.code, "number": run.number}
    return exports.download(table, fmt)


def run_methodology_file(request, pk: int):
    methodology = _visible_run(request, pk).methodology
    response = HttpResponse(methodology.text, content_type="application/yaml; charset=utf-8")
    name = "".join(
        c if c.isascii() and (c.isalnum() or c in "._-") else "_"
        for c in f"{methodology.code}-{methodology.version}"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.yaml"'
    return response


def _staff_run(request, pk: int) -> ScoreRun:
    """The statistical audit is for staff (administrators and steering officers)."""
    if not scope.can_manage(request.user):
        raise PermissionDenied
    return _visible_run(request, pk)


@login_required
def run_audit(request, pk: int):
    run = _staff_run(request, pk)
    result = audits.run_audit(run)
    return render(
        request,
        "dxscore/audit.html",
        {"run": run, "audit": result, "sections": audits.sections(result)},
    )


@login_required
def run_audit_xlsx(request, pk: int):
    run = _staff_run(request, pk)
    body = audits.workbook(run, audits.run_audit(run))
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"audit-{run.methodology.code}-{run.period.code}-{run.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
