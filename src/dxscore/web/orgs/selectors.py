"""Reads of people for other apps' pages: what a person was (role and unit) when they did
something, so a public page can say "the approver of Bắc Ninh" without a name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from dxscore.web.orgs.models import Person, Role


def role_words(role: str | None, unit) -> str:
    """A role and its unit in words: "data officer of TP. Bắc Ninh"; an administrator (whose
    scope is everywhere) by the role alone; "a member of staff" without a role."""
    if not role:
        return _("a member of staff")
    label = str(Role(role).label) if role in Role.values else role
    if role == Role.ADMINISTRATOR or unit is None:
        return label
    return _("%(role)s of %(unit)s") % {"role": label, "unit": unit.name}


class RolesThen:
    """Who people were (role and entry scope) at given moments, read from the people's
    history in one query: the record in force at the moment, else the person as stored
    now (people recorded before their history was kept)."""

    def __init__(self, users: Iterable):
        self._now = {u.pk: u for u in users if u is not None}
        self._records: dict[int, list] = {}
        if not self._now:
            return
        rows = (
            Person.history.filter(user_id__in=list(self._now))
            .select_related("entry_scope")
            .order_by("history_date", "history_id")
        )
        for record in rows:
            self._records.setdefault(record.user_id, []).append(record)

    def words(self, user, moment: dt.datetime | None) -> str:
        """``user``'s role and unit at ``moment`` in words (``role_words``)."""
        if user is None:
            return _("a member of staff")
        if user.is_superuser:  # an administrator whatever their person says (``scope``)
            return role_words(Role.ADMINISTRATOR, None)
        record = None
        for candidate in self._records.get(user.pk, []):
            if moment is not None and candidate.history_date > moment:
                break
            if candidate.history_type != "-":
                record = candidate
        if record is not None:
            return role_words(record.role, record.entry_scope)
        person = getattr(user, "person", None)
        if person is None:
            return _("a member of staff")
        return role_words(person.role, person.entry_scope)
