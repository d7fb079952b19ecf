"""One value: its history (every change, who and why) and its evidence file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from dxscore.web.data import selectors
from dxscore.web.data.models import Value


def _visible_value(request, pk: int) -> Value:
    return get_object_or_404(selectors.visible_values(request.user), pk=pk)


@login_required
def value_history(request, pk: int):
    value = _visible_value(request, pk)
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
    return render(request, "dxscore/value_history.html", {"value": value, "changes": changes})


@login_required
def value_evidence(request, pk: int):
    value = _visible_value(request, pk)
    if not value.evidence:
        raise Http404
    return FileResponse(value.evidence.open("rb"), as_attachment=True)
