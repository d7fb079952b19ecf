from django.urls import path, register_converter

from dxscore.web.dashboards.views import leader as views_leader
from dxscore.web.dashboards.views import public as views
from dxscore.web.dashboards.views import services as views_services
from dxscore.web.dashboards.views import whatif as views_staff


class _Fmt:
    regex = "csv|xlsx|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class _CardFmt(_Fmt):
    regex = "csv|xlsx|json|pdf"


register_converter(_Fmt, "fmt")
register_converter(_CardFmt, "cardfmt")

P = "public/<str:code>/<str:period>/"

urlpatterns = [
    path("favicon.ico", views.favicon, name="dash_favicon"),
    path("public/", views.public_index, name="dash_index"),
    path(P, views.leaderboard, name="dash_leaderboard"),
    path(P + "leaderboard.<fmt:fmt>", views.leaderboard_download, name="dash_leaderboard_dl"),
    path(P + "units/<str:unit>/", views.scorecard, name="dash_scorecard"),
    path(
        P + "units/<str:unit>/scorecard.<cardfmt:fmt>",
        views.scorecard_download,
        name="dash_scorecard_dl",
    ),
    path(P + "scorecards.zip", views.scorecards_zip, name="dash_scorecards_zip"),
    path(P + "nodes/<str:node>/", views.node_page, name="dash_node"),
    path(P + "nodes/<str:node>/values.<fmt:fmt>", views.node_download, name="dash_node_dl"),
    path(P + "map/", views.map_page, name="dash_map"),
    path(P + "map.<fmt:fmt>", views.map_download, name="dash_map_dl"),
    path(P + "compare/", views.compare, name="dash_compare"),
    path(P + "compare.<fmt:fmt>", views.compare_download, name="dash_compare_dl"),
    path("leader/", views_leader.leader_pick, name="dash_leader_pick"),
    path("leader/<str:unit>/", views_leader.leader, name="dash_leader"),
    path("leader/<str:unit>/leader.pdf", views_leader.leader_pdf, name="dash_leader_pdf"),
    path("dashboards/whatif/<int:pk>/<str:unit>/", views_staff.whatif, name="dash_whatif"),
    path(
        "dashboards/whatif/<int:pk>/<str:unit>/whatif.<fmt:fmt>",
        views_staff.whatif_download,
        name="dash_whatif_dl",
    ),
    path("dashboards/whatif/<int:pk>/", views_staff.whatif_pick, name="dash_whatif_pick"),
    path("dashboards/services/", views_services.services_dashboard, name="dash_services"),
    path(
        "dashboards/services.<fmt:fmt>",
        views_services.services_download,
        name="dash_services_dl",
    ),
    path(
        "dashboards/services/procedures/",
        views_services.services_procedures,
        name="dash_services_procedures",
    ),
    path(
        "dashboards/services/procedures.<fmt:fmt>",
        views_services.services_procedures_download,
        name="dash_services_procedures_dl",
    ),
    path(
        "dashboards/services/procedures/<path:procedure>/figures.<fmt:fmt>",
        views_services.services_procedure_download,
        name="dash_services_procedure_dl",
    ),
    path(
        "dashboards/services/procedures/<path:procedure>/",
        views_services.services_procedure,
        name="dash_services_procedure",
    ),
]
