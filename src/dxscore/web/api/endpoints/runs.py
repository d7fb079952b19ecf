"""Score runs and their results. Published runs are public; unpublished ones are for
administrators and steering officers, who also compute and publish them."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from dxscore.web.api import schemas as s
from dxscore.web.api.common import (
    MAX_ID,
    Limit,
    Offset,
    methodology_by,
    not_found,
    page,
    period_by,
    username,
)
from dxscore.web.api.problems import CONFLICT, FORBIDDEN, INVALID, ApiProblem, FieldProblem
from dxscore.web.orgs import scope
from dxscore.web.scores import runs as score_runs
from dxscore.web.scores import selectors
from dxscore.web.scores.models import Immutable, ScoreRun

router = Router(tags=["score runs"])


def run_out(run: ScoreRun) -> dict:
    return {
        "id": run.pk,
        "methodology": run.methodology.code,
        "methodology_version": run.methodology.version,
        "methodology_id": run.methodology_id,
        "period": run.period.code,
        "number": run.number,
        "input_hash": run.input_hash,
        "methodology_digest": run.methodology_digest,
        "created_at": run.created_at,
        "created_by": username(run.created_by),
        "published": run.published,
        "published_at": run.published_at,
        "previous": run.previous_id,
        "coverage": run.coverage.code if run.coverage_id else None,
        "published_coverage": _published_coverage(run),
        "withdrawn": run.withdrawn,
        "withdrawn_at": run.withdrawn_at,
        "withdrawal_reason": run.withdrawal_reason,
    }


def _published_coverage(run: ScoreRun) -> dict | None:
    found = selectors.published_coverage(run)
    if found is None:
        return None
    return {
        "units": found.units,
        "complete": found.complete,
        "partial": found.partial,
        "without_data": found.without_data,
        "share": found.share,
        "imputed_share": found.imputed_share,
        "threshold": found.threshold,
        "anyway": found.anyway,
        "missing_units": [code for code, _name in found.missing_units],
    }


def _detail(exc) -> str:
    """The messages of a service's refusal (``Problems``), for a problem's detail."""
    return "; ".join(message for _where, message in exc.problems)


def _run(user, run_id: int) -> ScoreRun:
    run = selectors.visible_runs(user).filter(pk=run_id).first()
    if run is None:
        raise not_found(_("No score run %(id)d that you may see.") % {"id": run_id})
    return run


@router.get("/runs", response=s.RunPage, summary="Score runs")
def list_runs(
    request,
    methodology: str | None = Query(None, max_length=80, description="Methodology code."),
    period: str | None = Query(None, max_length=10),
    published: bool | None = Query(
        None, description="true: published and not withdrawn (what public pages show)."
    ),
    withdrawn: bool | None = None,
    limit: int = Limit,
    offset: int = Offset,
):
    runs = selectors.visible_runs(request.user)
    if methodology:
        runs = runs.filter(methodology__code=methodology)
    if period:
        runs = runs.filter(period__code=period)
    if published is True:
        runs = runs.in_force()
    elif published is False:
        runs = runs.filter(published_at__isnull=True)
    if withdrawn is not None:
        runs = runs.filter(withdrawn_at__isnull=not withdrawn)
    return page(request, runs.order_by("-created_at", "-pk"), limit, offset, run_out)


@router.get("/runs/{id}", response=s.RunOut, summary="One score run")
def get_run(request, id: int = Path(..., ge=1, le=MAX_ID)):
    return run_out(_run(request.user, id))


@router.get("/runs/{id}/results", response=s.ScorePage, summary="A run's scores and ranks")
def run_results(
    request,
    id: int = Path(..., ge=1, le=MAX_ID),
    node: str | None = Query(None, max_length=80, description="A node code, e.g. index."),
    unit: str | None = Query(None, max_length=40),
    kind: str | None = Query(None, max_length=20, description="index, pillar, indicator..."),
    limit: int = Limit,
    offset: int = Offset,
):
    run = _run(request.user, id)
    scores = run.scores.select_related("unit")
    if node:
        scores = scores.filter(node=node)
    if unit:
        scores = scores.filter(unit__code=unit)
    if kind:
        scores = scores.filter(kind=kind)
    scores = scores.order_by("node", "rank", "unit__code")
    nodes = run.methodology.compiled().nodes
    return page(
        request,
        scores,
        limit,
        offset,
        lambda x: {
            "unit": x.unit.code,
            "node": x.node,
            "name": nodes[x.node].name if x.node in nodes else x.node,
            "kind": x.kind,
            "score": x.score,
            "rank": x.rank,
            "points": x.points,
        },
    )


@router.post("/runs", response={201: s.RunOut}, summary="Compute a score run")
def compute_run(request, payload: s.RunIn):
    """From the approved values of the methodology's reporting units (administrators and
    steering officers)."""
    if not scope.can_manage(request.user):
        raise ApiProblem(
            403,
            _("Forbidden"),
            _("Only administrators and steering officers compute runs."),
            FORBIDDEN,
        )
    methodology = methodology_by(payload.methodology, payload.version)
    period = period_by(payload.period)
    try:
        run = score_runs.compute_run(request.user, methodology, period)
    except score_runs.RunError as exc:
        errors = [FieldProblem(f"{where}: {message}") for where, message in exc.problems[:100]]
        raise ApiProblem(
            422, _("The run cannot be computed"), str(exc)[:2000], INVALID, errors
        ) from None
    fresh = selectors.visible_runs(request.user).get(pk=run.pk)
    return Status(201, run_out(fresh))


@router.post("/runs/{id}/publish", response=s.RunOut, summary="Publish a score run")
def publish_run(
    request, id: int = Path(..., ge=1, le=MAX_ID), payload: s.RunPublishIn | None = None
):
    """A published run is public and can never change (it can be withdrawn). Its coverage
    is recorded; below the threshold it is refused (422) unless ``anyway``."""
    run = _run(request.user, id)
    try:  # the service checks who may (RunNotAllowed)
        score_runs.publish(run, request.user, anyway=bool(payload and payload.anyway))
    except Immutable as exc:
        raise ApiProblem(409, _("Already published"), str(exc), CONFLICT) from None
    except score_runs.RunNotAllowed as exc:
        detail = _detail(exc)
        raise ApiProblem(403, _("Forbidden"), detail, FORBIDDEN) from None
    except score_runs.LowCoverage as exc:
        detail = _detail(exc)
        errors = [FieldProblem(detail, field="anyway")]
        raise ApiProblem(422, _("Coverage below the threshold"), detail, INVALID, errors) from None
    return run_out(_run(request.user, id))


@router.post("/runs/{id}/withdraw", response=s.RunOut, summary="Withdraw a published run")
def withdraw_run(request, payload: s.RunWithdrawIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """By someone who may publish it, with a reason: public pages and ``published=true``
    stop listing it; the run stays (``withdrawn``) and is never published again."""
    run = _run(request.user, id)
    try:  # the service checks who may (RunNotAllowed)
        score_runs.withdraw(run, request.user, payload.reason)
    except Immutable as exc:
        raise ApiProblem(409, _("Already withdrawn"), str(exc), CONFLICT) from None
    except score_runs.RunNotAllowed as exc:
        detail = _detail(exc)
        raise ApiProblem(403, _("Forbidden"), detail, FORBIDDEN) from None
    except score_runs.RunError as exc:
        detail = _detail(exc)
        if any(where == "run" for where, _m in exc.problems):
            raise ApiProblem(409, _("Not published"), detail, CONFLICT) from None
        errors = [FieldProblem(detail, field="reason")]
        raise ApiProblem(422, _("The run cannot be withdrawn"), detail, INVALID, errors) from None
    return run_out(_run(request.user, id))
