"""Notices about deadlines: tasks due within some days and overdue tasks, for the people
of the owner unit (entry scope exactly that unit) and the task's assignees. Each notice
is made once per person, task, kind and deadline, so a daily ``dxscore notify`` never
repeats itself; a moved deadline notifies again. E-mails go through Django's mail
settings (``DXSCORE_EMAIL_*``), one per person listing their new notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dxscore import numbers
from dxscore.web.l10n import number_language
from dxscore.web.orgs.models import Person
from dxscore.web.plans.models import Notice, Task


@dataclass
class Report:
    due_soon: int = 0
    overdue: int = 0
    notices: int = 0
    emails: int = 0
    failed: int = 0


def open_tasks_near(today: dt.date, days: int) -> list[tuple[Task, str]]:
    """Open tasks (not done, not cancelled) that are overdue or due within ``days``."""
    tasks = Task.objects.filter(
        cancelled_on__isnull=True, done_on__isnull=True, deadline__lte=today + dt.timedelta(days)
    ).select_related("owner", "resolution")
    return [(t, Notice.Kind.OVERDUE if t.deadline < today else Notice.Kind.DUE_SOON) for t in tasks]


def recipients(task: Task) -> list:
    people = get_user_model().objects.filter(is_active=True)
    owners = people.filter(person__entry_scope=task.owner)
    return list((owners | people.filter(plan_tasks=task)).distinct().order_by("pk"))


def notify(today: dt.date | None = None, days: int = 7, email: bool = True) -> Report:
    today = today or timezone.localdate()
    report = Report()
    fresh: dict[int, list[Notice]] = {}
    for task, kind in open_tasks_near(today, days):
        if kind == Notice.Kind.OVERDUE:
            report.overdue += 1
        else:
            report.due_soon += 1
        for user in recipients(task):
            try:
                with transaction.atomic():
                    notice = Notice.objects.create(
                        user=user, task=task, kind=kind, deadline=task.deadline
                    )
            except IntegrityError:
                continue  # this person was told already
            report.notices += 1
            fresh.setdefault(user.pk, []).append(notice)
    if email and fresh:
        _send(fresh, report)
    return report


def _send(fresh: dict[int, list[Notice]], report: Report) -> None:
    users = get_user_model().objects.in_bulk(fresh.keys())
    languages = dict(
        Person.objects.filter(user_id__in=fresh.keys()).values_list("user_id", "language")
    )
    connection = get_connection(fail_silently=False)
    for pk, notices in fresh.items():
        user = users[pk]
        if not user.email:
            continue
        # in the person's own language (Person.language), else the site's
        language = languages.get(pk) or settings.LANGUAGE_CODE
        digits = number_language(language)
        with translation.override(language):
            lines = []
            for n in sorted(notices, key=lambda n: n.deadline):
                label = _("OVERDUE") if n.kind == Notice.Kind.OVERDUE else _("due soon")
                lines.append(
                    f"- [{label}] {n.task.label} ({n.task.owner.name}): "
                    f"{_('deadline')} {numbers.format_date(n.deadline, digits)}, "
                    f"{numbers.format_percent(n.task.percent / 100, digits)}\n"
                    f"  {settings.DXSCORE_SITE_URL}{reverse('plans:task', args=[n.task_id])}"
                )
            overdue = sum(n.kind == Notice.Kind.OVERDUE for n in notices)
            subject = ngettext(
                "dxscore: %(n)d task due soon or overdue",
                "dxscore: %(n)d tasks due soon or overdue",
                len(notices),
            ) % {"n": len(notices)}
            if overdue:
                subject += " " + _("(%(n)d overdue)") % {"n": overdue}
            body = _("These tasks need attention:") + "\n\n" + "\n".join(lines) + "\n"
            message = EmailMessage(subject, body, to=[user.email], connection=connection)
            try:
                message.send()
            except OSError:  # the mail server is down: the notices stay in the site
                report.failed += 1
                continue
            Notice.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=timezone.now())
            report.emails += 1
