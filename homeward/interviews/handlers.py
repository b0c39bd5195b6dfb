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


def on_episode_event(*, episode_ids, actor=None) -> None:
    from .services import interviews_sync

    interviews_sync(episode_ids=episode_ids, actor=actor)


def connect() -> None:
    for name in EVENTS:
        events.subscribe(name, on_episode_event)
