"""Reads of score runs: published runs are public; unpublished ones are for administrators
and steering officers. The run pages and the API read runs through here."""

from __future__ import annotations

from django.db.models import QuerySet

from dxscore.web.orgs import scope
from dxscore.web.scores.models import ScoreRun


def visible_runs(user) -> QuerySet:
    runs = ScoreRun.objects.select_related("methodology", "period", "created_by", "coverage")
    if not scope.can_manage(user):
        runs = runs.filter(published_at__isnull=False)
    return runs
