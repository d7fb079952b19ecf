"""What waits for a person: the work queue of the home page, the Notices page and the
count in the navigation. A read across the apps (values to enter or approve, returned
forms, tasks due or overdue, targets at risk, dossier jobs that failed), each through
the app's own selectors and scope rules, so the queue never shows what the person's
pages would not.

Everything here is computed from the stored records at the time of asking: a returned
form is in the queue until it is submitted again, an overdue task until it is done,
whether or not ``dxscore notify`` has run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dxscore.web.orgs import scope

OPEN_DAYS = 180  # a period whose deadline passed longer ago than this is no longer asked
DUE_DAYS = 14  # tasks due within this many days are in the queue
RECENT_DAYS = 14  # approvals of the person's values within this many days are shown
NAV_SECONDS = 30  # the navigation's count is recomputed at most this often per person
FAILED_JOB_DAYS = 30


@dataclass
class Item:
    """One line of the queue: ``count`` things of ``kind``, at ``url``."""

    kind: str  # enter, returned, approve, approved, overdue, due, at_risk, job_failed
    label: str
    count: int
    url: str
    deadline: dt.date | None = None
    urgent: bool = False  # late or overdue: shown first, marked

    @property
    def actionable(self) -> bool:
        """Something to do (an approval received is only news)."""
        return self.kind != "approved"


def open_collections(today: dt.date):
    """(methodology, period) pairs still collected: active methodologies, periods that
    have started, with a deadline not passed more than ``OPEN_DAYS`` ago."""
    from dxscore.web.data.models import Methodology, Period

    periods = Period.objects.filter(
        start__lte=today,
        deadline__isnull=False,
        deadline__gte=today - dt.timedelta(days=OPEN_DAYS),
    ).order_by("deadline")
    methodologies = list(Methodology.objects.filter(active=True).order_by("code"))
    return [(m, p) for p in periods for m in methodologies]


def _forms(user, today: dt.date) -> list[Item]:
    from dxscore.web.data.collect import completeness
    from dxscore.web.data.models import Status

    items: list[Item] = []
    enters = scope.scope_root(user, scope.ENTER) is not None
    approves = scope.scope_root(user, scope.APPROVE) is not None
    if not (enters or approves):
        return items
    for methodology, period in open_collections(today):
        url = reverse("completeness", args=[methodology.pk, period.code])
        what = {"m": methodology.heading, "p": period.code}
        late = period.deadline is not None and today > period.deadline
        if enters:
            rows = completeness(methodology, period, user, action=scope.ENTER)
            todo = sum(r.state in ("not started", Status.DRAFT) for r in rows)
            returned = sum(r.state == Status.RETURNED for r in rows)
            if returned:
                items.append(
                    Item(
                        "returned",
                        ngettext(
                            "%(n)d form returned to you: %(m)s %(p)s",
                            "%(n)d forms returned to you: %(m)s %(p)s",
                            returned,
                        )
                        % {"n": returned, **what},
                        returned,
                        f"{url}?state={Status.RETURNED}",
                        period.deadline,
                        urgent=True,
                    )
                )
            if todo:
                items.append(
                    Item(
                        "enter",
                        ngettext(
                            "%(n)d form to enter and submit: %(m)s %(p)s",
                            "%(n)d forms to enter and submit: %(m)s %(p)s",
                            todo,
                        )
                        % {"n": todo, **what},
                        todo,
                        f"{url}?state=todo",
                        period.deadline,
                        urgent=late,
                    )
                )
        if approves:
            rows = completeness(methodology, period, user, action=scope.APPROVE)
            waiting = sum(r.state == Status.SUBMITTED for r in rows)
            if waiting:
                items.append(
                    Item(
                        "approve",
                        ngettext(
                            "%(n)d submission to approve: %(m)s %(p)s",
                            "%(n)d submissions to approve: %(m)s %(p)s",
                            waiting,
                        )
                        % {"n": waiting, **what},
                        waiting,
                        f"{url}?state={Status.SUBMITTED}",
                        period.deadline,
                        urgent=late,
                    )
                )
    if enters:
        items += _approved(user, today)
    return items


def _approved(user, today: dt.date) -> list[Item]:
    """News: the person's own forms approved lately (one line per unit and period)."""
    from dxscore.web.data.models import Status, Value

    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    rows = (
        Value.objects.filter(submitted_by=user, status=Status.APPROVED, approved_at__gte=since)
        .select_related("unit", "period", "approved_by")
        .order_by("unit_id", "period_id", "-approved_at")
    )
    latest: dict[tuple[int, int], Value] = {}
    for value in rows[:500]:
        latest.setdefault((value.unit_id, value.period_id), value)
    items = [
        Item(
            "approved",
            _("Approved: %(unit)s, %(p)s, by %(who)s")
            % {
                "unit": v.unit.name,
                "p": v.period.code,
                "who": v.approved_by.get_username() if v.approved_by else "?",
            },
            1,
            reverse("value_history", args=[v.pk]),
        )
        for v in latest.values()
    ]
    return items[:10]


def _tasks(user, today: dt.date) -> list[Item]:
    from dxscore.web.plans import selectors

    open_tasks = selectors.mine(selectors.visible_tasks(user), user).filter(
        cancelled_on__isnull=True,
        done_on__isnull=True,
        deadline__lte=today + dt.timedelta(days=DUE_DAYS),
    )
    overdue = open_tasks.filter(deadline__lt=today).count()
    due = open_tasks.filter(deadline__gte=today).count()
    tasks_url = reverse("plans:tasks")
    items = []
    if overdue:
        items.append(
            Item(
                "overdue",
                ngettext("%(n)d task overdue", "%(n)d tasks overdue", overdue) % {"n": overdue},
                overdue,
                f"{tasks_url}?mine=1&status=overdue",
                urgent=True,
            )
        )
    if due:
        items.append(
            Item(
                "due",
                ngettext(
                    "%(n)d task due within %(d)d days",
                    "%(n)d tasks due within %(d)d days",
                    due,
                )
                % {"n": due, "d": DUE_DAYS},
                due,
                f"{tasks_url}?mine=1&due_to={(today + dt.timedelta(days=DUE_DAYS)).isoformat()}",
            )
        )
    return items


def _targets(user, today: dt.date) -> list[Item]:
    """Targets at risk of the units the person enters for (their own to act on)."""
    from dxscore.web.plans import selectors
    from dxscore.web.plans.assessing import assess_targets

    entry = scope.scope_root(user, scope.ENTER)
    if entry is None:
        return []
    targets = selectors.visible_targets(user).select_related("unit", "indicator")
    if entry != scope.EVERYWHERE:
        targets = targets.filter(unit__path__startswith=entry.path)
    at_risk = [a for a in assess_targets(targets, today.isoformat()) if a.status == "at_risk"]
    if not at_risk:
        return []
    resolutions = {a.target.resolution_id for a in at_risk}
    url = (
        reverse("plans:resolution", args=[next(iter(resolutions))])
        if len(resolutions) == 1
        else reverse("plans:resolutions")
    )
    n = len(at_risk)
    return [
        Item(
            "at_risk",
            ngettext("%(n)d target at risk", "%(n)d targets at risk", n) % {"n": n},
            n,
            url,
        )
    ]


def _jobs(user, today: dt.date) -> list[Item]:
    from dxscore.web.dossierdata.access import may_open_jobs
    from dxscore.web.dossierdata.models import Job
    from dxscore.web.dossierdata.views import visible_jobs

    if not may_open_jobs(user):
        return []
    since = timezone.now() - dt.timedelta(days=FAILED_JOB_DAYS)
    n = visible_jobs(user).filter(state=Job.State.FAILED, created_at__gte=since).count()
    if not n:
        return []
    return [
        Item(
            "job_failed",
            ngettext(
                "%(n)d dossier job failed in the last %(d)d days",
                "%(n)d dossier jobs failed in the last %(d)d days",
                n,
            )
            % {"n": n, "d": FAILED_JOB_DAYS},
            n,
            reverse("dossier_jobs"),
            urgent=True,
        )
    ]


def waiting(user, today: dt.date | None = None) -> list[Item]:
    """Everything waiting for ``user``: urgent first, then by deadline."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    items = _forms(user, today) + _tasks(user, today) + _targets(user, today) + _jobs(user, today)
    return sorted(
        items,
        key=lambda i: (not i.actionable, not i.urgent, i.deadline or dt.date.max, i.kind),
    )


def count(user) -> int:
    """The number of things to do, for the navigation (cached a few seconds)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    key = f"dxscore:work:{user.pk}"
    found = cache.get(key)
    if found is None:
        found = sum(i.count for i in waiting(user) if i.actionable)
        cache.set(key, found, NAV_SECONDS)
    return int(found)


def forget(user) -> None:
    """Drop the navigation's count after the person changed something."""
    cache.delete(f"dxscore:work:{user.pk}")
