"""Inspections: the pure rules (no Django), as ``dxscore.plans`` is for targets.

- ``stages``: an inspection's stages (decision, announcement, on-site work, report, draft
  conclusion, conclusion issued, publication), each computed from the date of its
  document, with the legal time limit (and its extension) and the stages' limits; late
  and overdue stages flagged.
- ``recommendations``: a recommendation's status (implemented, partly implemented, in
  progress, overdue, not implemented), computed from the approved implementation reports
  and approved extensions, never typed in.
- ``figures``: per inspecting body, subject unit and period: inspections done vs planned,
  on time, recommendations by kind and status, amounts recommended and recovered, and
  the share implemented on time.

The web platform (``dxscore.web.inspections``) stores the records and calls these rules.
"""

from dxscore.inspections.figures import (
    Figures,
    InspectionFact,
    PlannedFact,
    RecommendationFact,
    figures,
)
from dxscore.inspections.recommendations import (
    KINDS,
    STATUSES,
    Extension,
    Recommendation,
    RecommendationState,
    Report,
    assess,
    effective_deadline,
    summarise,
)
from dxscore.inspections.stages import (
    STAGES,
    Case,
    CaseState,
    Limits,
    StageState,
    add_days,
    progress,
    time_limit_due,
)

__all__ = [
    "KINDS",
    "STAGES",
    "STATUSES",
    "Case",
    "CaseState",
    "Extension",
    "Figures",
    "InspectionFact",
    "Limits",
    "PlannedFact",
    "Recommendation",
    "RecommendationFact",
    "RecommendationState",
    "Report",
    "StageState",
    "add_days",
    "assess",
    "effective_deadline",
    "figures",
    "progress",
    "summarise",
    "time_limit_due",
]
