"""Units form a tree stored as a materialised path, so a subtree is one indexed prefix
query (``path LIKE '/1/7/%'``), never a recursive walk in Python."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
    _("Use letters, digits, '.', '_' or '-', starting with a letter or digit."),
)


class Level(models.Model):
    """A named level of the unit tree: country, province, district, commune, department."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    depth = models.PositiveSmallIntegerField(_("depth"), help_text=_("0 for the top level"))

    class Meta:
        ordering = ["depth", "name"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(models.QuerySet):
    def subtree(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path)

    def valid_between(self, start: dt.date, end: dt.date) -> UnitQuerySet:
        """Units that existed at some time in ``[start, end]``."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=end),
            Q(valid_to__isnull=True) | Q(valid_to__gte=start),
        )


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    level = models.ForeignKey(Level, models.PROTECT, verbose_name=_("level"))
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="successors",
        verbose_name=_("predecessors"),
        help_text=_("Units this one replaces (merges and splits)."),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def clean(self) -> None:
        if self.parent_id and self.pk and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("A unit cannot be placed inside itself.")})
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})

    def save(self, *args, **kwargs) -> None:
        """Keep ``path`` (``/<root id>/.../<own id>/``) and the paths below it in step."""
        with transaction.atomic():
            old_path = self.path
            if self.pk is None:
                super().save(*args, **kwargs)
                kwargs = {}
            self.path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1))
                )

    def subtree(self) -> UnitQuerySet:
        return Unit.objects.subtree(self)

    def ancestors(self) -> UnitQuerySet:
        ids = [int(p) for p in self.path.strip("/").split("/")[:-1]]
        return Unit.objects.filter(pk__in=ids)

    def is_within(self, other: Unit) -> bool:
        return self.path.startswith(other.path)

    def valid_between(self, start: dt.date, end: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= end) and (
            self.valid_to is None or self.valid_to >= start
        )


class UnitGroup(models.Model):
    """A named set of units of one kind (``region: north``); a methodology's group
    column is filled from the group of that kind each unit belongs to."""

    kind = models.CharField(_("kind"), max_length=40, validators=[code_validator])
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, blank=True)
    units = models.ManyToManyField(Unit, related_name="groups", blank=True)

    class Meta:
        ordering = ["kind", "code"]
        unique_together = [("kind", "code")]
        verbose_name = _("unit group")
        verbose_name_plural = _("unit groups")

    def __str__(self) -> str:
        return f"{self.kind}: {self.name or self.code}"


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    STEERING = "steering", _("steering officer")
    DATA_OFFICER = "data_officer", _("data officer")
    APPROVER = "approver", _("approver")
    VIEWER = "viewer", _("viewer")


class Person(models.Model):
    """A user's role and scopes. Each scope is a unit and everything below it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="person", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    entry_scope = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entry scope"),
        help_text=_("The person enters (or approves) values for this unit and those below."),
    )
    view_scope = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("viewing scope"),
        help_text=_("The person sees this unit and those below (the entry scope if empty)."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"
