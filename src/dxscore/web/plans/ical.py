"""Tasks as an iCalendar file (RFC 5545, with the ``icalendar`` library): one all-day
event on each task's deadline, so that deadlines show in Outlook, Thunderbird or a phone.
A personal feed address (signed, no log-in) lets a calendar program subscribe."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from dxscore import __version__
from dxscore.web.plans.models import CalendarFeed, Task

SALT = "dxscore.plans.calendar"


def build(tasks: Iterable[Task], name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//dxscore//{__version__}//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = timezone.now()
    for task in tasks:
        event = Event()
        event.add("uid", f"task-{task.pk}@dxscore")
        event.add("dtstamp", stamp)
        event.add("dtstart", task.deadline)
        event.add("dtend", task.deadline + dt.timedelta(days=1))
        event.add("summary", _("Deadline: %(t)s (%(u)s)") % {"t": task.label, "u": task.owner.name})
        lines = [
            f"{task.resolution.code} · {_('task')} {task.number}",
            f"{_('Owner unit')}: {task.owner.name}",
            f"{_('Expected result')}: {task.expected_result}",
            f"{_('Progress')}: {task.percent}% · {task.status_label}",
            settings.DXSCORE_SITE_URL + reverse("plans:task", args=[task.pk]),
        ]
        event.add("description", "\n".join(lines))
        event.add("status", "CANCELLED" if task.cancelled_on else "CONFIRMED")
        event.add("categories", [task.resolution.code])
        cal.add_component(event)
    return cal.to_ical()


def _key(user, rotate: bool = False) -> str:
    feed, created = CalendarFeed.objects.get_or_create(
        user=user, defaults={"key": secrets.token_urlsafe(32)}
    )
    if rotate and not created:
        feed.key = secrets.token_urlsafe(32)
        feed.save()
    return feed.key


def feed_token(user, rotate: bool = False) -> str:
    """A signed, dated feed address token for ``user``; ``rotate`` first makes a new key,
    so that every token given out before stops working."""
    return signing.dumps([user.pk, _key(user, rotate)], salt=SALT, compress=True)


def feed_days() -> int:
    return settings.DXSCORE_CALENDAR_FEED_DAYS


def feed_user(token: str):
    """The active user a feed token was made for, or None when the token is forged,
    older than ``DXSCORE_CALENDAR_FEED_DAYS`` or made before the person's last rotation."""
    try:
        pk, key = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=feed_days()))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    feed = CalendarFeed.objects.filter(user_id=pk, user__is_active=True).first()
    if feed is None or not secrets.compare_digest(str(key), feed.key):
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()
