from __future__ import annotations

import datetime as dt
import uuid
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dxscore import figures, texts
from dxscore import index as ix
from dxscore.periods import dates as period_dates
from dxscore.periods import kind_of as period_kind
from dxscore.web.l10n import validate_translations
from dxscore.web.orgs.models import Level, Unit


@lru_cache(maxsize=64)
def _compile(text: str, label: str) -> ix.CompiledMethodology:
    return ix.loads(text, source=label)


class Methodology(models.Model):
    """One version of a methodology file. The text is what the engine compiles; the
    digest identifies what it computes."""

    code = models.CharField(_("id"), max_length=80)
    version = models.CharField(_("version"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("methodology file"))
    digest = models.CharField(max_length=64)
    builtin = models.BooleanField(_("built-in"), default=False)
    purpose = models.CharField(
        _("purpose"),
        max_length=80,
        blank=True,
        help_text=_(
            "What it is used for, e.g. 'provincial DTI'. One version is active per purpose."
        ),
    )
    active = models.BooleanField(_("active"), default=False)
    reporting_level = models.ForeignKey(
        Level,
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("reporting level"),
        help_text=_("Units of this level report values and are ranked."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="methodology_version_once"),
            models.UniqueConstraint(
                fields=["purpose"],
                condition=models.Q(active=True),
                name="one_active_methodology_per_purpose",
            ),
        ]
        verbose_name = _("methodology")
        verbose_name_plural = _("methodologies")

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def compiled(self) -> ix.CompiledMethodology:
        """The engine's compiled methodology of this version (cached per text)."""
        return _compile(self.text, f"{self.code} v{self.version}")

    @property
    def heading(self) -> str:
        """The title in the reader's language, from the file (``title`` holds its
        English, for lists and the admin)."""
        try:
            return self.compiled().title or self.title
        except ix.MethodologyError:
            return self.title

    def inputs(self) -> list[str]:
        """Codes of everything entered for this methodology: indicators and denominators."""
        m = self.compiled()
        return [*m.indicators, *m.denominators]


class Indicator(models.Model):
    """A measured quantity, shared by every methodology that uses its code."""

    class Source(models.TextChoices):
        ENTERED = "entered", _("entered")
        IMPORTED = "imported", _("imported")
        DOSSIERS = "dossiers", _("computed from dossiers")
        ASSESSMENTS = "assessments", _("computed from answer sheets")

    code = models.CharField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    # the name in other languages, from the methodology file (dxscore.texts)
    translations = models.JSONField(
        _("translations"), default=dict, blank=True, validators=[validate_translations]
    )
    measure = models.CharField(_("unit of measure"), max_length=80, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source, default=Source.ENTERED)

    # sources whose values the platform computes: nobody enters or imports them
    COMPUTED = (Source.DOSSIERS, Source.ASSESSMENTS)

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language, else as stored, else the code."""
        return texts.translated(self.name, self.translations) or self.code

    @property
    def figure(self) -> str:
        """How its values are shown (``dxscore.figures``), from its unit of measure: a
        rate or share (``rate (0-1)``) as a percentage. Pages that have its methodology
        also read the declared range (``collect.Input.figure``)."""
        return figures.indicator_kind(self.measure)


class Period(models.Model):
    code = models.CharField(_("code"), max_length=10, unique=True)
    start = models.DateField(editable=False)
    end = models.DateField(editable=False)
    deadline = models.DateField(
        _("deadline"), null=True, blank=True, help_text=_("Values submitted later are late.")
    )

    class Meta:
        ordering = ["-start", "code"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        try:
            period_dates(self.code)
        except ValueError:
            raise ValidationError(
                {"code": _("Not a period: use 2024, 2024Q3 or 2024-07.")}
            ) from None

    def save(self, *args, **kwargs) -> None:
        self.start, self.end = period_dates(self.code)
        super().save(*args, **kwargs)

    def previous(self) -> Period | None:
        """The period of the same kind just before this one, if it is stored."""
        same_kind = [
            p
            for p in Period.objects.filter(start__lt=self.start).order_by("-start")
            if period_kind(p.code) == period_kind(self.code)
        ]
        return same_kind[0] if same_kind else None

    def units(self):
        return Unit.objects.valid_between(self.start, self.end)


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned")


EDITABLE = (Status.DRAFT, Status.RETURNED)


class Channel(models.TextChoices):
    """How a value's number came in: kept on the value, so its history says for each
    change whether a person typed it, a file or the API brought it, or the platform
    computed it (the explanation of a run reads it, ``scores/selectors.provenance``).
    Empty on changes recorded before the channel was kept."""

    FORM = "form", _("entered in the form")
    UPLOAD = "upload", _("imported from a file")
    API = "api", _("sent through the API")
    DOSSIERS = "dossiers", _("computed from dossiers")
    ANSWERS = "answers", _("computed from answer sheets")
    LOADED = "loaded", _("loaded from a data table")


def evidence_path(instance: Value, filename: str) -> str:
    safe = "".join(c for c in filename if c.isalnum() or c in "._-")[-80:] or "evidence"
    return f"evidence/{instance.period.code}/{uuid.uuid4().hex}-{safe}"


class Value(models.Model):
    """One number for (unit, indicator, period) with its status and trail."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="values")
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="values")
    period = models.ForeignKey(Period, models.PROTECT, related_name="values")
    value = models.FloatField(_("value"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True)
    evidence_link = models.URLField(_("evidence link"), blank=True, max_length=500)
    return_reason = models.TextField(_("reason for return"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # how the number came in, and the file that brought it (``Channel``)
    channel = models.CharField(max_length=12, choices=Channel, blank=True, default="")
    upload = models.ForeignKey("Upload", models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "indicator", "period"], name="one_value")
        ]
        indexes = [models.Index(fields=["period", "status"])]
        verbose_name = _("value")
        verbose_name_plural = _("values")

    def __str__(self) -> str:
        return f"{self.unit.code} {self.indicator.code} {self.period.code}: {self.value}"

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    def is_late(self) -> bool:
        deadline = self.period.deadline
        if deadline is None or self.submitted_at is None:
            return False
        return timezone.localdate(self.submitted_at) > deadline


class Upload(models.Model):
    """An uploaded values file: parsed into a preview first, committed in one go later."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("preview")
        REJECTED = "rejected", _("rejected")
        COMMITTED = "committed", _("committed")
        CANCELLED = "cancelled", _("cancelled")

    methodology = models.ForeignKey(Methodology, models.PROTECT)
    period = models.ForeignKey(Period, models.PROTECT)
    unit = models.ForeignKey(Unit, models.PROTECT)
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    state = models.CharField(max_length=12, choices=State, default=State.PREVIEW)
    rows = models.JSONField(default=list)
    problems = models.JSONField(default=list)
    unchanged = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]


def today() -> dt.date:
    return timezone.localdate()
