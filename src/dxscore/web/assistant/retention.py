"""How long the assistant keeps the questions it declined and the feedback on its
answers: ``DXSCORE_ASSISTANT_KEEP_DAYS`` (180). A question may hold personal data (a
citizen's name, an address), so rows older than that are deleted: each time a row is
stored (so the limit holds without a timer) and by ``dxscore assistant purge``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from dxscore.web.assistant.models import Asked, Feedback


@dataclass
class Purged:
    questions: int
    feedback: int
    before: dt.datetime


def purge(days: int | None = None, now: dt.datetime | None = None) -> Purged:
    """Delete declined questions and feedback stored more than ``days`` days ago."""
    keep = settings.DXSCORE_ASSISTANT_KEEP_DAYS if days is None else days
    if keep < 1:
        raise ValueError("keep at least 1 day")
    before = (now or timezone.now()) - dt.timedelta(days=keep)
    questions, _ = Asked.objects.filter(created_at__lt=before).delete()
    feedback, _ = Feedback.objects.filter(created_at__lt=before).delete()
    return Purged(questions, feedback, before)
