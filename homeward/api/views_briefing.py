"""The police briefing in the JSON API.

- `GET /api/episodes/{id}/briefing.pdf`: the printable briefing (the same PDF
  as the page's download), for a person who may read it;
- `GET /api/episodes/{id}/briefing/`: the same briefing as JSON.

Both read through homeward.briefing.selectors.briefing_get, which applies
the caller's scope and the briefing's own rules (homeward/briefing/access.py)
and audits the read: a briefing the caller may not read answers 404, like
one that does not exist.
"""

from __future__ import annotations

import base64

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from homeward.briefing import document
from homeward.briefing.selectors import briefing_get

from . import serializers as s

NOT_FOUND = {404: OpenApiResponse(s.DetailSerializer, description="No such episode, or not one whose briefing you "
                                                                  "may read")}
UNAUTHORISED = {401: OpenApiResponse(s.DetailSerializer, description="No valid token or session")}


class BriefingChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    dob = serializers.DateField()
    age = serializers.IntegerField()
    sex = serializers.CharField(allow_blank=True)
    ethnicity = serializers.CharField(allow_blank=True)
    looked_after = serializers.BooleanField()


class BriefingEpisodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    category = serializers.CharField()
    missing_from = serializers.CharField()
    risk_level = serializers.CharField(allow_blank=True)
    started_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField(allow_null=True)
    reported_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    postcode = serializers.CharField(allow_blank=True)
    area_authority = serializers.CharField()
    responsible_authority = serializers.CharField(allow_null=True)
    council_contact = serializers.CharField(allow_blank=True)


class BriefingPhotoSerializer(serializers.Serializer):
    content_type = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    data_base64 = serializers.CharField(help_text="The JPEG, base64-encoded (no metadata: Homeward re-encoded it)")


class BriefingProfileSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    height_cm = serializers.IntegerField(allow_null=True)
    build = serializers.CharField(allow_blank=True)
    hair = serializers.CharField(allow_blank=True)
    eyes = serializers.CharField(allow_blank=True)
    distinguishing_marks = serializers.CharField(allow_blank=True)
    friends_and_associates = serializers.ListField(child=serializers.CharField())
    addresses = serializers.ListField(child=serializers.CharField())
    places_frequented = serializers.ListField(child=serializers.CharField())
    phones_and_social_media = serializers.ListField(child=serializers.CharField())
    medication = serializers.CharField(allow_blank=True)
    medical_conditions = serializers.CharField(allow_blank=True)
    transport = serializers.CharField(allow_blank=True)
    photo = BriefingPhotoSerializer(allow_null=True)


class BriefingDetailsSerializer(serializers.Serializer):
    clothing = serializers.CharField(allow_blank=True)
    last_seen_where = serializers.CharField(allow_blank=True)
    last_seen_at = serializers.DateTimeField(allow_null=True)
    with_whom = serializers.CharField(allow_blank=True)
    other_information = serializers.CharField(allow_blank=True)
    recorded_at = serializers.DateTimeField()
    recorded_by = serializers.CharField()


class KnownItemSerializer(serializers.Serializer):
    text = serializers.CharField()
    postcode = serializers.CharField(allow_blank=True)
    detail = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True)


class KnownSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    items = KnownItemSerializer(many=True)
    note = serializers.CharField(allow_blank=True)


class PreviousEpisodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    returned_at = serializers.DateTimeField(allow_null=True)
    category = serializers.CharField()
    risk_level = serializers.CharField(allow_blank=True)
    found_postcode = serializers.CharField(allow_blank=True)
    found_where = serializers.CharField(allow_blank=True)


class BriefingSerializer(serializers.Serializer):
    marking = serializers.CharField()
    made_at = serializers.DateTimeField()
    made_by = serializers.CharField()
    child = BriefingChildSerializer()
    episode = BriefingEpisodeSerializer()
    profile = BriefingProfileSerializer(allow_null=True)
    missing_details = BriefingDetailsSerializer(allow_null=True)
    known = KnownSectionSerializer(many=True)
    previous_episodes = PreviousEpisodeSerializer(many=True, help_text="The most recent earlier episodes (at most 20)")
    previous_episode_count = serializers.IntegerField(help_text="How many earlier episodes there are in all")


def _briefing_data(b) -> dict:
    e, c = b.episode, b.child
    profile = None
    if b.profile is not None:
        p = b.profile
        photo = None
        if p.photo is not None:
            photo = {"content_type": p.photo.content_type, "width": p.photo.width, "height": p.photo.height,
                     "data_base64": base64.b64encode(bytes(p.photo.data)).decode("ascii")}
        profile = {**{name: value for name, value in p.snapshot().items() if name != "photo"},
                   "version": p.version, "updated_at": p.updated_at, "photo": photo}
    details = None
    if b.details is not None:
        d = b.details
        details = {"clothing": d.clothing, "last_seen_where": d.last_seen_where, "last_seen_at": d.last_seen_at,
                   "with_whom": d.with_whom, "other_information": d.other_information,
                   "recorded_at": d.recorded_at, "recorded_by": d.recorded_by_username}
    return {
        "marking": document.MARKING,
        "made_at": b.made_at,
        "made_by": b.made_by,
        "child": {"id": c.pk, "first_name": c.first_name, "last_name": c.last_name, "dob": c.dob, "age": b.age,
                  "sex": c.sex, "ethnicity": c.ethnicity, "looked_after": b.looked_after},
        "episode": {
            "id": e.pk, "status": e.status, "category": e.category, "missing_from": e.missing_from,
            "risk_level": e.risk_level, "started_at": e.started_at, "last_seen_at": e.last_seen_at,
            "reported_at": e.reported_at, "returned_at": e.returned_at, "postcode": e.postcode,
            "area_authority": e.area_authority.code,
            "responsible_authority": e.responsible_authority.code if e.responsible_authority_id else None,
            "council_contact": b.contact,
        },
        "profile": profile,
        "missing_details": details,
        "known": [{"key": section.key, "title": section.title, "note": section.note,
                   "items": [vars(item) for item in section.items]} for section in b.known.for_briefing],
        "previous_episodes": [{"id": p.pk, "started_at": p.started_at, "returned_at": p.returned_at,
                               "category": p.category, "risk_level": p.risk_level,
                               "found_postcode": p.found_postcode, "found_where": p.found_where}
                              for p in b.previous],
        "previous_episode_count": b.previous_count,
    }


class BriefingView(APIView):
    @extend_schema(
        operation_id="episode_briefing",
        summary="The police briefing of an episode, as JSON",
        description="The child's Philomena Protocol profile (with the photo), what the carer recorded about this "
                    "episode, what is known that helps find the child and the previous episodes. For the police "
                    "while the episode is open in their force's area, the council roles that see the child, and "
                    "the child's carers. Audited.",
        responses={200: BriefingSerializer, **UNAUTHORISED, **NOT_FOUND},
        tags=["briefing"],
    )
    def get(self, request, pk: int):
        briefing = briefing_get(actor=request.user, episode_pk=pk)
        return Response(BriefingSerializer(_briefing_data(briefing)).data)


class BriefingPdfView(APIView):
    def perform_content_negotiation(self, request, force=False):
        # The answer is a PDF whatever the Accept header says; errors are JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="episode_briefing_pdf",
        summary="The police briefing of an episode, as a PDF",
        description="The same printable briefing as the page's download, marked OFFICIAL-SENSITIVE, with when it "
                    "was made and by whom. Same permissions as the JSON briefing. Audited as an export.",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF"),
                   **UNAUTHORISED, **NOT_FOUND},
        tags=["briefing"],
    )
    def get(self, request, pk: int):
        briefing = briefing_get(actor=request.user, episode_pk=pk, export=True)
        printed = document.briefing_pdf(briefing)
        response = HttpResponse(printed.pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{document.filename(briefing)}"'
        response["Cache-Control"] = "private, no-store"
        return response
