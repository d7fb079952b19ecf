"""Reminders about recommendations due within some days or overdue, for the people of
the addressee unit (entry scope exactly that unit) and the addressee person, once per
person, recommendation, kind and effective deadline (``dxscore notify`` runs it after
the tasks' notices). E-mails go through Django's mail settings, one per person."""

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

from dxscore.web.inspections.models import Recommendation, Reminder
from dxscore.web.inspections.selectors import with_follow_up


@dataclass
class Report:
    due_soon: int = 0
    overdue: int = 0
    reminders: int = 0
    emails: int = 0
    failed: int = 0


def notify(today: dt.date | None = None, days: int = 7, email: bool = True) -> Report:
    today = today or timezone.localdate()
    report = Report()
    fresh: dict[int, list[Reminder]] = {}
    people = get_user_model().objects.filter(is_active=True)
    recs = with_follow_up(Recommendation.objects.filter(inspection__concluded_on__isnull=False))
    for rec in recs:
        state = rec.state(today)
        if state.status == "implemented" or state.deadline > today + dt.timedelta(days):
            continue
        kind = Reminder.Kind.OVERDUE if state.deadline < today else Reminder.Kind.DUE_SOON
        report.overdue += kind == Reminder.Kind.OVERDUE
        report.due_soon += kind == Reminder.Kind.DUE_SOON
        who = people.filter(person__entry_scope=rec.addressee_unit)
        if rec.addressee_person_id:
            who = who | people.filter(pk=rec.addressee_person_id)
        for user in who.distinct().order_by("pk"):
            try:
                with transaction.atomic():
                    made = Reminder.objects.create(
                        user=user, recommendation=rec, kind=kind, deadline=state.deadline
                    )
            except IntegrityError:
                continue  # told already
            report.reminders += 1
            fresh.setdefault(user.pk, []).append(made)
    if email and fresh:
        _send(fresh, report)
    return report


def _send(fresh: dict[int, list[Reminder]], report: Report) -> None:
    users = get_user_model().objects.in_bulk(fresh.keys())
    connection = get_connection(fail_silently=False)
    with translation.override(settings.LANGUAGE_CODE):
        for pk, reminders in fresh.items():
            user = users[pk]
            if not user.email:
                continue
            lines = []
            for n in sorted(reminders, key=lambda n: n.deadline):
                label = _("OVERDUE") if n.kind == Reminder.Kind.OVERDUE else _("due soon")
                rec = n.recommendation
                lines.append(
                    f"- [{label}] {rec} {rec.text[:100]}: "
                    f"{_('deadline')} {n.deadline.isoformat()}\n"
                    f"  {settings.DXSCORE_SITE_URL}"
                    f"{reverse('inspections:recommendation', args=[rec.pk])}"
                )
            subject = ngettext(
                "dxscore: %(n)d inspection recommendation due soon or overdue",
                "dxscore: %(n)d inspection recommendations due soon or overdue",
                len(reminders),
            ) % {"n": len(reminders)}
            body = _("These recommendations need attention:") + "\n\n" + "\n".join(lines) + "\n"
            try:
                EmailMessage(subject, body, to=[user.email], connection=connection).send()
            except OSError:
                report.failed += 1
                continue
            Reminder.objects.filter(pk__in=[n.pk for n in reminders]).update(
                emailed_at=timezone.now()
            )
            report.emails += 1
