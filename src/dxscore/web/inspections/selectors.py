"""Reads of inspections, plans and recommendations in a person's reach: the one place
the pages, the API and the figures ask what a person may see (rules in ``access.py``)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from dxscore.web.inspections import access
from dxscore.web.inspections.models import (
    ExtensionRequest,
    ImplementationReport,
    Inspection,
    InspectionPlan,
    PlanState,
    Recommendation,
)


def _own_and_above(user) -> list[int]:
    unit = access.own_unit(user)
    if unit is None:
        return []
    return [int(p) for p in unit.path.strip("/").split("/")]


def full_access(user) -> QuerySet:
    """Inspections the person reads whole: their team's and their bodies' as leader."""
    if not getattr(user, "is_authenticated", False):
        return Inspection.objects.none()
    return Inspection.objects.filter(
        Q(team__user=user) | Q(body_id__in=access.led_bodies(user))
    ).distinct()


def visible_inspections(user) -> QuerySet:
    """Every inspection the person reads anything of (the conclusion at least)."""
    if not getattr(user, "is_authenticated", False):
        return public_inspections()
    issued = Q(concluded_on__isnull=False) & (
        Q(subjects__in=_own_and_above(user)) | Q(recommendations__addressee_person=user)
    )
    return (
        Inspection.objects.filter(
            Q(team__user=user)
            | Q(body_id__in=access.led_bodies(user))
            | issued
            | Q(published_on__isnull=False)
        )
        .distinct()
        .select_related("body")
    )


def public_inspections() -> QuerySet:
    return Inspection.objects.filter(published_on__isnull=False).select_related("body")


def visible_plans(user) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return InspectionPlan.objects.none()
    return (
        InspectionPlan.objects.filter(
            Q(body_id__in=access.bodies(user)) | ~Q(state=PlanState.DRAFT)
        )
        .distinct()
        .select_related("body")
    )


def with_follow_up(recs: QuerySet) -> QuerySet:
    """Recommendations with what their status is computed from, prefetched."""
    return recs.select_related("inspection", "addressee_unit", "addressee_person").prefetch_related(
        Prefetch("reports", queryset=ImplementationReport.objects.order_by("reported_on", "pk")),
        Prefetch("extensions", queryset=ExtensionRequest.objects.order_by("requested_at", "pk")),
    )


def visible_recommendations(user) -> QuerySet:
    """Recommendations of issued conclusions the person reads, and every recommendation
    of the inspections they read whole."""
    seen = visible_inspections(user).filter(concluded_on__isnull=False)
    whole = full_access(user)
    return with_follow_up(
        Recommendation.objects.filter(
            Q(inspection__in=seen.values("pk")) | Q(inspection__in=whole.values("pk"))
        )
    )


def to_report(user) -> list[Recommendation]:
    """Recommendations the person reports on (their unit's, or addressed to them)."""
    return [r for r in visible_recommendations(user) if access.can_report(user, r)]


# --- what the lists and an inspection's page show (their pages and downloads) ---------


def dashboard_inspections(user, today, limit: int = 200) -> list[tuple]:
    """The dashboard's "inspections you may read": each with its progress and whether the
    person reads it whole, newest decision first (at most ``limit``)."""
    found = visible_inspections(user).prefetch_related("subjects")[:limit]
    whole = set(full_access(user).values_list("pk", flat=True))
    return [(i, i.progress(today), i.pk in whole) for i in found]


def reported_on(user, today) -> list[tuple]:
    """The dashboard's "recommendations you report on", each with its computed state."""
    return [(r, r.state(today)) for r in to_report(user)]


def listed_plans(user) -> QuerySet:
    """The plans list: the plans the person reads, newest year first."""
    return visible_plans(user)


def published_conclusions() -> QuerySet:
    """The public list: published conclusions, newest publication first."""
    return public_inspections().order_by("-published_on", "-pk")


def findings_of(inspection: Inspection) -> QuerySet:
    """An inspection's findings as its page lists them (by number); only for those who
    read it whole (``access.sees_all``)."""
    return inspection.findings.select_related("responsible_unit")


def planned_of(plan: InspectionPlan) -> QuerySet:
    """A plan's planned inspections as its page lists them (by number), with their
    subject units and the inspections opened from them."""
    return plan.items.prefetch_related("subjects", "inspections")


def plan_history(plan: InspectionPlan, limit: int = 20) -> QuerySet:
    """A plan's page's history: its last ``limit`` changes, newest first."""
    return plan.history.select_related("history_user").order_by("-history_date", "-history_id")[
        :limit
    ]


def reports_of(rec: Recommendation) -> list:
    """A recommendation's implementation reports as its page lists them (oldest first)."""
    return list(rec.reports.all())


def extensions_of(rec: Recommendation) -> list:
    """A recommendation's extension requests as its page lists them (oldest first)."""
    return list(rec.extensions.all())


def team_of(inspection: Inspection) -> QuerySet:
    """An inspection's team as its page lists it (the lead first); only for those who
    read it whole (``access.sees_all``)."""
    return inspection.team.select_related("user")


def recommendations_of(inspection: Inspection, today) -> list[tuple]:
    """An inspection's recommendations as its page lists them (by number), each with its
    computed state; for those who read the inspection whole or its conclusion."""
    recs = with_follow_up(inspection.recommendations.all())
    return [(r, r.state(today)) for r in recs]
