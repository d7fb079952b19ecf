from django.urls import path

from dxscore.web.plans.views import emulation, notices, resolutions, targets, tasks, workbooks

app_name = "plans"

urlpatterns = [
    path("", resolutions.resolution_list, name="resolutions"),
    path("resolutions.<str:fmt>", resolutions.resolution_list_download, name="resolutions_dl"),
    path("new", resolutions.resolution_new, name="resolution_new"),
    path("<int:pk>/", resolutions.resolution_detail, name="resolution"),
    path("<int:pk>/edit", resolutions.resolution_edit, name="resolution_edit"),
    path("<int:pk>/targets/new", targets.target_new, name="target_new"),
    path("<int:pk>/tasks/new", tasks.task_new, name="task_new"),
    path("<int:pk>/export.xlsx", workbooks.export_workbook, name="export"),
    path("<int:pk>/upload", workbooks.upload_workbook, name="upload"),
    path("uploads/<int:pk>/", workbooks.upload_preview, name="upload_preview"),
    path("uploads/<int:pk>/commit", workbooks.upload_commit, name="upload_commit"),
    path("targets/<int:pk>/", targets.target_detail, name="target"),
    path("targets/<int:pk>/values.<str:fmt>", targets.target_download, name="target_dl"),
    path("targets/<int:pk>/edit", targets.target_edit, name="target_edit"),
    path("targets/<int:pk>/evidence", targets.target_evidence, name="target_evidence"),
    path("targets/<int:pk>/evidence/file", targets.target_evidence_file, name="target_file"),
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks.<str:fmt>", tasks.task_list_download, name="tasks_dl"),
    path("tasks/calendar.ics", tasks.task_calendar, name="calendar"),
    path("tasks/feed/<str:token>.ics", tasks.task_feed, name="feed"),
    path("tasks/feed/rotate/", tasks.task_feed_rotate, name="feed_rotate"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task"),
    path("tasks/<int:pk>/edit", tasks.task_edit, name="task_edit"),
    path("tasks/<int:pk>/progress", tasks.task_progress, name="task_progress"),
    path("tasks/<int:pk>/cancel", tasks.task_cancel, name="task_cancel"),
    path("updates/<int:pk>/evidence", tasks.update_evidence, name="update_file"),
    path("notices/", notices.notice_list, name="notices"),
    path("emulation/", emulation.emulation, name="emulation"),
    path("emulation/store", emulation.emulation_store, name="emulation_store"),
    path("emulation/ranking.<str:fmt>", emulation.emulation_download, name="emulation_dl"),
    path(
        "emulation/inputs.<str:fmt>",
        emulation.emulation_download,
        {"part": "inputs"},
        name="emulation_inputs_dl",
    ),
]
