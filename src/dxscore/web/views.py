"""Site-wide pages: home, health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dxscore import __version__
from dxscore.web.orgs import scope
from dxscore.web.provenance import notices


def site_context(request):
    user = request.user
    return {
        "dx_role": scope.role_of(user),
        "dx_can_manage": scope.can_manage(user),
        "dx_version": __version__,
        "dx_demo_workspace": notices.is_demo_workspace(),
    }


@require_GET
@never_cache
def health(request):
    """200 with ``{"status": "ok", "database": "ok"}`` when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means the database is down
        db = f"error: {exc.__class__.__name__}"
    ok = db == "ok"
    return JsonResponse(
        {
            "status": "ok" if ok else "error",
            "database": db,
            "engine": connection.vendor,
            "version": __version__,
        },
        status=200 if ok else 503,
    )


@login_required
def home(request):
    from dxscore.web.data.models import Methodology, Period
    from dxscore.web.scores.models import ScoreRun

    runs = ScoreRun.objects.select_related("methodology", "period")
    if not scope.can_manage(request.user):
        runs = runs.filter(published_at__isnull=False)
    return render(
        request,
        "dxscore/home.html",
        {
            "methodologies": Methodology.objects.filter(active=True),
            "periods": Period.objects.all()[:6],
            "runs": runs.order_by("-created_at")[:10],
            "person": getattr(request.user, "person", None),
        },
    )
