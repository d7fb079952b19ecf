from django.urls import path

from dxscore.web.plans import views, views_more

app_name = "plans"

urlpatterns = [
    path("", views.resolution_list, name="resolutions"),
    path("new", views.resolution_new, name="resolution_new"),
    path("<int:pk>/", views.resolution_detail, name="resolution"),
    path("<int:pk>/edit", views.resolution_edit, name="resolution_edit"),
    path("<int:pk>/targets/new", views.target_new, name="target_new"),
    path("<int:pk>/tasks/new", views.task_new, name="task_new"),
    path("<int:pk>/export.xlsx", views_more.export_workbook, name="export"),
    path("<int:pk>/upload", views_more.upload_workbook, name="upload"),
    path("uploads/<int:pk>/", views_more.upload_preview, name="upload_preview"),
    path("uploads/<int:pk>/commit", views_more.upload_commit, name="upload_commit"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("targets/<int:pk>/edit", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/evidence", views.target_evidence, name="target_evidence"),
    path("targets/<int:pk>/evidence/file", views.target_evidence_file, name="target_file"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/calendar.ics", views_more.task_calendar, name="calendar"),
    path("tasks/feed/<str:token>.ics", views_more.task_feed, name="feed"),
    path("tasks/feed/rotate/", views_more.task_feed_rotate, name="feed_rotate"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/edit", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/progress", views.task_progress, name="task_progress"),
    path("tasks/<int:pk>/cancel", views.task_cancel, name="task_cancel"),
    path("updates/<int:pk>/evidence", views.update_evidence, name="update_file"),
    path("notices/", views.notice_list, name="notices"),
    path("emulation/", views_more.emulation, name="emulation"),
    path("emulation/store", views_more.emulation_store, name="emulation_store"),
]
