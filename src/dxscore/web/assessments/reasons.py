"""The reasons of ``dxscore.assessments`` (English, pure) marked for translation, so a
respondent reads them in their language (``gettext(reason)`` where they are shown)."""

from django.utils.translation import gettext_noop

REASONS = [
    gettext_noop("an answer is required"),
    gettext_noop("not one of the options"),
    gettext_noop("not a list of options"),
    gettext_noop("answer yes or no"),
    gettext_noop("not a text"),
    gettext_noop("not a number"),
    gettext_noop("control characters are not allowed"),
    gettext_noop("not a question of this questionnaire"),
    gettext_noop("a tax code is required"),
    gettext_noop("a tax code is 10 digits, or 10 digits, '-' and 3 digits for a branch"),
    gettext_noop("not a tax code (all zeros)"),
]
