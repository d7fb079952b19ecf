"""The log of reads of confidential documents: every page, file and API answer that
shows a confidential part of an inspection writes one row (who, what, when). The public
pages of published conclusions write none."""

from __future__ import annotations

from dxscore.web.inspections.models import AccessLog, Inspection


def log(user, inspection: Inspection, what: str, via: str = "page") -> None:
    AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        inspection=inspection,
        what=what[:60],
        via=via[:10],
    )
