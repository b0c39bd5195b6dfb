"""People of concern and their links to children and places.

A ``PersonOfConcern`` is an adult or peer named in a return interview, by the
police or by an officer as a possible risk to children: names and aliases, an
approximate age or age range, phone numbers and vehicles (``PersonDetail``),
a description and notes. ``PersonChildLink`` and ``PersonPlaceLink`` say how
the person is linked to a child or a place, each with its source
(``rhi:<interview id>``, ``police:<reference>``, ``episode:<id>``,
``meeting:<id>``, ``officer``), the date the information is from, and who
recorded it for which organisation.

Nothing here is ever deleted: a link or a detail recorded by mistake is
*removed* (who, when, why) and kept, so that the history of what was known
stays readable. Who may see a person is decided in ``access.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from . import formats


class PersonOfConcern(models.Model):
    name = models.CharField(max_length=200)  # the name they are best known by
    name_key = models.CharField(max_length=200, db_index=True)  # formats.name_key(name), for search
    age_from = models.PositiveSmallIntegerField(null=True, blank=True)
    age_to = models.PositiveSmallIntegerField(null=True, blank=True)
    # The age was given on this day: ages on the record get older with it.
    age_noted_on = models.DateField(null=True, blank=True)
    description = models.CharField(max_length=500, blank=True)
    notes = models.TextField(blank=True)
    # The organisation that recorded the person: it always sees them (access.py).
    organisation = models.ForeignKey("access.Organisation", on_delete=models.PROTECT, related_name="+",
                                     db_index=False)  # the index below starts with it
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["name_key", "pk"]
        indexes = [models.Index(fields=["organisation", "name_key"], name="intel_person_org")]
        verbose_name_plural = "people of concern"
        constraints = [
            models.CheckConstraint(
                condition=Q(age_from__isnull=True, age_to__isnull=True)
                | Q(age_from__isnull=False, age_to__isnull=False, age_from__lte=models.F("age_to")),
                name="person_age_range_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Person of concern {self.pk}"  # never a name: str() ends up in logs

    @property
    def age_text(self) -> str:
        return formats.show_age(self.age_from, self.age_to)


class PersonDetail(models.Model):
    """An alias, phone number or vehicle of a person of concern."""

    class Kind(models.TextChoices):
        ALIAS = "alias", "Also known as"
        PHONE = "phone", "Phone number"
        VEHICLE = "vehicle", "Vehicle"

    person = models.ForeignKey(PersonOfConcern, on_delete=models.PROTECT, related_name="details", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # As shown: the alias as typed, the phone number and registration in their
    # canonical form (formats.py); "" for a vehicle whose registration is not known.
    value = models.CharField(max_length=200, blank=True)
    # For search: the alias folded (name_key), the phone's digits, the
    # registration without its space.
    search_key = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=200, blank=True)  # a vehicle: "black Audi A3"
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    removed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["person", "kind", "pk"]
        indexes = [
            models.Index(fields=["kind", "search_key"], name="intel_detail_search"),
            models.Index(fields=["person", "kind"], name="intel_detail_person"),
        ]

    def __str__(self) -> str:
        return f"PersonDetail {self.pk}"

    @property
    def active(self) -> bool:
        return self.removed_at is None

    @property
    def shown(self) -> str:
        if self.kind == self.Kind.PHONE:
            return formats.show_phone(self.value)
        if self.kind == self.Kind.VEHICLE:
            return ", ".join(p for p in (self.value or "Registration not known", self.description) if p)
        return self.value


class LinkBase(models.Model):
    """What every link holds: its source, date, note, who recorded it, and its removal."""

    source = models.CharField(max_length=100)  # formats.parse_source
    noted_on = models.DateField()  # the day the information is from
    note = models.CharField(max_length=500, blank=True)
    organisation = models.ForeignKey("access.Organisation", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    removed_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True

    @property
    def active(self) -> bool:
        return self.removed_at is None

    @property
    def source_text(self) -> str:
        return formats.describe_source(self.source)


class ChildLinkNature(models.TextChoices):
    NAMED_BY_CHILD = "named_by_child", "Named by the child"
    SEEN_WITH = "seen_with", "Seen with the child"
    IN_CONTACT = "in_contact", "In contact (phone, social media)"
    STAYED_WITH = "stayed_with", "The child stayed with them"
    TRANSPORTED = "transported", "Drove or took the child somewhere"
    GAVE_GIFTS = "gave_gifts", "Gave the child money, gifts, drugs or alcohol"
    SUSPECTED_EXPLOITATION = "suspected_exploitation", "Suspected of exploiting the child"
    PEER = "peer", "A peer of the child"
    OTHER = "other", "Other"


class PlaceLinkNature(models.TextChoices):
    LIVES_AT = "lives_at", "Lives or stays there"
    USES = "uses", "Uses the place (a flat, a hotel room)"
    SEEN_AT = "seen_at", "Seen there"
    OTHER = "other", "Other"


class PersonChildLink(LinkBase):
    # Indexed by the composite indexes below.
    person = models.ForeignKey(PersonOfConcern, on_delete=models.PROTECT, related_name="child_links", db_index=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+", db_index=False)
    nature = models.CharField(max_length=30, choices=ChildLinkNature.choices)
    episode = models.ForeignKey("episodes.Episode", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    # The person named in a return interview this link was made from.
    named_person = models.ForeignKey("interviews.NamedPerson", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", db_index=False)

    class Meta:
        ordering = ["-noted_on", "-pk"]
        indexes = [
            models.Index(fields=["child", "removed_at"], name="intel_childlink_child"),
            models.Index(fields=["person", "removed_at"], name="intel_childlink_person"),
            models.Index(fields=["named_person"], name="intel_childlink_named"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "child", "nature", "source"], condition=Q(removed_at__isnull=True),
                                    name="intel_childlink_once"),
        ]

    def __str__(self) -> str:
        return f"PersonChildLink {self.pk}"


class PersonPlaceLink(LinkBase):
    person = models.ForeignKey(PersonOfConcern, on_delete=models.PROTECT, related_name="place_links", db_index=False)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", db_index=False)
    nature = models.CharField(max_length=30, choices=PlaceLinkNature.choices)

    class Meta:
        ordering = ["-noted_on", "-pk"]
        indexes = [
            models.Index(fields=["place", "removed_at"], name="intel_placelink_place"),
            models.Index(fields=["person", "removed_at"], name="intel_placelink_person"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "place", "nature", "source"], condition=Q(removed_at__isnull=True),
                                    name="intel_placelink_once"),
        ]

    def __str__(self) -> str:
        return f"PersonPlaceLink {self.pk}"
