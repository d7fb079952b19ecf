from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "dxscore.web"
    label = "dxweb"
    verbose_name = "dxscore"

    def ready(self) -> None:
        # content in several languages (dxscore.texts) is shown in Django's active
        # language: a page's, an e-mail's recipient's, the API's ?lang
        from django.utils import translation

        from dxscore import texts

        texts.use_language_source(translation.get_language)
