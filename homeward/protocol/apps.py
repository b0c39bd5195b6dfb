from django.apps import AppConfig

# The episode events the protocol follows (homeward/events.py).
EVENTS = ("episode.started", "episode.updated", "episode.returned", "episode.risk_changed")


class ProtocolConfig(AppConfig):
    name = "homeward.protocol"
    label = "protocol"
    verbose_name = "Missing protocol: rules, tasks, messages and meetings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from homeward import events

        from .engine import on_episode_event

        for name in EVENTS:
            events.subscribe(name, on_episode_event)
