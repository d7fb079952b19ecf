"""Marks of synthetic content: a workspace built by ``dxscore demo``, a score run of demo
values (with the units whose figures are published facts), a resolution of the demo.
Pages ask ``notices.py``; the demo builder (``dxscore.demo``) writes the marks, the web
apps never import it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoMark(models.Model):
    class Kind(models.TextChoices):
        WORKSPACE = "workspace", _("workspace")
        RUN = "run", _("score run")
        RESOLUTION = "resolution", _("resolution")

    kind = models.CharField(max_length=12, choices=Kind)
    run = models.ForeignKey(
        "scores.ScoreRun", models.CASCADE, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=40, blank=True)  # a resolution's code
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "resolution"])]
        constraints = [
            models.UniqueConstraint(
                fields=["run"], condition=models.Q(kind="run"), name="one_mark_per_run"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.run_id or self.resolution}".strip()
