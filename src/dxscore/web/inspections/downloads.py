"""The tables of the inspections pages that their downloads carry (CSV, XLSX, JSON through
``dashboards.exports``): each built from what the page itself lists (``selectors``), so a
download holds the page's rows in the page's order by the page's access rule. Amounts are
the stored whole đồng (the workbook groups them); a stage or state is the label the page
shows, in the reader's language."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dxscore.web.dashboards.tables import COUNT, Column, Table
from dxscore.web.inspections.models import Finding, Inspection, RecommendationStatus

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
        meta={
            "inspection": inspection.pk,
            "decision": inspection.decision_number,
            "decided_on": inspection.decided_on.isoformat(),
            "body": inspection.body.code,
        },
    )
