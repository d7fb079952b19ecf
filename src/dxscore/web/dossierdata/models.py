from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dxscore import texts
from dxscore.dossiers import measures as dossier_measures
from dxscore.web.l10n import validate_translations
from dxscore.web.orgs.models import Unit


class Job(models.Model):
    """Work for the background worker (``dxscore worker``): importing an uploaded dossier
    file into the store, or computing the measures from the store. Web requests only
    queue jobs; the worker runs them and writes its progress here.

    A worker holds a running job under a lease (``lease_until``, renewed while it works).
    A job whose lease ran out was left by a worker that stopped (killed, out of memory,
    its database gone): another worker takes it again, up to
    ``DXSCORE_JOB_MAX_ATTEMPTS`` attempts in all, then it is failed with a message that
    says so. ``attempts`` also fences a worker that lost its lease: it writes nothing."""

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
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=120, blank=True)  # host:pid

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
    kind = models.CharField(max_length=8)  # of the period: month, quarter or year
    measure = models.CharField(max_length=40)
    value = models.FloatField(null=True)
    job = models.ForeignKey(Job, models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period", "measure"], name="one_measure")
        ]
        indexes = [models.Index(fields=["kind", "measure"])]


class Procedure(models.Model):
    """A procedure code and its name, from the procedure catalogue the measures job last
    read (codes without a catalogue entry are stored with an empty name)."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=500, blank=True)
    # the name in other languages, from the catalogue's name_<lang> columns (dxscore.texts)
    translations = models.JSONField(
        _("translations"), default=dict, blank=True, validators=[validate_translations]
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        return f"{self.code} {self.label}".strip()

    @property
    def label(self) -> str:
        """The name in the reader's language, else as the catalogue gives it."""
        return texts.translated(self.name, self.translations)


class ProcedureMeasure(models.Model):
    """The measures of ``dxscore.dossiers`` for one procedure at a unit (its subtree
    rolled up) and a period, as the latest measures job computed them: one row per
    procedure the unit received dossiers of, left out for periods in which the procedure
    had nothing (none received, finished or open). Rates are empty when their
    denominator is zero, as in the library."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    procedure = models.CharField(max_length=64)
    period = models.CharField(max_length=10)
    kind = models.CharField(max_length=8)  # of the period: month, quarter or year
    received = models.PositiveIntegerField()
    received_online = models.PositiveIntegerField()
    finished = models.PositiveIntegerField()
    finished_on_time = models.PositiveIntegerField()
    open_at_end = models.PositiveIntegerField()
    open_overdue = models.PositiveIntegerField()
    online_share = models.FloatField(null=True)
    full_online_share = models.FloatField(null=True)
    on_time_rate = models.FloatField(null=True)
    timeliness_rate = models.FloatField(null=True)
    avg_processing_days = models.FloatField(null=True)
    median_processing_days = models.FloatField(null=True)
    paid_online_share = models.FloatField(null=True)
    electronic_result_share = models.FloatField(null=True)
    digitised_share = models.FloatField(null=True)
    reuse_share = models.FloatField(null=True)
    satisfaction = models.FloatField(null=True)
    job = models.ForeignKey(Job, models.SET_NULL, null=True, related_name="+")

    # the library's counts, and every other measure it computes but timeliness_points
    # (20 x timeliness_rate); a test checks the fields above are exactly these
    COUNTS = dossier_measures.COUNTS
    RATES = tuple(
        m
        for m in dossier_measures.MEASURES
        if m not in dossier_measures.COUNTS and m != "timeliness_points"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "procedure", "period"], name="one_procedure_measure"
            )
        ]
        indexes = [models.Index(fields=["unit", "kind", "period"])]

    @staticmethod
    def late_of(counts) -> int:
        """Dossiers counted against timeliness: finished late, or open and overdue (of a
        row or of a dict of its counts)."""
        get = counts.get if isinstance(counts, dict) else counts.__getattribute__
        return get("finished") - get("finished_on_time") + get("open_overdue")

    @property
    def late(self) -> int:
        return self.late_of(self)


class DossierQuality(models.Model):
    """Data quality of a unit (its subtree rolled up) and period, as the latest measures
    job computed it (``dxscore.dossiers.quality``): the records received then (withdrawn
    ones left out), how many carry a warning, and how many carry each (``warnings``, by
    code); withdrawn records and records received on the period's first or last day are
    counted for reconciling with the portal's figures."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    kind = models.CharField(max_length=8)
    records = models.PositiveIntegerField()
    with_warnings = models.PositiveIntegerField()
    warnings = models.JSONField(default=dict)  # {code: records}
    withdrawn = models.PositiveIntegerField(default=0)
    at_period_edges = models.PositiveIntegerField(default=0)
    job = models.ForeignKey(Job, models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="one_quality_per_period")
        ]
        indexes = [models.Index(fields=["unit", "kind", "period"])]

    @property
    def share(self) -> float | None:
        return self.with_warnings / self.records if self.records else None

    def shares(self) -> list[tuple[str, int, float | None]]:
        """(code, records, share of the period's records) of each warning it has."""
        return [
            (code, n, n / self.records if self.records else None)
            for code, n in sorted(self.warnings.items())
            if n
        ]


class PortalCount(models.Model):
    """A figure the National Public Service Portal (or another official system) published
    for a unit and period, entered or imported by staff to reconcile dxscore's own
    measure of the same name with it."""

    class Measure(models.TextChoices):
        RECEIVED = "received", _("received")
        RECEIVED_ONLINE = "received_online", _("received online")
        FINISHED = "finished", _("finished")
        FINISHED_ON_TIME = "finished_on_time", _("finished on time")
        OPEN_AT_END = "open_at_end", _("open at the end of the period")
        OPEN_OVERDUE = "open_overdue", _("open and overdue")

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=10)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure)
    value = models.PositiveIntegerField(_("published value"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period", "measure"], name="one_portal_count")
        ]
        ordering = ["unit__code", "period", "measure"]
        verbose_name = _("published count")
        verbose_name_plural = _("published counts")
