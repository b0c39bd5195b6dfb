"""Domain events: what happened to an episode, for the parts that act on it.

The episode services publish an event after their transaction commits
(`transaction.on_commit`), naming the episode and what changed. Parts of
Homeward that follow episodes (return interviews, the protocol engine)
subscribe in their AppConfig.ready(). Handlers must be idempotent: the same
event may be published again (a re-import, a retry), and a handler that fails
is logged and does not undo the change that caused it; scheduled evaluation
(`homeward protocol run`) catches up on anything a handler missed.

Event names:
- ``episode.started``  a new episode was recorded
- ``episode.updated``  an episode's times, risk or reporters changed
- ``episode.returned`` an episode got its return time
- ``episode.risk_changed`` a person changed the risk level
- ``episode.caught_up``   published by the scheduled run (`homeward protocol
  run`, the worker in `homeward serve`) with every episode changed since its
  last run: what a follower skipped as a bulk batch (below) it takes here, all
  of it, in chunks of its own.

Bulk: a follower may leave a batch of more than `BULK` episodes (a chunk of a
file import) to the scheduled run, which takes it within a minute; forms, the
API and small feeds are followed at once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Callable

from django.db import transaction

log = logging.getLogger("homeward.events")

_handlers: dict[str, list[Callable]] = defaultdict(list)

BULK = 500  # episodes: a larger batch may be left to the scheduled catch-up


def is_bulk(episode_ids) -> bool:
    return len(episode_ids) > BULK


def subscribe(name: str, handler: Callable) -> None:
    if handler not in _handlers[name]:
        _handlers[name].append(handler)


def unsubscribe(name: str, handler: Callable) -> None:
    if handler in _handlers[name]:
        _handlers[name].remove(handler)


def publish_now(name: str, *, episode_ids: list[int], actor=None) -> None:
    for handler in list(_handlers.get(name, ())):
        try:
            handler(episode_ids=episode_ids, actor=actor)
        except Exception:  # a follower's failure must not undo the record
            log.exception("handler %s for %s failed (episodes %s)", getattr(handler, "__name__", handler), name,
                          episode_ids[:20])


def publish(name: str, *, episode_ids: list[int], actor=None) -> None:
    """Publish after the current transaction commits (at once outside one)."""
    ids = list(episode_ids)
    if not ids:
        return
    transaction.on_commit(lambda: publish_now(name, episode_ids=ids, actor=actor))
