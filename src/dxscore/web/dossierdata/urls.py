from django.urls import path

from dxscore.web.dossierdata import views

urlpatterns = [
    path("dossiers/", views.jobs, name="dossier_jobs"),
    path("dossiers/compute/", views.compute, name="dossier_compute"),
    path("dossiers/jobs/<int:pk>/", views.job, name="dossier_job"),
    path("dossiers/jobs/<int:pk>/rejects.csv", views.rejects, name="dossier_rejects"),
    path("dossiers/warnings.csv", views.warned_records_download, name="dossier_warnings"),
    path("dossiers/reconcile/", views.reconciliation, name="dossier_reconciliation"),
    path(
        "dossiers/reconcile/upload/",
        views.reconciliation_upload,
        name="dossier_reconciliation_upload",
    ),
    path(
        "dossiers/reconcile/preview/",
        views.reconciliation_preview,
        name="dossier_reconciliation_preview",
    ),
]
