"""What the assistant keeps in the database: the questions it could not answer and the
feedback on its answers, for the administrators who improve the library. Neither names
the person who asked (no personal data beyond what a question itself says); the library
itself lives on disk (``DXSCORE_ASSISTANT_STORE``, ``dxscore.assistant.Library``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Asked(models.Model):
    """A question the assistant declined (found: false)."""

    question = models.CharField(_("question"), max_length=500)
    best = models.CharField(_("closest procedure"), max_length=64, blank=True)
    score = models.FloatField(_("score"), default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("unanswered question")
        verbose_name_plural = _("unanswered questions")


class Feedback(models.Model):
    question = models.CharField(_("question"), max_length=500)
    procedure = models.CharField(_("procedure"), max_length=64, blank=True)
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("assistant feedback")
        verbose_name_plural = _("assistant feedback")
