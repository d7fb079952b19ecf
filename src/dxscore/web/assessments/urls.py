from django.urls import path

from dxscore.web.assessments.views import respond, staff

app_name = "assessments"

urlpatterns = [
    # respondents (public, no account)
    path("survey/", respond.survey_list, name="surveys"),
    path("survey/<slug:code>/", respond.start, name="start"),
    path("survey/<slug:code>/confirm", respond.confirm, name="confirm"),
    path("survey/sheet/<int:pk>/", respond.sheet_view, name="sheet"),
    path("survey/sheet/<int:pk>/save", respond.autosave, name="autosave"),
    path("survey/sheet/<int:pk>/result", respond.result, name="result"),
    path("survey/sheet/<int:pk>/result.pdf", respond.result_pdf, name="result_pdf"),
    path("survey/sheet/<int:pk>/result.<str:fmt>", respond.result_download, name="result_dl"),
    path("survey/sheet/<int:pk>/levels.<str:fmt>", respond.levels_download, name="levels_dl"),
    path("survey/sheet/<int:pk>/explain", respond.explain, name="explain"),
    path("survey/sheet/<int:pk>/explain.<str:fmt>", respond.explain_download, name="explain_dl"),
    # staff
    path("assessments/", staff.dashboard, name="dashboard"),
    path("assessments/<slug:series>/", staff.figures_page, name="figures"),
    path("assessments/<slug:series>/figures.<str:fmt>", staff.figures_download, name="figures_dl"),
    path("assessments/<slug:series>/trend.<str:fmt>", staff.trend_download, name="trend_dl"),
]
