"""Hotspot rows never older than the episodes they count.

The handlers refresh an episode's EpisodePlace row on every episode event,
but a follower may miss one (a bulk import left to the scheduled catch-up,
events switched off, a failure). So before counting, `ensure_fresh` looks
for episodes changed since the last check (Episode.updated_at, indexed)
whose row is missing or was derived from an older version of the episode
(EpisodePlace.updated_at holds the episode's updated_at it was derived
from), and refreshes those. With nothing changed that is one index probe.

A child's home authority decides whether their episodes from home count
for an authority: children changed since the last check (Child.updated_at,
indexed) whose episodes' rows hold another home authority are refreshed
too.

The cursor moves to the newest change seen, less MARGIN, so a transaction
that committed late with an earlier timestamp is still seen next time;
rows already up to date in that margin cost a comparison, not a refresh.

Many stale episodes at once (more than FULL_REFRESH_OVER) are refreshed as
`places sync` does (services.episode_places_refresh_all), which gives the
same rows much faster than lists of ids.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, Max, OuterRef

from homeward.episodes.models import Episode
from homeward.people.models import Child

from .models import Cursor, EpisodePlace

NAME = "episodes"
MARGIN = timedelta(minutes=5)
# More stale episodes than this (the first look on a database that already
# held episodes, a bulk change) are refreshed as a full sync does: every
# episode read by ranges of ids, only what differs written.
FULL_REFRESH_OVER = 50_000


def stale_episode_ids(since=None) -> list[int]:
    qs = Episode.objects.order_by()
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    current = EpisodePlace.objects.filter(episode_id=OuterRef("pk"), updated_at=OuterRef("updated_at"))
    return list(qs.filter(~Exists(current)).values_list("pk", flat=True))


def moved_home_episode_ids(since) -> list[int]:
    """Episodes from home of children changed since `since` whose row holds
    another home authority than the child's now."""
    rows = list(Episode.objects.order_by().filter(child__updated_at__gte=since, missing_from="home")
                .values_list("pk", "child__home_authority_id"))
    if not rows:
        return []
    held = {}
    for i in range(0, len(rows), 500):
        part = [r[0] for r in rows[i:i + 500]]
        held.update(EpisodePlace.objects.filter(episode_id__in=part).values_list("episode_id", "home_authority_id"))
    return [pk for pk, home in rows if pk in held and held[pk] != home]


def ensure_fresh() -> int:
    """Refresh the hotspot rows of episodes changed since the last check.
    Returns how many were refreshed."""
    from .services import episode_places_refresh, episode_places_refresh_all

    cursor = Cursor.objects.filter(name=NAME).first()
    newest = Episode.objects.aggregate(m=Max("updated_at"))["m"]
    if newest is None:
        return 0
    newest_child = Child.objects.aggregate(m=Max("updated_at"))["m"]
    if newest_child is not None and newest_child > newest:
        newest = newest_child
    since = cursor.at if cursor else None
    if cursor is not None and newest < cursor.at:
        return 0
    ids = stale_episode_ids(since)
    if since is not None:
        ids = sorted(set(ids) | set(moved_home_episode_ids(since)))
    if len(ids) > FULL_REFRESH_OVER:  # a first look, or a bulk change: by ranges of ids, as a full sync
        episode_places_refresh_all()
    elif ids:
        episode_places_refresh(ids)
    mark(newest)
    return len(ids)


def mark(newest) -> None:
    at = newest - MARGIN
    updated = Cursor.objects.filter(name=NAME, at__lt=at).update(at=at)
    if not updated and not Cursor.objects.filter(name=NAME).exists():
        Cursor.objects.bulk_create([Cursor(name=NAME, at=at)], ignore_conflicts=True)



