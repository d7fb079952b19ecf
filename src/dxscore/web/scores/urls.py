from django.urls import path

from dxscore.web.scores import views

urlpatterns = [
    path("runs/", views.run_list, name="runs"),
    path("runs.<str:fmt>", views.run_list_download, name="runs_dl"),
    path("runs/compute", views.run_compute, name="run_compute"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/ranking.<str:fmt>", views.run_ranking_download, name="run_ranking_dl"),
    path("runs/<int:pk>/publish", views.run_publish, name="run_publish"),
    path("runs/<int:pk>/withdraw", views.run_withdraw, name="run_withdraw"),
    path("runs/<int:pk>/recompute", views.run_recompute, name="run_recompute"),
    path("runs/<int:pk>/explain/<str:unit>/", views.run_explain, name="run_explain"),
    path(
        "runs/<int:pk>/explain/<str:unit>/values.<str:fmt>",
        views.run_explain_values,
        name="run_explain_values",
    ),
    path("runs/<int:pk>/methodology/", views.run_methodology, name="run_methodology"),
    path("runs/<int:pk>/methodology.yaml", views.run_methodology_file, name="run_methodology_file"),
    path(
        "runs/<int:pk>/indicators.<str:fmt>",
        views.run_methodology_download,
        name="run_methodology_dl",
    ),
    path("runs/<int:pk>/audit/", views.run_audit, name="run_audit"),
    path("runs/<int:pk>/audit.xlsx", views.run_audit_xlsx, name="run_audit_xlsx"),
]
