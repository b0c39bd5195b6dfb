"""The protocol as versioned configuration, the tasks and messages it raises,
and the meetings that follow (protocol.md).

* `ProtocolVersion`: one authority's (or one region's) protocol, numbered;
  never changed once a task or message refers to it. A change is a new
  version; tasks keep the version that raised them.
* `Task`: something a person has to do, raised by one rule of one version
  for one cause. `cause_key` is UNIQUE: the same cause can never raise a
  second task, whatever number of workers evaluate at once.
* `OutboundMessage`: an email to another authority, kept with its delivery
  state, claimed for sending by a conditional UPDATE and retried on failure.
* `Meeting`: strategy discussions, multi-agency meetings, placement reviews,
  the monthly Multiple Missing and Hotspots review, family group conferences.
* `ProtocolWake`: when each child's evaluation next changes on its own (the
  next escalation step, an interview's due time). Time rules are data: the
  scheduler reads only the wakes that are due.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .defaults import RULE_CHOICES, describe_due


class ProtocolVersion(models.Model):
    authority = models.ForeignKey("placements.Authority", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="protocol_versions")
    region = models.CharField(max_length=40, blank=True)  # a regional protocol, when no authority
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200, blank=True)
    # The rules: {rule name: {parameter: value}}, complete and validated
    # (defaults.validate); `look_back_days` beside them.
    rules = models.JSONField()
    look_back_days = models.PositiveIntegerField(default=30)
    note = models.CharField("why it changed", max_length=500, blank=True)
    effective_from = models.DateTimeField(db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "number"], condition=Q(authority__isnull=False),
                                    name="protocol_number_once_per_authority"),
            models.UniqueConstraint(fields=["region", "number"], condition=Q(authority__isnull=True),
                                    name="protocol_number_once_per_region"),
            models.CheckConstraint(
                condition=(Q(authority__isnull=False) & Q(region="")) | (Q(authority__isnull=True) & ~Q(region="")),
                name="protocol_for_an_authority_or_a_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label} protocol, version {self.number}"

    @property
    def scope_label(self) -> str:
        return self.authority.name if self.authority_id else f"{self.region} regional"

    @property
    def used(self) -> bool:
        return self.tasks.exists() or self.messages.exists()

    def document(self) -> dict:
        from .defaults import FORMAT

        doc = {"format": FORMAT}
        if self.name:
            doc["name"] = self.name
        doc["look_back_days"] = self.look_back_days
        doc["rules"] = self.rules
        return doc

    def save(self, *args, **kwargs):
        if self.pk is not None and ProtocolVersion.objects.filter(pk=self.pk).exists() and self.used:
            raise PermissionError("A protocol version that has raised tasks cannot be changed: make a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.used:
            raise PermissionError("A protocol version that has raised tasks cannot be deleted.")
        return super().delete(*args, **kwargs)


class TaskState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Task(models.Model):
    # Foreign keys whose lookups the composite indexes below already serve
    # carry no index of their own (fewer indexes to keep up on every insert).
    authority = models.ForeignKey("placements.Authority", on_delete=models.PROTECT, related_name="protocol_tasks",
                                  db_index=False)
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT, related_name="tasks")
    rule = models.CharField(max_length=40, choices=RULE_CHOICES)
    # One cause, one task, ever: e.g. "duration_escalation:e123:72h".
    cause_key = models.CharField(max_length=200, unique=True)
    cause_at = models.DateTimeField()
    title = models.CharField(max_length=200)
    # "Why am I seeing this": what happened and what the protocol asks. No
    # names: the child is shown beside it only to people who may see them.
    reason = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", db_index=False)
    closed_reason = models.CharField(max_length=500, blank=True)
    owner_organisation = models.ForeignKey("access.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="protocol_tasks", db_index=False)
    owner_role = models.CharField(max_length=20)
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="protocol_tasks", db_index=False)
    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="protocol_tasks", db_index=False)
    # The episode (null for a task about a child); when two records of one
    # episode are merged the task loses its episode and closes itself.
    episode = models.ForeignKey("episodes.Episode", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="protocol_tasks")
    episode_ref = models.BigIntegerField(null=True, blank=True)  # the episode's id, kept after a merge
    created_at = models.DateTimeField(default=timezone.now)
    raised_by = models.CharField(max_length=100, blank=True)  # the worker (host:pid:run) that inserted it

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["owner_organisation", "state", "due_at"]),
            models.Index(fields=["authority", "state", "due_at"]),
            models.Index(fields=["child", "state"]),
            models.Index(fields=["state", "due_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="open", closed_at__isnull=True) | (~Q(state="open") & Q(closed_at__isnull=False)),
                name="task_closed_when_not_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Task {self.pk} ({self.rule})"

    @property
    def is_open(self) -> bool:
        return self.state == TaskState.OPEN

    def overdue(self, now=None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())


class MessageState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboundMessage(models.Model):
    """An email to another authority's named contact. Holds no more personal
    data than the recipient needs to find their own record."""

    authority = models.ForeignKey("placements.Authority", on_delete=models.PROTECT, related_name="messages_sent")
    to_authority = models.ForeignKey("placements.Authority", on_delete=models.PROTECT,
                                     related_name="messages_received")
    to_email = models.EmailField()
    rule = models.CharField(max_length=40, choices=RULE_CHOICES)
    cause_key = models.CharField(max_length=200, unique=True)  # the task's, so each cause sends once
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT, related_name="messages")
    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="protocol_messages")
    episode = models.ForeignKey("episodes.Episode", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="protocol_messages")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    state = models.CharField(max_length=10, choices=MessageState.choices, default=MessageState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True)  # e.g. GOV.UK Notify's id
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["authority", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} to {self.to_email}"


class MeetingKind(models.TextChoices):
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    MULTI_AGENCY = "multi_agency", "Multi-agency meeting (repeat missing)"
    PLACEMENT_REVIEW = "placement_review", "Placement review"
    MONTHLY_REVIEW = "monthly_review", "Multiple Missing and Hotspots review"
    FAMILY_GROUP_CONFERENCE = "family_group_conference", "Missing family group conference"


# The rule whose tasks a meeting of each kind answers.
MEETING_RULES = {
    MeetingKind.STRATEGY_DISCUSSION: "strategy_discussion",
    MeetingKind.MULTI_AGENCY: "repeat_missing_meeting",
    MeetingKind.PLACEMENT_REVIEW: "placement_review",
    MeetingKind.MONTHLY_REVIEW: "monthly_multiple_missing",
    MeetingKind.FAMILY_GROUP_CONFERENCE: "family_group_conference",
}


class Meeting(models.Model):
    authority = models.ForeignKey("placements.Authority", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=30, choices=MeetingKind.choices)
    held_at = models.DateTimeField()
    # The child it is about; none for the monthly review, which is about a month.
    child = models.ForeignKey("people.Child", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="meetings")
    month = models.DateField(null=True, blank=True)  # the first day of the month reviewed
    location = models.CharField(max_length=200, blank=True)
    decisions = models.TextField(blank=True)
    safety_plan = models.TextField(blank=True)
    tasks = models.ManyToManyField(Task, blank=True, related_name="meetings")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_at", "-id"]
        indexes = [models.Index(fields=["authority", "kind", "held_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="monthly_review") & Q(month__isnull=False)) | (~Q(kind="monthly_review") & Q(child__isnull=False)),
                name="meeting_about_a_child_or_a_month",
            ),
        ]

    def __str__(self) -> str:
        return f"Meeting {self.pk} ({self.kind})"


class MeetingAttendee(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["organisation", "name", "id"]


class MeetingAction(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=500)
    owner = models.CharField(max_length=200)
    owner_organisation = models.CharField(max_length=200, blank=True)
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]


class ProtocolWake(models.Model):
    """When a child's evaluation next changes by the clock alone."""

    child = models.OneToOneField("people.Child", primary_key=True, on_delete=models.CASCADE,
                                 related_name="protocol_wake")
    wake_at = models.DateTimeField(db_index=True)


class ProtocolCursor(models.Model):
    """How far the scheduler has caught up with changes it was not told of."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()


__all__ = [
    "Meeting", "MeetingAction", "MeetingAttendee", "MeetingKind", "MEETING_RULES", "MessageState",
    "OutboundMessage", "ProtocolCursor", "ProtocolVersion", "ProtocolWake", "Task", "TaskState", "describe_due",
]
