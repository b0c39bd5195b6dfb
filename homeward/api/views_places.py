"""The hotspots API: `GET /api/hotspots/` (the figures of the hotspot page).

Same permissions as the page (homeward/places/access.py): roles that see
figures, for the authorities their organisation belongs to or covers (any
other authority is 404, like one that does not exist); counts from 1 to
threshold - 1 are replaced by "<threshold" for roles that see figures only.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from homeward.places import access
from homeward.places.params import read_filters
from homeward.places.selectors import hotspots_for
from homeward.problems import Refused

from . import serializers as s


def _payload(view) -> dict:
    return {
        "authority": view.authority.code,
        "from": view.query.start.isoformat(),
        "to": view.query.end.isoformat(),
        "area": view.query.area,
        "where": view.query.where,
        "missing_from": view.query.missing_from or None,
        "previous": {"from": view.previous.start.isoformat(), "to": view.previous.end.isoformat()},
        "threshold": view.threshold,
        "rule": view.rule or None,
        "areas": [{
            "key": r.key,
            "label": r.label,
            "episodes": r.shown_episodes,
            "children": r.shown_children,
            "previous_episodes": r.shown_previous_episodes,
            "trend": r.trend or None,
            "latitude": r.latitude,
            "longitude": r.longitude,
        } for r in view.rows],
    }


class HotspotsView(APIView):
    @extend_schema(
        operation_id="hotspots", tags=["hotspots"],
        summary="Where the period's episodes ended (or started), by area",
        description=(
            "The authority's episodes that started in [from, to) (Europe/London days; `to` is exclusive), "
            "counted by the postcode district (or H3 hexagon) of the place found (or of the place the child "
            "went missing from), most episodes first; `key: null` counts the episodes with no place. Counts "
            "are strings like \"<5\" for roles that see figures only (`threshold`, `rule`)."),
        parameters=[
            OpenApiParameter("authority", str, description="The authority's DfE code (default: your own)"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: 12 months ago)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="The day after the last day (exclusive)"),
            OpenApiParameter("missing_from", str, enum=["home", "care"], description="Only from home, or care"),
            OpenApiParameter("area", str, enum=["district", "h3"], description="district (default) or h3"),
            OpenApiParameter("where", str, enum=["found", "from"], description="found (default) or from"),
        ],
        responses={200: OpenApiTypes.OBJECT,
                   400: OpenApiResponse(s.ErrorsSerializer, description="A parameter is wrong"),
                   401: OpenApiResponse(s.DetailSerializer, description="No valid token or session"),
                   404: OpenApiResponse(s.DetailSerializer, description="No such authority, or not yours")},
    )
    def get(self, request):
        if not access.can_see_hotspots(request.user):
            raise Http404("No such page")
        query, _filters, problems = read_filters(request.user, request.query_params)
        if query is None:
            raise Refused(problems)
        return Response(_payload(hotspots_for(actor=request.user, query=query)))
