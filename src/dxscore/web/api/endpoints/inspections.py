"""Inspections, their recommendations (with the computed status) and figures, read under
the rules of ``web/inspections/access.py``; the addressee reports implementation.
Every answer that shows a confidential part of an inspection is logged as a read."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from dxscore import periods
from dxscore.web.api.common import MAX_ID, Limit, Offset, invalid, not_found, page
from dxscore.web.api.problems import CONFLICT, FORBIDDEN, ApiProblem
from dxscore.web.api.schemas import Day, Strict, page_of
from dxscore.web.inspections import access, reads, selectors, work
from dxscore.web.inspections import figures as numbers
from dxscore.web.inspections.models import Inspection, Recommendation

router = Router(tags=["inspections"])

StageName = Literal[
    "decision", "announcement", "onsite", "report", "draft", "conclusion", "publication"
]
StatusName = Literal[
    "implemented", "partly_implemented", "in_progress", "overdue", "not_implemented"
]
KindName = Literal["financial", "administrative", "rules", "other"]


class StageOut(Schema):
    stage: StageName
    state: Literal["done", "late", "current", "overdue", "pending"]
    due: dt.date
    done_on: dt.date | None = None


class InspectionOut(Schema):
    id: int
    body: str
    topic: str
    subjects: list[str]
    decision_number: str
    decided_on: dt.date
    whole: bool = Field(description="You read it whole (team, leaders); else its conclusion.")
    current_stage: StageName | None = Field(
        None, description="Computed from the documents' dates; null once published."
    )
    overdue: bool | None = None
    stages: list[StageOut] | None = None
    conclusion_number: str
    concluded_on: dt.date | None = None
    published_on: dt.date | None = None
    conclusion: str | None = None


class RecommendationOut(Schema):
    id: int
    inspection: int
    number: int
    kind: KindName
    text: str
    addressee: str
    amount: int | None = None
    deadline: dt.date
    effective_deadline: dt.date = Field(description="After approved extensions.")
    status: StatusName = Field(description="Computed from approved reports, never typed in.")
    recovered: int = Field(description="Approved amounts recovered (đồng).")
    implemented_on: dt.date | None = None
    on_time: bool


class ImplementationIn(Strict):
    text: str = Field(min_length=1, max_length=4000)
    recovered: int = Field(0, ge=0, le=10**15)
    complete: bool = False
    reported_on: Day | None = None
    evidence_link: str = Field(min_length=1, max_length=500)


class ImplementationOut(Schema):
    id: int
    recommendation: int
    reported_on: dt.date
    text: str
    recovered: int
    complete: bool
    review: Literal["submitted", "approved", "returned"]


class InspectionFiguresOut(Schema):
    key: str = Field(description="Body or subject unit code; empty for all.")
    planned: int
    opened: int
    done: int
    done_planned: int
    on_time: int
    recommendations: int
    by_kind: dict[str, int]
    by_status: dict[str, int]
    amount_recommended: int
    amount_recovered: int
    due: int
    implemented_on_time: int
    share_on_time: float | None = None


InspectionPage = page_of(InspectionOut, "InspectionPage")
RecommendationPage = page_of(RecommendationOut, "RecommendationPage")


def inspection_out(i: Inspection, user, today: dt.date) -> dict:
    whole = access.sees_all(user, i)
    shown = whole or access.sees_conclusion(user, i)
    out = {
        "id": i.pk,
        "body": i.body.code,
        "topic": i.topic,
        "subjects": [u.code for u in i.subjects.all()],
        "decision_number": i.decision_number,
        "decided_on": i.decided_on,
        "whole": whole,
        "conclusion_number": i.conclusion_number if i.issued else "",
        "concluded_on": i.concluded_on,
        "published_on": i.published_on,
        "conclusion": i.conclusion if i.issued and shown else None,
    }
    if whole:
        state = i.progress(today)
        out |= {
            "current_stage": state.current,
            "overdue": state.overdue,
            "stages": [
                {"stage": s.stage, "state": s.state, "due": s.due, "done_on": s.done_on}
                for s in state.stages
            ],
        }
    return out


def recommendation_out(r: Recommendation, today: dt.date) -> dict:
    s = r.state(today)
    return {
        "id": r.pk,
        "inspection": r.inspection_id,
        "number": r.number,
        "kind": r.kind,
        "text": r.text,
        "addressee": r.addressee_unit.code,
        "amount": r.amount,
        "deadline": r.deadline,
        "effective_deadline": s.deadline,
        "status": s.status,
        "recovered": s.recovered,
        "implemented_on": s.implemented_on,
        "on_time": s.on_time,
    }


@router.get("/inspections", response=InspectionPage, summary="Inspections you may read")
def list_inspections(request, limit: int = Limit, offset: int = Offset):
    """The team and the body's leaders read inspections whole (stages computed from the
    documents' dates); subject units read issued conclusions. Each read is logged."""
    rows = selectors.visible_inspections(request.user).prefetch_related("subjects")
    today = timezone.localdate()
    user = request.user

    def convert(i):
        reads.log(user, i, "inspection" if access.sees_all(user, i) else "conclusion", "api")
        return inspection_out(i, user, today)

    return page(request, rows.order_by("-decided_on", "-pk"), limit, offset, convert)


@router.get(
    "/inspections/figures", response=list[InspectionFiguresOut], summary="Inspection figures"
)
def inspection_figures(
    request,
    period: str = Query(..., max_length=10, description="2025, 2025Q3 or 2025-07."),
    by: Literal["body", "subject", "all"] = "body",
):
    """Over the inspections you read whole: done vs planned, on time, recommendations by
    kind and status, amounts recommended and recovered, share implemented on time."""
    if not periods.is_period(period):
        raise invalid(_("Not a period: use 2025, 2025Q3 or 2025-07."), "period", "query")
    found = numbers.for_body_staff(request.user, period, by)
    return [{**f.__dict__, "share_on_time": f.share_on_time} for f in found.values()]


@router.get(
    "/inspections/recommendations",
    response=RecommendationPage,
    summary="Recommendations with their computed status",
)
def list_recommendations(
    request,
    inspection: int | None = Query(None, ge=1, le=MAX_ID),
    status: StatusName | None = None,
    mine: bool = Query(False, description="Only those you report on."),
    limit: int = Limit,
    offset: int = Offset,
):
    today = timezone.localdate()
    recs = selectors.visible_recommendations(request.user).order_by("inspection_id", "number")
    if inspection:
        recs = recs.filter(inspection_id=inspection)
    rows = list(recs)
    if mine:
        rows = [r for r in rows if access.can_report(request.user, r)]
    if status:
        rows = [r for r in rows if r.state(today).status == status]
    return page(request, rows, limit, offset, lambda r: recommendation_out(r, today))


def _recommendation(user, rec_id: int) -> Recommendation:
    found = selectors.visible_recommendations(user).filter(pk=rec_id).first()
    if found is None:
        raise not_found(_("No recommendation %(id)d that you may read.") % {"id": rec_id})
    return found


@router.get(
    "/inspections/recommendations/{id}", response=RecommendationOut, summary="One recommendation"
)
def get_recommendation(request, id: int = Path(..., ge=1, le=MAX_ID)):
    rec = _recommendation(request.user, id)
    reads.log(request.user, rec.inspection, f"recommendation {rec.number}", "api")
    return recommendation_out(rec, timezone.localdate())


@router.post(
    "/inspections/recommendations/{id}/reports",
    response={201: ImplementationOut},
    summary="Report a recommendation's implementation",
)
def report_implementation(request, payload: ImplementationIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """By the addressee, with a link to the evidence; it counts once the inspectorate
    approves it (in the site)."""
    rec = _recommendation(request.user, id)
    try:
        URLValidator(schemes=["http", "https"])(payload.evidence_link)
    except ValidationError:
        raise invalid(_("not a web address (http or https)"), "evidence_link") from None
    try:
        report = work.report_implementation(
            request.user,
            rec,
            payload.text,
            payload.recovered,
            payload.complete,
            payload.reported_on,
            link=payload.evidence_link,
        )
    except work.InspectionNotAllowed as exc:
        raise ApiProblem(403, _("Forbidden"), str(exc), FORBIDDEN) from None
    except work.InspectionError as exc:
        raise ApiProblem(409, _("Not possible now"), str(exc), CONFLICT) from None
    return Status(
        201,
        {
            "id": report.pk,
            "recommendation": rec.pk,
            "reported_on": report.reported_on,
            "text": report.text,
            "recovered": report.recovered,
            "complete": report.complete,
            "review": report.state,
        },
    )


# after the fixed paths above: {id} would take them
@router.get("/inspections/{id}", response=InspectionOut, summary="One inspection")
def get_inspection(request, id: int = Path(..., ge=1, le=MAX_ID)):
    found = selectors.visible_inspections(request.user).filter(pk=id).first()
    if found is None:
        raise not_found(_("No inspection %(id)d that you may read.") % {"id": id})
    whole = access.sees_all(request.user, found)
    reads.log(request.user, found, "inspection" if whole else "conclusion", "api")
    return inspection_out(found, request.user, timezone.localdate())
