from django import forms
from django.utils.translation import gettext_lazy as _

from dxscore.assistant.catalogue import CATALOGUE_SUFFIXES
from dxscore.assistant.documents import DOCUMENT_SUFFIXES

ACCEPT = ",".join((*CATALOGUE_SUFFIXES, *DOCUMENT_SUFFIXES))


class LibraryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue or document"),
        help_text=_("A catalogue (CSV, XLSX, JSON) or a document (PDF, DOCX, HTML, TXT)."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    procedure = forms.CharField(
        label=_("Procedure code of the document"),
        required=False,
        max_length=64,
        help_text=_("Empty: taken from the file name or a 'Mã thủ tục:' line."),
    )
    scope = forms.CharField(
        label=_("Internal to unit"),
        required=False,
        max_length=40,
        help_text=_("A unit code: only people who may view that unit read the document."),
    )
