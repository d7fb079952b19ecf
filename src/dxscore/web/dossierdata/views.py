"""Dossier data pages: upload a file (queued for the worker), queue a measures run, and
follow the jobs' progress. Nothing here reads or computes dossiers: the worker does."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxscore.web.dossierdata.access import may_open_jobs, may_upload
from dxscore.web.dossierdata.forms import DossierUploadForm
from dxscore.web.dossierdata.models import Job
from dxscore.web.dossierdata.worker import queue_measures, store_root
from dxscore.web.orgs import scope


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
