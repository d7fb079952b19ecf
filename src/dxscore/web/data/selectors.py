"""Reads of indicator values in a person's viewing scope: the value pages and the API
read them through here; and what a value's history says of who entered and approved the
number a score run used (``trails``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from dxscore.web.data.models import Status, Upload, Value
from dxscore.web.orgs import scope


def visible_values(user) -> QuerySet:
    """Values of units in the person's viewing scope, with who entered, submitted and
    approved them."""
    return scope.restrict(
        Value.objects.select_related(
            "unit", "indicator", "period", "updated_by", "submitted_by", "approved_by"
        ),
        user,
        scope.VIEW,
    )


@dataclass(frozen=True)
class Step:
    """One step of a value's life as its history recorded it: who, when, how the number
    came in (``Channel``, and the file of an upload) and the reason recorded."""

    user: object  # the person (a user), None when nobody is recorded
    at: dt.datetime | None
    channel: str = ""
    upload: Upload | None = None
    reason: str = ""


@dataclass(frozen=True)
class Trail:
    """What a value's history says of one of its records: who entered the number it holds
    and when (``entered``), and the approval in force (``approved``, None if the record
    is not approved)."""

    value_id: int
    number: float | None
    entered: Step | None
    approved: Step | None


def trails(history_ids: Iterable[int | None]) -> dict[int, Trail]:
    """The ``Trail`` of each history record (``Value.history``'s ``history_id``; a score
    run keeps the one each input was read from), read from the values' histories up to
    the records, in one query, whatever the number of records. A record of a value
    deleted since is read all the same: history rows are never removed."""
    ids = sorted({h for h in history_ids if h is not None})
    if not ids:
        return {}
    history = Value.history.model.objects
    rows = (
        history.filter(
            id__in=history.filter(history_id__in=ids).values("id"), history_id__lte=ids[-1]
        )
        .select_related(
            "history_user__person__entry_scope",
            "updated_by__person__entry_scope",
            "approved_by__person__entry_scope",
            "upload",
        )
        .order_by("id", "history_id")
    )
    wanted = set(ids)
    out: dict[int, Trail] = {}
    entered: Step | None = None
    approved: Step | None = None
    previous = None
    for record in rows:
        if previous is None or previous.id != record.id:
            previous = None
        if previous is None or previous.value != record.value:
            entered = Step(
                record.history_user or record.updated_by,
                record.history_date,
                record.channel,
                record.upload,
                record.history_change_reason or "",
            )
        if record.status != Status.APPROVED:
            approved = None
        elif previous is None or previous.status != Status.APPROVED:
            approved = Step(
                record.approved_by or record.history_user,
                record.approved_at or record.history_date,
            )
        if record.history_id in wanted:
            out[record.history_id] = Trail(record.id, record.value, entered, approved)
        previous = record
    return out
