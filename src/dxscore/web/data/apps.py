from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _store_builtins(sender, **kwargs):
    from dxscore.web.data.methodologies import ensure_builtins

    ensure_builtins(using=kwargs.get("using", "default"))


class DataConfig(AppConfig):
    name = "dxscore.web.data"
    label = "data"
    verbose_name = _("Data collection")

    def ready(self) -> None:
        post_migrate.connect(_store_builtins, sender=self)
