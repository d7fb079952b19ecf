from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dxscore.web.data.models import Methodology
from dxscore.web.orgs.models import Level
from dxscore.web.upload_limits import check_received, upload_limits


class MethodologyUploadForm(forms.Form):
    file = forms.FileField(label=_("Methodology file (YAML)"))
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        max_length=80,
        help_text=_("Leave empty to use the methodology's id."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".yaml", ".yml")):
            raise forms.ValidationError(_("Upload a .yaml or .yml file."))
        if upload.size > 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        check_received(upload, upload_limits())
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None


class MethodologySettingsForm(forms.ModelForm):
    class Meta:
        model = Methodology
        fields = ["purpose", "reporting_level"]

    reporting_level = forms.ModelChoiceField(
        Level.objects.all(), required=False, label=_("Reporting level")
    )


class ValuesUploadForm(forms.Form):
    file = forms.FileField(label=_("Values file (.xlsx or .csv)"))
    numbers = forms.ChoiceField(
        label=_("Numbers in the file are written as in"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_(
            "How text cells write decimals and thousands (0,85 or 0.85); numeric Excel "
            "cells are read as numbers whatever this says. The page's language if empty."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an Excel (.xlsx) or CSV (.csv) file."))
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        if name.endswith(".xlsx"):
            head = upload.read(4)
            upload.seek(0)
            if head != b"PK\x03\x04":
                raise forms.ValidationError(_("This is not an Excel (.xlsx) file."))
        check_received(upload, upload_limits())
        return upload


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
