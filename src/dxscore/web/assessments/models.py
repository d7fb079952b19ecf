"""Questionnaires (versions of a file), respondents, answer sheets, e-mail codes and the
figures computed from submitted sheets (``docs/assessments.md``)."""

from __future__ import annotations

from functools import lru_cache

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dxscore import assessments as qa
from dxscore.web.confirm import OneTimeCodeBase
from dxscore.web.data.models import Period
from dxscore.web.orgs.models import Unit


@lru_cache(maxsize=32)
def _compile(text: str, label: str) -> qa.Questionnaire:
    return qa.loads(text, source=label)


class Kind(models.TextChoices):
    BUSINESS = "business", _("business")
    CITIZEN = "citizen", _("citizen")


class Sector(models.TextChoices):
    AGRICULTURE = "agriculture", _("agriculture, forestry and fishing")
    MANUFACTURING = "manufacturing", _("manufacturing")
    CONSTRUCTION = "construction", _("construction and real estate")
    TRADE = "trade", _("wholesale and retail trade")
    TRANSPORT = "transport", _("transport and logistics")
    TOURISM = "tourism", _("accommodation, food and tourism")
    ICT = "ict", _("information and communications")
    FINANCE = "finance", _("finance and insurance")
    OTHER = "other", _("other services")


class Size(models.TextChoices):
    """Enterprise sizes as Decree 80/2021/NĐ-CP defines them."""

    MICRO = "micro", _("micro")
    SMALL = "small", _("small")
    MEDIUM = "medium", _("medium")
    LARGE = "large", _("large")


class Questionnaire(models.Model):
    """One version of a questionnaire file; ``period`` is the period respondents answer
    for now (none: closed)."""

    code = models.CharField(_("id"), max_length=60)
    version = models.CharField(_("version"), max_length=40)
    kind = models.CharField(_("respondents"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("questionnaire file"))
    digest = models.CharField(max_length=64)
    builtin = models.BooleanField(_("built-in"), default=False)
    active = models.BooleanField(_("open"), default=False)
    period = models.ForeignKey(
        Period,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("period answered now"),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_version_once"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(active=True), name="one_open_questionnaire_version"
            ),
        ]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def compiled(self) -> qa.Questionnaire:
        return _compile(self.text, f"{self.code} v{self.version}")


class Respondent(models.Model):
    """A business (by its tax code) or a citizen. No account: a person proves an e-mail
    address with a one-time code (``Confirmation``) and the session holds the proof."""

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    tax_code = models.CharField(_("tax code"), max_length=14, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, blank=True)
    commune = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")

    def __str__(self) -> str:
        return self.tax_code or f"#{self.pk}"


class SheetState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")


class Sheet(models.Model):
    """One respondent's answers to one questionnaire for one period: editable until
    submitted. ``commune`` is where its figures count (the business's commune, the
    dossier's unit); ``sector`` and ``size`` are the business's when it submitted."""

    questionnaire = models.ForeignKey(Questionnaire, models.PROTECT, related_name="sheets")
    series = models.CharField(max_length=60, db_index=True)  # the questionnaire's code
    period = models.ForeignKey(Period, models.PROTECT, related_name="+")
    respondent = models.ForeignKey(
        Respondent, models.PROTECT, null=True, blank=True, related_name="sheets"
    )
    dossier_code = models.CharField(_("dossier code"), max_length=80, blank=True)
    dossier_unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="+")
    procedure = models.CharField(_("procedure"), max_length=80, blank=True)
    commune = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    sector = models.CharField(max_length=20, blank=True)
    size = models.CharField(max_length=10, blank=True)
    answers = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=SheetState.choices, default=SheetState.DRAFT)
    score = models.FloatField(null=True, blank=True)
    level = models.CharField(max_length=60, blank=True)
    pillars = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["series", "period", "respondent"],
                condition=Q(respondent__isnull=False),
                name="one_sheet_per_respondent_and_period",
            ),
            models.UniqueConstraint(
                fields=["series", "dossier_unit", "dossier_code"],
                condition=~Q(dossier_code=""),
                name="one_rating_per_dossier",
            ),
        ]
        indexes = [models.Index(fields=["series", "period", "state"])]
        verbose_name = _("answer sheet")
        verbose_name_plural = _("answer sheets")

    def __str__(self) -> str:
        return f"{self.series} {self.period.code} #{self.pk}"

    @property
    def editable(self) -> bool:
        return self.state == SheetState.DRAFT


class Confirmation(OneTimeCodeBase):
    """A one-time code sent to an e-mail address (``web/confirm.py``), with what it
    confirms."""

    email = models.EmailField()
    payload = models.JSONField(default=dict)


class FigureState(models.Model):
    """Whether the figures of a questionnaire and period need computing again."""

    series = models.CharField(max_length=60)
    period = models.ForeignKey(Period, models.CASCADE, related_name="+")
    stale = models.BooleanField(default=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    sheets = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "period"], name="one_figure_state")
        ]


class Figure(models.Model):
    """One figure: a measure of the submitted sheets of a period in a unit (all, or one
    sector or size there), with the count of sheets behind it. Suppressed: too few."""

    series = models.CharField(max_length=60)
    period = models.ForeignKey(Period, models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=10)  # all, sector, size
    group = models.CharField(max_length=20, blank=True)
    measure = models.CharField(max_length=80)
    value = models.FloatField(null=True, blank=True)
    count = models.PositiveIntegerField()
    suppressed = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["series", "period", "dimension"])]
