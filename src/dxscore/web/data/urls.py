from django.urls import path

from dxscore.web.data import views, views_methodologies

urlpatterns = [
    path("methodologies/", views_methodologies.methodology_list, name="methodologies"),
    path("methodologies/<int:pk>/", views_methodologies.methodology_detail, name="methodology"),
    path(
        "methodologies/<int:pk>/activate",
        views_methodologies.methodology_activate,
        name="methodology_activate",
    ),
    path(
        "methodologies/<int:pk>/file", views_methodologies.methodology_file, name="methodology_file"
    ),
    path("collect/<int:mid>/<str:period>/", views.completeness, name="completeness"),
    path("collect/<int:mid>/<str:period>/<str:unit>/", views.entry, name="entry"),
    path(
        "collect/<int:mid>/<str:period>/<str:unit>/action", views.entry_action, name="entry_action"
    ),
    path(
        "collect/<int:mid>/<str:period>/<str:unit>/template.xlsx", views.template, name="template"
    ),
    path("collect/<int:mid>/<str:period>/<str:unit>/upload", views.upload, name="upload_values"),
    path("uploads/<int:pk>/", views.upload_preview, name="upload"),
    path("uploads/<int:pk>/commit", views.upload_commit, name="upload_commit"),
    path("values/<int:pk>/history", views.value_history, name="value_history"),
    path("values/<int:pk>/evidence", views.value_evidence, name="value_evidence"),
]
