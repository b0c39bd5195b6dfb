"""The audit trail: one function to write an event, one to search them.

Every service that changes a record, every selector that reads a child's
record, and every export calls `audit_record`. Events are append-only (see
AuditEvent).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from .context import current_origin
from .models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    child_id: int | None = None,
    summary: str = "",
    payload: dict | None = None,
) -> AuditEvent:
    origin = current_origin()
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
    membership = getattr(actor, "membership", None) if actor is not None else None
    return AuditEvent.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor_username=getattr(actor, "username", "") or "",
        actor_role=membership.role if membership else "",
        actor_organisation=membership.organisation.name if membership else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id not in (None, "") else "",
        child_id=child_id,
        summary=summary[:300],
        payload=payload or {},
        via=origin.via,
        ip=origin.ip,
        user_agent=origin.user_agent,
        path=origin.path,
    )


def audit_events_search(
    *,
    actor,
    username: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    child_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events matching the filters, for an auditor. Searching is itself audited."""
    from .roles import can_search_audit

    if actor is None or not can_search_audit(actor.role or ""):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.all()
    if username:
        qs = qs.filter(actor_username__iexact=username)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if child_id is not None:
        qs = qs.filter(child_id=child_id)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.LIST,
        object_type="auditevent",
        summary="Searched the audit trail",
        payload={
            k: v
            for k, v in {
                "username": username,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "child_id": child_id,
            }.items()
            if v not in ("", None)
        },
    )
    return qs
