from django.contrib import admin

from dxscore.web.assessments.models import Questionnaire, Respondent, Sheet


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "kind", "active", "period", "builtin")
    list_filter = ("active", "kind")
    readonly_fields = ("code", "version", "kind", "title", "text", "digest", "builtin")


@admin.register(Respondent)
class RespondentAdmin(admin.ModelAdmin):
    list_display = ("tax_code", "name", "sector", "size", "commune")
    search_fields = ("tax_code", "name")


@admin.register(Sheet)
class SheetAdmin(admin.ModelAdmin):
    list_display = ("series", "period", "respondent", "state", "score", "level")
    list_filter = ("series", "state")
    readonly_fields = ("answers", "score", "level", "pillars")
