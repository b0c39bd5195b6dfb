"""Following the episodes: every episode event re-derives the interview
requirement of the children concerned (homeward/events.py).

A new episode can exclude an earlier one's interview (the child went missing
again before it was due), a return creates one, a changed return time moves
its due time; `interviews_sync` handles all of them and is idempotent, so a
repeated event changes nothing. `homeward interviews sync` catches up on
anything missed.
"""

from __future__ import annotations

from homeward import events

EVENTS = ("episode.started", "episode.updated", "episode.returned")


CATCH_UP_CHUNK = 500


def on_episode_event(*, episode_ids, actor=None) -> None:
    """A bulk batch (a chunk of a file import) is left to the scheduled
    catch-up (`episode.caught_up`)."""
    from .services import interviews_sync

    if events.is_bulk(episode_ids):
        return
    interviews_sync(episode_ids=episode_ids, actor=actor)


def on_caught_up(*, episode_ids, actor=None) -> None:
    """Every episode changed since the last scheduled run, in chunks."""
    from django.db import transaction

    from .services import interviews_sync

    ids = sorted(episode_ids)
    for start in range(0, len(ids), CATCH_UP_CHUNK):
        with transaction.atomic():
            interviews_sync(episode_ids=ids[start:start + CATCH_UP_CHUNK], actor=actor)


def connect() -> None:
    for name in EVENTS:
        events.subscribe(name, on_episode_event)
    events.subscribe("episode.caught_up", on_caught_up)
