"""The leader's view of a unit (``/leader/<unit>/``): one page, readable in ten seconds,
and the same as one A4 page of PDF. Published scores are public; the other blocks follow
the read rules of their own pages (``dashboards/leader.py``)."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dxscore.web.dashboards.leader import leader_context
from dxscore.web.dashboards.views.public import report_download
from dxscore.web.orgs.models import Unit


def _context(request, unit: str) -> dict:
    """The page's context; 404 for an unknown unit or one of which the person may read
    nothing (no published score, no scope over it)."""
    found = Unit.objects.lookup(unit)
    if found is None:
        raise Http404
    context = leader_context(request, found)
    if not context["anything"]:
        raise Http404
    return context


@require_GET
def leader_pick(request):
    """``/leader/?unit=<code>``: the form of the home page, on to the unit's page."""
    code = request.GET.get("unit", "").strip()[:60]
    found = Unit.objects.lookup(code) if code else None
    if found is None:
        if code:
            messages.error(request, _("No unit has the code %(c)s.") % {"c": code})
        return redirect("home")
    return redirect("dash_leader", found.key)


@require_GET
def leader(request, unit: str):
    return render(request, "dashboards/leader.html", _context(request, unit))


@require_GET
def leader_pdf(request, unit: str):
    """The page as one A4 page of PDF, stored per unit and person (what it shows depends on
    the person's scope) and rebuilt when its content changes (the key is its HTML)."""
    from dxscore.web.dashboards import reports

    context = _context(request, unit)
    html = reports.leader_document(request, context)
    found = context["unit"]
    who = request.user.pk if request.user.is_authenticated else "public"
    return report_download(
        request,
        f"leader {found.key} {who}",
        (hashlib.sha256(html.encode()).hexdigest(),),
        lambda: reports.pdf_of(request, html),
        f"leader-{found.code}.pdf",
        "application/pdf",
    )
