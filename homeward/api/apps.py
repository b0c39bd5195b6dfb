from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "homeward.api"
    label = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the OpenAPI extensions)
