from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dxscore.web import fonts, language, views

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("fonts/<str:name>", fonts.font, name="font"),
    path("accounts/login/", language.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(success_url="/"),
        name="password_change",
    ),
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("dxscore.web.orgs.urls")),
    path("", include("dxscore.web.data.urls")),
    path("", include("dxscore.web.scores.urls")),
    path("", include("dxscore.web.dashboards.urls")),
    path("plans/", include("dxscore.web.plans.urls")),
    path("inspections/", include("dxscore.web.inspections.urls")),
    path("contests/", include("dxscore.web.contests.urls")),
    path("", include("dxscore.web.assessments.urls")),
    path("", include("dxscore.web.dossierdata.urls")),
    path("assistant/", include("dxscore.web.assistant.urls")),
    path("api/", include("dxscore.web.api.urls")),
]

handler400 = "dxscore.web.views.bad_request"
handler403 = "dxscore.web.views.permission_denied"
handler404 = "dxscore.web.views.page_not_found"
handler500 = "dxscore.web.views.server_error"
