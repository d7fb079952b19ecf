"""People follow the map: a person's entry scope is a unit, and when the unit's validity
ends the scope ends (``data/workflow.scope_ended`` refuses entries for later periods).
The administrator's checklist lists the people whose scope ended or ends soon, with the
units that succeeded it; moving a scope is one audited change (``Person.history``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Person, Unit

SOON_DAYS = 30


class ScopeNotAllowed(scope.NotAllowed):
    pass


@dataclass
class EndedScope:
    person: Person
    unit: Unit  # the entry scope
    ended: bool  # False: it ends within SOON_DAYS
    successors: list[Unit]  # suggested: the units its territory went into


def ended_scopes(today: dt.date, within: int = SOON_DAYS) -> list[EndedScope]:
    """People whose entry scope ended, or ends within ``within`` days of ``today``."""
    people = (
        Person.objects.filter(entry_scope__valid_to__lte=today + dt.timedelta(days=within))
        .select_related("user", "entry_scope", "entry_scope__level")
        .order_by("entry_scope__valid_to", "user__username")
    )
    found = []
    for person in people:
        unit = person.entry_scope
        successors = list(unit.successor_units().select_related("level").order_by("code"))
        found.append(EndedScope(person, unit, unit.valid_to < today, successors))
    return found


def move_scope(admin, person: Person, target: Unit) -> Person:
    """Move ``person``'s entry scope (and their viewing scope, if it was the same unit) to
    ``target``; audited in the person's history with who and why."""
    if not scope.can_administer(admin):
        raise ScopeNotAllowed(_("Only an administrator moves people's scopes."))
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        old = person.entry_scope
        if person.view_scope_id is not None and person.view_scope_id == person.entry_scope_id:
            person.view_scope = target
        person.entry_scope = target
        person._history_user = admin
        person._change_reason = (
            _("scope moved from %(old)s to %(new)s (unit ended)") % {"old": old, "new": target}
        )[:100]
        person.save()
    return person
