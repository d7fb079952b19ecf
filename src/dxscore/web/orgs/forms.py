from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dxscore import lineage as ln
from dxscore.web.upload_limits import check_received, upload_limits


class LineageUploadForm(forms.Form):
    builtin = forms.ChoiceField(
        label=_("Built-in lineage"),
        required=False,
        choices=(),
        help_text=_("vn-2025: the 2025 reform of Vietnam's provinces and communes."),
    )
    file = forms.FileField(
        label=_("Or a lineage file (.csv or .xlsx)"),
        required=False,
        help_text=_("Columns date, from, to, share and optionally kind, names, level, parent."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["builtin"].choices = [("", "—")] + [(b, b) for b in ln.builtin_ids()]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an Excel (.xlsx) or CSV (.csv) file."))
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        check_received(upload, upload_limits())
        return upload

    def clean(self):
        data = super().clean()
        if bool(data.get("builtin")) == bool(data.get("file")):
            raise forms.ValidationError(_("Choose a built-in lineage or upload a file (one)."))
        return data
