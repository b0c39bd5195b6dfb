"""Reads the API needs that are only compositions of the access scope.

Kept here (rather than in the domain packages) because they only combine
existing scope functions; nothing here reads personal data.
"""

from __future__ import annotations

from homeward.access.scope import authority_ids_for, episodes_visible_to


def notification_reference_is_foreign(*, actor, source: str, source_ref: str) -> bool:
    """Does this (source, source_ref) already belong to an episode the actor may not touch?

    A later notification with the same source and source_ref updates that
    reporter's episode (contract.md), so without this check anyone allowed to
    send notifications could change an episode outside their scope by reusing
    its reference. An episode is the actor's to update when they can see it
    or when it happened in one of their organisation's authorities.
    """
    from homeward.episodes.models import Notification

    if not source or not source_ref:
        return False
    earlier = Notification.objects.filter(source=source, source_ref=source_ref, episode__isnull=False)
    if not earlier.exists():
        return False
    foreign = earlier.exclude(episode__in=episodes_visible_to(actor).values("pk")).exclude(
        episode__area_authority_id__in=authority_ids_for(actor)
    )
    return foreign.exists()
