"""The JSON API under /api/.

Every read of personal data goes through the selectors of the domain packages
(`child_list`/`child_get`, `episode_list`/`episode_get`), which apply the
caller's scope and write the audit trail; DRF's own object lookup is never
used. A record outside the caller's scope answers 404 exactly as one that does
not exist. Every write goes through `notification_apply`.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.exceptions import ParseError, PermissionDenied, UnsupportedMediaType
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.roles import Role, can_import, can_see_named_records
from homeward.access.scope import authority_ids_for
from homeward.episodes.models import Episode, Status
from homeward.episodes.rules import start_of_day
from homeward.episodes.selectors import episode_get, episode_list
from homeward.episodes.services import notification_apply
from homeward.people.models import Child
from homeward.people.selectors import audit_child_list, child_get, child_list
from homeward.placements.models import Authority
from homeward.placements.services import authority_get
from homeward.problems import Problem, Refused

from . import serializers as s
from .selectors import notification_reference_is_foreign

# A notification is one row of a few hundred bytes; anything near this is a mistake.
MAX_NOTIFICATION_BYTES = 64 * 1024
MAX_SEARCH_LENGTH = 200

ERROR_RESPONSES = {
    401: OpenApiResponse(s.DetailSerializer, description="No valid token or session"),
}
NOT_FOUND = {404: OpenApiResponse(s.DetailSerializer, description="No such record, or outside your scope")}
BAD_REQUEST = {400: OpenApiResponse(s.ErrorsSerializer, description="A parameter or field is wrong: each problem names it")}


class Pagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 500


def _parse_date(name: str, value: str) -> dt.date:
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Refused(Problem(name, f"'{value[:40]}' is not a date as YYYY-MM-DD")) from None


# --- the caller -------------------------------------------------------------------


class MeView(APIView):
    @extend_schema(operation_id="me", summary="Who the token or session belongs to",
                   responses={200: s.MeSerializer, **ERROR_RESPONSES}, tags=["me"])
    def get(self, request):
        user = request.user
        membership = user.membership
        role = membership.role if membership else None
        org = membership.organisation if membership else None
        data = {
            "username": user.username,
            "full_name": user.get_full_name(),
            "organisation": org.name if org else None,
            "organisation_kind": org.kind if org else None,
            "role": role,
            "role_label": Role(role).label if role in Role.values else None,
            "authorities": org.authority_codes() if org else [],
            "can_see_named_records": bool(role and can_see_named_records(role)),
            "can_send_notifications": bool(role and can_import(role)),
        }
        return Response(s.MeSerializer(data).data)


# --- children ---------------------------------------------------------------------


@extend_schema(tags=["children"])
class ChildViewSet(viewsets.ReadOnlyModelViewSet):
    """Children in the caller's scope. Every list and every record read is audited."""

    serializer_class = s.ChildListSerializer
    pagination_class = Pagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller, no audit
            return Child.objects.none()
        search = self.request.query_params.get("search", "").strip()[:MAX_SEARCH_LENGTH]
        return child_list(actor=self.request.user, search=search).order_by("last_name", "first_name", "pk")

    def get_serializer_class(self):
        return s.ChildDetailSerializer if self.action == "retrieve" else s.ChildListSerializer

    def get_object(self):
        # The selector checks the scope and audits the read (or the refusal).
        return child_get(actor=self.request.user, pk=self.kwargs[self.lookup_url_kwarg or self.lookup_field])

    @extend_schema(
        summary="List the children you may see",
        parameters=[OpenApiParameter("search", str, description="Words matched against names (any part) "
                                     "and agencies' child identifiers (exactly)")],
        responses={200: s.ChildListSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        audit_child_list(actor=request.user, children=page, where="API children list")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="A child's record",
        description="Identity, aliases, identifiers, flags with their source and dates, placements and the "
        "child's episodes in summary. Audited.",
        responses={200: s.ChildDetailSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


# --- episodes ---------------------------------------------------------------------


@extend_schema(tags=["episodes"])
class EpisodeViewSet(viewsets.ReadOnlyModelViewSet):
    """Episodes of the children in the caller's scope."""

    serializer_class = s.EpisodeListSerializer
    pagination_class = Pagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Episode.objects.none()
        params = self.request.query_params
        qs = episode_list(actor=self.request.user)
        state = params.get("status", "").strip()
        if state:
            if state not in Status.values:
                raise Refused(Problem("status", f"'{state[:20]}' must be one of {', '.join(Status.values)}"))
            qs = qs.filter(status=state)
        child = params.get("child", "").strip()
        if child:
            if not child.isdigit():
                raise Refused(Problem("child", f"'{child[:20]}' is not a child id"))
            qs = qs.filter(child_id=int(child))
        start = params.get("from", "").strip()
        end = params.get("to", "").strip()
        start_day = _parse_date("from", start) if start else None
        end_day = _parse_date("to", end) if end else None
        if start_day and end_day and end_day <= start_day:
            raise Refused(Problem("to", "must be after from (to is exclusive)"))
        if start_day:
            qs = qs.filter(started_at__gte=start_of_day(start_day))
        if end_day:
            qs = qs.filter(started_at__lt=start_of_day(end_day))
        return qs.order_by("-started_at", "-pk")

    def get_serializer_class(self):
        return s.EpisodeDetailSerializer if self.action == "retrieve" else s.EpisodeListSerializer

    def get_object(self):
        return episode_get(actor=self.request.user, pk=self.kwargs[self.lookup_url_kwarg or self.lookup_field])

    @extend_schema(
        summary="List the episodes you may see",
        description="Most recent first. Dates are Europe/London days; `to` is exclusive.",
        parameters=[
            OpenApiParameter("status", str, enum=Status.values, description="open, returned or closed"),
            OpenApiParameter("child", int, description="Only this child's episodes"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="Episodes that started on or after this day"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Episodes that started before this day (exclusive)"),
        ],
        responses={200: s.EpisodeListSerializer(many=True), **BAD_REQUEST, **ERROR_RESPONSES},
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        # The list names children: audit which ones were seen, as for the children list.
        children = list({e.child_id: e.child for e in page}.values())
        audit_child_list(actor=request.user, children=children, where="API episodes list")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="An episode",
        description="All its fields, the history of its risk level and the notifications it comes from. Audited.",
        responses={200: s.EpisodeDetailSerializer, **ERROR_RESPONSES, **NOT_FOUND},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


# --- notifications in -------------------------------------------------------------

ELLIE_EXAMPLE = {
    "source": "police:kent", "source_ref": "KNT-000101", "child_ref": "", "first_name": "Ellie",
    "last_name": "Hart", "dob": "2009-03-14", "sex": "F", "missing_from": "home", "category": "missing",
    "last_seen_at": "2024-07-05T21:10", "reported_at": "2024-07-05T23:40", "risk_level": "medium",
    "postcode": "CT2 7NZ", "provider_urn": "", "responsible_authority": "", "returned_at": "",
    "found_postcode": "", "flags": "", "notes": "reported by mother; phone switched off",
}


class NotificationCreateView(generics.GenericAPIView):
    """Take one notification from a reporter's feed (contract.md, "Notification file")."""

    serializer_class = s.NotificationSerializer  # documents the body; parse_row reads it
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="notifications_create",
        summary="Send one notification",
        description=(
            "One notification in the field layout of the notification file. A later notification with the same "
            "`source` and `source_ref` updates that episode (for example to add `returned_at`). Unknown fields are "
            "kept. The area authority is `?authority=CODE` or the field `area_authority`; it may be left out when "
            "your organisation covers exactly one authority, and must be one of your organisation's. Answers 201 "
            "when an episode was created, 200 otherwise."
        ),
        tags=["notifications"],
        parameters=[OpenApiParameter("authority", str, description="Code of the area authority whose feed this is")],
        request=s.NotificationSerializer,
        responses={
            201: OpenApiResponse(s.NotificationOutcomeSerializer, description="A new episode was created"),
            200: OpenApiResponse(s.NotificationOutcomeSerializer, description="Updated, merged or unchanged"),
            400: OpenApiResponse(s.ErrorsSerializer, description="The notification cannot be taken; nothing was stored"),
            403: OpenApiResponse(s.DetailSerializer, description="Your role or organisation may not send it"),
            409: OpenApiResponse(s.DetailSerializer, description="A simultaneous change to the same record: send it again"),
            415: OpenApiResponse(s.DetailSerializer, description="The body is not sent as application/json"),
            **ERROR_RESPONSES,
        },
        examples=[OpenApiExample("A police report", value=ELLIE_EXAMPLE, request_only=True)],
    )
    def post(self, request, *args, **kwargs):
        actor = request.user
        if not can_import(actor.role or ""):
            self._deny(actor, "Your role cannot send notifications")
        row = self._read_row(request)
        authority = self._area_authority(request, row)
        if authority.pk not in authority_ids_for(actor):
            self._deny(actor, f"Authority {authority.code} is not one your organisation belongs to or covers",
                       authority=authority.code)
        source, source_ref = (str(row.get(k) or "").strip() for k in ("source", "source_ref"))
        if notification_reference_is_foreign(actor=actor, source=source, source_ref=source_ref):
            self._deny(actor, "This source and source_ref belong to an episode outside your organisation's "
                       "records: use your own reference", authority=authority.code)

        outcome = notification_apply(actor=actor, area_authority=authority, row=row)

        try:
            episode = episode_get(actor=actor, pk=outcome.episode.pk)  # scoped and audited, like any read
        except Http404:
            episode = None
        data = {
            "outcome": outcome.kind,
            "episode_id": outcome.episode.pk,
            "episode": s.EpisodeDetailSerializer(episode, context=self.get_serializer_context()).data if episode else None,
            "review": outcome.review,
        }
        if outcome.kind != "created":
            return Response(data, status=status.HTTP_200_OK)
        location = reverse("api:episode-detail", kwargs={"pk": outcome.episode.pk})
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})

    @staticmethod
    def _deny(actor, reason: str, **payload) -> None:
        audit_record(actor=actor, action=AuditEvent.Action.DENIED, object_type="notification",
                     summary=f"Notification refused: {reason}", payload=payload)
        raise PermissionDenied(reason)

    @staticmethod
    def _read_row(request) -> dict:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_NOTIFICATION_BYTES:
            raise Refused(Problem("__all__", f"The body is larger than {MAX_NOTIFICATION_BYTES // 1024} KB: "
                                  "send one notification per request"))
        if length and not request.content_type:
            raise UnsupportedMediaType("", detail="Send the notification as JSON (Content-Type: application/json)")
        try:
            data = request.data
        except ParseError as exc:
            raise Refused(Problem("__all__", f"The body is not valid JSON ({exc.detail})")) from None
        if not isinstance(data, dict):
            raise Refused(Problem("__all__", "The body must be one JSON object: a notification's fields"))
        return dict(data)

    @staticmethod
    def _area_authority(request, row: dict) -> Authority:
        """From ?authority=, or the body's area_authority (taken out of the row), or the only one the caller has."""
        in_query = request.query_params.get("authority", "").strip()
        in_body = row.pop("area_authority", None)
        if in_body is not None and (isinstance(in_body, bool) or not isinstance(in_body, (str, int))):
            raise Refused(Problem("area_authority", "must be an authority code, e.g. \"886\""))
        in_body = str(in_body).strip() if in_body is not None else ""
        if in_query and in_body and in_query != in_body:
            raise Refused(Problem("area_authority", f"'{in_body[:10]}' differs from ?authority={in_query[:10]}"))
        if in_query:
            return authority_get(in_query, field="authority")
        if in_body:
            return authority_get(in_body, field="area_authority")
        ids = authority_ids_for(request.user)
        if len(ids) == 1:
            return Authority.objects.get(pk=ids[0])
        raise Refused(Problem("authority", "Say which area authority's feed this is: ?authority=CODE or the field "
                              "area_authority"))


# --- anything else under /api/ ----------------------------------------------------


def not_found(request, rest: str = ""):
    """A JSON 404 for unknown API paths (a GET without the final slash is redirected, as Django does)."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            if request.method in ("GET", "HEAD"):
                query = request.META.get("QUERY_STRING", "")
                return HttpResponsePermanentRedirect(request.path + "/" + ("?" + query if query else ""))
            return JsonResponse({"detail": f"Not found. Did you mean {request.path}/ ?"}, status=404)
    return JsonResponse({"detail": "Not found."}, status=404)
