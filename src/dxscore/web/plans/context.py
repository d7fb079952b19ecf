"""The number of unread notices, for the navigation of every page."""

from __future__ import annotations


def notices(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from dxscore.web.plans.models import Notice

    return {"dx_unread_notices": Notice.objects.filter(user=user, read_at__isnull=True).count()}
