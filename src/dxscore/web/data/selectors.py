"""Reads of indicator values in a person's viewing scope: the value pages and the API
read them through here."""

from __future__ import annotations

from django.db.models import QuerySet

from dxscore.web.data.models import Value
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
