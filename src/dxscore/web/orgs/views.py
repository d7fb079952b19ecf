"""Units (the map over time), importing a lineage (preview, then all or nothing), and
the administrator's checklist of people whose scope ended."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dxscore import lineage as ln
from dxscore.errors import Problems
from dxscore.web.orgs import people, scope
from dxscore.web.orgs.forms import LineageUploadForm
from dxscore.web.orgs.lineage import LineageRejected, import_lineage, lineage_from_upload
from dxscore.web.orgs.models import Person, Unit

PAGE = 500
SHOWN = 200  # rows of each list a preview shows
SESSION = "dxscore_lineage_import"
FOLDER = "lineage-imports"


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def unit_list(request):
    """The units the person may see, as an indented tree: the map of a day (today by
    default) or, with ``on=all``, every unit of every time."""
    units = scope.restrict(
        Unit.objects.select_related("level", "parent").prefetch_related(
            "inflows__source", "outflows__target"
        ),
        request.user,
        via="",
    )
    chosen = request.GET.get("on", "")
    day = _day(chosen) or (None if chosen == "all" else timezone.localdate())
    if day is not None:
        units = units.in_force(day)
    page = Paginator(units.order_by("path"), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "dxscore/units.html",
        {
            "units": page,
            "day": day,
            "all": chosen == "all",
            "can_administer": scope.can_administer(request.user),
        },
    )


@login_required
def unit_detail(request, key: str):
    """One unit: its validity, where its territory came from and where it went."""
    visible = scope.restrict(Unit.objects.select_related("level", "parent"), request.user, via="")
    unit = visible.lookup(key)
    if unit is None:
        raise Http404
    came = unit.inflows.select_related("source").order_by("date", "source__code")
    went = unit.outflows.select_related("target").order_by("date", "target__code")
    return render(
        request,
        "dxscore/unit.html",
        {
            "unit": unit,
            "came": came,
            "went": went,
            "children": unit.children.order_by("code").select_related("level")[:PAGE],
            "same_code": visible.filter(code=unit.code).exclude(pk=unit.pk),
        },
    )


# --- importing a lineage ------------------------------------------------------------------


def _administrator(request) -> None:
    if not scope.can_administer(request.user):
        raise PermissionDenied


def _forget(request) -> None:
    chosen = request.session.pop(SESSION, None)
    if chosen and chosen.get("file"):
        default_storage.delete(chosen["file"])


@login_required
def lineage_import(request):
    _administrator(request)
    form = LineageUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _forget(request)
        builtin, upload = form.cleaned_data["builtin"], form.cleaned_data["file"]
        if builtin:
            request.session[SESSION] = {"builtin": builtin, "name": builtin}
        else:
            suffix = PurePosixPath(upload.name).suffix.lower()
            stored = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}{suffix}", upload)
            request.session[SESSION] = {"file": stored, "name": upload.name[:200]}
        return redirect("lineage_preview")
    return render(request, "dxscore/lineage_import.html", {"form": form})


def _chosen(request) -> tuple[dict, ln.Lineage | None, list[tuple[str, str]]]:
    chosen = request.session.get(SESSION)
    if not chosen:
        raise Http404
    try:
        if chosen.get("builtin"):
            return chosen, ln.load(chosen["builtin"]), []
        with default_storage.open(chosen["file"], "rb") as f:
            data = f.read()
        return chosen, lineage_from_upload(data, chosen["name"]), []
    except Problems as exc:
        return chosen, None, exc.problems
    except FileNotFoundError:
        raise Http404 from None


@login_required
def lineage_preview(request):
    _administrator(request)
    chosen, lineage, problems = _chosen(request)
    plan = import_lineage(lineage, commit=False) if lineage is not None else None
    if plan is not None:
        problems = plan.problems
    return render(
        request,
        "dxscore/lineage_preview.html",
        {"name": chosen["name"], "plan": plan, "problems": problems, "shown": SHOWN},
    )


@login_required
@require_POST
def lineage_commit(request):
    _administrator(request)
    if request.POST.get("action") == "cancel":
        _forget(request)
        messages.success(request, _("Import cancelled: nothing was stored."))
        return redirect("lineage_import")
    chosen, lineage, problems = _chosen(request)
    if lineage is None:
        return redirect("lineage_preview")
    try:
        plan = import_lineage(lineage, commit=True, user=request.user)
    except LineageRejected:
        messages.error(request, _("The lineage contradicts the stored units: nothing was stored."))
        return redirect("lineage_preview")
    _forget(request)
    messages.success(
        request,
        _("Lineage %(name)s imported: %(c)s, %(e)s, %(f)s.")
        % {
            "name": chosen["name"],
            "c": ngettext("%(n)d unit created", "%(n)d units created", len(plan.create))
            % {"n": len(plan.create)},
            "e": ngettext("%(n)d ended", "%(n)d ended", len(plan.end)) % {"n": len(plan.end)},
            "f": ngettext("%(n)d change stored", "%(n)d changes stored", len(plan.changes))
            % {"n": len(plan.changes)},
        },
    )
    if plan.scopes:
        return redirect("ended_scopes")
    return redirect("units")


# --- people whose scope ended -------------------------------------------------------------


@login_required
def ended_scopes(request):
    _administrator(request)
    today = timezone.localdate()
    return render(
        request,
        "dxscore/ended_scopes.html",
        {"rows": people.ended_scopes(today), "today": today, "soon": people.SOON_DAYS},
    )


@login_required
@require_POST
def move_scope(request, pk: int):
    _administrator(request)
    person = get_object_or_404(Person.objects.select_related("user", "entry_scope"), pk=pk)
    old = person.entry_scope
    if old is None:
        raise Http404
    target = get_object_or_404(old.successor_units(), pk=request.POST.get("unit") or 0)
    people.move_scope(request.user, person, target)
    messages.success(
        request,
        _("%(who)s now enters for %(new)s (was %(old)s).")
        % {"who": person.user.get_username(), "new": target, "old": old},
    )
    return redirect("ended_scopes")
