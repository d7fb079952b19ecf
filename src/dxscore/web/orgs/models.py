"""Units form a tree stored as a materialised path, so a subtree is one indexed prefix
query (``path LIKE '/1/7/%'``), never a recursive walk in Python."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dxscore import texts
from dxscore.web.l10n import validate_translations

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

    def in_force(self, day: dt.date) -> UnitQuerySet:
        """The units in force on ``day``: the map of that day."""
        return self.valid_between(day, day)

    def at(self, code: str, day: dt.date) -> Unit | None:
        """The unit ``code`` denotes on ``day`` (``None`` if it denotes none then)."""
        return self.in_force(day).filter(code=code).first()

    def by_code(self, code: str, day: dt.date | None = None) -> Unit | None:
        """The unit a code denotes: on ``day`` when given; else the one in force today,
        or, for a code no unit in force has, the one that began last."""
        if day is not None:
            return self.at(code, day)
        return self.at(code, dt.date.today()) or (
            self.filter(code=code).order_by(F("valid_from").desc(nulls_last=True)).first()
        )

    def on_map(self, codes, day: dt.date) -> dict[str, Unit]:
        """The units ``codes`` denote on ``day``, by code (codes denoting none are left
        out: ``code_spans`` says which units they denote when)."""
        return {u.code: u for u in self.in_force(day).filter(code__in=set(codes))}

    def on_days(self, pairs) -> dict[tuple[str, dt.date], Unit]:
        """For each ``(code, day)``: the unit the code denotes that day (pairs of codes
        that denote none that day are left out). One query for all of them."""
        pairs = set(pairs)
        by_code: dict[str, list[Unit]] = {}
        for unit in self.filter(code__in={c for c, _d in pairs}):
            by_code.setdefault(unit.code, []).append(unit)
        found: dict[tuple[str, dt.date], Unit] = {}
        for code, day in pairs:
            unit = next((u for u in by_code.get(code, []) if u.in_force(day)), None)
            if unit is not None:
                found[(code, day)] = unit
        return found

    def lookup(self, text: str, day: dt.date | None = None) -> Unit | None:
        """A unit by its key (``15@2025-07-01``: any unit, old ones too) or by its code
        (``by_code``: on ``day`` when given, else today's, else the latest)."""
        text = text.strip()
        if "@" in text:
            return self.filter(key=text).first()
        return self.by_code(text, day)


def code_spans(codes) -> dict[str, str]:
    """For each code that denotes some unit at some time: which units, when ("Yên Bái
    (15) until 30/06/2025; Lào Cai (15) from 01/07/2025"), for errors about a code read on
    a day it denotes no unit."""
    found: dict[str, list[Unit]] = {}
    units = Unit.objects.filter(code__in=set(codes))
    for unit in units.order_by("code", F("valid_from").asc(nulls_first=True)):
        found.setdefault(unit.code, []).append(unit)
    return {code: "; ".join(f"{u} {u.validity()}" for u in units) for code, units in found.items()}


def not_on_map(code: str, day: dt.date, spans: dict[str, str], period: str = "") -> str:
    """Why ``code`` is no unit on ``day`` (the last day of ``period``, if given):
    unknown, or which units it denotes when."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    if code not in spans:
        return gettext("unknown unit '%(u)s'") % {"u": code}
    facts = {"code": code, "day": date_format(day, "SHORT_DATE_FORMAT"), "spans": spans[code]}
    if period:
        return gettext(
            "'%(code)s' denotes no unit in period %(period)s (on its last day, %(day)s); "
            "it denotes %(spans)s"
        ) % {**facts, "period": period}
    return gettext("'%(code)s' denotes no unit on %(day)s; it denotes %(spans)s") % facts


def unit_key(code: str, valid_from: dt.date | None) -> str:
    """A unit's identity: its code, with ``@first day`` when it began on a recorded day
    (``15`` was Yên Bái, ``15@2025-07-01`` is the new Lào Cai), as in ``dxscore.lineage``."""
    return code if valid_from is None else f"{code}@{valid_from.isoformat()}"


class Unit(models.Model):
    """A unit of the administrative map: a code *and* a validity. The same code may
    denote different units one after the other (never two at once); ``key`` tells them
    apart. How units followed one another is in ``UnitChange`` (``docs/units.md``)."""

    code = models.CharField(_("code"), max_length=40, db_index=True, validators=[code_validator])
    key = models.CharField(max_length=52, unique=True, editable=False)
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
    updated = models.DateTimeField(auto_now=True)

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
        overlapping = Unit.objects.filter(code=self.code).exclude(pk=self.pk)
        if self.valid_from:
            overlapping = overlapping.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from)
            )
        if self.valid_to:
            overlapping = overlapping.filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=self.valid_to)
            )
        other = overlapping.first()
        if other is not None:
            raise ValidationError(
                {
                    "code": _(
                        "Code %(code)s already denotes %(name)s in this time (%(validity)s): "
                        "one code denotes one unit at a time."
                    )
                    % {"code": self.code, "name": other.name, "validity": other.validity()}
                }
            )

    def validity(self) -> str:
        """The validity as people read it: "until 30/06/2025", "from 01/07/2025"."""
        from django.utils.formats import date_format

        start = date_format(self.valid_from, "SHORT_DATE_FORMAT") if self.valid_from else ""
        end = date_format(self.valid_to, "SHORT_DATE_FORMAT") if self.valid_to else ""
        if start and end:
            return _("%(start)s to %(end)s") % {"start": start, "end": end}
        if start:
            return _("from %(start)s") % {"start": start}
        if end:
            return _("until %(end)s") % {"end": end}
        return _("always")

    def in_force(self, day: dt.date) -> bool:
        return self.valid_between(day, day)

    def predecessor_units(self) -> UnitQuerySet:
        """The units whose territory (or part of it) went into this one."""
        return Unit.objects.filter(outflows__target=self).distinct()

    def successor_units(self) -> UnitQuerySet:
        """The units this one's territory (or part of it) went into."""
        return Unit.objects.filter(inflows__source=self).distinct()

    def save(self, *args, **kwargs) -> None:
        """Keep ``path`` (``/<root id>/.../<own id>/``) and the paths below it in step."""
        self.key = unit_key(self.code, self.valid_from)
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


class UnitChange(models.Model):
    """One flow of the map's lineage: on ``date`` (the first day of the new map),
    ``share`` of ``source`` went into ``target`` (``dxscore.lineage.Flow``). A merge is a
    change per predecessor; a split one per part; an abolition without successor has no
    target. ``continues``: the target is the source going on (a rename or re-parent)."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("merge")
        SPLIT = "split", _("split")
        TRANSFER = "transfer", _("transfer of a part")
        RENAME = "rename", _("rename")
        REPARENT = "reparent", _("move to another parent")
        ABOLISH = "abolish", _("abolition")

    date = models.DateField(_("effective date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.ForeignKey(
        Unit, models.CASCADE, related_name="outflows", verbose_name=_("from unit")
    )
    target = models.ForeignKey(
        Unit,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="inflows",
        verbose_name=_("to unit"),
    )
    share = models.FloatField(_("share"), default=1.0)
    continues = models.BooleanField(default=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "source__code", "target__code"]
        constraints = [
            models.UniqueConstraint(fields=["date", "source", "target"], name="one_flow_a_day"),
            models.CheckConstraint(
                condition=Q(share__gte=0) & Q(share__lte=1), name="share_between_0_and_1"
            ),
        ]
        verbose_name = _("unit change")
        verbose_name_plural = _("unit changes")

    def __str__(self) -> str:
        target = self.target.code if self.target_id else "-"
        return f"{self.date} {self.kind} {self.source.code} -> {target}"


class UnitGroup(models.Model):
    """A named set of units of one kind (``region: north``); a methodology's group
    column is filled from the group of that kind each unit belongs to."""

    kind = models.CharField(_("kind"), max_length=40, validators=[code_validator])
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, blank=True)
    # the text in other languages: {"vi": ..., "ar": ...} (dxscore.texts, docs/languages.md)
    translations = models.JSONField(
        _("translations"), default=dict, blank=True, validators=[validate_translations]
    )
    units = models.ManyToManyField(Unit, related_name="groups", blank=True)

    class Meta:
        ordering = ["kind", "code"]
        unique_together = [("kind", "code")]
        verbose_name = _("unit group")
        verbose_name_plural = _("unit groups")

    def __str__(self) -> str:
        return f"{self.kind}: {self.label}"

    @property
    def label(self) -> str:
        """The name in the reader's language, else as stored, else the code."""
        return texts.translated(self.name, self.translations) or self.code


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
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        default="",
        help_text=_("The language of the site for this person, applied at log-in."),
    )

    history = HistoricalRecords()  # who moved a scope, when, why (``orgs/people.py``)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"
