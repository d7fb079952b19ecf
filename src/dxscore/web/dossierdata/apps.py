from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossierDataConfig(AppConfig):
    name = "dxscore.web.dossierdata"
    label = "dossierdata"
    verbose_name = _("Dossier data")
    default_auto_field = "django.db.models.BigAutoField"
