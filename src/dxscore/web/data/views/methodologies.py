"""Methodology pages: list, upload (validated by the engine), activate, settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxscore.web.data import methodologies as store
from dxscore.web.data.forms import MethodologySettingsForm, MethodologyUploadForm
from dxscore.web.data.models import Methodology, Period
from dxscore.web.orgs import scope


def _require_manager(request) -> None:
    if not scope.can_manage(request.user):
        raise PermissionDenied


@login_required
def methodology_list(request):
    problems = None
    form = MethodologyUploadForm()
    if request.method == "POST":
        _require_manager(request)
        form = MethodologyUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                stored = store.store(
                    form.cleaned_data["file"],
                    user=request.user,
                    purpose=form.cleaned_data["purpose"],
                    source=request.FILES["file"].name,
                )
            except store.MethodologyRejected as exc:
                problems = exc.problems
            else:
                messages.success(request, _("Stored %(m)s.") % {"m": stored})
                return redirect("methodology", stored.pk)
    return render(
        request,
        "dxscore/methodologies.html",
        {
            "methodologies": Methodology.objects.select_related("reporting_level"),
            "form": form,
            "problems": problems,
        },
    )


@login_required
def methodology_detail(request, pk: int):
    methodology = get_object_or_404(Methodology, pk=pk)
    m = methodology.compiled()
    rows = store.indicator_rows(m)
    form = MethodologySettingsForm(instance=methodology)
    if request.method == "POST":
        _require_manager(request)
        form = MethodologySettingsForm(request.POST, instance=methodology)
        if form.is_valid():
            try:
                form.save()
            except IntegrityError:
                messages.error(request, _("Another active version already has this purpose."))
            else:
                messages.success(request, _("Saved."))
            return redirect("methodology", pk)
    return render(
        request,
        "dxscore/methodology.html",
        {
            "methodology": methodology,
            "m": m,
            "rows": rows,
            "form": form,
            "periods": Period.objects.all(),
            "versions": Methodology.objects.filter(code=methodology.code),
        },
    )


@login_required
def methodology_indicators_download(request, pk: int, fmt: str):
    """The methodology page's indicators as CSV, XLSX or JSON (whoever may read the page)."""
    from dxscore.web.dashboards import exports, tables

    if fmt not in exports.FORMATS:
        raise Http404
    methodology = get_object_or_404(Methodology, pk=pk)
    return exports.download(tables.indicators(methodology, methodology.compiled()), fmt)


@login_required
@require_POST
def methodology_activate(request, pk: int):
    _require_manager(request)
    methodology = get_object_or_404(Methodology, pk=pk)
    store.activate(methodology)
    messages.success(
        request,
        _("%(m)s is now the active methodology for '%(p)s'.")
        % {"m": methodology, "p": methodology.purpose},
    )
    return redirect("methodology", pk)


@login_required
def methodology_file(request, pk: int):
    methodology = get_object_or_404(Methodology, pk=pk)
    response = HttpResponse(methodology.text, content_type="application/yaml; charset=utf-8")
    name = f"{methodology.code}-{methodology.version}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
