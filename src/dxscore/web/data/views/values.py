"""One value: its history (every change, who and why) and its evidence file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from dxscore.web.data import selectors
from dxscore.web.data.models import Value


def _visible_value(request, pk: int) -> Value:
    return get_object_or_404(selectors.visible_values(request.user), pk=pk)


def _changes(value: Value) -> list[dict]:
    """Every change of the value, newest first: when, who, old and new value, old and
    new state, reason and comment (what the history page and its downloads show)."""
    records = list(value.history.select_related("history_user").order_by("history_date", "pk"))
    changes = []
    previous = None
    for record in records:
        changes.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "old": previous.value if previous else None,
                "new": record.value,
                "old_status": previous.get_status_display() if previous else "",
                "status": record.get_status_display(),
                "comment": record.comment,
                "reason": record.history_change_reason or "",
                "changed_value": previous is None or previous.value != record.value,
            }
        )
        previous = record
    changes.reverse()
    return changes


@login_required
def value_history(request, pk: int):
    value = _visible_value(request, pk)
    return render(
        request, "dxscore/value_history.html", {"value": value, "changes": _changes(value)}
    )


@login_required
def value_history_download(request, pk: int, fmt: str):
    """The value's history as CSV, XLSX or JSON, for whoever may read the page: the
    same changes, the values in their stored precision (the workbook formats them by the
    indicator's kind of figure)."""
    from dxscore.web.dashboards import exports
    from dxscore.web.dashboards.tables import DATETIME, Column, Table

    if fmt not in exports.FORMATS:
        raise Http404
    value = _visible_value(request, pk)
    kind = value.indicator.figure
    columns = [
        Column("when", _("When"), DATETIME),
        Column("who", _("Who")),
        Column("old", _("Old"), kind),
        Column("new", _("New"), kind),
        Column("old_status", _("Old state")),
        Column("status", _("State")),
        Column("reason", _("Reason")),
        Column("comment", _("Comment")),
    ]
    rows = [
        {
            **c,
            "who": c["who"].get_username() if c["who"] else None,
            "old_status": str(c["old_status"]),
            "status": str(c["status"]),
        }
        for c in _changes(value)
    ]
    table = Table(
        name=f"history-{value.indicator.code}-{value.unit.code}-{value.period.code}",
        title=f"{_('History')}: {value.indicator.label} · {value.unit.name} · {value.period.code}",
        columns=columns,
        rows=rows,
        meta={
            "indicator": value.indicator.code,
            "unit": value.unit.code,
            "period": value.period.code,
            "value": value.value,
            "state": value.status,
        },
    )
    return exports.download(table, fmt)


@login_required
def value_evidence(request, pk: int):
    value = _visible_value(request, pk)
    if not value.evidence:
        raise Http404
    return FileResponse(value.evidence.open("rb"), as_attachment=True)
