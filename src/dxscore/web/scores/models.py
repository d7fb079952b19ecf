"""A score run keeps everything needed to recompute and explain it: the methodology
version (text and digest), the exact input values (with the value and history row
each came from), and every node's score and rank. A published run never changes."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from dxscore.web.data.models import Methodology, Period, Value
from dxscore.web.orgs.models import Unit


class Immutable(PermissionDenied):
    pass


# what a withdrawal writes on a published run: the only change a published run accepts
WITHDRAWAL_FIELDS = frozenset({"withdrawn_at", "withdrawn_by", "withdrawal_reason"})


def in_force_q(prefix: str = "") -> models.Q:
    """Published and not withdrawn, as a filter through a relation (``prefix`` such as
    ``"run__"``): the one rule of which runs public pages show."""
    return models.Q(
        **{f"{prefix}published_at__isnull": False, f"{prefix}withdrawn_at__isnull": True}
    )


class RunQuerySet(models.QuerySet):
    def in_force(self) -> RunQuerySet:
        """Published runs that were not withdrawn: the runs public pages show."""
        return self.filter(in_force_q())


class ScoreRun(models.Model):
    methodology = models.ForeignKey(Methodology, models.PROTECT, related_name="runs")
    period = models.ForeignKey(Period, models.PROTECT, related_name="runs")
    number = models.PositiveIntegerField(_("run"))
    input_hash = models.CharField(_("input hash"), max_length=64)
    methodology_digest = models.CharField(_("methodology digest"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("computed by")
    )
    created_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    previous = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="+")
    unit_table = models.JSONField(default=list)  # unit, name and groups as computed
    # The unit whose subtree the run ranks (the scope it was computed in), None for the
    # whole workspace. Public pages show a methodology's whole-workspace ranking by
    # default; a ranking within one province is never taken for the national one.
    coverage = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ranking within"),
    )
    # The map the run ranks on: empty, each value on its own unit (the map of its
    # period); a day, the values carried onto the units in force that day by the
    # methodology's carry rules (``scores.maps``). ``carry_map`` records what carrying
    # needed of the map, so the run recomputes the same after the map changes.
    as_of = models.DateField(_("map of"), null=True, blank=True)
    carry_map = models.JSONField(default=dict, blank=True)
    # The units the run was asked to rank (ids, on its period's map): the methodology's
    # reporting units in the scope it was computed in, or the units chosen (an emulation
    # ranking). Publishing compares them with the units the run has values of
    # (``selectors.coverage``); empty for runs computed before it was recorded.
    to_rank = models.JSONField(default=list, blank=True)
    # A published run that was wrong is withdrawn, never deleted or changed: public pages
    # stop showing it and its own page says who withdrew it, when and why.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.TextField(_("reason for withdrawing"), blank=True, default="")

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["methodology", "period", "number"], name="run_number")
        ]
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")

    def __str__(self) -> str:
        return f"{self.methodology} {self.period.code} #{self.number}"

    @property
    def published(self) -> bool:
        return self.published_at is not None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def in_force(self) -> bool:
        """Published and not withdrawn: public pages show it."""
        return self.published and not self.withdrawn

    def save(self, *args, **kwargs) -> None:
        """A published run never changes, but for its withdrawal (once: the fields of
        ``WITHDRAWAL_FIELDS``, saved with ``update_fields``)."""
        stored = (
            ScoreRun.objects.filter(pk=self.pk).values("published_at", "withdrawn_at").first()
            if self.pk
            else None
        )
        if stored and stored["published_at"] is not None:
            fields = kwargs.get("update_fields")
            withdrawing = (
                fields is not None
                and set(fields) <= WITHDRAWAL_FIELDS
                and stored["withdrawn_at"] is None
            )
            if not withdrawing:
                raise Immutable(_("A published score run cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.published:
            raise Immutable(_("A published score run cannot be deleted."))
        return super().delete(*args, **kwargs)


class _RunPart(models.Model):
    """Rows that belong to a run: written with it, frozen when it is published."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if ScoreRun.objects.filter(pk=self.run_id, published_at__isnull=False).exists():
            raise Immutable(_("A published score run cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if ScoreRun.objects.filter(pk=self.run_id, published_at__isnull=False).exists():
            raise Immutable(_("A published score run cannot be changed."))
        return super().delete(*args, **kwargs)


class RunInput(_RunPart):
    """An approved value a run was computed from: of the run's period, and of earlier
    periods of the same kind when the methodology imputes over time or pools
    normalisation over periods (``Methodology.uses_other_periods``)."""

    run = models.ForeignKey(ScoreRun, models.CASCADE, related_name="inputs")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    period = models.ForeignKey(Period, models.PROTECT, related_name="+")
    indicator = models.CharField(max_length=80)
    value = models.FloatField()
    source = models.ForeignKey(Value, models.SET_NULL, null=True, related_name="+")
    history_id = models.BigIntegerField(null=True)
    # "" for an approved value (``source``); "plans" for a figure computed from the plans
    # (an emulation ranking's task delivery and targets met)
    origin = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["run", "unit"])]


class NodeScore(_RunPart):
    run = models.ForeignKey(ScoreRun, models.CASCADE, related_name="scores")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    node = models.CharField(max_length=80)
    kind = models.CharField(max_length=20)
    score = models.FloatField(null=True)
    rank = models.IntegerField(null=True)
    points = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["run", "node"])]


class RunCarry(_RunPart):
    """One carried value of a run on the map of ``as_of``: ``value`` of ``indicator``
    for ``unit`` (a unit of that map) in ``period`` came, by ``rule``, from ``source``'s
    raw value ``from_value`` (a run input, ``input``) with ``share`` of it in the unit
    (``dxscore.lineage.TRAIL_COLUMNS``)."""

    run = models.ForeignKey(ScoreRun, models.CASCADE, related_name="carried")
    period = models.ForeignKey(Period, models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    indicator = models.CharField(max_length=80)
    rule = models.CharField(max_length=120)
    value = models.FloatField(null=True)
    source = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    share = models.FloatField()
    from_value = models.FloatField(null=True)
    input = models.ForeignKey(RunInput, models.SET_NULL, null=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["run", "unit"])]


class PublishedCoverage(_RunPart):
    """A run's coverage when it was published (``selectors.coverage``), frozen with it:
    the units it should rank, how many had every input, some, none; the values it had
    of those it should have; the imputed share of the values its ranking rests on; the
    threshold then in force and whether the person published anyway below it."""

    run = models.OneToOneField(ScoreRun, models.CASCADE, related_name="published_coverage")
    units = models.PositiveIntegerField(_("units to rank"))
    complete = models.PositiveIntegerField(_("units with every value"))
    partial = models.PositiveIntegerField(_("units with some values imputed or missing"))
    without_data = models.PositiveIntegerField(_("units without data"))
    values_expected = models.PositiveIntegerField(_("values expected"))
    values_given = models.PositiveIntegerField(_("values given"))
    values_ranked = models.PositiveIntegerField(_("indicator values ranked"))
    imputed = models.PositiveIntegerField(_("values imputed"))
    threshold = models.FloatField(_("threshold"))
    anyway = models.BooleanField(_("published below the threshold"), default=False)
    # the units without data: [[code, name], ...]
    missing_units = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("coverage at publishing")
        verbose_name_plural = _("coverage at publishing")

    @property
    def share(self) -> float:
        return self.values_given / self.values_expected if self.values_expected else 0.0

    @property
    def imputed_share(self) -> float:
        return self.imputed / self.values_ranked if self.values_ranked else 0.0
