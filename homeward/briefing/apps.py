from django.apps import AppConfig


class BriefingConfig(AppConfig):
    name = "homeward.briefing"
    label = "briefing"
    default_auto_field = "django.db.models.BigAutoField"
