from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dxscore.dossiers import builtin_profiles
from dxscore.web.upload_limits import check_received, dossier_limits

FILE_TYPES = (".csv", ".txt", ".tsv", ".jsonl", ".ndjson", ".parquet", ".xlsx")


def _profiles():
    return [("", _("dxscore columns (the default)"))] + [(p, p) for p in builtin_profiles()]


class DossierUploadForm(forms.Form):
    file = forms.FileField(label=_("Dossier file (CSV, JSON Lines, Parquet or Excel)"))
    profile = forms.ChoiceField(label=_("Column profile"), required=False, choices=_profiles)
    strict = forms.BooleanField(
        label=_("Strict: store nothing if any record has a problem"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(FILE_TYPES):
            raise forms.ValidationError(_("Upload one of: %(t)s") % {"t": ", ".join(FILE_TYPES)})
        if upload.size > settings.DXSCORE_MAX_DOSSIER_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(n)d MB.")
                % {"n": settings.DXSCORE_MAX_DOSSIER_UPLOAD_BYTES // (1024 * 1024)}
            )
        # the content must fit the extension, and a workbook's zip must be sound; the
        # worker's reader checks the sheets themselves (dxscore.safefiles)
        check_received(upload, dossier_limits())
        return upload


class PortalCountsForm(forms.Form):
    """The portal's published counts for one unit and period, one field per measure
    (empty: not entered; an entered count stays until replaced)."""

    source = forms.CharField(label=_("Source (e.g. the portal page or report)"), required=False)

    def __init__(self, *args, initial_counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        from dxscore.web.dossierdata.models import PortalCount

        for measure in PortalCount.Measure:
            self.fields[measure.value] = forms.IntegerField(
                label=measure.label,
                required=False,
                min_value=0,
                initial=(initial_counts or {}).get(measure.value),
            )
        self.order_fields([m.value for m in PortalCount.Measure] + ["source"])


class PortalCountsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Published counts (CSV or XLSX: unit, period, measure, value[, source])")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload one of: %(t)s") % {"t": ".csv, .xlsx"})
        return upload
