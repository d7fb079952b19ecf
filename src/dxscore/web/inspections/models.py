"""Inspection plans, inspections (decision, team, subject units, time limit, stage
documents), findings, conclusions, recommendations and their follow-up (implementation
reports with evidence, extension requests), reminders, reads of confidential documents,
and uploads of planned inspections.

Nothing here stores a status: an inspection's stages come from its documents' dates
and a recommendation's status from its approved reports and extensions, both computed
by ``dxscore.inspections`` (``Inspection.case``, ``Recommendation.rule``).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dxscore import inspections as rules
from dxscore.web.orgs.models import Unit
from dxscore.web.plans.models import Evidence

USER = settings.AUTH_USER_MODEL


def file_path(instance, filename: str) -> str:
    safe = "".join(c for c in filename if c.isalnum() or c in "._-")[-80:] or "file"
    return f"inspections/{uuid.uuid4().hex}-{safe}"


class Inspector(models.Model):
    """A person of an inspecting body: an inspector, or one of its leaders (who see and
    direct every inspection of the body)."""

    user = models.ForeignKey(USER, models.CASCADE, related_name="inspector_roles")
    body = models.ForeignKey(
        Unit, models.PROTECT, related_name="+", verbose_name=_("inspecting body")
    )
    leader = models.BooleanField(_("leader"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "body"], name="inspector_once")]
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")

    def __str__(self) -> str:
        return f"{self.user.get_username()} @ {self.body.code}"


class PlanState(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")
    AMENDED = "amended", _("amended")


class InspectionPlan(models.Model):
    """An inspecting body's annual plan: a draft, then approved, then perhaps amended
    (every change is kept in its history)."""

    body = models.ForeignKey(
        Unit, models.PROTECT, related_name="+", verbose_name=_("inspecting body")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=300)
    state = models.CharField(
        _("state"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True, related_name="+")
    amendment_note = models.TextField(_("amendment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "body__code"]
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="one_plan_a_year")]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")

    def __str__(self) -> str:
        return f"{self.year} · {self.title}"

    @property
    def editable(self) -> bool:
        return self.state != PlanState.APPROVED


class PlannedInspection(models.Model):
    plan = models.ForeignKey(InspectionPlan, models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("number"))
    topic = models.CharField(_("topic"), max_length=300)
    subjects = models.ManyToManyField(Unit, related_name="+", verbose_name=_("subject units"))
    period_inspected = models.CharField(
        _("period inspected"), max_length=40, help_text=_("For example 2023-2024.")
    )
    quarter = models.PositiveSmallIntegerField(
        _("planned quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    history = HistoricalRecords(m2m_fields=[subjects])

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planned_number_once")
        ]
        verbose_name = _("planned inspection")
        verbose_name_plural = _("planned inspections")

    def __str__(self) -> str:
        return f"{self.number}. {self.topic}"

    @property
    def period(self) -> str:
        return f"{self.plan.year}Q{self.quarter}"


STAGE_FIELDS = {
    "announcement": "announced_on",
    "onsite": "onsite_ended_on",
    "report": "reported_on",
    "draft": "drafted_on",
    "conclusion": "concluded_on",
    "publication": "published_on",
}


class Inspection(models.Model):
    """An inspection opened by a decision; each later stage is done on the date of its
    document."""

    body = models.ForeignKey(
        Unit, models.PROTECT, related_name="+", verbose_name=_("inspecting body")
    )
    planned = models.ForeignKey(
        PlannedInspection,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("planned inspection"),
    )
    follow_up_of = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of"),
    )
    topic = models.CharField(_("topic"), max_length=300)
    scope = models.TextField(_("scope"), help_text=_("What is inspected, over which period."))
    subjects = models.ManyToManyField(Unit, related_name="+", verbose_name=_("subject units"))
    decision_number = models.CharField(_("decision number"), max_length=60)
    decided_on = models.DateField(_("decision date"))
    signer = models.CharField(_("signed by"), max_length=200)
    decision_file = models.FileField(_("decision file"), upload_to=file_path, blank=True)
    time_limit_days = models.PositiveSmallIntegerField(
        _("time limit (days)"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    extension_days = models.PositiveSmallIntegerField(
        _("extension (days)"), default=0, validators=[MaxValueValidator(365)]
    )
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    onsite_ended_on = models.DateField(_("on-site work ended on"), null=True, blank=True)
    reported_on = models.DateField(_("team report on"), null=True, blank=True)
    drafted_on = models.DateField(_("draft conclusion on"), null=True, blank=True)
    concluded_on = models.DateField(_("conclusion issued on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    conclusion_number = models.CharField(_("conclusion number"), max_length=60, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    created_by = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[subjects], excluded_fields=["decision_file"])

    class Meta:
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "decision_number"], name="decision_number_per_body"
            )
        ]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.decision_number} · {self.topic}"

    def case(self) -> rules.Case:
        return rules.Case(
            decided_on=self.decided_on,
            time_limit_days=self.time_limit_days,
            extension_days=self.extension_days,
            announced_on=self.announced_on,
            onsite_ended_on=self.onsite_ended_on,
            reported_on=self.reported_on,
            drafted_on=self.drafted_on,
            concluded_on=self.concluded_on,
            published_on=self.published_on,
        )

    def progress(self, today: dt.date) -> rules.CaseState:
        return rules.progress(self.case(), today)

    def clean(self) -> None:
        fields = {"decision": "decided_on", **STAGE_FIELDS}
        problems = self.case().problems() if self.decided_on and self.time_limit_days else []
        errors: dict[str, list[str]] = {}
        for where, _message in problems:
            field = fields.get(where, where)
            errors.setdefault(field, []).append(
                _("This date is missing or before the stage it follows.")
                if field in fields.values()
                else _("Out of range.")
            )
        if errors:
            raise ValidationError(errors)

    @property
    def issued(self) -> bool:
        return self.concluded_on is not None

    @property
    def public(self) -> bool:
        return self.published_on is not None


class TeamMember(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("team lead")
        MEMBER = "member", _("member")

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="team")
    user = models.ForeignKey(USER, models.PROTECT, related_name="inspection_teams")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    conflict = models.TextField(
        _("declared conflict of interest"),
        blank=True,
        help_text=_("Empty: the member declared no conflict of interest."),
    )
    declared_on = models.DateField(_("declared on"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "user"], name="team_member_once")
        ]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")


class FindingKind(models.TextChoices):
    FINANCIAL = "financial", _("financial violation")
    PROCEDURE = "procedure", _("breach of procedure")
    MANAGEMENT = "management", _("weakness in management")
    OTHER = "other", _("other")


class Finding(models.Model):
    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="findings")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=12, choices=FindingKind.choices)
    description = models.TextField(_("description"))
    amount = models.PositiveBigIntegerField(
        _("amount (đồng)"), null=True, blank=True, help_text=_("Where money is involved.")
    )
    responsible_unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    responsible_person = models.CharField(_("responsible person"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "number"], name="finding_number_once")
        ]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return f"{self.number}. {self.get_kind_display()}"


class RecommendationKind(models.TextChoices):
    FINANCIAL = "financial", _("financial recovery")
    ADMINISTRATIVE = "administrative", _("administrative or disciplinary handling")
    RULES = "rules", _("change of rules")
    OTHER = "other", _("other")


class RecommendationStatus(models.TextChoices):
    """Computed by ``dxscore.inspections.assess``; the labels only."""

    IMPLEMENTED = "implemented", _("implemented")
    PARTLY = "partly_implemented", _("partly implemented")
    IN_PROGRESS = "in_progress", _("in progress")
    OVERDUE = "overdue", _("overdue")
    NOT_IMPLEMENTED = "not_implemented", _("not implemented")


class Recommendation(models.Model):
    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField(_("number"))
    finding = models.ForeignKey(
        Finding,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("finding"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RecommendationKind.choices)
    text = models.TextField(_("recommendation"))
    addressee_unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="inspection_recommendations", verbose_name=_("addressee")
    )
    addressee_person = models.ForeignKey(
        USER,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspection_recommendations",
        verbose_name=_("addressee person"),
    )
    amount = models.PositiveBigIntegerField(_("amount to recover (đồng)"), null=True, blank=True)
    deadline = models.DateField(_("deadline"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "number"], name="recommendation_number_once"
            )
        ]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return f"{self.inspection.decision_number} · {self.number}"

    def clean(self) -> None:
        problems = rules.Recommendation(
            self.kind or "other", self.deadline or dt.date.min, self.amount
        ).problems()
        for where, _message in problems:
            if where == "amount":
                raise ValidationError(
                    {
                        "amount": _("A financial recovery needs an amount.")
                        if self.kind == RecommendationKind.FINANCIAL
                        else _("Only a financial recovery has an amount.")
                    }
                )

    def rule(self) -> rules.Recommendation:
        """The recommendation as the status rules see it (its reports and extensions
        should be prefetched for lists)."""
        return rules.Recommendation(
            self.kind,
            self.deadline,
            self.amount,
            tuple(
                rules.Report(r.reported_on, r.state or "submitted", r.recovered or 0, r.complete)
                for r in self.reports.all()
            ),
            tuple(
                rules.Extension(
                    e.new_deadline, e.state == ExtensionRequest.State.APPROVED, e.decided_on
                )
                for e in self.extensions.all()
                if e.state != ExtensionRequest.State.SUBMITTED
            ),
        )

    def state(self, today: dt.date) -> rules.RecommendationState:
        return rules.assess(self.rule(), today)


class ImplementationReport(models.Model):
    """What the addressee did, with evidence; counted once the inspectorate approves it
    (never by the person who reported it), as targets' evidence is."""

    recommendation = models.ForeignKey(Recommendation, models.CASCADE, related_name="reports")
    reported_on = models.DateField(_("date"))
    text = models.TextField(_("what was done"))
    recovered = models.PositiveBigIntegerField(_("amount recovered (đồng)"), default=0)
    complete = models.BooleanField(_("the recommendation is fully carried out"), default=False)
    evidence_file = models.FileField(_("evidence file"), upload_to=file_path, blank=True)
    evidence_link = models.URLField(_("evidence link"), blank=True, max_length=500)
    state = models.CharField(
        _("review"), max_length=10, choices=Evidence.choices, default=Evidence.SUBMITTED
    )
    reported_by = models.ForeignKey(USER, models.SET_NULL, null=True, related_name="+")
    reviewed_by = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_on = models.DateField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["evidence_file"])

    class Meta:
        ordering = ["reported_on", "pk"]
        verbose_name = _("implementation report")
        verbose_name_plural = _("implementation reports")


class ExtensionRequest(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    recommendation = models.ForeignKey(Recommendation, models.CASCADE, related_name="extensions")
    new_deadline = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    requested_by = models.ForeignKey(USER, models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True, related_name="+")
    decided_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")


class AccessLog(models.Model):
    """A read of a confidential document: who, what, when (kept, never edited)."""

    user = models.ForeignKey(USER, models.SET_NULL, null=True, related_name="+")
    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="reads")
    what = models.CharField(max_length=60)  # "inspection", "decision file", "evidence 12"...
    via = models.CharField(max_length=10, default="page")  # page, file, api, export
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["inspection", "at"])]
        verbose_name = _("read of a confidential document")
        verbose_name_plural = _("reads of confidential documents")


class Reminder(models.Model):
    """A reminder to an addressee that a recommendation is due soon or overdue: once per
    person, recommendation, kind and (effective) deadline."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("due soon")
        OVERDUE = "overdue", _("overdue")

    user = models.ForeignKey(USER, models.CASCADE, related_name="inspection_reminders")
    recommendation = models.ForeignKey(Recommendation, models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    deadline = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "recommendation", "kind", "deadline"], name="one_reminder"
            )
        ]


class PlanUpload(models.Model):
    """An uploaded workbook of a plan's planned inspections: previewed, then committed."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("preview")
        REJECTED = "rejected", _("rejected")
        COMMITTED = "committed", _("committed")
        CANCELLED = "cancelled", _("cancelled")

    plan = models.ForeignKey(InspectionPlan, models.CASCADE, related_name="uploads")
    file = models.FileField(upload_to="inspections/imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    state = models.CharField(max_length=12, choices=State, default=State.PREVIEW)
    rows = models.JSONField(default=list)
    problems = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
