"""Resolutions, their pillars and numbered targets, assigned tasks with progress updates,
notices about deadlines, and uploads of targets and tasks.

A target's status is never stored: ``plans/assessing.py`` computes it from approved
values with ``dxscore.plans.assess``. A task's status is derived from its deadline, its
latest progress and whether it was cancelled (``Task.status``).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dxscore import plans, texts
from dxscore.web.data.models import Indicator
from dxscore.web.l10n import validate_translations
from dxscore.web.orgs.models import Unit, code_validator


def _check_period(code: str, field: str) -> None:
    try:
        plans.period_end(code)
    except plans.TargetError:
        raise ValidationError(
            {field: _("Not a period or date: use 2025, 2025Q4, 2025-06 or 2025-06-30.")}
        ) from None


class Resolution(models.Model):
    """A programme document (e.g. Resolution 49-NQ/TU) of a unit, with numbered targets."""

    unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
        help_text=_("The province, city or ministry whose programme this is."),
    )
    code = models.CharField(_("code"), max_length=40, help_text=_("For example 49-NQ/TU."))
    title = models.CharField(_("title"), max_length=300)
    # the text in other languages: {"vi": ..., "ar": ...} (dxscore.texts, docs/languages.md)
    translations = models.JSONField(
        _("translations"), default=dict, blank=True, validators=[validate_translations]
    )
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    issued_on = models.DateField(_("date issued"))
    horizon = models.CharField(
        _("horizon"), max_length=10, help_text=_("The period the programme runs to, e.g. 2025.")
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="resolution_code_per_unit")
        ]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        """The title in the reader's language, else as stored."""
        return texts.translated(self.title, self.translations)

    def clean(self) -> None:
        _check_period(self.horizon, "horizon")

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # Pages that show targets key their caches on the targets' latest change
        # (``Target.updated_at``), and they show the resolution's code with each target.
        self.targets.update(updated_at=timezone.now())


class Pillar(models.Model):
    """A part of a resolution (digital government, digital economy, ...)."""

    resolution = models.ForeignKey(Resolution, models.CASCADE, related_name="pillars")
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    # the text in other languages: {"vi": ..., "ar": ...} (dxscore.texts, docs/languages.md)
    translations = models.JSONField(
        _("translations"), default=dict, blank=True, validators=[validate_translations]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "code"], name="pillar_code_once")
        ]
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language, else as stored."""
        return texts.translated(self.name, self.translations)


class Comparison(models.TextChoices):
    AT_LEAST = ">=", _("at least")
    MORE_THAN = ">", _("more than")
    AT_MOST = "<=", _("at most")
    LESS_THAN = "<", _("less than")
    EQUAL = "==", _("equal to")


class Evidence(models.TextChoices):
    NONE = "", _("none")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned")


def evidence_path(instance, filename: str) -> str:
    safe = "".join(c for c in filename if c.isalnum() or c in "._-")[-80:] or "evidence"
    return f"plans/{uuid.uuid4().hex}-{safe}"


class Target(models.Model):
    """A numbered target: on an indicator of a unit (compared with a value by a deadline)
    or qualitative (met when its evidence is approved)."""

    resolution = models.ForeignKey(Resolution, models.CASCADE, related_name="targets")
    number = models.PositiveSmallIntegerField(_("number"))
    pillar = models.ForeignKey(
        Pillar, models.SET_NULL, null=True, blank=True, related_name="targets"
    )
    title = models.CharField(_("title"), max_length=300)
    # the text in other languages: {"vi": ..., "ar": ...} (dxscore.texts, docs/languages.md)
    translations = models.JSONField(
        _("translations"), default=dict, blank=True, validators=[validate_translations]
    )
    unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        related_name="plan_targets",
        verbose_name=_("unit"),
        help_text=_("The unit whose approved values measure the target and who reports on it."),
    )
    indicator = models.ForeignKey(
        Indicator,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
        help_text=_("Empty for a qualitative target, met when its evidence is approved."),
    )
    comparison = models.CharField(
        _("comparison"), max_length=2, choices=Comparison.choices, blank=True
    )
    value = models.FloatField(_("target value"), null=True, blank=True)
    deadline = models.CharField(
        _("deadline"), max_length=10, help_text=_("A period (2025, 2025Q4, 2025-06) or a date.")
    )
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    baseline_period = models.CharField(_("baseline period"), max_length=10, blank=True)
    # qualitative targets: the evidence and its approval
    evidence_state = models.CharField(
        _("evidence"), max_length=10, choices=Evidence.choices, blank=True, default=""
    )
    evidence_note = models.TextField(_("evidence note"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True)
    evidence_link = models.URLField(_("evidence link"), blank=True, max_length=500)
    evidence_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    evidence_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    evidence_approved_on = models.DateField(null=True, blank=True)
    evidence_return_reason = models.TextField(blank=True)
    # Moves on every save: pages that show targets key their caches on it (with the count,
    # which a deletion moves).
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["resolution", "number"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "number"], name="target_number_once")
        ]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"

    @property
    def label(self) -> str:
        """The title in the reader's language, else as stored."""
        return texts.translated(self.title, self.translations)

    @property
    def qualitative(self) -> bool:
        return self.indicator_id is None

    @property
    def figure(self) -> str:
        """How its values are shown (``dxscore.figures``): a rate's as a percentage."""
        return self.indicator.figure if self.indicator_id else "number"

    def spec(self) -> plans.Target:
        """The target as the status library sees it."""
        if self.qualitative:
            return plans.Target(self.deadline)
        return plans.Target(
            self.deadline,
            self.comparison,
            self.value,
            self.baseline,
            self.baseline_period or None,
        )

    def evidence_approved(self, as_of: str) -> bool:
        """Whether the evidence was approved by the end of ``as_of``."""
        if self.evidence_state != Evidence.APPROVED or self.evidence_approved_on is None:
            return False
        return plans.period_end(self.evidence_approved_on.isoformat()) <= plans.period_end(as_of)

    def clean(self) -> None:
        _check_period(self.deadline, "deadline")
        if self.baseline_period:
            _check_period(self.baseline_period, "baseline_period")
        if self.qualitative:
            if self.comparison or self.value is not None:
                raise ValidationError(
                    {"indicator": _("A target with a comparison and value needs an indicator.")}
                )
            return
        if not self.comparison:
            raise ValidationError({"comparison": _("Choose how the value is compared.")})
        if self.value is None:
            raise ValidationError({"value": _("Give the target value.")})
        if (self.baseline is None) != (not self.baseline_period):
            raise ValidationError(
                {"baseline_period": _("Give the baseline and its period together.")}
            )
        try:
            self.spec().check()
        except plans.TargetError as exc:
            raise ValidationError({"baseline_period": str(exc)}) from None
        if self.pillar_id and self.pillar.resolution_id != self.resolution_id:
            raise ValidationError({"pillar": _("The pillar belongs to another resolution.")})


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    OVERDUE = "overdue", _("overdue")
    CANCELLED = "cancelled", _("cancelled")


class Task(models.Model):
    """Assigned work: who does what, by when, with what expected result."""

    resolution = models.ForeignKey(Resolution, models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    # the text in other languages: {"vi": ..., "ar": ...} (dxscore.texts, docs/languages.md)
    translations = models.JSONField(
        _("translations"), default=dict, blank=True, validators=[validate_translations]
    )
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Unit,
        models.PROTECT,
        related_name="plan_tasks",
        verbose_name=_("owner unit"),
        help_text=_("The unit that does the task and reports its progress."),
    )
    cooperating = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name=_("cooperating units")
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="plan_tasks", verbose_name=_("assignees")
    )
    start = models.DateField(_("start"), null=True, blank=True)
    deadline = models.DateField(_("deadline"))
    expected_result = models.TextField(_("expected result"))
    process_notes = models.TextField(
        _("process notes"), blank=True, help_text=_("How the task is carried out, in steps.")
    )
    targets = models.ManyToManyField(
        Target, blank=True, related_name="tasks", verbose_name=_("linked targets")
    )
    percent = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[cooperating, assignees])

    class Meta:
        ordering = ["deadline", "resolution", "number"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "number"], name="task_number_once")
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"

    @property
    def label(self) -> str:
        """The title in the reader's language, else as stored."""
        return texts.translated(self.title, self.translations)

    def clean(self) -> None:
        if self.start and self.deadline and self.start > self.deadline:
            raise ValidationError({"deadline": _("The deadline is before the start.")})

    def status(self, today: dt.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.cancelled_on is not None:
            return TaskStatus.CANCELLED
        if self.done_on is not None:
            return TaskStatus.DONE
        if today > self.deadline:
            return TaskStatus.OVERDUE
        if self.percent > 0:
            return TaskStatus.IN_PROGRESS
        return TaskStatus.NOT_STARTED

    @property
    def current_status(self) -> str:
        return self.status()

    @property
    def status_label(self) -> str:
        return TaskStatus(self.status()).label

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.deadline


class ProgressUpdate(models.Model):
    """What the owner unit reports: how far, what happened, and the evidence."""

    task = models.ForeignKey(Task, models.CASCADE, related_name="updates")
    reported_on = models.DateField(_("date"))
    percent = models.PositiveSmallIntegerField(
        _("progress (%)"), validators=[MaxValueValidator(100)]
    )
    text = models.TextField(_("what was done"))
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True)
    evidence_link = models.URLField(_("evidence link"), blank=True, max_length=500)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")


class Notice(models.Model):
    """A message in the site (and by e-mail) that a task is due soon or overdue."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("due soon")
        OVERDUE = "overdue", _("overdue")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="plan_notices")
    task = models.ForeignKey(Task, models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    deadline = models.DateField()  # the deadline the notice is about (a new one notifies again)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "task", "kind", "deadline"], name="one_notice_per_deadline"
            )
        ]


class PlanUpload(models.Model):
    """An uploaded targets-and-tasks workbook: previewed first, committed in one go."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("preview")
        REJECTED = "rejected", _("rejected")
        COMMITTED = "committed", _("committed")
        CANCELLED = "cancelled", _("cancelled")

    resolution = models.ForeignKey(Resolution, models.CASCADE, related_name="uploads")
    file = models.FileField(upload_to="plans/imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    state = models.CharField(max_length=12, choices=State, default=State.PREVIEW)
    rows = models.JSONField(default=list)
    problems = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]


class CalendarFeed(models.Model):
    """A person's calendar subscription key: every feed address carries it, so making a
    new key (rotating) ends every address given out before. Addresses also expire
    (``DXSCORE_CALENDAR_FEED_DAYS``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    key = models.CharField(max_length=43)
    rotated_at = models.DateTimeField(auto_now=True)
