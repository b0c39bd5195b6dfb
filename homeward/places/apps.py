"""Places: the postcode directory, places where children went missing from,
were found, stayed or were taken, and hotspots."""
from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "homeward.places"
    label = "places"
    verbose_name = "Places and hotspots"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import handlers

        handlers.connect()
