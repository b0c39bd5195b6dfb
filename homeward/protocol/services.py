"""Writes people make to tasks and meetings. Each validates, saves and audits
in one transaction, and raises `Refused` (field + reason) before storing anything.

Who may act on a task: people of the organisation that owns it, and the
managers (team and senior) of the authority it was raised for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.roles import COUNCIL_CASE_ROLES, MANAGER_ROLES
from homeward.problems import Problem, Refused

from .models import MEETING_RULES, Meeting, MeetingAction, MeetingAttendee, MeetingKind, Task, TaskState
from .rules import when


def can_act_on(actor, task: Task) -> bool:
    org = getattr(actor, "organisation", None)
    if org is None:
        return False
    if task.owner_organisation_id == org.pk:
        return True
    return actor.role in MANAGER_ROLES and org.kind == "council" and org.authority_id == task.authority_id


def _check(actor, task: Task) -> None:
    if not can_act_on(actor, task):
        raise Refused(Problem("__all__", "This task is not yours or your team's"))
    if task.state != TaskState.OPEN:
        raise Refused(Problem("__all__", f"This task is already {task.get_state_display().lower()}"))


def _close(actor, task: Task, state: str, reason: str) -> Task:
    now = timezone.now()
    updated = Task.objects.filter(pk=task.pk, state=TaskState.OPEN).update(
        state=state, closed_at=now, closed_by=actor, closed_reason=reason[:500])
    if not updated:
        raise Refused(Problem("__all__", "Somebody else closed this task a moment ago"))
    task.refresh_from_db()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=task, child_id=task.child_id,
                 summary=f"Marked a {task.rule} task {state}", payload={"reason": reason[:300]})
    return task


@transaction.atomic
def task_done(*, actor, task: Task, note: str = "") -> Task:
    _check(actor, task)
    note = (note or "").strip()
    if len(note) > 480:
        raise Refused(Problem("note", "What was done must be 480 characters or fewer"))
    return _close(actor, task, TaskState.DONE, f"Done by {actor.get_full_name() or actor.username}"
                                               + (f": {note}" if note else ""))


@transaction.atomic
def task_cancel(*, actor, task: Task, reason: str) -> Task:
    _check(actor, task)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(Problem("reason", "Say why the task is not needed"))
    if len(reason) > 480:
        raise Refused(Problem("reason", "The reason must be 480 characters or fewer"))
    return _close(actor, task, TaskState.CANCELLED,
                  f"Cancelled by {actor.get_full_name() or actor.username}: {reason}")


@transaction.atomic
def task_take(*, actor, task: Task) -> Task:
    """Take an open task of your organisation as your own."""
    _check(actor, task)
    if task.owner_organisation_id != getattr(actor.organisation, "pk", None):
        raise Refused(Problem("__all__", "Only people of the organisation that owns a task can take it"))
    Task.objects.filter(pk=task.pk, state=TaskState.OPEN).update(owner_user=actor)
    task.refresh_from_db()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=task, child_id=task.child_id,
                 summary=f"Took a {task.rule} task")
    return task


# --- meetings -----------------------------------------------------------------------------------


@dataclass
class AttendeeRow:
    name: str
    organisation: str
    role: str = ""


@dataclass
class ActionRow:
    action: str
    owner: str
    owner_organisation: str = ""
    due_date: date | None = None


@dataclass
class MeetingInput:
    kind: str
    held_at: datetime | None
    child_id: int | None = None
    month: date | None = None
    location: str = ""
    decisions: str = ""
    safety_plan: str = ""
    attendees: list[AttendeeRow] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)
    task_ids: list[int] = field(default_factory=list)


def can_record_meetings(actor) -> bool:
    org = getattr(actor, "organisation", None)
    return bool(org is not None and org.kind == "council" and org.authority_id and actor.role in COUNCIL_CASE_ROLES)


def _validate(data: MeetingInput) -> list[Problem]:
    problems = []
    if data.kind not in MeetingKind.values:
        problems.append(Problem("kind", "Choose the kind of meeting"))
    if data.held_at is None:
        problems.append(Problem("held_at", "Enter when the meeting was held"))
    if data.kind == MeetingKind.MONTHLY_REVIEW:
        if data.month is None:
            problems.append(Problem("month", "Choose the month reviewed"))
    elif data.kind in MeetingKind.values and data.child_id is None:
        problems.append(Problem("child", "Choose the child the meeting is about"))
    if not data.attendees:
        problems.append(Problem("attendees", "Add at least one person who attended, with their organisation"))
    for i, a in enumerate(data.attendees, start=1):
        if not a.name.strip() or not a.organisation.strip():
            problems.append(Problem(f"attendee-{i}", f"Attendee {i}: enter a name and an organisation"))
    for i, a in enumerate(data.actions, start=1):
        if not a.action.strip() or not a.owner.strip() or a.due_date is None:
            problems.append(Problem(f"action-{i}", f"Action {i}: enter what is to be done, who owns it and when "
                                                   "it is due"))
    for name, text, limit in (("decisions", data.decisions, 10000), ("safety_plan", data.safety_plan, 10000),
                              ("location", data.location, 200)):
        if len(text) > limit:
            problems.append(Problem(name, f"{name.replace('_', ' ').capitalize()} must be {limit:,} characters or "
                                          "fewer"))
    return problems


@transaction.atomic
def meeting_save(*, actor, data: MeetingInput, meeting: Meeting | None = None, child=None) -> Meeting:
    """Record a meeting (or change one). `child` is the child, already fetched
    through the actor's scope. Tasks it answers (of the rule that meeting
    kind answers, for that child or month) are marked done."""
    if not can_record_meetings(actor):
        raise Refused(Problem("__all__", "Your role cannot record meetings"))
    problems = _validate(data)
    if problems:
        raise Refused(problems)
    authority_id = actor.organisation.authority_id
    created = meeting is None
    if created:
        meeting = Meeting(authority_id=authority_id, created_by=actor)
    elif meeting.authority_id != authority_id:
        raise Refused(Problem("__all__", "This meeting belongs to another authority"))
    meeting.kind = data.kind
    meeting.held_at = data.held_at
    meeting.child = child if data.kind != MeetingKind.MONTHLY_REVIEW else None
    meeting.month = data.month.replace(day=1) if data.kind == MeetingKind.MONTHLY_REVIEW and data.month else None
    meeting.location = data.location.strip()
    meeting.decisions = data.decisions.strip()
    meeting.safety_plan = data.safety_plan.strip()
    meeting.save()
    meeting.attendees.all().delete()
    MeetingAttendee.objects.bulk_create([
        MeetingAttendee(meeting=meeting, name=a.name.strip()[:200], organisation=a.organisation.strip()[:200],
                        role=a.role.strip()[:200]) for a in data.attendees])
    meeting.actions.all().delete()
    MeetingAction.objects.bulk_create([
        MeetingAction(meeting=meeting, action=a.action.strip()[:500], owner=a.owner.strip()[:200],
                      owner_organisation=a.owner_organisation.strip()[:200], due_date=a.due_date)
        for a in data.actions])
    answered = answerable_tasks(meeting).filter(pk__in=data.task_ids)
    now = timezone.now()
    for task in answered:
        Task.objects.filter(pk=task.pk, state=TaskState.OPEN).update(
            state=TaskState.DONE, closed_at=now, closed_by=actor,
            closed_reason=f"Held: {meeting.get_kind_display().lower()} on {when(meeting.held_at)} "
                          f"(meeting {meeting.pk})")
        meeting.tasks.add(task)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, obj=meeting,
                 child_id=meeting.child_id, summary=f"{'Recorded' if created else 'Changed'} a "
                                                    f"{meeting.get_kind_display().lower()}",
                 payload={"tasks_done": [t.pk for t in answered]})
    return meeting


def answerable_tasks(meeting_or_kind, *, authority_id=None, child_id=None, month: date | None = None):
    """Open tasks a meeting of this kind answers: the same rule, for the same
    child (or, for the monthly review, children listed for that month)."""
    if isinstance(meeting_or_kind, Meeting):
        m = meeting_or_kind
        kind, authority_id, child_id, month = m.kind, m.authority_id, m.child_id, m.month
    else:
        kind = meeting_or_kind
    rule = MEETING_RULES.get(kind)
    qs = Task.objects.filter(rule=rule, state=TaskState.OPEN, authority_id=authority_id)
    if kind == MeetingKind.MONTHLY_REVIEW:
        if month is None:
            return qs.none()
        return qs.filter(cause_key__endswith=f":{month.strftime('%Y-%m')}")
    return qs.filter(child_id=child_id) if child_id else qs.none()
