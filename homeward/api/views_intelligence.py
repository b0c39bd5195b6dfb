"""The intelligence part of the JSON API: people of concern, the links of a
child and the network around a child.

The same permissions as the pages: only the roles that work on exploitation
(`homeward.intelligence.access.may_see_intelligence`) get an answer; anyone
else gets 403 before anything is read. Records come from
homeward.intelligence.selectors (scoped and audited; a person or child
outside the caller's scope is 404) and are written through
homeward.intelligence.services (refusals are 400 naming each field).
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from homeward.intelligence import access, rules
from homeward.intelligence.selectors import (
    links_for_child, network_for_child, person_get, person_list, place_text,
)
from homeward.intelligence.services import Vehicle, person_of_concern_create
from homeward.people.selectors import child_get
from homeward.problems import Problem, Refused

from . import serializers as s

MAX_SEARCH_LENGTH = 100
ERRORS = {
    401: OpenApiResponse(s.DetailSerializer, description="No valid token or session"),
    403: OpenApiResponse(s.DetailSerializer, description="Your role does not see people of concern"),
}
NOT_FOUND = {404: OpenApiResponse(s.DetailSerializer, description="No such record, or outside your scope")}


class MaySeeIntelligence(permissions.BasePermission):
    message = ("Your role does not see people of concern or the links between children: only the children missing "
               "officer, the exploitation team, team and senior managers and the police do.")

    def has_permission(self, request, view):
        return access.may_see_intelligence(request.user)


# --- shapes --------------------------------------------------------------------------------------


class IntelChildRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class IntelPersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class IntelPlaceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField(help_text="The place as written, with its postcode")
    postcode = serializers.CharField(allow_blank=True)


class IntelVehicleSerializer(serializers.Serializer):
    registration = serializers.CharField(allow_blank=True, required=False, default="",
                                         help_text="A UK registration, e.g. AB12 CDE; blank when not known")
    description = serializers.CharField(allow_blank=True, required=False, default="", max_length=200)


class IntelChildLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    child = IntelChildRefSerializer()
    nature = serializers.CharField(help_text="named_by_child, seen_with, in_contact, stayed_with, transported, "
                                             "gave_gifts, suspected_exploitation, peer, other")
    nature_label = serializers.CharField()
    source = serializers.CharField(help_text="rhi:<interview id>, police:<reference>, episode:<id>, "
                                             "meeting:<id> or officer")
    noted_on = serializers.DateField(help_text="The day the information is from")
    note = serializers.CharField(allow_blank=True)
    organisation = serializers.CharField(help_text="The organisation that recorded the link")
    recorded_at = serializers.DateTimeField()


class IntelPlaceLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    place = IntelPlaceRefSerializer()
    nature = serializers.CharField(help_text="lives_at, uses, seen_at, other")
    nature_label = serializers.CharField()
    source = serializers.CharField()
    noted_on = serializers.DateField()
    note = serializers.CharField(allow_blank=True)
    organisation = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class PersonOfConcernListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    age_from = serializers.IntegerField(allow_null=True)
    age_to = serializers.IntegerField(allow_null=True)
    children = serializers.IntegerField(help_text="Children linked that you can see")
    last_noted_on = serializers.DateField(allow_null=True)
    organisation = serializers.CharField(help_text="The organisation that recorded the person")


class PersonOfConcernDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    age_from = serializers.IntegerField(allow_null=True)
    age_to = serializers.IntegerField(allow_null=True)
    age_noted_on = serializers.DateField(allow_null=True, help_text="The day the age was given")
    description = serializers.CharField(allow_blank=True)
    phones = serializers.ListField(child=serializers.CharField(), help_text="UK numbers as 0 and 10 digits; "
                                                                           "others as + and digits")
    vehicles = IntelVehicleSerializer(many=True)
    notes = serializers.CharField(allow_blank=True)
    organisation = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    child_links = IntelChildLinkSerializer(many=True, help_text="Links to children you can see")
    place_links = IntelPlaceLinkSerializer(many=True)
    hidden_children = serializers.IntegerField(help_text="Other children linked, outside your scope (not named)")


class PersonOfConcernCreateSerializer(serializers.Serializer):
    """Documents the body; the service checks it (400 names each field)."""

    name = serializers.CharField(max_length=200)
    aliases = serializers.ListField(child=serializers.CharField(), required=False)
    age_from = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    age_to = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    phones = serializers.ListField(child=serializers.CharField(), required=False)
    vehicles = IntelVehicleSerializer(many=True, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class IntelPersonLinksSerializer(serializers.Serializer):
    person = IntelPersonRefSerializer()
    links = IntelChildLinkSerializer(many=True, help_text="How the person is linked to this child")
    others = IntelChildLinkSerializer(many=True, help_text="The person's links to other children you can see")
    hidden = serializers.IntegerField(help_text="Other children linked to the person, outside your scope")


class IntelEpisodeLinkSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[rules.MISSING_TOGETHER, rules.MISSING_SAME_TIME, rules.FOUND_TOGETHER])
    text = serializers.CharField()
    where = serializers.CharField(help_text="What the episodes shared: the provider, the address, the found place")
    episode = serializers.IntegerField(help_text="This child's episode")
    other_episode = serializers.IntegerField()
    other_child = IntelChildRefSerializer()
    hours_apart = serializers.FloatField(help_text="Between the starts (missing) or the returns (found)")
    overlap_hours = serializers.FloatField(allow_null=True)


class IntelChildPlaceSerializer(serializers.Serializer):
    child = IntelChildRefSerializer()
    role = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    source = serializers.CharField()


class IntelSharedPlaceSerializer(serializers.Serializer):
    place = IntelPlaceRefSerializer()
    links = IntelChildPlaceSerializer(many=True, help_text="This child's links to the place")
    others = IntelChildPlaceSerializer(many=True, help_text="Other children's, that you can see")
    people = IntelPlaceLinkSerializer(many=True, help_text="People of concern linked to the place")
    hidden = serializers.IntegerField(help_text="Of the most recent other children, those outside your scope")
    more = serializers.BooleanField(help_text="Other children are linked to the place too: at most 10 are "
                                              "looked at")


class IntelLinkedChildSerializer(serializers.Serializer):
    child = IntelChildRefSerializer()
    reasons = serializers.ListField(child=serializers.CharField())


class IntelNamedPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    approximate_age = serializers.IntegerField(allow_null=True)
    description = serializers.CharField(allow_blank=True)
    interview = serializers.IntegerField()
    noted_on = serializers.DateField()


class ChildLinksSerializer(serializers.Serializer):
    child = IntelChildRefSerializer()
    people = IntelPersonLinksSerializer(many=True)
    episodes = IntelEpisodeLinkSerializer(many=True)
    places = IntelSharedPlaceSerializer(many=True)
    children = IntelLinkedChildSerializer(many=True, help_text="Every other child linked, with why")
    named_people = IntelNamedPersonSerializer(many=True, help_text="People the child named in return interviews, "
                                                              "not taken up yet")
    hidden_children = serializers.IntegerField(help_text="Children linked by their episodes, outside your scope")


class NetworkNodeSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="child:<id>, person:<id> or place:<id>")
    kind = serializers.ChoiceField(choices=["child", "person", "place"])
    label = serializers.CharField()
    focus = serializers.BooleanField()


class NetworkEdgeSerializer(serializers.Serializer):
    a = serializers.CharField(help_text="A node's key")
    b = serializers.CharField()
    label = serializers.CharField()
    source = serializers.CharField(allow_blank=True)
    date = serializers.DateField(allow_null=True)
    between_children = serializers.BooleanField()


class ChildNetworkSerializer(serializers.Serializer):
    nodes = NetworkNodeSerializer(many=True)
    edges = NetworkEdgeSerializer(many=True)


# --- building the answers ----------------------------------------------------------------------------


def _child(child) -> dict:
    return {"id": child.pk, "name": child.full_name}


def _place(place) -> dict:
    return {"id": place.pk, "label": place_text(place), "postcode": place.postcode}


def _child_link(link) -> dict:
    return {"id": link.pk, "child": _child(link.child), "nature": link.nature, "nature_label": link.get_nature_display(),
            "source": link.source, "noted_on": link.noted_on, "note": link.note,
            "organisation": link.organisation.name, "recorded_at": link.recorded_at}


def _place_link(link) -> dict:
    return {"id": link.pk, "place": _place(link.place), "nature": link.nature,
            "nature_label": link.get_nature_display(), "source": link.source, "noted_on": link.noted_on,
            "note": link.note, "organisation": link.organisation.name, "recorded_at": link.recorded_at}


def person_data(record) -> dict:
    p = record.person
    return {
        "id": p.pk, "name": p.name, "aliases": [d.value for d in record.aliases], "age_from": p.age_from,
        "age_to": p.age_to, "age_noted_on": p.age_noted_on, "description": p.description,
        "phones": [d.value for d in record.phones],
        "vehicles": [{"registration": d.value, "description": d.description} for d in record.vehicles],
        "notes": p.notes, "organisation": p.organisation.name, "recorded_at": p.created_at,
        "child_links": [_child_link(link) for link in record.child_links],
        "place_links": [_place_link(link) for link in record.place_links],
        "hidden_children": record.hidden_children,
    }


def _row(row) -> dict:
    return {"child": _child(row.child), "role": row.role, "date": row.date, "source": row.source}


def links_data(links) -> dict:
    child = links.child
    for shared in links.people:
        for link in shared.links:
            link.child = child
    for shared in links.places:
        for row in shared.links:
            row.child = child
    return {
        "child": _child(child),
        "people": [{"person": {"id": sp.person.pk, "name": sp.person.name},
                    "links": [_child_link(link) for link in sp.links],
                    "others": [_child_link(link) for link in sp.others], "hidden": sp.hidden} for sp in links.people],
        "episodes": [{"kind": row.kind, "text": row.text, "where": row.where, "episode": row.own_episode_id,
                      "other_episode": row.other_episode_id, "other_child": _child(row.other_child),
                      "hours_apart": round(row.link.hours_apart, 4),
                      "overlap_hours": round(row.link.overlap_hours, 4) if row.link.overlap_hours is not None else None}
                     for row in links.episodes],
        "places": [{"place": _place(sp.place), "links": [_row(r) for r in sp.links],
                    "others": [_row(r) for r in sp.others], "people": [_place_link(link) for link in sp.people],
                    "hidden": sp.hidden, "more": sp.more}
                   for sp in links.places],
        "children": [{"child": _child(c.child), "reasons": c.reasons} for c in links.children],
        "named_people": [{"id": n.pk, "name": n.name, "approximate_age": n.approximate_age,
                          "description": n.description, "interview": n.interview_id, "noted_on": n.noted_on}
                         for n in links.named_people],
        "hidden_children": links.hidden_children,
    }


# --- views ---------------------------------------------------------------------------------------


class PeopleOfConcernView(APIView):
    permission_classes = [permissions.IsAuthenticated, MaySeeIntelligence]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="people_of_concern_list", tags=["intelligence"],
        summary="List the people of concern you may see",
        description="People linked to a child you can see, and those your organisation recorded, by name. "
                    "At most 200; search to narrow. Audited.",
        parameters=[OpenApiParameter("search", str, description="Part of a name or alias, a phone number however "
                                                                "written, or the start of a registration")],
        responses={200: PersonOfConcernListSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        search = request.query_params.get("search", "").strip()[:MAX_SEARCH_LENGTH]
        rows, _ = person_list(actor=request.user, search=search)
        data = [{"id": r.person.pk, "name": r.person.name, "aliases": r.aliases, "age_from": r.person.age_from,
                 "age_to": r.person.age_to, "children": r.children, "last_noted_on": r.last_noted,
                 "organisation": r.person.organisation.name} for r in rows]
        return Response(PersonOfConcernListSerializer(data, many=True).data)

    @extend_schema(
        operation_id="people_of_concern_create", tags=["intelligence"],
        summary="Record a person of concern",
        description="Recorded for your organisation. Link them to children with the pages. Refusals (a phone "
                    "number that is not one, a registration in no UK format, an age range upside down) are 400, "
                    "each naming the field; nothing is stored.",
        request=PersonOfConcernCreateSerializer,
        responses={201: PersonOfConcernDetailSerializer,
                   400: OpenApiResponse(s.ErrorsSerializer, description="Each problem names its field"), **ERRORS},
    )
    def post(self, request):
        try:
            body = request.data
        except ParseError as exc:
            raise Refused(Problem("__all__", f"The body is not valid JSON ({exc.detail})")) from None
        if not isinstance(body, dict):
            raise Refused(Problem("__all__", "The body must be one JSON object"))
        problems = []
        lists = {}
        for name in ("aliases", "phones", "vehicles"):
            value = body.get(name) or []
            if not isinstance(value, list):
                problems.append(Problem(name, "must be a list"))
                value = []
            lists[name] = value
        vehicles = []
        for n, item in enumerate(lists["vehicles"], start=1):
            if not isinstance(item, dict):
                problems.append(Problem("vehicles", f"Vehicle {n}: must be an object with registration and "
                                                    "description"))
                continue
            vehicles.append(Vehicle(str(item.get("registration") or ""), str(item.get("description") or "")))
        ages = {}
        for name in ("age_from", "age_to"):
            value = body.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                problems.append(Problem("age", f"{name} must be a whole number"))
                value = None
            ages[name] = value
        if problems:
            raise Refused(problems)
        person = person_of_concern_create(
            actor=request.user, name=str(body.get("name") or ""), aliases=[str(a) for a in lists["aliases"]],
            age_from=ages["age_from"], age_to=ages["age_to"], description=str(body.get("description") or ""),
            phones=[str(p) for p in lists["phones"]], vehicles=vehicles, notes=str(body.get("notes") or ""),
        )
        record = person_get(actor=request.user, pk=person.pk)
        return Response(PersonOfConcernDetailSerializer(person_data(record)).data, status=status.HTTP_201_CREATED,
                        headers={"Location": reverse("api:person-of-concern-detail", args=[person.pk])})


class PersonOfConcernDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated, MaySeeIntelligence]

    @extend_schema(
        operation_id="people_of_concern_retrieve", tags=["intelligence"],
        summary="A person of concern",
        description="Aliases, phone numbers, vehicles, and the links to children you can see and to places, each "
                    "with its source and date; other children linked are counted, not named. Audited.",
        responses={200: PersonOfConcernDetailSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request, pk: int):
        record = person_get(actor=request.user, pk=pk)
        return Response(PersonOfConcernDetailSerializer(person_data(record)).data)


class ChildLinksView(APIView):
    permission_classes = [permissions.IsAuthenticated, MaySeeIntelligence]

    @extend_schema(
        operation_id="children_links", tags=["intelligence"],
        summary="What links a child to others",
        description="People of concern, children who went missing or were found together (the rules and their "
                    "thresholds: docs/intelligence.md), places shared with other children or people of concern, "
                    "and people named in return interviews still to be taken up. Audited.",
        responses={200: ChildLinksSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request, pk: int):
        child = child_get(actor=request.user, pk=pk)
        return Response(ChildLinksSerializer(links_data(links_for_child(request.user, child))).data)


class ChildNetworkView(APIView):
    permission_classes = [permissions.IsAuthenticated, MaySeeIntelligence]

    @extend_schema(
        operation_id="children_network", tags=["intelligence"],
        summary="The network around a child",
        description="Children, people of concern and places as nodes, and every link between them as an edge "
                    "(the same as the network page). Audited.",
        responses={200: ChildNetworkSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request, pk: int):
        child = child_get(actor=request.user, pk=pk)
        net = network_for_child(actor=request.user, child=child)
        data = {
            "nodes": [{"key": n.key, "kind": n.kind, "label": n.label, "focus": n.focus} for n in net.nodes],
            "edges": [{"a": e.a, "b": e.b, "label": e.label, "source": e.source, "date": e.date,
                       "between_children": e.between_children} for e in net.edges],
        }
        return Response(ChildNetworkSerializer(data).data)

