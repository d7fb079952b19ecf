from django.contrib import admin

from dxscore.web.dossierdata.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "state", "filename", "created_by", "created_at", "percent"]
    list_filter = ["kind", "state"]
    readonly_fields = ["summary", "problems", "error", "progress", "percent"]
