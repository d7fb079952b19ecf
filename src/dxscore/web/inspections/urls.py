from django.urls import path

from dxscore.web.inspections.views import dashboard, inspections, plans, recommendations, workbooks

app_name = "inspections"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("inspections.<str:fmt>", dashboard.dashboard_download, name="dashboard_dl"),
    path("mine.<str:fmt>", dashboard.reported_on_download, name="mine_dl"),
    path("figures.xlsx", dashboard.figures_workbook, name="figures_xlsx"),
    path("public/", dashboard.public_list, name="public_list"),
    path("public.<str:fmt>", dashboard.public_list_download, name="public_list_dl"),
    path("public/<int:pk>/", dashboard.public_detail, name="public"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans.<str:fmt>", plans.plan_list_download, name="plans_dl"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/planned.<str:fmt>", plans.planned_download, name="planned_dl"),
    path("plans/<int:pk>/history.<str:fmt>", plans.plan_history_download, name="plan_history_dl"),
    path("plans/<int:pk>/state", plans.plan_state, name="plan_state"),
    path("plans/<int:pk>/export.xlsx", workbooks.plan_export, name="plan_export"),
    path("plans/<int:pk>/upload", workbooks.plan_upload, name="plan_upload"),
    path("uploads/<int:pk>/", workbooks.upload_preview, name="upload"),
    path("uploads/<int:pk>/commit", workbooks.upload_commit, name="upload_commit"),
    path("new", inspections.inspection_new, name="new"),
    path("<int:pk>/", inspections.inspection_detail, name="inspection"),
    path("<int:pk>/findings.<str:fmt>", inspections.findings_download, name="findings_dl"),
    path("<int:pk>/team.<str:fmt>", inspections.team_download, name="team_dl"),
    path(
        "<int:pk>/recommendations.<str:fmt>",
        inspections.recommendations_download,
        name="recommendations_dl",
    ),
    path("<int:pk>/change", inspections.inspection_change, name="change"),
    path("<int:pk>/decision", inspections.decision_file, name="decision_file"),
    path("recommendations/<int:pk>/", recommendations.recommendation_detail, name="recommendation"),
    path(
        "recommendations/<int:pk>/reports.<str:fmt>",
        recommendations.reports_download,
        name="reports_dl",
    ),
    path(
        "recommendations/<int:pk>/extensions.<str:fmt>",
        recommendations.extensions_download,
        name="extensions_dl",
    ),
    path(
        "recommendations/<int:pk>/change",
        recommendations.recommendation_change,
        name="recommendation_change",
    ),
    path(
        "recommendations/<int:pk>/evidence/<int:report>",
        recommendations.evidence_file,
        name="evidence_file",
    ),
]
