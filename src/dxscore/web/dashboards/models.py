"""Stored analyses of a score run (rank intervals, levers): computed once from the run's
stored inputs, then read. A run's inputs never change once it is stored (a recompute is
a new run), so an analysis keyed by the run and its input hash never goes stale."""

from __future__ import annotations

from django.db import models


class RunAnalysis(models.Model):
    run = models.ForeignKey("scores.ScoreRun", models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)  # "sensitivity", "levers:<unit>"
    input_hash = models.CharField(max_length=64)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="one_analysis")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.key}"
