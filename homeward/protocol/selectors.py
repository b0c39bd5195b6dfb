"""Reads of tasks, messages and meetings, scoped to the person asking.

* A task is seen by the people of the organisation that owns it, and by the
  managers (team and senior) of the council whose protocol raised it.
* The child's name and record are shown only where `children_visible_to`
  allows (a task can be visible when its child is not, e.g. to a manager for
  a child since placed elsewhere): `child_names` says which.
* Messages are seen by the council (case roles and administrators) of the
  authority that sent them.
* Meetings are seen by the council case roles of their authority, and only
  for children they may see (the monthly review is about a month).
Reads of named records are audited; a record outside the scope answers 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.roles import COUNCIL_CASE_ROLES, MANAGER_ROLES, Role, can_see_named_records
from homeward.access.scope import children_visible_to

from .models import Meeting, OutboundMessage, Task, TaskState

TASK_RELATED = ("child", "episode", "protocol_version", "protocol_version__authority", "owner_organisation",
                "owner_user", "authority", "closed_by")


def _org(actor):
    return getattr(actor, "organisation", None) if actor is not None else None


def council_authority_id(actor) -> int | None:
    org = _org(actor)
    return org.authority_id if org is not None and org.kind == "council" else None


def is_manager(actor) -> bool:
    return council_authority_id(actor) is not None and (actor.role or "") in MANAGER_ROLES


def tasks_visible_to(actor) -> QuerySet[Task]:
    org = _org(actor)
    if org is None or not getattr(actor, "is_active", False):
        return Task.objects.none()
    condition = Q(owner_organisation=org)
    if is_manager(actor):
        condition |= Q(authority_id=org.authority_id)
    return Task.objects.filter(condition)


def has_worklist(actor) -> bool:
    return _org(actor) is not None and can_see_named_records(getattr(actor, "role", None) or "")


def tasks_mine(actor) -> QuerySet[Task]:
    """Open tasks given to me, and those for my role in my organisation that nobody has taken."""
    org = _org(actor)
    if org is None:
        return Task.objects.none()
    return (Task.objects.filter(state=TaskState.OPEN, owner_organisation=org)
            .filter(Q(owner_user=actor) | Q(owner_user__isnull=True, owner_role=actor.role))
            .select_related(*TASK_RELATED).order_by("due_at", "pk"))


def tasks_team(actor, *, rule: str = "", role: str = "", state: str = TaskState.OPEN) -> QuerySet[Task]:
    org = _org(actor)
    if org is None:
        return Task.objects.none()
    qs = Task.objects.filter(owner_organisation=org)
    if state:
        qs = qs.filter(state=state)
    if rule:
        qs = qs.filter(rule=rule)
    if role:
        qs = qs.filter(owner_role=role)
    return qs.select_related(*TASK_RELATED).order_by("due_at", "pk")


def tasks_overdue_across_service(actor) -> QuerySet[Task]:
    """A manager's view: every open task raised for their authority that is past due, whoever owns it."""
    if not is_manager(actor):
        return Task.objects.none()
    return (Task.objects.filter(authority_id=council_authority_id(actor), state=TaskState.OPEN,
                                due_at__lt=timezone.now())
            .select_related(*TASK_RELATED).order_by("due_at", "pk"))


def child_names(actor, tasks_or_children) -> set[int]:
    """The ids of the children, among these, whose names the actor may see."""
    ids = {getattr(t, "child_id", None) or getattr(t, "pk", None) for t in tasks_or_children}
    ids.discard(None)
    if not ids:
        return set()
    return set(children_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))


def audit_task_list(*, actor, tasks, named: set[int], where: str) -> None:
    audit_record(actor=actor, action=AuditEvent.Action.LIST, object_type="task",
                 summary=f"Listed {len(tasks)} tasks ({where})",
                 payload={"task_ids": [t.pk for t in tasks][:500], "child_ids": sorted(named)[:500]})


def task_get(*, actor, pk) -> Task:
    try:
        task = tasks_visible_to(actor).select_related(*TASK_RELATED).get(pk=pk)
    except (Task.DoesNotExist, ValueError, TypeError):
        audit_record(actor=actor, action=AuditEvent.Action.DENIED, object_type="task", object_id=str(pk)[:64],
                     summary="Record not found or outside scope")
        raise Http404("No such task")
    audit_record(actor=actor, action=AuditEvent.Action.READ, obj=task, child_id=task.child_id, summary="Viewed a task")
    return task


# --- messages ----------------------------------------------------------------------------------


def can_see_messages(actor) -> bool:
    return council_authority_id(actor) is not None and (
        (actor.role or "") in COUNCIL_CASE_ROLES or actor.role == Role.ADMIN)


def messages_visible_to(actor) -> QuerySet[OutboundMessage]:
    if not can_see_messages(actor):
        return OutboundMessage.objects.none()
    return OutboundMessage.objects.filter(authority_id=council_authority_id(actor)).select_related(
        "to_authority", "authority")


# --- meetings ------------------------------------------------------------------------------------


def can_see_meetings(actor) -> bool:
    return council_authority_id(actor) is not None and (actor.role or "") in COUNCIL_CASE_ROLES


def meetings_visible_to(actor) -> QuerySet[Meeting]:
    if not can_see_meetings(actor):
        return Meeting.objects.none()
    visible = children_visible_to(actor).values("pk")
    return Meeting.objects.filter(authority_id=council_authority_id(actor)).filter(
        Q(child__isnull=True) | Q(child__in=visible)).select_related("child", "authority", "created_by")


def meeting_get(*, actor, pk) -> Meeting:
    try:
        meeting = meetings_visible_to(actor).get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        audit_record(actor=actor, action=AuditEvent.Action.DENIED, object_type="meeting", object_id=str(pk)[:64],
                     summary="Record not found or outside scope")
        raise Http404("No such meeting")
    audit_record(actor=actor, action=AuditEvent.Action.READ, obj=meeting, child_id=meeting.child_id,
                 summary="Viewed a meeting")
    return meeting
