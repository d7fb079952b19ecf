from django.apps import AppConfig


class ProvenanceConfig(AppConfig):
    name = "dxscore.web.provenance"
    label = "provenance"
    verbose_name = "Provenance"
