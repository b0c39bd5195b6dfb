from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "homeward.episodes"
    label = "episodes"
    verbose_name = "Notifications and missing episodes"
