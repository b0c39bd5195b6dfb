from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "homeward.placements"
    label = "placements"
    verbose_name = "Authorities, providers and placements"
