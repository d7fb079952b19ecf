"""Reads of score runs: published runs are public; unpublished ones are for administrators
and steering officers. The run pages and the API read runs through here."""

from __future__ import annotations

from django.db.models import QuerySet

from dxscore.index.methodology import ROOT
from dxscore.web.orgs import scope
from dxscore.web.scores.models import NodeScore, ScoreRun


def visible_runs(user) -> QuerySet:
    runs = ScoreRun.objects.select_related("methodology", "period", "created_by", "coverage")
    if not scope.can_manage(user):
        runs = runs.filter(published_at__isnull=False)
    return runs


def published_runs_scoring(unit) -> QuerySet:
    """The published runs (public to everyone) with an index score of ``unit``."""
    scored = NodeScore.objects.filter(unit=unit, node=ROOT).values("run_id")
    return ScoreRun.objects.filter(published_at__isnull=False, pk__in=scored).select_related(
        "methodology", "period", "coverage"
    )
