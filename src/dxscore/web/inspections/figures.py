"""The inspections' figures from the stored records (``dxscore.inspections.figures``
computes them): for the staff dashboard, the workbook, the API, and as a computed
indicator value for indices and emulation rankings.

Figures are computed over the inspections a person reads whole (``selectors.full_access``)
or, for rankings, over every inspection: a figure such as the share of
recommendations implemented on time says nothing confidential.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from dxscore import inspections as rules
from dxscore.web.inspections.models import Inspection, PlannedInspection, Recommendation
from dxscore.web.inspections.selectors import with_follow_up

# the computed indicator: of the recommendations addressed to a unit and due in the
# period, the share implemented by their (effective) deadline
COMPUTED = ("inspection_recommendations_on_time_share",)


def facts(inspections: QuerySet, planned: QuerySet | None = None):
    """The plain facts the figures are computed from; units by ``Unit.key`` (a code
    alone may denote different units over time)."""
    today = timezone.localdate()
    inspections = inspections.select_related("body").prefetch_related("subjects")
    planned_facts = []
    if planned is not None:
        for p in planned.select_related("plan__body").prefetch_related("subjects"):
            planned_facts.append(
                rules.PlannedFact(p.plan.body.key, tuple(u.key for u in p.subjects.all()), p.period)
            )
    inspection_facts = []
    for i in inspections:
        state = i.progress(today)
        inspection_facts.append(
            rules.InspectionFact(
                i.body.key,
                tuple(u.key for u in i.subjects.all()),
                i.decided_on,
                i.concluded_on,
                state.on_time,
                i.planned_id is not None,
            )
        )
    recs = with_follow_up(
        Recommendation.objects.filter(
            inspection__in=inspections.values("pk"), inspection__concluded_on__isnull=False
        )
    ).select_related("inspection__body")
    rec_facts = [
        rules.RecommendationFact(
            r.inspection.body.key, r.addressee_unit.key, r.inspection.concluded_on, r.rule()
        )
        for r in recs
    ]
    return planned_facts, inspection_facts, rec_facts


def compute(
    period: str,
    inspections: QuerySet,
    planned: QuerySet | None = None,
    by: str = "body",
    today: dt.date | None = None,
) -> dict[str, rules.Figures]:
    p, i, r = facts(inspections, planned)
    return rules.figures(period, today or timezone.localdate(), p, i, r, by=by)  # type: ignore[arg-type]


def for_body_staff(user, period: str, by: str = "body") -> dict[str, rules.Figures]:
    """The figures of the inspections a person reads whole, with their bodies' plans."""
    from dxscore.web.inspections import access, selectors

    planned = PlannedInspection.objects.filter(
        plan__body_id__in=access.led_bodies(user) or access.bodies(user)
    ).exclude(plan__state="draft")
    return compute(period, selectors.full_access(user), planned, by=by)


def delivery(units, period) -> dict[str, dict[str, float | None]]:
    """The computed indicator per unit code for a ``data.Period`` (emulation rankings and
    score runs read it through ``scores.runs.gather_inputs``)."""
    found = compute(period.code, Inspection.objects.all(), by="subject")
    return {
        u.code: {COMPUTED[0]: found[u.key].share_on_time if u.key in found else None}
        for u in sorted(units, key=lambda u: u.code)
    }
