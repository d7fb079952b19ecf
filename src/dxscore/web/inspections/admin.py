"""Set-up: who works in which inspecting body (and who leads it), and the log of reads of
confidential documents (read-only)."""

from django.contrib import admin

from dxscore.web.inspections.models import AccessLog, Inspector


@admin.register(Inspector)
class InspectorAdmin(admin.ModelAdmin):
    list_display = ["user", "body", "leader"]
    list_filter = ["leader", "body"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "inspection", "what", "via"]
    list_filter = ["via"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
