"""Changing plans, inspections and the follow-up of recommendations. Every change
checks ``access``, runs in one transaction and is kept in the records' history; a
refusal is ``InspectionNotAllowed``, a bad request ``InspectionError``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dxscore.web.inspections import access
from dxscore.web.inspections.models import (
    STAGE_FIELDS,
    ExtensionRequest,
    Finding,
    ImplementationReport,
    Inspection,
    InspectionPlan,
    PlannedInspection,
    PlanState,
    Recommendation,
    TeamMember,
)
from dxscore.web.orgs import scope
from dxscore.web.plans.models import Evidence


class InspectionError(ValueError):
    pass


class InspectionNotAllowed(InspectionError, scope.NotAllowed):
    """The person may not do this."""


def _stamp(record, user) -> None:
    record._history_user = user


def _full_clean(record, exclude=None) -> None:
    try:
        record.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InspectionError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        ) from None


def _not_future(day: dt.date) -> None:
    if day > timezone.localdate():
        raise InspectionError(_("A document cannot be dated in the future."))


# --- plans --------------------------------------------------------------------------------


def approve_plan(user, plan: InspectionPlan) -> None:
    if not access.can_manage_plan(user, plan):
        raise InspectionNotAllowed(_("Only the body's leaders approve its plan."))
    if plan.state != PlanState.DRAFT:
        raise InspectionError(_("Only a draft plan is approved."))
    if not plan.items.exists():
        raise InspectionError(_("The plan has no planned inspection yet."))
    plan.state = PlanState.APPROVED
    plan.approved_on = timezone.localdate()
    plan.approved_by = user
    _stamp(plan, user)
    plan.save()


def amend_plan(user, plan: InspectionPlan, note: str) -> None:
    """Open an approved plan for changes; the history keeps what it was."""
    if not access.can_manage_plan(user, plan):
        raise InspectionNotAllowed(_("Only the body's leaders amend its plan."))
    if plan.state == PlanState.DRAFT:
        raise InspectionError(_("A draft plan is changed directly."))
    if not note.strip():
        raise InspectionError(_("Say what the amendment changes and why."))
    plan.state = PlanState.AMENDED
    plan.amendment_note = note.strip()
    _stamp(plan, user)
    plan.save()


def add_planned(user, plan: InspectionPlan, item: PlannedInspection, subjects) -> None:
    if not access.can_manage_plan(user, plan):
        raise InspectionNotAllowed(_("Only the body's leaders change its plan."))
    if not plan.editable:
        raise InspectionError(_("An approved plan is amended first."))
    with transaction.atomic():
        item.plan = plan
        _stamp(item, user)
        item.save()
        item.subjects.set(subjects)


# --- inspections ----------------------------------------------------------------------------


def open_inspection(user, inspection: Inspection, subjects, team) -> Inspection:
    """Store an inspection opened by its decision, with its subject units and its team:
    ``team`` is ``[(user, role, declared conflict)]`` with one lead."""
    if not access.can_open(user, inspection.body):
        raise InspectionNotAllowed(_("Only the body's leaders open inspections."))
    _not_future(inspection.decided_on)
    if not subjects:
        raise InspectionError(_("Name at least one subject unit."))
    if sum(role == TeamMember.Role.LEAD for _u, role, _c in team) != 1:
        raise InspectionError(_("The team has exactly one lead."))
    _full_clean(inspection, exclude=["subjects"])
    with transaction.atomic():
        inspection.created_by = user
        _stamp(inspection, user)
        inspection.save()
        inspection.subjects.set(subjects)
        for member, role, conflict in team:
            TeamMember.objects.create(
                inspection=inspection,
                user=member,
                role=role,
                conflict=conflict.strip(),
                declared_on=inspection.decided_on,
            )
    return inspection


def add_member(user, inspection: Inspection, member, conflict: str) -> TeamMember:
    if not access.is_leader(user, inspection.body):
        raise InspectionNotAllowed(_("Only the body's leaders change the team."))
    if inspection.team.filter(user=member).exists():
        raise InspectionError(_("This person is on the team already."))
    return TeamMember.objects.create(
        inspection=inspection,
        user=member,
        conflict=conflict.strip(),
        declared_on=timezone.localdate(),
    )


def record_stage(user, inspection: Inspection, stage: str, day: dt.date) -> None:
    """Date a stage's document (announcement, on-site end, report, draft, conclusion,
    publication); the rules refuse a date before the stage it follows."""
    if not access.can_edit(user, inspection):
        raise InspectionNotAllowed(_("Only the team and the body's leaders record stages."))
    field = STAGE_FIELDS.get(stage)
    if field is None:
        raise InspectionError(_("Unknown stage."))
    _not_future(day)
    if stage == "conclusion" and not inspection.conclusion.strip():
        raise InspectionError(_("Write the conclusion before issuing it."))
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        setattr(locked, field, day)
        problems = locked.case().problems()
        if problems:
            raise InspectionError(
                _("This date is missing or before the stage it follows.")
                + f" ({', '.join(w for w, _m in problems)})"
            )
        _stamp(locked, user)
        locked.save()
    inspection.refresh_from_db()


def extend(user, inspection: Inspection, days: int, reason: str) -> None:
    if not access.is_leader(user, inspection.body):
        raise InspectionNotAllowed(_("Only the body's leaders extend the time limit."))
    if not reason.strip():
        raise InspectionError(_("Say why the time limit is extended."))
    if not 0 < days <= 365:
        raise InspectionError(_("An extension is 1 to 365 days."))
    inspection.extension_days = days
    inspection.extension_reason = reason.strip()
    _stamp(inspection, user)
    inspection.save()


def write_conclusion(user, inspection: Inspection, number: str, text: str) -> None:
    if not access.can_edit(user, inspection):
        raise InspectionNotAllowed(_("Only the team and the body's leaders write the conclusion."))
    if inspection.public:
        raise InspectionError(_("A published conclusion is not changed."))
    inspection.conclusion_number = number.strip()[:60]
    inspection.conclusion = text.strip()
    _stamp(inspection, user)
    inspection.save()


def add_finding(user, inspection: Inspection, finding: Finding) -> Finding:
    if not access.can_edit(user, inspection):
        raise InspectionNotAllowed(_("Only the team and the body's leaders record findings."))
    with transaction.atomic():
        last = inspection.findings.select_for_update().order_by("-number").first()
        finding.inspection = inspection
        finding.number = (last.number + 1) if last else 1
        _full_clean(finding)
        _stamp(finding, user)
        finding.save()
    return finding


def add_recommendation(user, inspection: Inspection, rec: Recommendation) -> Recommendation:
    if not access.can_edit(user, inspection):
        raise InspectionNotAllowed(
            _("Only the team and the body's leaders record recommendations.")
        )
    if inspection.public:
        raise InspectionError(_("A published conclusion is not changed."))
    with transaction.atomic():
        last = inspection.recommendations.select_for_update().order_by("-number").first()
        rec.inspection = inspection
        rec.number = (last.number + 1) if last else 1
        _full_clean(rec)
        _stamp(rec, user)
        rec.save()
    return rec


# --- follow-up -------------------------------------------------------------------------------


def report_implementation(
    user,
    rec: Recommendation,
    text: str,
    recovered: int = 0,
    complete: bool = False,
    reported_on: dt.date | None = None,
    file=None,
    link: str = "",
) -> ImplementationReport:
    if not access.can_report(user, rec):
        raise InspectionNotAllowed(_("Only the addressee reports implementation."))
    reported_on = reported_on or timezone.localdate()
    _not_future(reported_on)
    if not text.strip():
        raise InspectionError(_("Say what was done."))
    if not (file or link):
        raise InspectionError(_("Attach the evidence: a file or a link."))
    if recovered and rec.kind != "financial":
        raise InspectionError(_("Only a financial recovery has an amount recovered."))
    if recovered < 0:
        raise InspectionError(_("A recovered amount cannot be negative."))
    report = ImplementationReport(
        recommendation=rec,
        reported_on=reported_on,
        text=text.strip(),
        recovered=recovered,
        complete=complete,
        evidence_file=file or "",
        evidence_link=link,
        reported_by=user,
    )
    _stamp(report, user)
    report.save()
    return report


def review_report(user, report: ImplementationReport, approve: bool, reason: str = "") -> None:
    """Approve or return a report (the evidence approval of targets: never one's own)."""
    if not access.can_review(user, report):
        raise InspectionNotAllowed(_("You may not review this report."))
    if report.state != Evidence.SUBMITTED and approve:
        raise InspectionError(_("No report is waiting for approval."))
    if not approve and not reason.strip():
        raise InspectionError(_("Say why the report is returned."))
    report.state = Evidence.APPROVED if approve else Evidence.RETURNED
    report.reviewed_by = user
    report.reviewed_on = timezone.localdate()
    report.return_reason = "" if approve else reason.strip()
    _stamp(report, user)
    report.save()


def request_extension(user, rec: Recommendation, new_deadline: dt.date, reason: str):
    if not access.can_report(user, rec):
        raise InspectionNotAllowed(_("Only the addressee asks for an extension."))
    if not reason.strip():
        raise InspectionError(_("Say why more time is needed."))
    current = rec.state(timezone.localdate()).deadline
    if new_deadline <= current:
        raise InspectionError(_("The new deadline is after the current one."))
    if rec.extensions.filter(state=ExtensionRequest.State.SUBMITTED).exists():
        raise InspectionError(_("A request is already waiting for a decision."))
    ext = ExtensionRequest(
        recommendation=rec, new_deadline=new_deadline, reason=reason.strip(), requested_by=user
    )
    _stamp(ext, user)
    ext.save()
    return ext


def decide_extension(user, ext: ExtensionRequest, approve: bool) -> None:
    if not access.can_decide_extension(user, ext.recommendation):
        raise InspectionNotAllowed(_("Only the body's leaders decide extensions."))
    if ext.state != ExtensionRequest.State.SUBMITTED:
        raise InspectionError(_("This request was decided already."))
    ext.state = ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REFUSED
    ext.decided_by = user
    ext.decided_on = timezone.localdate()
    _stamp(ext, user)
    ext.save()


UNFINISHED = ("partly_implemented", "overdue", "not_implemented")


def unfinished(inspection: Inspection, today: dt.date | None = None) -> list[Recommendation]:
    """Recommendations past their deadline or only partly implemented."""
    from dxscore.web.inspections.selectors import with_follow_up

    today = today or timezone.localdate()
    recs = with_follow_up(inspection.recommendations.all())
    return [r for r in recs if r.state(today).status in UNFINISHED]


def open_follow_up(user, inspection: Inspection, decision_number: str, signer: str, days: int):
    """A follow-up inspection of the unimplemented recommendations: their addressee
    units are its subjects and the recommendations its scope; the lead of the first
    inspection leads it."""
    if not access.can_open(user, inspection.body):
        raise InspectionNotAllowed(_("Only the body's leaders open inspections."))
    left = unfinished(inspection)
    if not left:
        raise InspectionError(_("Every recommendation is implemented or still in time."))
    scope_text = (
        _("Follow-up of the recommendations not implemented:")
        + "\n"
        + "\n".join(f"{r.number}. {r.text} ({r.addressee_unit.name})" for r in left)
    )
    follow = Inspection(
        body=inspection.body,
        follow_up_of=inspection,
        topic=(_("Follow-up: %(t)s") % {"t": inspection.topic})[:300],
        scope=scope_text,
        decision_number=decision_number.strip(),
        decided_on=timezone.localdate(),
        signer=signer.strip(),
        time_limit_days=days,
    )
    lead = inspection.team.filter(role=TeamMember.Role.LEAD).first()
    team = [(lead.user if lead else user, TeamMember.Role.LEAD, "")]
    subjects = list({r.addressee_unit_id: r.addressee_unit for r in left}.values())
    return open_inspection(user, follow, subjects, team)
