"""Who may see and change what: the one place where scopes are applied to queries.

Every view that lists or fetches unit-bound records passes its queryset through
``restrict``; every check on one unit goes through ``allows``. Both read the same
rule (``scope_root``), so a page and a query can never disagree.
"""

from __future__ import annotations

from django.db.models import QuerySet

from dxscore.web.orgs.models import Role, Unit


class NotAllowed(Exception):
    """An action outside the person's role or scope. The apps raise it through their own
    errors (``EntryNotAllowed``, ``PlanNotAllowed``, ``RunNotAllowed``), so one ``except
    scope.NotAllowed`` catches every refusal."""


VIEW = "view"
ENTER = "enter"
APPROVE = "approve"
EVERYWHERE = "everywhere"

# which scope each role uses for each action (None: the action is not allowed)
_RULES = {
    Role.ADMINISTRATOR: {VIEW: EVERYWHERE, ENTER: EVERYWHERE, APPROVE: EVERYWHERE},
    Role.STEERING: {VIEW: "view", ENTER: "entry", APPROVE: "entry"},
    Role.DATA_OFFICER: {VIEW: "view", ENTER: "entry", APPROVE: None},
    Role.APPROVER: {VIEW: "view", ENTER: None, APPROVE: "entry"},
    Role.VIEWER: {VIEW: "view", ENTER: None, APPROVE: None},
}


def role_of(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    person = getattr(user, "person", None)
    return person.role if person else None


def scope_root(user, action: str) -> Unit | str | None:
    """The unit whose subtree ``user`` may ``action``, ``EVERYWHERE``, or None."""
    role = role_of(user)
    if role is None:
        return None
    which = _RULES[Role(role)][action]
    if which is None or which == EVERYWHERE:
        return which
    person = user.person
    if which == "view":
        return person.view_scope or person.entry_scope
    return person.entry_scope


def restrict(queryset: QuerySet, user, action: str = VIEW, via: str = "unit") -> QuerySet:
    """``queryset`` limited to records whose unit (reached through ``via``; empty for a
    queryset of units) lies in the user's scope for ``action``."""
    root = scope_root(user, action)
    if root == EVERYWHERE:
        return queryset
    if root is None:
        return queryset.none()
    field = f"{via}__path__startswith" if via else "path__startswith"
    return queryset.filter(**{field: root.path})


def allows(user, action: str, unit: Unit) -> bool:
    root = scope_root(user, action)
    if root == EVERYWHERE:
        return True
    return root is not None and unit.path.startswith(root.path)


def can_manage(user) -> bool:
    """Set-up work that is not bound to a unit: methodologies, periods, score runs."""
    return role_of(user) in (Role.ADMINISTRATOR, Role.STEERING)


def can_administer(user) -> bool:
    """The workspace's own set-up: its units and their lineage, people's scopes."""
    return role_of(user) == Role.ADMINISTRATOR


def ended_before(user, action: str, day) -> Unit | None:
    """The person's scope for ``action`` if it is a unit that ended before ``day`` (a
    district officer's scope ends with the district): nothing can be entered for a
    period after its end, until an administrator moves the scope (``orgs/people.py``)."""
    root = scope_root(user, action)
    if not isinstance(root, Unit):
        return None
    root = Unit.objects.get(pk=root.pk)  # its validity as stored now (a lineage import)
    if root.valid_to is not None and root.valid_to < day:
        return root
    return None
