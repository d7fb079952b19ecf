from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dxscore.web.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards and reports")
    default_auto_field = "django.db.models.BigAutoField"
