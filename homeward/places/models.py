"""Places: the postcode directory, the places children went missing from, were
found, stayed, were taken to or frequent, and the per-episode facts hotspots
are counted from.

* ``Postcode`` / ``PostcodeDistrict``: the offline postcode directory loaded
  by ``homeward postcodes load`` (ONS Postcode Directory or Code-Point Open
  layout). District centroids are derived from the unit postcodes.
* ``Place``: one location as written (a postcode, or a label with or without a
  postcode), geocoded from the directory at unit or district precision.
* ``ChildPlace``: a child linked to a place in a role, with where the link
  came from (``notification:<id>``, ``rhi:<interview id>``, ``profile``).
* ``EpisodePlace``: one row per episode with the district (and H3 cell) where
  it ended and where it started, kept up to date from the episode events and
  rebuilt by ``homeward places sync``; hotspot figures are a single grouped
  query over it, never per-episode Python work.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Precision(models.TextChoices):
    UNIT = "unit", "Postcode"
    DISTRICT = "district", "Postcode district"
    NONE = "none", "Not located"


class Postcode(models.Model):
    """One unit postcode of the directory, with its coordinates (WGS84)."""

    postcode = models.CharField(max_length=8, unique=True)  # canonical: "CT1 2AB"
    district = models.CharField(max_length=4, db_index=True)  # outward code: "CT1"
    latitude = models.FloatField()
    longitude = models.FloatField()
    source = models.CharField(max_length=20)  # onspd, codepoint, synthetic
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode


class PostcodeDistrict(models.Model):
    """A postcode district (outward code) with the centroid of its postcodes."""

    district = models.CharField(max_length=4, unique=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    postcodes = models.IntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district"]

    def __str__(self) -> str:
        return self.district


class Place(models.Model):
    """A location as it was written, geocoded as precisely as the directory allows."""

    # The text as written (an address, "McDonald's, Canterbury bus station"),
    # or the postcode when that is all there is.
    label = models.CharField(max_length=300, blank=True)
    # What makes two places the same place: the normalised label and postcode
    # (see rules.place_key).
    key = models.CharField(max_length=340, unique=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)  # normalised, "CT1 2AB" or ""
    district = models.CharField(max_length=4, blank=True, db_index=True)  # outward code, "CT1" or ""
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    precision = models.CharField(max_length=8, choices=Precision.choices, default=Precision.NONE)
    kind = models.CharField(max_length=20, blank=True)  # interviews.NamedPlace.Kind when named in an interview
    h3_cell = models.CharField(max_length=16, blank=True)  # H3 cell at rules.H3_RESOLUTION, "" when not located
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "postcode", "label"]

    def __str__(self) -> str:
        return f"Place {self.pk}"  # never the label: it may be an address


class Role(models.TextChoices):
    MISSING_FROM = "missing_from", "Went missing from"
    FOUND = "found", "Found at"
    STAYED = "stayed", "Stayed at"
    TAKEN_TO = "taken_to", "Taken to"
    FREQUENTED = "frequented", "Spends time at"


class ChildPlace(models.Model):
    """A child linked to a place in a role, with where the link came from."""

    # (Indexed by the indexes below that start with them.)
    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="place_links", db_index=False)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="child_links", db_index=False)
    role = models.CharField(max_length=20, choices=Role.choices)
    episode = models.ForeignKey("episodes.Episode", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="place_links")
    # notification:<id>, rhi:<interview id>, profile
    source = models.CharField(max_length=100)
    # The named place of a return interview this link was made from (its
    # `shared` mark decides whether the police see it).
    named_place = models.ForeignKey("interviews.NamedPlace", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="place_links", db_index=False)
    date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", db_index=False)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "pk"]
        # Most links (those from episodes) have no named place and no person:
        # those two are indexed where they are set only, which keeps a sync of
        # millions of links from writing millions of empty index entries.
        indexes = [
            models.Index(fields=["child", "role"]),
            models.Index(fields=["place", "role"]),
            models.Index(fields=["named_place"], condition=models.Q(named_place__isnull=False),
                         name="places_cp_named_place"),
            models.Index(fields=["recorded_by"], condition=models.Q(recorded_by__isnull=False),
                         name="places_cp_recorded_by"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source", "role", "place"], name="childplace_once_per_source"),
        ]

    def __str__(self) -> str:
        return f"ChildPlace {self.pk}"


class EpisodePlace(models.Model):
    """Where one episode started and ended, with the episode's counting fields
    copied so that hotspot figures are one grouped query on one table.

    Derived: written by services.episode_places_refresh (on every episode
    event) and places_sync; never edited by hand.
    """

    episode = models.OneToOneField("episodes.Episode", primary_key=True, on_delete=models.CASCADE,
                                   related_name="place_summary")
    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="+", db_index=False)
    area_authority = models.ForeignKey("placements.Authority", on_delete=models.CASCADE, related_name="+",
                                       db_index=False)
    responsible_authority = models.ForeignKey("placements.Authority", null=True, blank=True,
                                              on_delete=models.CASCADE, related_name="+", db_index=False)
    # For an episode from home: the child's home authority (an authority's
    # episodes include those of its children at home, definitions.md).
    home_authority = models.ForeignKey("placements.Authority", null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="+", db_index=False)
    started_at = models.DateTimeField()
    missing_from = models.CharField(max_length=4)  # home / care
    from_place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   db_index=False)
    from_district = models.CharField(max_length=4, blank=True)
    from_h3 = models.CharField(max_length=16, blank=True)
    found_place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    db_index=False)
    found_district = models.CharField(max_length=4, blank=True)  # "" when no place found
    found_h3 = models.CharField(max_length=16, blank=True)
    # The episode's own updated_at when this row was derived from it: a row
    # whose value differs from the episode's is out of date (freshness.py).
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Each way into an authority's episodes is an index range scan that
        # also holds the district and the child: the default count (by the
        # district of the place found) never reads the table itself.
        indexes = [
            models.Index(fields=["area_authority", "started_at", "found_district", "child"],
                         name="places_ep_area_cover"),
            models.Index(fields=["responsible_authority", "started_at", "found_district", "child"],
                         name="places_ep_resp_cover"),
            models.Index(fields=["home_authority", "started_at", "found_district", "child"],
                         name="places_ep_home_cover"),
            models.Index(fields=["started_at", "found_district", "child"], name="places_ep_start_cover"),
            # Every authority together (`report hotspots --authority all`): read
            # in the order of the grouping (district, then child), so the
            # episodes and distinct children of each district are counted as
            # the index is read, with no sort, whatever the period.
            models.Index(fields=["found_district", "child", "started_at"], name="places_ep_district_cover"),
            models.Index(fields=["found_place"], name="places_ep_found_place"),
        ]

    def __str__(self) -> str:
        return f"EpisodePlace {self.pk}"


class Cursor(models.Model):
    """How far the places part has followed a stream of changes (freshness.py)."""

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
