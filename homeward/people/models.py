"""Children: who they are, what the agencies call them, and what is known of their risks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known"


class Flag(models.TextChoices):
    CSE = "cse", "Child sexual exploitation"
    CCE = "cce", "Child criminal exploitation"
    TRAFFICKING = "trafficking", "Trafficking"
    UASC = "uasc", "Unaccompanied asylum-seeking child"
    COUNTY_LINES = "county_lines", "County lines"
    GANGS = "gangs", "Gangs"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    MENTAL_HEALTH = "mental_health", "Mental health"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    MISSING_EDUCATION = "missing_education", "Missing education"
    CHILD_PROTECTION_PLAN = "child_protection_plan", "Child protection plan"


# Flags that on their own call for an immediate strategy discussion (protocol.md).
EXPLOITATION_FLAGS = frozenset({Flag.TRAFFICKING, Flag.CSE, Flag.CCE, Flag.UASC})


class Child(models.Model):
    """One person, whatever number of records the agencies hold for them."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    dob = models.DateField("date of birth")
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(max_length=4, blank=True)  # DfE ethnicity code, e.g. WBRI
    upn = models.CharField("unique pupil number", max_length=13, blank=True)
    # The authority responsible for the child as a looked-after child.
    responsible_authority = models.ForeignKey(
        "placements.Authority", null=True, blank=True, on_delete=models.PROTECT, related_name="children_responsible"
    )
    # The authority where the child lives at home (children not looked after).
    home_authority = models.ForeignKey(
        "placements.Authority", null=True, blank=True, on_delete=models.PROTECT, related_name="children_at_home"
    )
    home_postcode = models.CharField(max_length=10, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    # A duplicate record merged into another stays, pointing at the survivor,
    # so that a merge can be undone.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # the protocol scheduler's catch-up

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["dob", "last_name"]),
            models.Index(fields=["merged_into"]),
        ]

    def __str__(self) -> str:
        return f"Child {self.pk}"  # never a name: str() ends up in logs

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day) -> int:
        years = day.year - self.dob.year
        if (day.month, day.day) < (self.dob.month, self.dob.day):
            years -= 1
        return years


class ChildIdentifier(models.Model):
    """An agency's own identifier for the child (the SSDA903 CHILD, a police id)."""

    class Kind(models.TextChoices):
        LA_CHILD = "la_child", "Local authority child id (SSDA903 CHILD)"
        POLICE = "police", "Police person id"
        NHS = "nhs", "NHS number"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    authority = models.ForeignKey("placements.Authority", null=True, blank=True, on_delete=models.PROTECT)
    value = models.CharField(max_length=50)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "authority", "value"], name="identifier_unique_per_issuer"),
        ]


class ChildAlias(models.Model):
    """Another name the child is known by or has been reported under."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="aliases")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    source = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "first_name", "last_name"], name="alias_unique_per_child"),
        ]


class ChildFlag(models.Model):
    """A risk flag on a child, with who said so and when it applied."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="flags")
    flag = models.CharField(max_length=30, choices=Flag.choices)
    source = models.CharField(max_length=100)  # e.g. police:kent, la:886, a user
    start_date = models.DateField(default=timezone.localdate)
    end_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)  # the protocol scheduler's catch-up

    class Meta:
        ordering = ["flag", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["child", "flag", "source", "start_date"], name="flag_once_per_source_day"),
        ]

    @property
    def active(self) -> bool:
        return self.end_date is None or self.end_date > timezone.localdate()


class Allocation(models.Model):
    """A worker or organisation allocated to a child (social worker, return-interview worker)."""

    class Kind(models.TextChoices):
        SOCIAL_WORKER = "social_worker", "Social worker"
        RHI = "rhi", "Return interview"
        KEY_WORKER = "key_worker", "Key worker"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="allocations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations")
    organisation = models.ForeignKey("access.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="allocations")
    start_date = models.DateField(default=timezone.localdate)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(organisation__isnull=False),
                name="allocation_to_someone",
            )
        ]


class MatchReview(models.Model):
    """A report that might be about a child already known: a person decides.

    The report was linked to a new record (`reported_child`); confirming the
    match merges that record into `candidate` (reversibly); rejecting keeps
    them apart for good.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        CONFIRMED = "confirmed", "Same child: merged"
        REJECTED = "rejected", "Different children"
        UNDONE = "undone", "Merge undone"

    reported_child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="reviews_as_reported")
    candidate = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="reviews_as_candidate")
    notification = models.ForeignKey("episodes.Notification", null=True, blank=True, on_delete=models.SET_NULL)
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-score", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["reported_child", "candidate"], name="review_pair_once"),
        ]


class ChildMerge(models.Model):
    """A merge of a duplicate record into another, with what moved, so it can be undone."""

    survivor = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_in")
    duplicate = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_out")
    moved = models.JSONField(default=dict)  # {"episodes": [ids], "placements": [...], ...}
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)
