"""Forms for resolutions, targets, tasks, progress and evidence. Choices of units are
limited to the resolution's unit and those below it."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from dxscore import figures
from dxscore.web.data.models import Indicator
from dxscore.web.l10n import PercentNumberField, RateField, rate_rule
from dxscore.web.orgs.models import Unit
from dxscore.web.plans.models import Pillar, Resolution, Target, Task
from dxscore.web.upload_limits import check_received, upload_limits

EVIDENCE_TYPES = (".pdf", ".png", ".jpg", ".jpeg", ".xlsx", ".docx", ".odt", ".ods", ".csv", ".txt")


class EvidenceFile(forms.FileField):
    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and not upload.name.lower().endswith(EVIDENCE_TYPES):
            raise forms.ValidationError(
                _("Evidence must be one of: %(t)s") % {"t": ", ".join(EVIDENCE_TYPES)}
            )
        if upload and upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        if upload:
            check_received(upload, upload_limits(), workbook=False)
        return upload


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResolutionForm(forms.ModelForm):
    pillars = forms.CharField(
        label=_("Pillars"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line, as 'code: name' (e.g. 'economy: Digital economy')."),
    )

    class Meta:
        model = Resolution
        fields = ["unit", "code", "title", "issuer", "issued_on", "horizon", "description"]
        widgets = {"issued_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.all()
        if self.instance.pk:
            self.fields["unit"].disabled = True
            self.initial["pillars"] = "\n".join(
                f"{p.code}: {p.name}" for p in self.instance.pillars.all()
            )

    def clean_pillars(self) -> list[tuple[str, str]]:
        out, seen = [], set()
        for number, line in enumerate(self.cleaned_data["pillars"].splitlines(), start=1):
            if not line.strip():
                continue
            code, sep, name = line.partition(":")
            if not sep:
                name, code = line, slugify(line)[:40]
            code, name = code.strip(), name.strip()
            if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", code) or not name:
                raise forms.ValidationError(
                    _("Line %(n)d: write 'code: name' (code: letters, digits, '.', '_', '-').")
                    % {"n": number}
                )
            if code in seen:
                raise forms.ValidationError(_("Pillar %(c)s appears twice.") % {"c": code})
            seen.add(code)
            out.append((code, name))
        return out

    def save_pillars(self, resolution: Resolution) -> None:
        """Add new pillars and rename existing ones; pillars left out are kept if used."""
        wanted = self.cleaned_data["pillars"]
        for order, (code, name) in enumerate(wanted):
            Pillar.objects.update_or_create(
                resolution=resolution, code=code, defaults={"name": name, "order": order}
            )
        codes = [c for c, _n in wanted]
        resolution.pillars.exclude(code__in=codes).filter(targets__isnull=True).delete()


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = [
            "number",
            "pillar",
            "title",
            "unit",
            "indicator",
            "comparison",
            "value",
            "deadline",
            "baseline",
            "baseline_period",
        ]

    def __init__(self, *args, resolution: Resolution, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.resolution = resolution
        self.fields["pillar"].queryset = resolution.pillars.all()
        self.fields["unit"].queryset = _units_now(resolution, self.instance.unit_id)
        self.fields["indicator"].queryset = Indicator.objects.order_by("name", "code")
        self.fields["indicator"].label_from_instance = _coded  # names repeat; codes do not
        self.fields["indicator"].required = False
        # typed as the person's language writes numbers; a rate's as a percentage (90%)
        shown = self.instance.indicator.figure if self.instance.indicator_id else "number"
        for name in ("value", "baseline"):
            model_field = self.fields[name]
            rate = shown == figures.RATE
            self.fields[name] = (RateField if rate else PercentNumberField)(
                label=model_field.label,
                required=model_field.required,
                help_text=rate_rule() if rate else model_field.help_text,
            )
        if not self.instance.pk:
            last = resolution.targets.order_by("-number").first()
            self.initial.setdefault("number", (last.number + 1) if last else 1)
            self.initial.setdefault("deadline", resolution.horizon)
            self.initial.setdefault("unit", resolution.unit)

    def clean(self):
        cleaned = super().clean()
        indicator = cleaned.get("indicator")
        if indicator is not None and indicator.figure != figures.RATE:
            for name in ("value", "baseline"):
                if figures.is_percentage(self.data.get(self.add_prefix(name))):
                    self.add_error(
                        name,
                        _("%(i)s is not a rate: type its value as a number, without %%")
                        % {"i": indicator.code},
                    )
        return cleaned

    def clean_number(self):
        number = self.cleaned_data["number"]
        clash = self.instance.resolution.targets.filter(number=number)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Target %(n)d already exists.") % {"n": number})
        return number


def _coded(obj) -> str:
    return f"{obj.name} ({obj.code})"


def _units_now(resolution: Resolution, *keep) -> object:
    """The resolution's units in force today (and those a record already names), by name:
    a unit that ended with the administrative reform is not offered for new work."""
    from django.db.models import Q

    today = timezone.localdate()
    units = Unit.objects.subtree(resolution.unit)
    return units.filter(
        Q(pk__in=[k for k in keep if k]) | Q(pk__in=units.in_force(today).values("pk"))
    ).order_by("name", "code")


def _people_in(unit: Unit):
    return (
        get_user_model()
        .objects.filter(is_active=True, person__entry_scope__path__startswith=unit.path)
        .order_by("username")
    )


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = [
            "number",
            "title",
            "description",
            "owner",
            "cooperating",
            "assignees",
            "start",
            "deadline",
            "expected_result",
            "process_notes",
            "targets",
        ]
        widgets = {
            "start": DATE,
            "deadline": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "expected_result": forms.Textarea(attrs={"rows": 2}),
            "process_notes": forms.Textarea(attrs={"rows": 3}),
            "cooperating": forms.CheckboxSelectMultiple(
                attrs={"class": "pick-list", "data-filter": ""}
            ),
            "assignees": forms.SelectMultiple(attrs={"size": 4}),
            "targets": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, resolution: Resolution, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.resolution = resolution
        keep = [self.instance.owner_id]
        if self.instance.pk:
            keep += list(self.instance.cooperating.values_list("pk", flat=True))
        units = _units_now(resolution, *keep)
        self.fields["owner"].queryset = units
        self.fields["cooperating"].queryset = units
        self.fields["cooperating"].required = False
        self.fields["cooperating"].widget.attrs["data-filter-label"] = _("Type to filter the units")
        self.fields["assignees"].queryset = _people_in(resolution.unit)
        self.fields["assignees"].required = False
        self.fields["targets"].queryset = resolution.targets.all()
        self.fields["targets"].required = False
        if not self.instance.pk:
            last = resolution.tasks.order_by("-number").first()
            self.initial.setdefault("number", (last.number + 1) if last else 1)
            self.initial.setdefault("start", timezone.localdate())

    def clean_number(self):
        number = self.cleaned_data["number"]
        clash = self.instance.resolution.tasks.filter(number=number)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Task %(n)d already exists.") % {"n": number})
        return number


class ProgressForm(forms.Form):
    percent = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    text = forms.CharField(
        label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    reported_on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    evidence_link = forms.URLField(
        label=_("Evidence link"), required=False, max_length=500, assume_scheme="https"
    )
    evidence_file = EvidenceFile(label=_("Evidence file"), required=False)


class EvidenceForm(forms.Form):
    note = forms.CharField(
        label=_("What shows the target is met"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    link = forms.URLField(
        label=_("Evidence link"), required=False, max_length=500, assume_scheme="https"
    )
    file = EvidenceFile(label=_("Evidence file"), required=False)


class PlanUploadForm(forms.Form):
    file = forms.FileField(label=_("Targets and tasks workbook (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel (.xlsx) file."))
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError(_("This is not an Excel (.xlsx) file."))
        check_received(upload, upload_limits())
        return upload
