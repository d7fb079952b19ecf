from django.urls import path

from dxscore.web.orgs import views

urlpatterns = [
    path("units/", views.unit_list, name="units"),
    path("units/lineage/", views.lineage_import, name="lineage_import"),
    path("units/lineage/preview", views.lineage_preview, name="lineage_preview"),
    path("units/lineage/commit", views.lineage_commit, name="lineage_commit"),
    path("units/scopes/", views.ended_scopes, name="ended_scopes"),
    path("units/scopes/<int:pk>/move", views.move_scope, name="move_scope"),
    path("units/<str:key>/", views.unit_detail, name="unit"),
]
