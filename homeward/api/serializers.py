"""What the API says about children, episodes and notifications.

Serializers only shape records the selectors have already scoped and audited;
none of them looks a record up by itself, except the child detail's episode
summary, which goes through `episodes_of_child` with the caller as actor.

Every field is typed so that the OpenAPI schema (/api/openapi.json) has
proper component schemas.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from homeward.episodes.models import Category, Episode, MissingFrom, Notification, RiskChange, RiskLevel
from homeward.episodes.parsing import FEED_FLAGS
from homeward.people.models import Child, ChildAlias, ChildFlag, ChildIdentifier, Sex
from homeward.placements.models import Placement, Provider


class AuthorityCodeField(serializers.SlugRelatedField):
    """An authority shown as its three-digit DfE code (e.g. "886")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", "Three-digit DfE local authority code, e.g. 886")
        super().__init__(slug_field="code", **kwargs)


# --- errors ----------------------------------------------------------------------


class ProblemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field that is wrong, or __all__ for the request as a whole")
    message = serializers.CharField(help_text="Why, in plain words")


class ErrorsSerializer(serializers.Serializer):
    errors = ProblemSerializer(many=True)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- the caller -------------------------------------------------------------------


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(allow_blank=True)
    organisation = serializers.CharField(allow_null=True, help_text="The organisation the user acts for")
    organisation_kind = serializers.CharField(allow_null=True)
    role = serializers.CharField(allow_null=True, help_text="One of the roles in homeward/access/roles.py")
    role_label = serializers.CharField(allow_null=True)
    authorities = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the authorities the organisation belongs to or covers"
    )
    can_see_named_records = serializers.BooleanField()
    can_send_notifications = serializers.BooleanField()


# --- children ---------------------------------------------------------------------


class ChildListSerializer(serializers.ModelSerializer):
    """A child in a list: who they are and which authorities they belong to."""

    url = serializers.HyperlinkedIdentityField(view_name="api:child-detail")
    # Declared so that the schema says a blank is possible (read-only model fields lose allow_blank).
    sex = serializers.ChoiceField(choices=Sex.choices, allow_blank=True, read_only=True, help_text="Blank when not given")
    responsible_authority = AuthorityCodeField(allow_null=True)
    home_authority = AuthorityCodeField(allow_null=True)

    class Meta:
        model = Child
        fields = ["id", "url", "first_name", "last_name", "dob", "sex", "responsible_authority", "home_authority"]
        read_only_fields = fields


class ChildAliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChildAlias
        fields = ["first_name", "last_name", "source", "created_at"]
        read_only_fields = fields


class ChildIdentifierSerializer(serializers.ModelSerializer):
    authority = AuthorityCodeField(allow_null=True, help_text="The authority that issued the identifier")

    class Meta:
        model = ChildIdentifier
        fields = ["kind", "authority", "value"]
        read_only_fields = fields


class ChildFlagSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_flag_display", read_only=True)
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ChildFlag
        fields = ["flag", "label", "source", "start_date", "end_date", "active", "note", "created_at"]
        read_only_fields = fields


class ProviderSerializer(serializers.ModelSerializer):
    host_authority = AuthorityCodeField(allow_null=True)

    class Meta:
        model = Provider
        fields = ["urn", "name", "kind", "postcode", "host_authority"]
        read_only_fields = fields


class PlacementSerializer(serializers.ModelSerializer):
    responsible_authority = AuthorityCodeField()
    host_authority = AuthorityCodeField(allow_null=True)
    provider = ProviderSerializer(read_only=True, allow_null=True)
    placed_out_of_area = serializers.BooleanField(read_only=True)

    class Meta:
        model = Placement
        fields = [
            "id", "responsible_authority", "host_authority", "provider", "place_code", "place_provider",
            "legal_status", "reason_ceased", "start_date", "end_date", "placement_postcode", "placed_out_of_area",
        ]
        read_only_fields = fields


class EpisodeSummarySerializer(serializers.ModelSerializer):
    """An episode in a list: when, where from, and how it stands."""

    url = serializers.HyperlinkedIdentityField(view_name="api:episode-detail")
    area_authority = AuthorityCodeField(help_text="Code of the authority in whose area the child went missing")
    responsible_authority = AuthorityCodeField(allow_null=True, help_text="Placing authority, for a looked-after child")
    duration_hours = serializers.FloatField(read_only=True, allow_null=True, help_text="Null while the child is missing")
    risk_level = serializers.ChoiceField(
        choices=RiskLevel.choices, allow_blank=True, read_only=True, help_text="Blank until a risk level is given"
    )

    class Meta:
        model = Episode
        fields = [
            "id", "url", "area_authority", "responsible_authority", "category", "missing_from", "status",
            "started_at", "returned_at", "duration_hours", "risk_level",
        ]
        read_only_fields = fields


class ChildDetailSerializer(ChildListSerializer):
    """A child's record: identity, other names, agencies' identifiers, risk flags with their
    source and dates, placements, and the child's episodes in summary."""

    aliases = ChildAliasSerializer(many=True, read_only=True)
    identifiers = serializers.SerializerMethodField()
    flags = ChildFlagSerializer(many=True, read_only=True)
    placements = PlacementSerializer(many=True, read_only=True)
    episodes = serializers.SerializerMethodField()

    class Meta(ChildListSerializer.Meta):
        fields = ChildListSerializer.Meta.fields + [
            "ethnicity", "upn", "home_postcode", "date_of_death", "created_at", "updated_at",
            "aliases", "identifiers", "flags", "placements", "episodes",
        ]
        read_only_fields = fields

    @extend_schema_field(ChildIdentifierSerializer(many=True))
    def get_identifiers(self, child: Child):
        items = child.identifiers.select_related("authority").order_by("kind", "pk")
        return ChildIdentifierSerializer(items, many=True, context=self.context).data

    @extend_schema_field(EpisodeSummarySerializer(many=True))
    def get_episodes(self, child: Child):
        from homeward.episodes.selectors import episodes_of_child

        request = self.context["request"]
        episodes = episodes_of_child(actor=request.user, child=child)
        return EpisodeSummarySerializer(episodes, many=True, context=self.context).data


# --- episodes ---------------------------------------------------------------------


class ChildRefSerializer(serializers.ModelSerializer):
    """The child an episode is about."""

    url = serializers.HyperlinkedIdentityField(view_name="api:child-detail")

    class Meta:
        model = Child
        fields = ["id", "url", "first_name", "last_name", "dob"]
        read_only_fields = fields


class EpisodeListSerializer(EpisodeSummarySerializer):
    """An episode in a list, with the child it is about."""

    child = ChildRefSerializer(read_only=True)

    class Meta(EpisodeSummarySerializer.Meta):
        fields = EpisodeSummarySerializer.Meta.fields[:2] + ["child"] + EpisodeSummarySerializer.Meta.fields[2:]
        read_only_fields = fields


@extend_schema_field(
    {
        # The risk levels' enum by reference: an enum of its own would give the
        # same choice set a second name (PreviousLevelEnum) in the schema.
        "oneOf": [{"$ref": "#/components/schemas/RiskLevelEnum"}, {"$ref": "#/components/schemas/BlankEnum"}],
        "readOnly": True,
        "description": "The level before this change; blank for the first",
    }
)
class PreviousRiskLevelField(serializers.CharField):
    pass


class RiskChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True,
        help_text="Username of the person who changed it; null when a notification did",
    )
    previous_level = PreviousRiskLevelField(read_only=True)

    class Meta:
        model = RiskChange
        fields = ["risk_level", "previous_level", "changed_at", "changed_by", "source", "reason"]
        read_only_fields = fields


class EpisodeNotificationSerializer(serializers.ModelSerializer):
    """A notification an episode is derived from: one reporter's row, kept as received."""

    area_authority = AuthorityCodeField(help_text="The area authority whose feed the notification came in")
    received = serializers.DictField(
        source="raw",
        child=serializers.CharField(allow_null=True, allow_blank=True),
        read_only=True,
        help_text="The notification exactly as received, unknown fields included",
    )

    class Meta:
        model = Notification
        fields = [
            "id", "source", "source_ref", "received_at", "area_authority", "last_seen_at", "reported_at",
            "returned_at", "risk_level", "line", "received",
        ]
        read_only_fields = fields


class EpisodeDetailSerializer(EpisodeListSerializer):
    """An episode: all its fields, the history of its risk level and the notifications it is
    derived from."""

    provider = ProviderSerializer(read_only=True, allow_null=True)
    placement = PlacementSerializer(read_only=True, allow_null=True)
    risk_history = RiskChangeSerializer(source="risk_changes", many=True, read_only=True)
    notifications = serializers.SerializerMethodField()

    class Meta(EpisodeListSerializer.Meta):
        fields = EpisodeListSerializer.Meta.fields + [
            "last_seen_at", "reported_at", "postcode", "found_postcode", "found_where", "found_by",
            "provider", "placement", "created_at", "updated_at", "risk_history", "notifications",
        ]
        read_only_fields = fields

    @extend_schema_field(EpisodeNotificationSerializer(many=True))
    def get_notifications(self, episode: Episode):
        items = episode.notifications.select_related("area_authority").order_by("received_at", "pk")
        return EpisodeNotificationSerializer(items, many=True, context=self.context).data


# --- notifications in -------------------------------------------------------------

_DATETIME_HELP = "ISO 8601 date-time, e.g. 2024-07-05T21:10; without an offset it is Europe/London local time"


# Documents the request body of POST /api/notifications/ (the OpenAPI schema
# takes the docstring as its description). The row itself is read by
# homeward.episodes.parsing.parse_row, the one reader of notifications, which
# names every field that is wrong; a test keeps these fields and its FIELDS
# and REQUIRED the same.
class NotificationSerializer(serializers.Serializer):
    """One notification, in the field layout of the notification file: one report of an
    episode, or an update of one (same source and source_ref). Fields not listed here are
    kept with the notification as received."""

    area_authority = serializers.CharField(
        required=False,
        help_text="Code of the area authority whose feed this is, e.g. 886. May be given as ?authority=CODE "
        "instead; may be left out when your organisation covers exactly one authority. Not stored with the row.",
    )
    source = serializers.CharField(help_text="The reporting agency or system, e.g. police:kent, provider:1234567, la:886")
    source_ref = serializers.CharField(
        help_text="That source's own reference for the episode; a later notification with the same source and "
        "source_ref updates the episode"
    )
    child_ref = serializers.CharField(
        required=False, allow_blank=True,
        help_text="The responsible authority's own child identifier (SSDA903 CHILD); it belongs to "
        "responsible_authority when given, otherwise to the area authority",
    )
    first_name = serializers.CharField(help_text="As reported")
    last_name = serializers.CharField(help_text="As reported")
    dob = serializers.DateField(help_text="Date of birth, YYYY-MM-DD")
    # A pattern rather than an enum: a child's record also knows "U" (not known), a notification does not.
    sex = serializers.CharField(
        required=False, allow_blank=True, max_length=1, validators=[RegexValidator(r"^[MFmf]?$")],
        help_text="M, F or blank",
    )
    # The same choice sets as the episode's fields, so the schema names each enum once.
    missing_from = serializers.ChoiceField(
        choices=MissingFrom.choices, required=False, allow_blank=True,
        help_text="home, care or blank (then derived from the child's placements)",
    )
    category = serializers.ChoiceField(
        choices=Category.choices, required=False, allow_blank=True, help_text="missing (the default) or absent"
    )
    last_seen_at = serializers.CharField(help_text=_DATETIME_HELP)
    reported_at = serializers.CharField(required=False, allow_blank=True, help_text=_DATETIME_HELP)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False, allow_blank=True)
    postcode = serializers.CharField(required=False, allow_blank=True, help_text="Where the child went missing from")
    provider_urn = serializers.CharField(
        required=False, allow_blank=True, help_text="Ofsted unique reference number of the home or agency"
    )
    responsible_authority = serializers.CharField(
        required=False, allow_blank=True, help_text="The placing authority's code, for a looked-after child"
    )
    returned_at = serializers.CharField(
        required=False, allow_blank=True, help_text=_DATETIME_HELP + "; when returned or found, blank while missing"
    )
    found_postcode = serializers.CharField(required=False, allow_blank=True, help_text="Where the child was found")
    flags = serializers.CharField(
        required=False, allow_blank=True, help_text="';'-separated, from: " + ", ".join(FEED_FLAGS)
    )
    notes = serializers.CharField(required=False, allow_blank=True, help_text="Free text")


class NotificationOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["created", "updated", "merged", "unchanged"],
        help_text="created: a new episode; updated: the reporter's account of an episode changed; merged: the "
        "report joined an episode another reporter had already given; unchanged: the same row was received before",
    )
    episode_id = serializers.IntegerField(help_text="The episode the notification created, updated or merged into")
    episode = EpisodeDetailSerializer(
        allow_null=True,
        help_text="The episode, or null when the caller's role cannot see named records (an administrator)",
    )
    review = serializers.BooleanField(
        help_text="True when the report might be about a child already known: a person will review the match"
    )
