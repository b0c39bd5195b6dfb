from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "homeward.web"
    label = "web"
    verbose_name = "Web pages"

    def ready(self):
        from . import signals

        signals.connect()
