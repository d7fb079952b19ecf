"""Set-up: the questions the assistant declined and the feedback on its answers. Both are
kept for the administrators who improve the library and removed after
``DXSCORE_ASSISTANT_KEEP_DAYS`` (``dxscore assistant purge``); an administrator may delete
one sooner (a question can hold personal data), not write or change one."""

from django.contrib import admin

from dxscore.web.assistant.models import Asked, Feedback


class _KeptOnly(admin.ModelAdmin):
    date_hierarchy = "created_at"
    search_fields = ["question"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Asked)
class AskedAdmin(_KeptOnly):
    list_display = ["created_at", "question", "best", "score"]


@admin.register(Feedback)
class FeedbackAdmin(_KeptOnly):
    list_display = ["created_at", "question", "procedure", "helpful"]
    list_filter = ["helpful"]
