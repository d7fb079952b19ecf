from django.urls import path

from dxscore.web.dossierdata import views

urlpatterns = [
    path("dossiers/", views.jobs, name="dossier_jobs"),
    path("dossiers/compute/", views.compute, name="dossier_compute"),
    path("dossiers/jobs/<int:pk>/", views.job, name="dossier_job"),
    path("dossiers/jobs/<int:pk>/rejects.csv", views.rejects, name="dossier_rejects"),
]
