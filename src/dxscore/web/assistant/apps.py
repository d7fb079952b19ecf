from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "dxscore.web.assistant"
    label = "assistant"
    verbose_name = _("Procedure assistant")
    default_auto_field = "django.db.models.BigAutoField"
