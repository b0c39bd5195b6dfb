"""Local authorities, care providers (children's homes and agencies) and placements."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Authority(models.Model):
    """An English local authority, known by its three-digit DfE code."""

    code = models.CharField(max_length=3, unique=True)
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=40, blank=True)
    police_force = models.SlugField(max_length=50, blank=True)
    postcode_areas = models.CharField(max_length=100, blank=True)  # ';'-separated, e.g. "CT;ME;TN"
    # The named contact told when a child this authority placed elsewhere goes
    # missing or returns (protocol.md notify_responsible_authority).
    missing_contact_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Provider(models.Model):
    """A children's home, semi-independent provider, fostering agency, ..."""

    class Kind(models.TextChoices):
        CHILDREN_HOME = "children_home", "Children's home"
        SEMI_INDEPENDENT = "semi_independent", "Semi-independent accommodation"
        FOSTERING_AGENCY = "fostering_agency", "Fostering agency"
        FOSTER_CARER = "foster_carer", "Local authority foster carer"
        RESIDENTIAL_SCHOOL = "residential_school", "Residential school"
        SECURE = "secure", "Secure children's home"
        OTHER = "other", "Other"

    urn = models.CharField("Ofsted URN", max_length=20, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    postcode = models.CharField(max_length=10, blank=True)
    host_authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="providers"
    )
    organisation = models.ForeignKey(
        "access.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="providers"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})" if self.urn else self.name


class Placement(models.Model):
    """Where a looked-after child lives, for a period (an SSDA903 episode)."""

    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="placements")
    responsible_authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="placements_responsible"
    )
    host_authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="placements_hosted"
    )
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="placements"
    )
    place_code = models.CharField("SSDA903 PLACE", max_length=2, blank=True)
    place_provider = models.CharField("SSDA903 PLACE_PROVIDER", max_length=3, blank=True)
    legal_status = models.CharField("SSDA903 LS", max_length=2, blank=True)
    reason_ceased = models.CharField("SSDA903 REC", max_length=3, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)  # exclusive of nothing: the day care/placement ended
    home_postcode = models.CharField(max_length=10, blank=True)
    placement_postcode = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # the protocol scheduler's catch-up

    class Meta:
        ordering = ["child", "start_date"]
        indexes = [
            models.Index(fields=["child", "start_date"]),
            models.Index(fields=["host_authority", "end_date"]),
            models.Index(fields=["responsible_authority", "start_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="placement_ends_after_start",
            ),
            models.UniqueConstraint(fields=["child", "start_date"], name="one_placement_start_per_day"),
        ]

    def __str__(self) -> str:
        return f"Placement {self.pk} ({self.place_code} from {self.start_date})"

    def is_open_on(self, day) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date > day)

    @property
    def placed_out_of_area(self) -> bool:
        return self.host_authority_id is not None and self.host_authority_id != self.responsible_authority_id
