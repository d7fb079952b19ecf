from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dxscore.web.contests.models import Participant
from dxscore.web.orgs.models import Unit
from dxscore.web.upload_limits import check_received, upload_limits


class JoinForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Taking part as"),
        choices=[
            (Participant.Type.CITIZEN, _("citizen")),
            (Participant.Type.BUSINESS, _("business")),
        ],
    )
    name = forms.CharField(label=_("Full name"), max_length=120)
    identity = forms.CharField(
        label=_("E-mail or mobile number"),
        max_length=120,
        help_text=_("A one-time code is sent there to confirm it."),
    )
    unit = forms.ModelChoiceField(label=_("Your commune, agency or province"), queryset=None)
    business = forms.CharField(label=_("Business name"), max_length=200, required=False)

    def __init__(self, *args, contest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.subtree(contest.organiser_unit).order_by("path")


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=6, min_length=6)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Questions workbook (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel (.xlsx) file."))
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        check_received(upload, upload_limits())
        return upload


class InitiativeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    problem = forms.CharField(label=_("Problem"), max_length=6000, widget=forms.Textarea)
    solution = forms.CharField(label=_("Solution"), max_length=6000, widget=forms.Textarea)
    effect = forms.CharField(label=_("Expected effect"), max_length=6000, widget=forms.Textarea)
    attachment = forms.FileField(label=_("Attachment (PDF, Word, Excel, image)"), required=False)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            if not upload.name.lower().endswith(
                (".pdf", ".docx", ".xlsx", ".png", ".jpg", ".jpeg")
            ):
                raise forms.ValidationError(_("Attach a PDF, Word, Excel or image file."))
            check_received(upload, upload_limits())
        return upload
