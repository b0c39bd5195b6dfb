"""Following the episodes and the return home interviews.

- Every episode event (homeward/events.py) refreshes the episodes' places
  and hotspot rows (services.episode_places_refresh, idempotent). A bulk
  batch (a chunk of a file import) is left to the scheduled catch-up
  (`episode.caught_up`), as the other followers do.
- A place named in a return home interview, recorded or removed, refreshes
  that interview's links once the change commits (Django's model signals on
  interviews.NamedPlace: the interviews part publishes no event for it).

`homeward places sync` rebuilds everything, for anything a handler missed.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from homeward import events

log = logging.getLogger("homeward.places")

EVENTS = ("episode.started", "episode.updated", "episode.returned")
CATCH_UP_CHUNK = 2000


def on_episode_event(*, episode_ids, actor=None) -> None:
    from .services import episode_places_refresh

    if events.is_bulk(episode_ids):
        return
    episode_places_refresh(episode_ids)


def on_caught_up(*, episode_ids, actor=None) -> None:
    from .services import episode_places_refresh

    episode_places_refresh(episode_ids)  # in chunks of its own, a transaction each


def _named_place_changed(sender, instance, **kwargs) -> None:
    interview_id = instance.interview_id

    def refresh():
        from .services import named_places_refresh

        try:
            named_places_refresh([interview_id])
        except Exception:  # a follower's failure must not undo the record
            log.exception("refreshing the places of interview %s failed", interview_id)

    transaction.on_commit(refresh)


def connect() -> None:
    from homeward.interviews.models import NamedPlace

    for name in EVENTS:
        events.subscribe(name, on_episode_event)
    events.subscribe("episode.caught_up", on_caught_up)
    post_save.connect(_named_place_changed, sender=NamedPlace, dispatch_uid="places.named_place_saved")
    post_delete.connect(_named_place_changed, sender=NamedPlace, dispatch_uid="places.named_place_deleted")
