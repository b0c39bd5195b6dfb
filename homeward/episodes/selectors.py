"""Reads of episodes and notifications, scoped to the person asking and audited."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.scope import episodes_visible_to

from .models import Episode


def episode_list(*, actor) -> QuerySet[Episode]:
    return episodes_visible_to(actor).select_related("child", "area_authority", "responsible_authority", "provider")


def episodes_missing_now(*, actor) -> QuerySet[Episode]:
    """Children missing now in the actor's scope, longest missing first."""
    return episode_list(actor=actor).filter(returned_at__isnull=True).order_by("started_at")


def episodes_of_child(*, actor, child) -> QuerySet[Episode]:
    return episode_list(actor=actor).filter(child=child).order_by("-started_at")


def episode_get(*, actor, pk) -> Episode:
    try:
        episode = episode_list(actor=actor).get(pk=pk)
    except (Episode.DoesNotExist, ValueError, TypeError):
        audit_record(actor=actor, action=AuditEvent.Action.DENIED, object_type="episode", object_id=str(pk)[:64],
                     summary="Record not found or outside scope")
        raise Http404("No such episode")
    audit_record(actor=actor, action=AuditEvent.Action.READ, obj=episode, child_id=episode.child_id,
                 summary="Viewed an episode")
    return episode
