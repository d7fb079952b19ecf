from django.urls import path

from dxscore.web.data.views import entry, methodologies, uploads, values

urlpatterns = [
    path("methodologies/", methodologies.methodology_list, name="methodologies"),
    path("methodologies/<int:pk>/", methodologies.methodology_detail, name="methodology"),
    path(
        "methodologies/<int:pk>/indicators.<str:fmt>",
        methodologies.methodology_indicators_download,
        name="methodology_indicators_dl",
    ),
    path(
        "methodologies/<int:pk>/activate",
        methodologies.methodology_activate,
        name="methodology_activate",
    ),
    path("methodologies/<int:pk>/file", methodologies.methodology_file, name="methodology_file"),
    path("collect/<int:mid>/<str:period>/", entry.completeness, name="completeness"),
    path(
        "collect/<int:mid>/<str:period>/completeness.<str:fmt>",
        entry.completeness_download,
        name="completeness_dl",
    ),
    path("collect/<int:mid>/<str:period>/<str:unit>/", entry.entry, name="entry"),
    path(
        "collect/<int:mid>/<str:period>/<str:unit>/action", entry.entry_action, name="entry_action"
    ),
    path(
        "collect/<int:mid>/<str:period>/<str:unit>/template.xlsx", entry.template, name="template"
    ),
    path("collect/<int:mid>/<str:period>/<str:unit>/upload", uploads.upload, name="upload_values"),
    path("uploads/<int:pk>/", uploads.upload_preview, name="upload"),
    path("uploads/<int:pk>/commit", uploads.upload_commit, name="upload_commit"),
    path("values/<int:pk>/history", values.value_history, name="value_history"),
    path(
        "values/<int:pk>/history.<str:fmt>",
        values.value_history_download,
        name="value_history_dl",
    ),
    path("values/<int:pk>/evidence", values.value_evidence, name="value_evidence"),
]
