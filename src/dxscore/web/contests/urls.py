from django.urls import path

from dxscore.web.contests.views import initiatives, manage, public

app_name = "contests"

urlpatterns = [
    path("", public.contest_list, name="list"),
    path("a/<uuid:key>/", public.attempt_page, name="attempt"),
    path("a/<uuid:key>/answer", public.answer, name="answer"),
    path("a/<uuid:key>/tab", public.tab, name="tab"),
    path("a/<uuid:key>/submit", public.submit, name="submit"),
    path("a/<uuid:key>/result", public.result, name="result"),
    path("a/<uuid:key>/certificate.pdf", public.certificate, name="certificate"),
    path("initiatives/<int:pk>/", initiatives.competition, name="competition"),
    path("initiatives/<int:pk>/submit", initiatives.submit, name="initiative_new"),
    path("initiatives/<int:pk>/assign", initiatives.assign, name="assign"),
    path("initiatives/<int:pk>/publish", initiatives.publish, name="competition_publish"),
    path("initiatives/<int:pk>/scores.xlsx", initiatives.score_sheet, name="score_sheet"),
    path(
        "initiatives/<int:pk>/standing.<str:fmt>",
        initiatives.standing_download,
        name="competition_dl",
    ),
    path("initiative/<int:pk>/", initiatives.initiative, name="initiative"),
    path(
        "initiative/<int:pk>/explanation.<str:fmt>",
        initiatives.explanation_download,
        name="explanation_dl",
    ),
    path("initiative/<int:pk>/score", initiatives.score, name="score"),
    path("initiative/<int:pk>/adopt", initiatives.adopt, name="adopt"),
    path("initiative/<int:pk>/file/<int:file>", initiatives.attachment, name="attachment"),
    path("<slug:slug>/", public.contest_page, name="contest"),
    path("<slug:slug>/join", public.join, name="join"),
    path("<slug:slug>/confirm", public.confirm, name="confirm"),
    path("<slug:slug>/results/", public.overall, name="overall"),
    path("<slug:slug>/results/overall.<str:fmt>", public.overall_download, name="overall_dl"),
    path("<slug:slug>/rounds/<int:number>/start", public.start, name="start"),
    path("<slug:slug>/rounds/<int:number>/results", public.round_results, name="results"),
    path(
        "<slug:slug>/rounds/<int:number>/results.<str:fmt>",
        public.round_results_download,
        name="results_dl",
    ),
    path("<slug:slug>/manage/", manage.manage, name="manage"),
    path("<slug:slug>/manage/rounds/<int:number>/publish", manage.publish, name="publish"),
    path("<slug:slug>/manage/participation.xlsx", manage.participation_xlsx, name="participation"),
    path("<slug:slug>/manage/questions.xlsx", manage.questions_xlsx, name="questions_xlsx"),
    path("<slug:slug>/manage/questions/upload", manage.questions_upload, name="upload"),
    path("<slug:slug>/manage/uploads/<int:pk>/", manage.upload_preview, name="upload_preview"),
    path("<slug:slug>/manage/uploads/<int:pk>/commit", manage.upload_commit, name="upload_commit"),
    path("<slug:slug>/manage/purge", manage.purge, name="purge"),
]
