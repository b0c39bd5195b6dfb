"""The Philomena Protocol profile of a looked-after child, its versions and
photos, and the details a carer adds when the child goes missing.

The Philomena Protocol: the carers of a looked-after child keep a profile
ready for the police (what the child looks like, a recent photo, friends,
places, medical needs, phones, transport), so that when the child goes
missing the police have it at once, and the carer adds the second part for
the episode (clothing, where and when last seen, with whom).

- `PhilomenaProfile`: the current profile, one per child. Every change makes
  a new `PhilomenaProfileVersion` holding the whole profile as it then was,
  who made it and when: earlier versions are never changed or deleted.
- `PhilomenaPhoto`: a photo, re-encoded by Homeward (homeward/briefing/photos.py:
  a real JPEG or PNG, within size limits, its metadata stripped), stored in
  the database so that the same access checks cover it, and served only by a
  scoped view, never a public static URL. Replaced photos are kept with the
  versions that show them.
- `MissingDetails`: the second part, for one episode. A change adds a new
  row (the latest is the one shown), so what a carer said first is kept.
  Previous missing episodes are not typed in: they come from the episodes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Build(models.TextChoices):
    SLIM = "slim", "Slim"
    MEDIUM = "medium", "Medium"
    ATHLETIC = "athletic", "Athletic"
    STOCKY = "stocky", "Stocky"
    LARGE = "large", "Large"


# The profile's fields, in the order the pages show them. Each is kept in
# every version. Lists hold one entry a line (a person, a place, a number).
PROFILE_TEXT_FIELDS = ("hair", "eyes", "distinguishing_marks", "medication", "medical_conditions", "transport")
PROFILE_LIST_FIELDS = ("friends_and_associates", "addresses", "places_frequented", "phones_and_social_media")
PROFILE_FIELDS = (
    "height_cm", "build", "hair", "eyes", "distinguishing_marks",
    "friends_and_associates", "addresses", "places_frequented", "phones_and_social_media",
    "medication", "medical_conditions", "transport",
)

FIELD_LABELS = {
    "height_cm": "Height",
    "build": "Build",
    "hair": "Hair",
    "eyes": "Eyes",
    "distinguishing_marks": "Distinguishing marks",
    "friends_and_associates": "Friends and associates",
    "addresses": "Addresses",
    "places_frequented": "Places frequented",
    "phones_and_social_media": "Phone numbers and social media",
    "medication": "Medication",
    "medical_conditions": "Medical conditions",
    "transport": "Transport used",
    "photo": "Photo",
}


class PhilomenaPhoto(models.Model):
    """A photo of a child, as Homeward re-encoded it (JPEG, no metadata)."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="philomena_photos")
    data = models.BinaryField()
    content_type = models.CharField(max_length=30, default="image/jpeg")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_format = models.CharField(max_length=10)  # JPEG or PNG, as uploaded
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["child", "-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"Photo {self.pk}"  # never a name: str() ends up in logs


class PhilomenaProfile(models.Model):
    """The current Philomena Protocol profile of one looked-after child."""

    child = models.OneToOneField("people.Child", on_delete=models.PROTECT, related_name="philomena_profile")
    version = models.PositiveIntegerField(default=0)

    # What the child looks like.
    height_cm = models.PositiveSmallIntegerField(null=True, blank=True)
    build = models.CharField(max_length=20, choices=Build.choices, blank=True)
    hair = models.CharField(max_length=200, blank=True)
    eyes = models.CharField(max_length=100, blank=True)
    distinguishing_marks = models.TextField(blank=True)
    photo = models.ForeignKey(PhilomenaPhoto, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    # Who and where.
    friends_and_associates = models.JSONField(default=list, blank=True)
    addresses = models.JSONField(default=list, blank=True)
    places_frequented = models.JSONField(default=list, blank=True)
    phones_and_social_media = models.JSONField(default=list, blank=True)

    # Health and travel.
    medication = models.TextField(blank=True)
    medical_conditions = models.TextField(blank=True)
    transport = models.TextField(blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    def __str__(self) -> str:
        return f"Philomena profile {self.pk}"

    def snapshot(self) -> dict:
        """The profile's fields as kept in a version."""
        data = {name: getattr(self, name) for name in PROFILE_FIELDS}
        data["friends_and_associates"] = list(self.friends_and_associates or [])
        data["addresses"] = list(self.addresses or [])
        data["places_frequented"] = list(self.places_frequented or [])
        data["phones_and_social_media"] = list(self.phones_and_social_media or [])
        data["photo"] = self.photo_id
        return data


class PhilomenaProfileVersion(models.Model):
    """The whole profile as one change left it: who, when, what changed."""

    profile = models.ForeignKey(PhilomenaProfile, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    changed = models.JSONField(default=list)  # the field names this version changed
    photo = models.ForeignKey(PhilomenaPhoto, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    # Kept as plain values too, so that nothing done to a user rewrites who made a version.
    made_by_username = models.CharField(max_length=150, blank=True)
    made_by_role = models.CharField(max_length=20, blank=True)
    made_by_organisation = models.CharField(max_length=200, blank=True)
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["profile", "-version"]
        constraints = [models.UniqueConstraint(fields=["profile", "version"], name="philomena_version_once")]

    def __str__(self) -> str:
        return f"Philomena profile {self.profile_id} version {self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("A version of a profile cannot be changed.")
        super().save(*args, **kwargs)


class MissingDetails(models.Model):
    """The second part of the Philomena Protocol, for one episode: what the
    carer knows of this time. Each change is a new row; the latest is shown."""

    # The episode; if it is merged into another the row stays, kept by the
    # child and the episode's start (selectors find it by both).
    episode = models.ForeignKey("episodes.Episode", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="missing_details")
    episode_number = models.BigIntegerField(db_index=True)
    episode_started_at = models.DateTimeField()
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="missing_details")
    revision = models.PositiveIntegerField(default=1)

    clothing = models.TextField(blank=True)
    last_seen_where = models.CharField(max_length=300, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    with_whom = models.TextField(blank=True)
    other_information = models.TextField(blank=True)

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_by_username = models.CharField(max_length=150, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["child", "episode_started_at"])]

    def __str__(self) -> str:
        return f"Missing details {self.pk}"
