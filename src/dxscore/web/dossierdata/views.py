"""Dossier data pages: upload a file (queued for the worker), queue a measures run, and
follow the jobs' progress. Nothing here reads or computes dossiers: the worker does."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dxscore import periods
from dxscore.dossiers import StoreError
from dxscore.dossiers.quality import warned_records
from dxscore.dossiers.schema import WARNING_CODES
from dxscore.errors import Problems
from dxscore.tables import csv_text
from dxscore.web.dossierdata import reconcile as reconcile_rules
from dxscore.web.dossierdata.access import may_open_jobs, may_upload
from dxscore.web.dossierdata.forms import (
    DossierUploadForm,
    PortalCountsForm,
    PortalCountsUploadForm,
)
from dxscore.web.dossierdata.models import Job, PortalCount
from dxscore.web.dossierdata.worker import queue_measures, store_root
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit
from dxscore.web.sheets import Sheet, read_csv, read_xlsx


def visible_jobs(user):
    """Managers see every job; others see the jobs they queued."""
    jobs = Job.objects.select_related("created_by")
    return jobs if scope.can_manage(user) else jobs.filter(created_by=user)


@login_required
def jobs(request):
    if not may_open_jobs(request.user):
        raise PermissionDenied
    form = DossierUploadForm()
    if request.method == "POST":
        if not may_upload(request.user):
            raise PermissionDenied
        form = DossierUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            job = Job(
                kind=Job.Kind.IMPORT,
                filename=upload.name[:255],
                profile=form.cleaned_data["profile"],
                strict=form.cleaned_data["strict"],
                created_by=request.user,
            )
            job.file.save(upload.name, upload, save=False)
            job.save()
            messages.success(
                request, _("%(f)s is queued; the worker imports it.") % {"f": job.filename}
            )
            return redirect("dossier_job", job.pk)
    listed = list(visible_jobs(request.user)[:30])
    return render(
        request,
        "dossierdata/jobs.html",
        {
            "form": form,
            "jobs": listed,
            "can_compute": scope.can_manage(request.user),
            "refresh": any(j.active for j in listed),
            # the server's folders are for those who run the site, not for every uploader
            "store": store_root() if scope.can_manage(request.user) else None,
        },
    )


@login_required
@require_POST
def compute(request):
    if not scope.can_manage(request.user):
        raise PermissionDenied
    job = queue_measures(request.user)
    messages.success(request, _("Measures are queued; the worker computes them."))
    return redirect("dossier_job", job.pk)


def _job(request, pk: int) -> Job:
    return get_object_or_404(visible_jobs(request.user), pk=pk)


@login_required
def job(request, pk: int):
    job = _job(request, pk)
    return render(request, "dossierdata/job.html", {"job": job, "refresh": job.active})


@login_required
def rejects(request, pk: int):
    job = _job(request, pk)
    if not job.rejects:
        raise Http404
    return FileResponse(
        job.rejects.open("rb"),
        as_attachment=True,
        filename=f"rejects-{job.pk}.csv",
        content_type="text/csv",
    )


# -- data quality: the records behind a warning ---------------------------------------------


def _viewed_unit(request, code: str | None, day=None) -> Unit:
    """A unit in the person's viewing scope, or 404 (its existence is not revealed)."""
    if scope.role_of(request.user) is None:
        raise PermissionDenied
    visible = scope.restrict(Unit.objects.all(), request.user, scope.VIEW, via="")
    unit = visible.lookup(code or "", day) if code else None
    if unit is None:
        raise Http404
    return unit


@login_required
@require_GET
def warned_records_download(request):
    """The stored records of a unit (its subtree) received in a period that carry a
    warning (``warning``: one code, else any), as CSV: for staff within the unit's
    viewing scope, as the dossier records API."""
    period = request.GET.get("period", "")
    if not periods.is_period(period):
        raise Http404
    span = periods.parse(period)
    unit = _viewed_unit(request, request.GET.get("unit"), span.end)
    code = request.GET.get("warning") or None
    if code is not None and code not in WARNING_CODES:
        raise Http404
    codes = list(Unit.objects.filter(path__startswith=unit.path).values_list("code", flat=True))
    try:
        frame = warned_records(store_root(), codes, span.kind, period, code)
    except StoreError:
        frame = warned_records_empty()
    name = f"warnings-{unit.code}-{period}{'-' + code if code else ''}.csv"
    response = HttpResponse(csv_text(frame), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def warned_records_empty():
    import pandas as pd

    from dxscore.dossiers.schema import BATCH, COLUMN_NAMES, ROW, WARNINGS

    return pd.DataFrame(columns=[*COLUMN_NAMES, WARNINGS, BATCH, ROW])


# -- reconciliation with the portal's published counts ---------------------------------------

COUNTS_SESSION = "dossierdata_portal_counts"


@login_required
def reconciliation(request):
    """A unit and period: the portal's published counts beside dxscore's measures, with
    the differences and their likely causes; staff who enter the unit's data enter or
    import the counts."""
    if scope.role_of(request.user) is None:
        raise PermissionDenied
    period = request.GET.get("period", "")
    code = request.GET.get("unit", "")
    unit = None
    if periods.is_period(period) and code:
        unit = _viewed_unit(request, code, periods.parse(period).end)
    may_enter = unit is not None and scope.allows(request.user, scope.ENTER, unit)
    existing = (
        dict(PortalCount.objects.filter(unit=unit, period=period).values_list("measure", "value"))
        if unit
        else {}
    )
    form = PortalCountsForm(initial_counts=existing)
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied
        form = PortalCountsForm(request.POST, initial_counts=existing)
        if form.is_valid():
            rows = [
                {
                    "unit": unit.code,
                    "unit_id": unit.pk,
                    "period": period,
                    "measure": m,
                    "value": form.cleaned_data[m],
                    "source": form.cleaned_data["source"][:200],
                }
                for m in PortalCount.Measure.values
                if form.cleaned_data.get(m) is not None
            ]
            saved = reconcile_rules.save_counts(rows, request.user)
            messages.success(
                request,
                ngettext("%(n)d published count saved.", "%(n)d published counts saved.", saved)
                % {"n": saved},
            )
            return redirect(f"{request.path}?unit={unit.code}&period={period}")
    return render(
        request,
        "dossierdata/reconciliation.html",
        {
            "unit": unit,
            "period": period,
            "code": code,
            "result": reconcile_rules.reconcile(unit, period) if unit else None,
            "form": form,
            "upload": PortalCountsUploadForm(),
            "may_enter": may_enter,
            "may_upload": may_upload(request.user),
        },
    )


def _read_counts_file(upload) -> Sheet:
    data = upload.read()
    if upload.name.lower().endswith(".xlsx"):
        return read_xlsx(data, "counts")
    return read_csv(data)


@login_required
@require_POST
def reconciliation_upload(request):
    """Read an uploaded file of published counts and keep its checked rows for the
    preview (nothing is stored yet)."""
    if not may_upload(request.user):
        raise PermissionDenied
    form = PortalCountsUploadForm(request.POST, request.FILES)
    problems: list = []
    rows: list = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = reconcile_rules.parse_counts(
                _read_counts_file(upload), request.user, get_language() or "en"
            )
        except Problems as exc:
            problems = exc.problems
    else:
        problems = [(_("file"), str(e)) for errors in form.errors.values() for e in errors]
    request.session[COUNTS_SESSION] = {"rows": rows, "problems": problems}
    return redirect("dossier_reconciliation_preview")


@login_required
def reconciliation_preview(request):
    """What an uploaded file of counts would store; stored all at once on confirmation,
    only when no row has a problem."""
    if not may_upload(request.user):
        raise PermissionDenied
    chosen = request.session.get(COUNTS_SESSION)
    if not chosen:
        return redirect("dossier_reconciliation")
    if request.method == "POST":
        if chosen["problems"] or not chosen["rows"]:
            raise PermissionDenied
        try:
            saved = reconcile_rules.save_counts(chosen["rows"], request.user)
        except Problems as exc:
            chosen["problems"] = exc.problems
            request.session[COUNTS_SESSION] = chosen
            return redirect("dossier_reconciliation_preview")
        request.session.pop(COUNTS_SESSION, None)
        messages.success(
            request,
            ngettext("%(n)d published count saved.", "%(n)d published counts saved.", saved)
            % {"n": saved},
        )
        first = chosen["rows"][0]
        return redirect(
            f"{reverse('dossier_reconciliation')}?unit={first['unit']}&period={first['period']}"
        )
    return render(
        request,
        "dossierdata/reconciliation_preview.html",
        {"rows": chosen["rows"], "problems": chosen["problems"]},
    )
