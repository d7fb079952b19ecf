from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dxscore.web.orgs.models import Unit


class Job(models.Model):
    """Work for the background worker (``dxscore worker``): importing an uploaded dossier
    file into the store, or computing the measures from the store. Web requests only
    queue jobs; the worker runs them and writes its progress here."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("import dossier file")
        MEASURES = "measures", _("compute measures")

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    file = models.FileField(upload_to="dossiers/%Y/%m/", blank=True)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    profile = models.CharField(_("profile"), max_length=80, blank=True)
    strict = models.BooleanField(_("strict"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.CharField(_("progress"), max_length=300, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    summary = models.JSONField(default=dict)
    problems = models.JSONField(default=list)  # [where, message]
    rejects = models.FileField(upload_to="dossiers/rejects/", blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "created_at"])]
        verbose_name = _("dossier job")
        verbose_name_plural = _("dossier jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_state_display()})"

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class DossierMeasure(models.Model):
    """One measure of ``dxscore.dossiers`` for a unit (its subtree rolled up) and a period
    (``2024-07``, ``2024Q3``, ``2024``), as the latest measures job computed it."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    grain = models.CharField(max_length=8)
    measure = models.CharField(max_length=40)
    value = models.FloatField(null=True)
    job = models.ForeignKey(Job, models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period", "measure"], name="one_measure")
        ]
        indexes = [models.Index(fields=["grain", "measure"])]
