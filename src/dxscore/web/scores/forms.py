"""The forms of publishing and withdrawing a score run."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dxscore.web.scores.runs import WITHDRAWAL_REASON_MAX


class PublishForm(forms.Form):
    """Publishing is always confirmed; below the coverage threshold, "publish anyway" too
    (``runs.publish`` checks the coverage again when it publishes)."""

    confirm = forms.BooleanField(
        label=_(
            "I have checked this ranking and its coverage. Publish it: a published run is "
            "public and never changes; it can only be withdrawn."
        ),
        error_messages={"required": _("Tick the box to confirm that you publish this run.")},
    )
    anyway = forms.BooleanField(
        required=False,
        label=_("Publish anyway, although its coverage is below the threshold."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the run withdrawn?"),
        help_text=_("Shown on the run's public page with your name and the date."),
        max_length=WITHDRAWAL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say why the run is withdrawn.")},
    )
