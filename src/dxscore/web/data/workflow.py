"""The rules of a value's life: entered as a draft, submitted, approved (locked) or
returned with a reason; an approved value can be reopened, with a reason. Every change
goes through here, so the audit trail (django-simple-history) records who, when, the old
and new value and the reason."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dxscore.web.data.models import (
    EDITABLE,
    Channel,
    Indicator,
    Methodology,
    Period,
    Status,
    Value,
)
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit


class WorkflowError(ValueError):
    pass


class EntryNotAllowed(WorkflowError, scope.NotAllowed):
    """The person may not do this (role or scope)."""


@dataclass
class Entry:
    """One input's new content: ``value`` None means empty."""

    code: str
    value: float | None
    comment: str = ""
    link: str = ""
    file: object = None


def audit(value: Value, user, reason: str) -> None:
    """Who and why, for the history row that the next save writes."""
    value._history_user = user
    value._change_reason = reason[:100]


def scope_ended(user, period: Period, action: str = scope.ENTER) -> str:
    """Why the person can no longer act for ``period`` (their scope ended before it
    began), or "" if they can."""
    from django.utils.formats import date_format

    ended = scope.ended_before(user, action, period.start)
    if ended is None:
        return ""
    successors = ", ".join(str(u) for u in ended.successor_units())
    return _(
        "Your scope %(unit)s ended on %(day)s: you can no longer enter or approve values "
        "for %(period)s, after its end. An administrator can move your scope to its "
        "successor (%(next)s)."
    ) % {
        "unit": ended,
        "day": date_format(ended.valid_to, "SHORT_DATE_FORMAT"),
        "period": period.code,
        "next": successors or "-",
    }


def check_scope_in_force(user, period: Period, action: str = scope.ENTER) -> None:
    message = scope_ended(user, period, action)
    if message:
        raise EntryNotAllowed(message)


def _check_period_unit(unit: Unit, period: Period) -> None:
    if not unit.valid_between(period.start, period.end):
        raise WorkflowError(
            _("%(unit)s does not exist in period %(period)s.") % {"unit": unit, "period": period}
        )


def save_entries(
    user,
    methodology: Methodology,
    period: Period,
    unit: Unit,
    entries: list[Entry],
    reason="",
    via: str = Channel.FORM,
) -> int:
    """Store entered values as drafts; returns how many values changed. All or nothing.
    ``via``: how they came in (``Channel``: the entry form, the API), kept in their
    history."""
    if not scope.allows(user, scope.ENTER, unit):
        raise EntryNotAllowed(_("You may not enter values for %(unit)s.") % {"unit": unit})
    check_scope_in_force(user, period)
    _check_period_unit(unit, period)
    allowed = set(methodology.inputs())
    changed = 0
    with transaction.atomic():
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=allowed)}
        existing = {
            v.indicator.code: v
            for v in Value.objects.select_for_update()
            .select_related("indicator")
            .filter(unit=unit, period=period, indicator__in=indicators.values())
        }
        for entry in entries:
            if entry.code not in allowed:
                raise WorkflowError(
                    _("'%(code)s' is not an input of this methodology.") % {"code": entry.code}
                )
            value = existing.get(entry.code)
            if value is None:
                if entry.value is None and not entry.comment and not entry.link and not entry.file:
                    continue
                value = Value(unit=unit, indicator=indicators[entry.code], period=period)
            elif (
                value.value == entry.value
                and value.comment == entry.comment
                and value.evidence_link == entry.link
                and not entry.file
            ):
                continue
            if getattr(indicators.get(entry.code), "source", None) in Indicator.COMPUTED:
                raise WorkflowError(
                    _("%(code)s is computed from dossiers and cannot be entered.")
                    % {"code": entry.code}
                )
            if value.pk and value.status not in EDITABLE:
                raise WorkflowError(
                    _("%(code)s is %(status)s and cannot be changed.")
                    % {"code": entry.code, "status": value.get_status_display()}
                )
            value.value = entry.value
            value.comment = entry.comment
            value.evidence_link = entry.link
            if entry.file:
                value.evidence = entry.file
            if value.status == Status.RETURNED:
                value.status = Status.DRAFT
            value.updated_by = user
            value.updated_at = timezone.now()
            value.channel, value.upload = via, None
            audit(value, user, reason or _("entered"))
            value.save()
            changed += 1
    return changed


def _batch(methodology: Methodology, period: Period, unit: Unit):
    return (
        Value.objects.select_for_update()
        .select_related("indicator")
        .filter(unit=unit, period=period, indicator__code__in=methodology.inputs())
    )


def _transition(values, status: str, user, reason: str, **fields) -> int:
    now = timezone.now()
    for value in values:
        value.status = status
        for name, content in fields.items():
            setattr(value, name, now if content == "now" else content)
        value.updated_at = now
        audit(value, user, reason)
        value.save()
    return len(values)


def submit(user, methodology: Methodology, period: Period, unit: Unit) -> int:
    """Draft and returned values go to the approver; every required input must have one."""
    if not scope.allows(user, scope.ENTER, unit):
        raise EntryNotAllowed(_("You may not submit values for %(unit)s.") % {"unit": unit})
    check_scope_in_force(user, period)
    m = methodology.compiled()
    with transaction.atomic():
        values = list(_batch(methodology, period, unit))
        have = {v.indicator.code for v in values if v.value is not None}
        missing = [
            code
            for code in m.indicators
            if code not in have and not m.nodes[code].spec.missing_allowed
        ]
        if missing:
            raise WorkflowError(_("Values missing for: %(codes)s.") % {"codes": ", ".join(missing)})
        todo = [v for v in values if v.status in EDITABLE]
        if not todo:
            raise WorkflowError(_("Nothing to submit."))
        return _transition(
            todo, Status.SUBMITTED, user, _("submitted"), submitted_by=user, submitted_at="now"
        )


def changed_by(value: Value) -> set[int]:
    """Everyone who entered or changed ``value`` since it was last approved (or since it
    was created): the people the four-eyes rule keeps from approving it. Read from the
    audit trail, where every change (page, upload, API, worker) records who made it in
    ``updated_by``; submitting, returning and reopening do not change it."""
    rows = value.history.order_by("-history_date", "-history_id").values_list(
        "status", "updated_by_id"
    )
    people = {value.updated_by_id}
    for n, (status, updated_by) in enumerate(rows):
        if status == Status.APPROVED and n > 0:
            break  # the last approval: what came before it was checked by someone else
        people.add(updated_by)
    people.discard(None)
    return people


def approve(user, methodology: Methodology, period: Period, unit: Unit) -> int:
    """Submitted values become approved and locked. Nobody approves their own submission."""
    if not scope.allows(user, scope.APPROVE, unit):
        raise EntryNotAllowed(_("You may not approve values for %(unit)s.") % {"unit": unit})
    check_scope_in_force(user, period, scope.APPROVE)
    with transaction.atomic():
        todo = [v for v in _batch(methodology, period, unit) if v.status == Status.SUBMITTED]
        if not todo:
            raise WorkflowError(_("Nothing is waiting for approval."))
        if any(v.submitted_by_id == user.pk for v in todo):
            raise EntryNotAllowed(_("You submitted these values: someone else must approve them."))
        touched = [v for v in todo if user.pk in changed_by(v)]
        if touched:
            raise EntryNotAllowed(
                _(
                    "You entered or changed %(codes)s since it was last approved: "
                    "someone else must approve these values."
                )
                % {"codes": ", ".join(sorted(v.indicator.code for v in touched))}
            )
        return _transition(
            todo, Status.APPROVED, user, _("approved"), approved_by=user, approved_at="now"
        )


def return_values(user, methodology: Methodology, period: Period, unit: Unit, reason: str) -> int:
    """Submitted values go back to the unit with a reason."""
    if not scope.allows(user, scope.APPROVE, unit):
        raise EntryNotAllowed(_("You may not return values of %(unit)s.") % {"unit": unit})
    if not reason.strip():
        raise WorkflowError(_("Say why the values are returned."))
    with transaction.atomic():
        todo = [v for v in _batch(methodology, period, unit) if v.status == Status.SUBMITTED]
        if not todo:
            raise WorkflowError(_("Nothing is waiting for approval."))
        return _transition(
            todo, Status.RETURNED, user, _("returned: %(r)s") % {"r": reason}, return_reason=reason
        )


def reopen(user, methodology: Methodology, period: Period, unit: Unit, reason: str) -> int:
    """Approved values become drafts again; the reason stays in their history."""
    if not scope.allows(user, scope.APPROVE, unit):
        raise EntryNotAllowed(_("You may not reopen values of %(unit)s.") % {"unit": unit})
    if not reason.strip():
        raise WorkflowError(_("Say why the values are reopened."))
    with transaction.atomic():
        todo = [v for v in _batch(methodology, period, unit) if v.status == Status.APPROVED]
        if not todo:
            raise WorkflowError(_("Nothing is approved."))
        return _transition(
            todo,
            Status.DRAFT,
            user,
            _("reopened: %(r)s") % {"r": reason},
            approved_by=None,
            approved_at=None,
        )
