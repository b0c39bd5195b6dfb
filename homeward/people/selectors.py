"""Reads of children's records, scoped to the person asking and audited."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.scope import children_visible_to

from .models import Child


def child_list(*, actor, search: str = "") -> QuerySet[Child]:
    qs = children_visible_to(actor).select_related("responsible_authority", "home_authority")
    if search:
        from django.db.models import Q

        for term in search.split():
            qs = qs.filter(Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(identifiers__value__iexact=term))
        qs = qs.distinct()
    return qs


def audit_child_list(*, actor, children: list[Child], where: str) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.LIST,
        object_type="child",
        summary=f"Listed {len(children)} children ({where})",
        payload={"child_ids": [c.pk for c in children][:500]},
    )


def child_get(*, actor, pk) -> Child:
    """The child with this id if the actor may see it, else 404. Audited."""
    try:
        child = children_visible_to(actor).select_related("responsible_authority", "home_authority").get(pk=pk)
    except (Child.DoesNotExist, ValueError, TypeError):
        audit_record(actor=actor, action=AuditEvent.Action.DENIED, object_type="child", object_id=str(pk)[:64], summary="Record not found or outside scope")
        raise Http404("No such child")
    audit_record(actor=actor, action=AuditEvent.Action.READ, obj=child, child_id=child.pk, summary="Viewed a child's record")
    return child
