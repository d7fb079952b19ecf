"""Self-assessments and surveys, pure (no Django): questionnaire files, answer sheets
(skip logic, checks, points), scoring by the index engine (each sheet is a unit), maturity
levels, recommendations and the figures per group with small counts suppressed
(``docs/assessments.md``)."""

from dxscore.assessments.answers import clean, points, points_table, visible
from dxscore.assessments.figures import figures, measures
from dxscore.assessments.questionnaire import (
    Question,
    Questionnaire,
    QuestionnaireError,
    builtin_ids,
    load,
    loads,
)
from dxscore.assessments.scoring import (
    Recommendation,
    Scores,
    explain,
    levels_of,
    methodology_text,
    recommendations,
    score_sheets,
)
from dxscore.assessments.taxcode import check_tax_code

__all__ = [
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "Recommendation",
    "Scores",
    "builtin_ids",
    "check_tax_code",
    "clean",
    "explain",
    "figures",
    "levels_of",
    "load",
    "loads",
    "measures",
    "methodology_text",
    "points",
    "points_table",
    "recommendations",
    "score_sheets",
    "visible",
]
