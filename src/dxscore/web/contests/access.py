"""Who may do what in contests and the initiatives competition, on top of
``orgs/scope.py``:

- A contest's **organisers** (``Contest.organisers``; the platform's administrators too)
  manage its rounds, questions and prizes, read every attempt with its flags and
  tab-switch count, and publish results. Creating a contest is set-up work
  (``scope.can_manage``).
- **Participants** (anyone, signed in or confirmed by a one-time code) take rounds and
  read their own attempts; everyone reads the contest page, its rules and published
  results.
- In an initiatives competition, the **organisers** assign evaluators and publish; an
  official with a unit **submits** for it; an **evaluator** scores the initiatives
  assigned to them, never one of their own unit (``dxscore.contests.conflicted``) nor
  their own; with blind review the evaluator does not see who submitted. Published
  results are public.
"""

from __future__ import annotations

from dxscore import contests as rules
from dxscore.web.contests.models import Assignment, Contest, Initiative, InitiativeRound
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def own_unit(user) -> Unit | None:
    """The unit a person belongs to: their entry scope, else their viewing scope."""
    if not _active(user):
        return None
    person = getattr(user, "person", None)
    if person is None:
        return None
    return person.entry_scope or person.view_scope


def is_organiser(user, contest: Contest) -> bool:
    if not _active(user):
        return False
    return user.is_superuser or contest.organisers.filter(pk=user.pk).exists()


def can_create(user) -> bool:
    return scope.can_manage(user)


def organises(user, competition: InitiativeRound) -> bool:
    if not _active(user):
        return False
    return user.is_superuser or competition.organisers.filter(pk=user.pk).exists()


def can_submit(user, competition: InitiativeRound) -> bool:
    unit = own_unit(user)
    return (
        unit is not None
        and competition.published_at is None
        and unit.is_within(competition.organiser_unit)
    )


def conflict(user, initiative: Initiative) -> bool:
    """The evaluator rule: nobody scores their own submission or their own unit's."""
    if initiative.submitted_by_id == getattr(user, "pk", None):
        return True
    unit = own_unit(user)
    return rules.conflicted(
        unit.path if unit else None, initiative.unit.path, initiative.round.organiser_unit.path
    )


def can_score(user, assignment: Assignment) -> bool:
    return (
        _active(user)
        and assignment.evaluator_id == user.pk
        and assignment.initiative.round.published_at is None
        and not conflict(user, assignment.initiative)
    )


def is_evaluator(user, initiative: Initiative) -> bool:
    return _active(user) and initiative.assignments.filter(evaluator=user).exists()


def can_read(user, initiative: Initiative) -> bool:
    if initiative.round.published_at is not None or organises(user, initiative.round):
        return True
    if not _active(user):
        return False
    if initiative.submitted_by_id == user.pk or is_evaluator(user, initiative):
        return True
    unit = own_unit(user)
    return unit is not None and unit.pk == initiative.unit_id


def sees_author(user, initiative: Initiative) -> bool:
    """Blind review hides the unit and the person from evaluators (only)."""
    if not initiative.round.blind or initiative.round.published_at is not None:
        return True
    if organises(user, initiative.round) or initiative.submitted_by_id == user.pk:
        return True
    return not is_evaluator(user, initiative)
