"""Missing episodes and the notifications they come from.

An episode's times are derived from its notifications (definitions.md): it
starts at the earliest last-seen time reported (or, if none, the earliest
report) and ends at the earliest return reported. Notifications are kept
exactly as received; a later row with the same source and source_ref updates
that reporter's account, and the episode is recomputed from the current
accounts (see homeward/episodes/rules.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Category(models.TextChoices):
    MISSING = "missing", "Missing"
    ABSENT = "absent", "Absent"


class MissingFrom(models.TextChoices):
    HOME = "home", "Home"
    CARE = "care", "Care"


class RiskLevel(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    NO_APPARENT_RISK = "no_apparent_risk", "No apparent risk"


class Status(models.TextChoices):
    OPEN = "open", "Missing now"
    RETURNED = "returned", "Returned"
    CLOSED = "closed", "Closed"


class Episode(models.Model):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="episodes")
    # The authority in whose area the child went missing (whose feed reported it).
    area_authority = models.ForeignKey("placements.Authority", on_delete=models.PROTECT, related_name="area_episodes")
    # For a looked-after child: the placing authority when the episode started.
    responsible_authority = models.ForeignKey(
        "placements.Authority", null=True, blank=True, on_delete=models.PROTECT, related_name="responsible_episodes"
    )
    placement = models.ForeignKey(
        "placements.Placement", null=True, blank=True, on_delete=models.SET_NULL, related_name="episodes"
    )
    provider = models.ForeignKey(
        "placements.Provider", null=True, blank=True, on_delete=models.SET_NULL, related_name="episodes"
    )
    category = models.CharField(max_length=10, choices=Category.choices, default=Category.MISSING)
    missing_from = models.CharField(max_length=4, choices=MissingFrom.choices)
    started_at = models.DateTimeField(db_index=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    risk_level = models.CharField(max_length=20, choices=RiskLevel.choices, blank=True)
    postcode = models.CharField("missing from (postcode)", max_length=10, blank=True)
    found_postcode = models.CharField(max_length=10, blank=True)
    found_where = models.CharField(max_length=300, blank=True)
    found_by = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The protocol's scheduler asks which episodes changed since its last run.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["child", "started_at"]),
            models.Index(fields=["area_authority", "started_at"]),
            models.Index(fields=["responsible_authority", "started_at"]),
            # For the link rules (homeward/intelligence/selectors.py): other
            # children's episodes from the same provider or address in a time
            # window, and returns at the same found postcode. (Named as the
            # intelligence part first created them, migration 0002 there.)
            models.Index(fields=["provider", "started_at"], name="intel_episode_provider_start"),
            models.Index(fields=["postcode", "started_at"], name="intel_episode_postcode_start"),
            models.Index(fields=["found_postcode", "returned_at"], name="intel_episode_found_returned"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(returned_at__isnull=True) | models.Q(returned_at__gte=models.F("started_at")),
                name="episode_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["child"], condition=models.Q(returned_at__isnull=True), name="one_open_episode_per_child"
            ),
        ]

    def __str__(self) -> str:
        return f"Episode {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    @property
    def duration_hours(self) -> float | None:
        if self.returned_at is None:
            return None
        from .rules import elapsed_hours

        return elapsed_hours(self.started_at, self.returned_at)


class RiskChange(models.Model):
    """The history of an episode's risk level: who changed it, when and why."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="risk_changes")
    risk_level = models.CharField(max_length=20, choices=RiskLevel.choices)
    previous_level = models.CharField(max_length=20, choices=RiskLevel.choices, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    source = models.CharField(max_length=100, blank=True)  # a notification source when it came from a feed
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]


class ImportBatch(models.Model):
    """One file (or API call) of notifications taken in, and what became of it."""

    kind = models.CharField(max_length=30)  # notifications, ssda903
    area_authority = models.ForeignKey("placements.Authority", on_delete=models.PROTECT)
    filename = models.CharField(max_length=300, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)


class Notification(models.Model):
    """One row received from a reporter, kept exactly as it came."""

    episode = models.ForeignKey(Episode, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications")
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")
    area_authority = models.ForeignKey("placements.Authority", on_delete=models.PROTECT, related_name="notifications")
    source = models.CharField(max_length=100)
    source_ref = models.CharField(max_length=100)
    content_hash = models.CharField(max_length=64)
    raw = models.JSONField()  # every field as received, unknown columns included
    line = models.IntegerField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    # Parsed values of this reporter's account, used to derive the episode.
    last_seen_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    risk_level = models.CharField(max_length=20, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["source", "source_ref"])]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref", "content_hash"], name="notification_row_once"),
        ]

    def __str__(self) -> str:
        return f"Notification {self.source}/{self.source_ref}"
