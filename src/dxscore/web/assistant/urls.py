from django.urls import path

from dxscore.web.assistant import views

app_name = "assistant"
urlpatterns = [
    path("", views.ask, name="ask"),
    path("feedback/", views.feedback, name="feedback"),
    path("procedures/<str:code>/", views.procedure, name="procedure"),
    path("library/", views.manage, name="manage"),
]
