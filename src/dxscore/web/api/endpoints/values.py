"""Indicator values: read in your viewing scope, upsert in batches, and move through the
workflow (submit, approve, return, reopen) exactly as the site does."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext as _
from ninja import Query, Router

from dxscore import periods
from dxscore.web.api import schemas as s
from dxscore.web.api.common import (
    Limit,
    Offset,
    invalid,
    methodology_by,
    page,
    period_by,
    username,
    visible_unit,
)
from dxscore.web.api.problems import CONFLICT, FORBIDDEN, ApiProblem
from dxscore.web.api.value_batches import Item, upsert
from dxscore.web.data import selectors, workflow
from dxscore.web.data.models import Value
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit

router = Router(tags=["values"])


def value_out(v: Value) -> dict:
    return {
        "unit": v.unit.code,
        "indicator": v.indicator.code,
        "period": v.period.code,
        "value": v.value,
        "status": v.status,
        "comment": v.comment,
        "evidence_link": v.evidence_link,
        "return_reason": v.return_reason,
        "updated_at": v.updated_at,
        "updated_by": username(v.updated_by),
        "submitted_at": v.submitted_at,
        "submitted_by": username(v.submitted_by),
        "approved_at": v.approved_at,
        "approved_by": username(v.approved_by),
    }


@router.get("/values", response=s.ValuePage, summary="Values in your viewing scope")
def list_values(
    request,
    unit: str | None = Query(
        None, max_length=52, description="A unit code (or key): it and below."
    ),
    indicator: str | None = Query(None, max_length=80),
    period: str | None = Query(None, max_length=10),
    status: Literal["draft", "submitted", "approved", "returned"] | None = None,
    limit: int = Limit,
    offset: int = Offset,
):
    values = selectors.visible_values(request.user)
    if unit:
        day = periods.parse(period).end if period and periods.is_period(period) else None
        found = visible_unit(request.user, unit, "query", "unit", day)
        values = values.filter(unit__path__startswith=found.path)
    if indicator:
        values = values.filter(indicator__code=indicator)
    if period:
        values = values.filter(period__code=period)
    if status:
        values = values.filter(status=status)
    values = values.order_by("period__start", "period__code", "unit__path", "indicator__code")
    return page(request, values, limit, offset, value_out)


@router.post(
    "/values",
    response=s.ValueBatchResult,
    summary="Create or update a batch of values (idempotent)",
    description=(
        "Up to 10,000 items, each (unit, indicator, period) -> value. New values are "
        "drafts; drafts and returned values are updated; identical items change nothing, "
        "so a batch can be sent again safely. Submitted and approved values are locked "
        "(409). The whole batch is stored or nothing is: every problem is listed with "
        "the item's index and field."
    ),
)
def upsert_values(request, payload: s.ValueBatch):
    methodology = methodology_by(payload.methodology, payload.version)
    items = [
        Item(i.unit, i.indicator, i.period, i.value, i.comment, i.evidence_link)
        for i in payload.items
    ]
    results = upsert(request.user, methodology, items, reason=_("API"))
    counts = {k: sum(1 for r in results if r["result"] == k) for k in ("created", "updated")}
    return {
        **counts,
        "unchanged": len(results) - counts["created"] - counts["updated"],
        "items": results,
    }


def _workflow(request, payload: s.WorkflowIn, action, needs_reason: bool = False) -> dict:
    if needs_reason and not payload.reason.strip():
        raise invalid(_("Say why."), "reason")
    methodology = methodology_by(payload.methodology, payload.version)
    period = period_by(payload.period)
    unit = Unit.objects.lookup(payload.unit, period.end)  # on the map of the period
    if unit is None or not scope.allows(request.user, scope.VIEW, unit):
        raise invalid(_("No unit '%(u)s' in your viewing scope.") % {"u": payload.unit}, "unit")
    try:
        return {"changed": action(methodology, period, unit)}
    except workflow.EntryNotAllowed as exc:
        raise ApiProblem(403, _("Out of your scope"), str(exc), FORBIDDEN) from None
    except workflow.WorkflowError as exc:
        raise ApiProblem(409, _("Not possible now"), str(exc), CONFLICT) from None


@router.post("/values/submit", response=s.WorkflowResult, summary="Submit a unit's values")
def submit_values(request, payload: s.WorkflowIn):
    """Drafts and returned values of the methodology's inputs go to the approver; every
    required input must have a value."""
    return _workflow(request, payload, lambda m, p, u: workflow.submit(request.user, m, p, u))


@router.post("/values/approve", response=s.WorkflowResult, summary="Approve a unit's values")
def approve_values(request, payload: s.WorkflowIn):
    """Submitted values become approved and locked; nobody approves their own submission."""
    return _workflow(request, payload, lambda m, p, u: workflow.approve(request.user, m, p, u))


@router.post("/values/return", response=s.WorkflowResult, summary="Return a unit's values")
def return_values(request, payload: s.WorkflowIn):
    """Submitted values go back to the unit with the reason."""
    return _workflow(
        request,
        payload,
        lambda m, p, u: workflow.return_values(request.user, m, p, u, payload.reason),
        needs_reason=True,
    )


@router.post("/values/reopen", response=s.WorkflowResult, summary="Reopen approved values")
def reopen_values(request, payload: s.WorkflowIn):
    """Approved values become drafts again; the reason stays in their history."""
    return _workflow(
        request,
        payload,
        lambda m, p, u: workflow.reopen(request.user, m, p, u, payload.reason),
        needs_reason=True,
    )
