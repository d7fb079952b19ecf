from django.urls import path

from dxscore.web.orgs import views

urlpatterns = [
    path("units/", views.unit_list, name="units"),
]
