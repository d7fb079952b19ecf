"""Forms of plans, inspections, findings, recommendations and their follow-up. Files
are checked like every evidence file (``plans.forms.EvidenceFile``: type, size and
content within ``DXSCORE_UPLOAD_LIMITS``)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from dxscore.web.inspections.models import (
    Finding,
    Inspection,
    InspectionPlan,
    PlannedInspection,
    Recommendation,
)
from dxscore.web.orgs.models import Unit
from dxscore.web.plans.forms import DATE, EvidenceFile
from dxscore.web.upload_limits import check_received, upload_limits


class PlanForm(forms.ModelForm):
    class Meta:
        model = InspectionPlan
        fields = ["body", "year", "title"]

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies if bodies is not None else Unit.objects.none()


class PlannedForm(forms.ModelForm):
    class Meta:
        model = PlannedInspection
        fields = ["number", "topic", "subjects", "period_inspected", "quarter"]
        widgets = {"subjects": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, plan: InspectionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["subjects"].queryset = Unit.objects.all()
        if not self.instance.pk:
            last = plan.items.order_by("-number").first()
            self.initial.setdefault("number", (last.number + 1) if last else 1)

    def clean_number(self):
        number = self.cleaned_data["number"]
        if self.plan.items.filter(number=number).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This number is taken in the plan."))
        return number


def _people():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class InspectionForm(forms.ModelForm):
    decision_file = EvidenceFile(label=_("Decision file"), required=False)
    lead = forms.ModelChoiceField(label=_("Team lead"), queryset=None)
    lead_conflict = forms.CharField(
        label=_("Conflict of interest declared by the lead"), required=False, max_length=2000
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Team members"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Each declares a conflict of interest on the inspection's page if any."),
    )

    class Meta:
        model = Inspection
        fields = [
            "body",
            "planned",
            "topic",
            "scope",
            "subjects",
            "decision_number",
            "decided_on",
            "signer",
            "time_limit_days",
        ]
        widgets = {
            "decided_on": DATE,
            "scope": forms.Textarea(attrs={"rows": 3}),
            "subjects": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies if bodies is not None else Unit.objects.none()
        self.fields["planned"].queryset = PlannedInspection.objects.filter(
            plan__body__in=self.fields["body"].queryset, inspections__isnull=True
        ).exclude(plan__state="draft")
        self.fields["planned"].required = False
        self.fields["subjects"].queryset = Unit.objects.all()
        self.fields["lead"].queryset = _people()
        self.fields["members"].queryset = _people()


class StageForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[
            ("announcement", _("announcement")),
            ("onsite", _("on-site work ended")),
            ("report", _("team report")),
            ("draft", _("draft conclusion")),
            ("conclusion", _("conclusion issued")),
            ("publication", _("publication")),
        ],
    )
    day = forms.DateField(label=_("Date of the document"), widget=DATE)


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["kind", "description", "amount", "responsible_unit", "responsible_person"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class RecommendationForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = [
            "finding",
            "kind",
            "text",
            "addressee_unit",
            "addressee_person",
            "amount",
            "deadline",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "deadline": DATE}

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = inspection.findings.all()
        self.fields["addressee_unit"].queryset = Unit.objects.all()
        self.fields["addressee_person"].queryset = _people()


class ConclusionForm(forms.Form):
    number = forms.CharField(label=_("Conclusion number"), max_length=60)
    text = forms.CharField(
        label=_("Conclusion"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )


class ImplementationForm(forms.Form):
    text = forms.CharField(
        label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    recovered = forms.IntegerField(
        label=_("Amount recovered (đồng)"), min_value=0, required=False, initial=0
    )
    complete = forms.BooleanField(
        label=_("The recommendation is fully carried out"), required=False
    )
    reported_on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    evidence_link = forms.URLField(
        label=_("Evidence link"), required=False, max_length=500, assume_scheme="https"
    )
    evidence_file = EvidenceFile(label=_("Evidence file"), required=False)


class ExtensionForm(forms.Form):
    new_deadline = forms.DateField(label=_("New deadline"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class FollowUpForm(forms.Form):
    decision_number = forms.CharField(label=_("Decision number"), max_length=60)
    signer = forms.CharField(label=_("Signed by"), max_length=200)
    days = forms.IntegerField(label=_("Time limit (days)"), min_value=1, max_value=365)


class PlanUploadForm(forms.Form):
    file = forms.FileField(label=_("Planned inspections workbook (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel (.xlsx) file."))
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        check_received(upload, upload_limits())
        return upload
