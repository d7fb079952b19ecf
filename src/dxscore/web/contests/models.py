"""Online contests (rounds, a question bank, participants, attempts timed by the server,
answers saved as given, prizes) and the initiatives competition (submissions, evaluators,
evaluations by a rubric that is a methodology). Scores, ranks, participation and flags
are computed by ``dxscore.contests`` from these records; nothing here stores a rank."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dxscore import contests as rules
from dxscore.web.confirm import OneTimeCodeBase
from dxscore.web.orgs.models import Unit

USER = settings.AUTH_USER_MODEL


class Contest(models.Model):
    """A contest run by an organising unit; its organisers manage it."""

    slug = models.SlugField(_("address"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    organiser_unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="+", verbose_name=_("organising unit")
    )
    organisers = models.ManyToManyField(USER, related_name="+", verbose_name=_("organisers"))
    description = models.TextField(_("description"), blank=True)
    rules_text = models.TextField(_("rules"), blank=True)
    public = models.BooleanField(_("open to citizens and businesses"), default=True)
    retention_until = models.DateField(
        _("personal data kept until"),
        help_text=_("After this day the participants' phone numbers and e-mails are purged."),
    )
    purged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")

    def __str__(self) -> str:
        return self.title


class Round(models.Model):
    contest = models.ForeignKey(Contest, models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    time_limit_seconds = models.PositiveIntegerField(
        _("time limit (seconds)"),
        default=600,
        validators=[MinValueValidator(30), MaxValueValidator(7200)],
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts per person"), default=1, validators=[MinValueValidator(1)]
    )
    quotas = models.JSONField(
        _("draw"),
        default=list,
        help_text=_("Questions per category and difficulty: [{count, category, difficulty}]."),
    )
    ask_prediction = models.BooleanField(_("tie-breaker prediction"), default=True)
    results_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contest", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "number"], name="round_number_once"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="round_closes_after"
            ),
        ]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")

    def __str__(self) -> str:
        return f"{self.contest.slug} · {self.number}"

    def quota_rules(self) -> list[rules.Quota]:
        return [
            rules.Quota(int(q["count"]), q.get("category", ""), int(q.get("difficulty", 0)))
            for q in self.quotas
        ]

    @property
    def question_count(self) -> int:
        return sum(q.count for q in self.quota_rules())


class Kind(models.TextChoices):
    SINGLE = "single", _("single choice")
    MULTIPLE = "multiple", _("multiple choice")


class Question(models.Model):
    contest = models.ForeignKey(Contest, models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=40)
    text = models.TextField(_("question"), max_length=2000)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    category = models.CharField(_("category"), max_length=60)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    points = models.PositiveSmallIntegerField(_("points"), default=1)
    explanation = models.TextField(_("explanation"), blank=True, max_length=2000)
    active = models.BooleanField(_("in the draw"), default=True)

    class Meta:
        ordering = ["contest", "code"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "code"], name="question_code_once")
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"


class Option(models.Model):
    question = models.ForeignKey(Question, models.CASCADE, related_name="options")
    number = models.PositiveSmallIntegerField()
    text = models.CharField(_("option"), max_length=500)
    correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="option_number_once")
        ]


class Participant(models.Model):
    """A person taking part: an official signed in (``user``), or a citizen or business
    identified by a confirmed phone number or e-mail (``identity``), and their unit. Only
    what the contest needs is kept, and the identity only until the contest's retention
    date (``purge``)."""

    class Type(models.TextChoices):
        OFFICIAL = "official", _("official")
        CITIZEN = "citizen", _("citizen")
        BUSINESS = "business", _("business")

    contest = models.ForeignKey(Contest, models.CASCADE, related_name="participants")
    type = models.CharField(_("taking part as"), max_length=10, choices=Type.choices)
    user = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True, related_name="+")
    identity = models.CharField(max_length=120, blank=True)  # e-mail or phone, normalised
    name = models.CharField(_("full name"), max_length=120)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    business = models.CharField(_("business name"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField()
    purged = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "identity"],
                condition=~models.Q(identity=""),
                name="participant_identity_once",
            ),
            models.UniqueConstraint(
                fields=["contest", "user"],
                condition=models.Q(user__isnull=False),
                name="participant_user_once",
            ),
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.name


class OneTimeCode(OneTimeCodeBase):
    """A code sent to a phone or an e-mail address to confirm it (``web/confirm.py``)."""

    contest = models.ForeignKey(Contest, models.CASCADE, related_name="+")
    identity = models.CharField(max_length=120)
    details = models.JSONField(default=dict)  # name, unit, type, business until confirmed

    class Meta:
        indexes = [models.Index(fields=["contest", "identity"])]


class Attempt(models.Model):
    """One attempt at a round: the questions drawn and the order of their options, the
    server's time it was served, its deadline (``dxscore.contests.deadline``), and, once
    submitted (or finalised after its time), the score."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, models.CASCADE, related_name="attempts")
    participant = models.ForeignKey(Participant, models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(default=1)
    questions = models.JSONField(default=list)  # [question id, ...] in the order shown
    orders = models.JSONField(default=dict)  # {question id: [option id, ...]}
    served_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveIntegerField(null=True, blank=True)
    maximum = models.PositiveIntegerField(default=0)
    correct_count = models.PositiveSmallIntegerField(null=True, blank=True)
    prediction = models.PositiveIntegerField(null=True, blank=True)
    tab_switches = models.PositiveIntegerField(default=0)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["round", "participant", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "participant", "number"], name="attempt_number_once"
            )
        ]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    @property
    def finished(self) -> bool:
        return self.submitted_at is not None

    @property
    def seconds(self) -> float:
        end = self.submitted_at or self.deadline
        return max(0.0, (end - self.served_at).total_seconds())


class Answer(models.Model):
    """An answer as given (the latest choice of a question before the deadline)."""

    attempt = models.ForeignKey(Attempt, models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, models.CASCADE, related_name="+")
    chosen = models.JSONField(default=list)
    answered_at = models.DateTimeField()
    correct = models.BooleanField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="answer_once")]


class Prize(models.Model):
    """A prize for the places ``first``-``last`` of a round, or of the contest overall
    (no round)."""

    contest = models.ForeignKey(Contest, models.CASCADE, related_name="prizes")
    round = models.ForeignKey(Round, models.CASCADE, null=True, blank=True, related_name="prizes")
    title = models.CharField(_("prize"), max_length=120)
    first = models.PositiveIntegerField(_("from place"), validators=[MinValueValidator(1)])
    last = models.PositiveIntegerField(_("to place"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["contest", "round", "first"]


class UnitSize(models.Model):
    """Staff of an agency or population of a commune, to give participation as a rate."""

    contest = models.ForeignKey(Contest, models.CASCADE, related_name="sizes")
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    size = models.PositiveIntegerField(_("staff or population"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contest", "unit"], name="size_once")]


class QuestionUpload(models.Model):
    """An uploaded workbook of questions: previewed, then committed all or nothing."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("preview")
        REJECTED = "rejected", _("rejected")
        COMMITTED = "committed", _("committed")
        CANCELLED = "cancelled", _("cancelled")

    contest = models.ForeignKey(Contest, models.CASCADE, related_name="uploads")
    file = models.FileField(upload_to="contests/imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    state = models.CharField(max_length=12, choices=State, default=State.PREVIEW)
    rows = models.JSONField(default=list)
    problems = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)


# --- initiatives --------------------------------------------------------------------------


class InitiativeRound(models.Model):
    """A competition of administrative-reform initiatives, scored by a rubric: a
    methodology whose criteria carry maximum points."""

    title = models.CharField(_("title"), max_length=300)
    organiser_unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="+", verbose_name=_("organising unit")
    )
    organisers = models.ManyToManyField(USER, related_name="+", verbose_name=_("organisers"))
    rubric = models.ForeignKey(
        "data.Methodology", models.PROTECT, related_name="+", verbose_name=_("rubric")
    )
    period = models.CharField(_("period"), max_length=10, help_text=_("For example 2025."))
    blind = models.BooleanField(_("blind review"), default=False)
    aggregation = models.CharField(
        _("aggregation across evaluators"),
        max_length=14,
        choices=[("mean", _("mean")), ("trimmed_mean", _("mean without highest and lowest"))],
        default="mean",
    )
    closes_on = models.DateField(_("submissions close on"))
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-closes_on"]
        verbose_name = _("initiatives competition")
        verbose_name_plural = _("initiatives competitions")

    def __str__(self) -> str:
        return self.title


def initiative_file_path(instance, filename: str) -> str:
    safe = "".join(c for c in filename if c.isalnum() or c in "._-")[-80:] or "file"
    return f"contests/initiatives/{uuid.uuid4().hex}-{safe}"


class Initiative(models.Model):
    round = models.ForeignKey(InitiativeRound, models.CASCADE, related_name="initiatives")
    code = models.CharField(max_length=20)
    title = models.CharField(_("title"), max_length=300)
    problem = models.TextField(_("problem"), max_length=6000)
    solution = models.TextField(_("solution"), max_length=6000)
    effect = models.TextField(_("expected effect"), max_length=6000)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    submitted_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    adopted = models.BooleanField(_("adopted"), default=False)
    task = models.ForeignKey("plans.Task", models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["round", "code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="initiative_code_once")
        ]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"


class InitiativeFile(models.Model):
    initiative = models.ForeignKey(Initiative, models.CASCADE, related_name="files")
    file = models.FileField(upload_to=initiative_file_path)
    name = models.CharField(max_length=200)


class Assignment(models.Model):
    """An evaluator asked to score an initiative, and their scores by criterion."""

    initiative = models.ForeignKey(Initiative, models.CASCADE, related_name="assignments")
    evaluator = models.ForeignKey(USER, models.PROTECT, related_name="+")
    scores = models.JSONField(default=dict)  # {criterion code: points}
    comment = models.TextField(blank=True, max_length=4000)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["initiative", "evaluator"], name="evaluator_once")
        ]
