"""Site-wide pages: home (a landing page for visitors, the work page for staff), health,
and the error pages in the site's layout."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dxscore import __version__
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit
from dxscore.web.provenance import notices


def site_context(request):
    from dxscore.web import work
    from dxscore.web.dossierdata.access import may_open_jobs

    user = request.user
    return {
        "dx_work_count": work.count(user),
        "dx_role": scope.role_of(user),
        "dx_can_open_dossiers": may_open_jobs(user),
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


def home(request):
    """Staff see their work; a visitor (a citizen, a journalist) sees what is published."""
    if not request.user.is_authenticated:
        return landing(request)
    return _staff_home(request)


def landing(request):
    """The public front page: every published ranking's latest edition with its top
    units, linked to the leaderboards, scorecards and public-service figures. No log-in."""
    from dxscore.web.dashboards.landing import latest_rankings

    return render(request, "dxscore/landing.html", {"rankings": latest_rankings()})


@login_required
def _staff_home(request):
    from dxscore.web import work
    from dxscore.web.data.models import Methodology, Period
    from dxscore.web.scores.models import ScoreRun

    runs = ScoreRun.objects.select_related("methodology", "period")
    if not scope.can_manage(request.user):
        runs = runs.filter(published_at__isnull=False)
    items = work.waiting(request.user)
    root = scope.scope_root(request.user, scope.VIEW)
    return render(
        request,
        "dxscore/home.html",
        {
            "work": [i for i in items if i.actionable],
            "news": [i for i in items if not i.actionable],
            "methodologies": Methodology.objects.filter(active=True),
            "periods": Period.objects.all()[:6],
            "runs": runs.order_by("-created_at")[:10],
            "person": getattr(request.user, "person", None),
            "leader_unit": root if isinstance(root, Unit) else None,
            "leader_any": root is not None,
        },
    )


# --- error pages: in the site's layout, saying why and where to go ----------------------


def _error(request, status: int, template: str, exception=None):
    context = {"status": status}
    if exception is not None and status == 403 and str(exception):
        context["reason"] = str(exception)
    return render(request, template, context, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "400.html")


def permission_denied(request, exception=None):
    return _error(request, 403, "403.html", exception)


def page_not_found(request, exception=None):
    return _error(request, 404, "404.html")


def server_error(request):
    """The 500 page in the layout; if even that fails (the layout's own queries), the
    plain page, which needs nothing."""
    from django.template import loader

    try:
        return render(request, "500.html", {"status": 500}, status=500)
    except Exception:  # noqa: BLE001 - the error page must never fail
        from django.http import HttpResponseServerError

        return HttpResponseServerError(loader.get_template("500_plain.html").render())
