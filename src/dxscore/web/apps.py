from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "dxscore.web"
    label = "dxweb"
    verbose_name = "dxscore"
