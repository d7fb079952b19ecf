"""Reads of resolutions, targets and tasks in a person's scope: the one place the pages,
the iCalendar feed and the API ask what a person may see and which tasks are theirs, so
that they never disagree. The rules of who may do what are in ``access.py``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit
from dxscore.web.plans.models import Resolution, Target, Task


def _branch(queryset: QuerySet, user, field: str) -> QuerySet:
    """Records whose unit lies on the branch of the person's viewing scope: at or below
    the scope's unit, or above it (the ministry, the country)."""
    root = scope.scope_root(user, scope.VIEW)
    if root == scope.EVERYWHERE:
        return queryset
    if root is None:
        return queryset.none()
    above = [int(p) for p in root.path.strip("/").split("/")]
    return queryset.filter(
        Q(**{f"{field}__path__startswith": root.path}) | Q(**{f"{field}_id__in": above})
    )


def visible_resolutions(user) -> QuerySet:
    return _branch(Resolution.objects.select_related("unit"), user, "unit")


def visible_targets(user) -> QuerySet:
    return Target.objects.filter(resolution__in=visible_resolutions(user))


def visible_tasks(user) -> QuerySet:
    return _branch(Task.objects.select_related("resolution", "owner"), user, "resolution__unit")


def sees(user, resolution: Resolution) -> bool:
    return visible_resolutions(user).filter(pk=resolution.pk).exists()


def reads_unit(user, unit: Unit) -> bool:
    """Whether ``unit`` lies on the branch of the person's viewing scope (at or below the
    scope's unit, or above it): the rule ``visible_resolutions`` reads plans by."""
    root = scope.scope_root(user, scope.VIEW)
    if root == scope.EVERYWHERE:
        return True
    if root is None:
        return False
    return unit.path.startswith(root.path) or root.path.startswith(unit.path)


def unit_targets(user, unit: Unit) -> QuerySet:
    """The visible targets measured on ``unit`` or a unit below it."""
    return (
        visible_targets(user)
        .filter(unit__path__startswith=unit.path)
        .select_related("resolution", "unit", "indicator")
        .order_by("resolution__code", "number")
    )


def mine(tasks: QuerySet, user) -> QuerySet:
    """The person's own tasks among ``tasks``: those whose owner unit lies in their entry
    scope (every task for an administrator) and those assigned to them."""
    entry = scope.scope_root(user, scope.ENTER)
    if entry == scope.EVERYWHERE:
        return tasks
    chosen = tasks.filter(assignees=user)
    if entry is not None:
        chosen = chosen | tasks.filter(owner__path__startswith=entry.path)
    return chosen.distinct()


@dataclass(frozen=True)
class TaskQuery:
    """Filters of a task list; each None (or False) means no filter."""

    owner: Unit | None = None  # the owner unit and below
    no_owner: bool = False  # an owner was asked for that does not exist: nothing
    resolution: int | None = None
    status: str | None = None  # computed as of ``today``
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    mine: bool = False


def tasks(user, query: TaskQuery, base: QuerySet | None = None) -> QuerySet:
    """The visible tasks ``query`` selects, before the status filter (``with_status``)."""
    found = visible_tasks(user) if base is None else base
    if query.no_owner:
        return found.none()
    if query.owner is not None:
        found = found.filter(owner__path__startswith=query.owner.path)
    if query.resolution:
        found = found.filter(resolution_id=query.resolution)
    if query.due_from:
        found = found.filter(deadline__gte=query.due_from)
    if query.due_to:
        found = found.filter(deadline__lte=query.due_to)
    if query.mine:
        found = mine(found, user)
    return found


def with_status(found, status: str | None, today: dt.date) -> list[Task]:
    """``found`` as a list, only the tasks whose status today is ``status`` if given."""
    return [t for t in found if not status or t.status(today) == status]


def unit_tasks(user, unit: Unit, status: str | None, today: dt.date) -> list[Task]:
    """The visible tasks owned by ``unit`` or a unit below it, with ``status`` today if
    given: what the task list shows for ``?unit=<unit>&status=<status>``."""
    return with_status(tasks(user, TaskQuery(owner=unit)), status, today)
