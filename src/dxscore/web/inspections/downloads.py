"""The tables of the inspections pages that their downloads carry (CSV, XLSX, JSON through
``dashboards.exports``): each built from what the page itself lists (``selectors``), so a
download holds the page's rows in the page's order by the page's access rule. Amounts are
the stored whole đồng (the workbook groups them); a stage or state is the label the page
shows, in the reader's language."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dxscore.web.dashboards.tables import COUNT, DATETIME, Column, Table
from dxscore.web.inspections.models import (
    Finding,
    ImplementationReport,
    Inspection,
    Recommendation,
    RecommendationStatus,
    TeamMember,
)

# the labels of ``inspections/_stage.html`` (the same msgids)
STAGES = {
    "decision": gettext_lazy("decision"),
    "announcement": gettext_lazy("announcement"),
    "onsite": gettext_lazy("on-site work"),
    "report": gettext_lazy("team report"),
    "draft": gettext_lazy("draft conclusion"),
    "conclusion": gettext_lazy("conclusion issued"),
    "publication": gettext_lazy("publication"),
}


def _label(model, field: str) -> str:
    """A field's name as the forms write it (its verbose name, capitalised)."""
    return str(capfirst(model._meta.get_field(field).verbose_name))


def stage_text(inspection, state, whole: bool) -> str:
    """The dashboard's "Stage" cell: the current stage (and "overdue") to those who read
    the inspection whole, else "published" or "conclusion issued"."""
    if whole and state.current:
        label = str(STAGES.get(state.current, _("published")))
        return f"{label} {_('overdue')}" if state.overdue else label
    if whole or inspection.public:
        return _("published")
    return _("conclusion issued")


def inspections_table(listed: list[tuple]) -> Table:
    """The dashboard's "Inspections you may read" (``selectors.dashboard_inspections``)."""
    return Table(
        name="inspections",
        title=_("Inspections you may read"),
        columns=[
            Column("decision", _("Decision")),
            Column("decided_on", _label(Inspection, "decided_on")),
            Column("topic", _("Topic")),
            Column("body", _("Inspecting body")),
            Column("stage", _("Stage")),
        ],
        rows=[
            {
                "decision": i.decision_number,
                "decided_on": i.decided_on,
                "topic": i.topic,
                "body": i.body.name,
                "stage": stage_text(i, s, whole),
            }
            for i, s, whole in listed
        ],
    )


def reported_on_table(listed: list[tuple]) -> Table:
    """The dashboard's "Recommendations you report on" (``selectors.reported_on``): the
    whole text (the page shortens it), the effective deadline, the computed status."""
    return Table(
        name="recommendations-to-report-on",
        title=_("Recommendations you report on"),
        columns=[
            Column("decision", _("Decision")),
            Column("number", "#", COUNT),
            Column("recommendation", _("Recommendation")),
            Column("addressee", _("Addressee")),
            Column("deadline", _("Deadline")),
            Column("status", _("Status")),
        ],
        rows=[
            {
                "decision": r.inspection.decision_number,
                "number": r.number,
                "recommendation": r.text,
                "addressee": r.addressee_unit.name,
                "deadline": s.deadline,
                "status": str(RecommendationStatus(s.status).label),
            }
            for r, s in listed
        ],
    )


def plans_table(plans) -> Table:
    """The plans list (``selectors.listed_plans``)."""
    return Table(
        name="inspection-plans",
        title=_("Inspection plans"),
        columns=[
            Column("year", _("Year")),
            Column("title", _("Plan")),
            Column("body", _("Inspecting body")),
            Column("state", _("State")),
        ],
        rows=[
            {
                "year": p.year,
                "title": p.title,
                "body": p.body.name,
                "state": str(p.get_state_display()),
            }
            for p in plans
        ],
    )


def published_table(inspections) -> Table:
    """The public list of published conclusions (``selectors.published_conclusions``)."""
    return Table(
        name="published-conclusions",
        title=_("Published inspection conclusions"),
        columns=[
            Column("published_on", _("Published on")),
            Column("conclusion", _("Conclusion")),
            Column("topic", _("Topic")),
            Column("body", _("Inspecting body")),
        ],
        rows=[
            {
                "published_on": i.published_on,
                "conclusion": i.conclusion_number,
                "topic": i.topic,
                "body": i.body.name,
            }
            for i in inspections
        ],
    )


def _inspection_meta(inspection) -> dict:
    return {
        "inspection": inspection.pk,
        "decision": inspection.decision_number,
        "decided_on": inspection.decided_on.isoformat(),
        "body": inspection.body.code,
    }


def findings_table(inspection, findings) -> Table:
    """An inspection's findings, as its page lists them (``selectors.findings_of``)."""
    return Table(
        name=f"inspection-{inspection.pk}-findings",
        title=f"{inspection.decision_number} · {inspection.topic}",
        columns=[
            Column("number", "#", COUNT),
            Column("kind", _("Kind")),
            Column("description", _("Description")),
            Column("amount", _("Amount (đồng)"), COUNT),
            Column("responsible_unit", _label(Finding, "responsible_unit")),
            Column("responsible_person", _label(Finding, "responsible_person")),
        ],
        rows=[
            {
                "number": f.number,
                "kind": str(f.get_kind_display()),
                "description": f.description,
                "amount": f.amount,
                "responsible_unit": f.responsible_unit.name if f.responsible_unit else "",
                "responsible_person": f.responsible_person,
            }
            for f in findings
        ],
        meta=_inspection_meta(inspection),
    )


def team_table(inspection, team) -> Table:
    """An inspection's team, as its page lists it (``selectors.team_of``): the person's
    name (else username), the role, the declared conflict of interest (empty: none
    declared) and the day it was declared."""
    return Table(
        name=f"inspection-{inspection.pk}-team",
        title=f"{inspection.decision_number} · {_('Team')}",
        columns=[
            Column("person", _("Person")),
            Column("role", _("Role")),
            Column("conflict", _("Declared conflict of interest")),
            Column("declared_on", _label(TeamMember, "declared_on")),
        ],
        rows=[
            {
                "person": m.user.get_full_name() or m.user.get_username(),
                "role": str(m.get_role_display()),
                "conflict": m.conflict,
                "declared_on": m.declared_on,
            }
            for m in team
        ],
        meta=_inspection_meta(inspection),
    )


def recommendations_table(inspection, listed: list[tuple]) -> Table:
    """An inspection's recommendations, as its page lists them
    (``selectors.recommendations_of``): the whole text, the amount to recover and the
    approved amount recovered (for a recommendation with an amount, as the page), the
    effective deadline and the computed status."""
    return Table(
        name=f"inspection-{inspection.pk}-recommendations",
        title=f"{inspection.decision_number} · {_('Recommendations')}",
        columns=[
            Column("number", "#", COUNT),
            Column("kind", _("Kind")),
            Column("recommendation", _("Recommendation")),
            Column("addressee", _("Addressee")),
            Column("addressee_person", _label(Recommendation, "addressee_person")),
            Column("amount", _label(Recommendation, "amount"), COUNT),
            Column("recovered", _("Recovered (đồng)"), COUNT),
            Column("deadline", _("Deadline")),
            Column("status", _("Status")),
        ],
        rows=[
            {
                "number": r.number,
                "kind": str(r.get_kind_display()),
                "recommendation": r.text,
                "addressee": r.addressee_unit.name,
                "addressee_person": r.addressee_person.get_username() if r.addressee_person else "",
                "amount": r.amount,
                "recovered": s.recovered if r.amount else None,
                "deadline": s.deadline,
                "status": str(RecommendationStatus(s.status).label),
            }
            for r, s in listed
        ],
        meta=_inspection_meta(inspection),
    )


def _plan_meta(plan) -> dict:
    return {
        "plan": plan.pk,
        "year": plan.year,
        "body": plan.body.code,
        "state": plan.state,
    }


def planned_table(plan, items) -> Table:
    """A plan's planned inspections, as its page lists them (``selectors.planned_of``):
    the subject units' names and the decisions of the inspections opened from each,
    separated by commas (the plan workbook, ``export.xlsx``, is the one to upload back)."""
    return Table(
        name=f"inspection-plan-{plan.pk}-planned",
        title=f"{plan.title} · {_('Planned inspections')}",
        columns=[
            Column("number", "#", COUNT),
            Column("topic", _("Topic")),
            Column("subjects", _("Subject units")),
            Column("period_inspected", _("Period inspected")),
            Column("quarter", _("Quarter"), COUNT),
            Column("inspection", _("Inspection")),
        ],
        rows=[
            {
                "number": item.number,
                "topic": item.topic,
                "subjects": ", ".join(u.name for u in item.subjects.all()),
                "period_inspected": item.period_inspected,
                "quarter": item.quarter,
                "inspection": ", ".join(i.decision_number for i in item.inspections.all()),
            }
            for item in items
        ],
        meta=_plan_meta(plan),
    )


def plan_history_table(plan, history) -> Table:
    """A plan's history, as its page lists it (``selectors.plan_history``: the last
    changes, newest first): when, by whom, the state the change left."""
    return Table(
        name=f"inspection-plan-{plan.pk}-history",
        title=f"{plan.title} · {_('History')}",
        columns=[
            Column("when", _("When"), DATETIME),
            Column("who", _("Who")),
            Column("state", _("State")),
        ],
        rows=[
            {
                "when": h.history_date,
                "who": h.history_user.get_username() if h.history_user else "",
                "state": str(h.get_state_display()),
            }
            for h in history
        ],
        meta=_plan_meta(plan),
    )


def _recommendation_meta(rec) -> dict:
    return _inspection_meta(rec.inspection) | {"recommendation": rec.number}


def reports_table(rec, reports) -> Table:
    """A recommendation's implementation reports, as its page lists them
    (``selectors.reports_of``): the date, what was done, whether it says the
    recommendation is fully carried out, the amount recovered, the evidence (whether a
    file is attached, as the page's "file": its name is not shown, and the file has its
    own rule; the link) and the review (with a returned report's reason)."""
    return Table(
        name=f"recommendation-{rec.pk}-reports",
        title=f"{rec.inspection.decision_number} · {rec.number} · {_('Implementation reports')}",
        columns=[
            Column("reported_on", _("Date")),
            Column("text", _("What was done")),
            Column("complete", _label(ImplementationReport, "complete")),
            Column("recovered", _("Recovered (đồng)"), COUNT),
            Column("evidence_file", _("Evidence file")),
            Column("evidence_link", _("Evidence link")),
            Column("review", _("Review")),
            Column("return_reason", _("Reason")),
        ],
        rows=[
            {
                "reported_on": r.reported_on,
                "text": r.text,
                "complete": r.complete,
                "recovered": r.recovered,
                "evidence_file": bool(r.evidence_file),
                "evidence_link": r.evidence_link,
                "review": str(r.get_state_display()),
                "return_reason": r.return_reason,
            }
            for r in reports
        ],
        meta=_recommendation_meta(rec),
    )


def extensions_table(rec, extensions) -> Table:
    """A recommendation's extension requests, as its page lists them
    (``selectors.extensions_of``): the new deadline asked for, the reason, the decision
    and the day it was taken."""
    return Table(
        name=f"recommendation-{rec.pk}-extensions",
        title=f"{rec.inspection.decision_number} · {rec.number} · {_('Extension requests')}",
        columns=[
            Column("new_deadline", _("New deadline")),
            Column("reason", _("Reason")),
            Column("decision", _("Decision")),
            Column("decided_on", _("Decided on")),
        ],
        rows=[
            {
                "new_deadline": e.new_deadline,
                "reason": e.reason,
                "decision": str(e.get_state_display()),
                "decided_on": e.decided_on,
            }
            for e in extensions
        ],
        meta=_recommendation_meta(rec),
    )
