from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "homeward.interviews"
    label = "interviews"
    verbose_name = "Return home interviews"

    def ready(self):
        from . import handlers

        handlers.connect()
