"""Reads of the stored dossier measures and data quality in a person's scope (the worker
computed them; nothing here reads dossier records). Who may read them is
``access.may_view_measures``."""

from __future__ import annotations

from dxscore.web.dossierdata.access import may_view_measures
from dxscore.web.dossierdata.models import DossierMeasure, DossierQuality
from dxscore.web.orgs.models import Unit


def measured_periods(user, unit: Unit, kind: str) -> list[str]:
    """The periods of ``kind`` with a stored measure of ``unit``, oldest first; none
    outside the person's viewing scope."""
    if not may_view_measures(user, unit):
        return []
    found = DossierMeasure.objects.filter(unit=unit, kind=kind).values_list("period", flat=True)
    return sorted(set(found))


def quality(user, unit: Unit, kind: str, period: str) -> DossierQuality | None:
    """The data quality of ``unit`` (its subtree rolled up) in ``period``, as the worker
    last computed it; None when there is none or the person may not read it."""
    if not may_view_measures(user, unit):
        return None
    return DossierQuality.objects.filter(unit=unit, kind=kind, period=period).first()
