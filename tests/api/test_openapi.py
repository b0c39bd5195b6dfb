"""GET /api/openapi.json: a valid OpenAPI 3 document describing every route, typed."""

import json

import pytest
from drf_spectacular.validation import validate_schema

from homeward.episodes.parsing import FIELDS, REQUIRED

ROUTES = {
    "/api/children/": {"get"},
    "/api/children/{id}/": {"get"},
    "/api/episodes/": {"get"},
    "/api/episodes/{id}/": {"get"},
    "/api/notifications/": {"post"},
    "/api/me/": {"get"},
    "/api/episodes/{id}/briefing/": {"get"},
    "/api/episodes/{id}/briefing.pdf": {"get"},
    "/api/hotspots/": {"get"},
    "/api/people-of-concern/": {"get", "post"},
    "/api/people-of-concern/{id}/": {"get"},
    "/api/children/{id}/links/": {"get"},
    "/api/children/{id}/network/": {"get"},
}


@pytest.fixture
def schema(db, anonymous):
    response = anonymous.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/")
    assert "json" in response["Content-Type"]
    return json.loads(response.content)


def test_the_schema_is_public_and_validates_as_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # the OpenAPI 3 JSON Schema shipped with drf-spectacular


def test_every_route_is_described(schema):
    assert {path: set(ops) - {"parameters"} for path, ops in schema["paths"].items()} == ROUTES


def test_the_bearer_scheme_is_declared_and_required_by_every_route(schema):
    assert schema["components"]["securitySchemes"]["bearerAuth"]["type"] == "http"
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            assert {"bearerAuth": []} in operation["security"], path


def test_responses_are_component_schemas(schema):
    components = schema["components"]["schemas"]
    for name in ("ChildList", "ChildDetail", "EpisodeList", "EpisodeDetail", "NotificationOutcome",
                 "NotificationRequest", "Me", "Errors"):
        assert components[name]["type"] == "object", name
    detail = components["EpisodeDetail"]["properties"]
    assert {"risk_history", "notifications", "child", "returned_at"} <= set(detail)
    assert detail["notifications"]["items"]["$ref"] == "#/components/schemas/EpisodeNotification"
    child = components["ChildDetail"]["properties"]
    assert {"aliases", "identifiers", "flags", "placements", "episodes"} <= set(child)


def test_the_notification_body_documents_every_contract_field(schema):
    body = schema["components"]["schemas"]["NotificationRequest"]
    assert set(body["properties"]) == set(FIELDS) | {"area_authority"}
    assert set(body["required"]) == set(REQUIRED)
    assert body["additionalProperties"]  # unknown fields are kept
    post = schema["paths"]["/api/notifications/"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/NotificationRequest"
    assert {"200", "201", "400", "401", "403"} <= set(post["responses"])


def test_every_reference_resolves(schema):
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    names = set(schema["components"]["schemas"])
    assert {ref.rsplit("/", 1)[1] for ref in refs} <= names


def _as_json_schema(node):
    """OpenAPI 3.0 schema objects as JSON Schema: `nullable: true` becomes `or null`."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@pytest.fixture
def conforms(schema):
    from jsonschema import Draft7Validator

    components = _as_json_schema(schema["components"])

    def check(data, component):
        Draft7Validator({"$ref": f"#/components/schemas/{component}", "components": components}).validate(data)

    return check


def test_answers_conform_to_the_schema(world, as_persona, episodes, rows, conforms):
    client = as_persona("kent_missing_officer")
    conforms(client.get("/api/children/").json(), "PaginatedChildListList")
    conforms(client.get(f"/api/children/{world.callum.pk}/").json(), "ChildDetail")
    conforms(client.get("/api/episodes/").json(), "PaginatedEpisodeListList")
    conforms(client.get(f"/api/episodes/{episodes.callum.pk}/").json(), "EpisodeDetail")
    conforms(client.get("/api/me/").json(), "Me")
    conforms(client.get("/api/episodes/?status=lost").json(), "Errors")
    conforms(client.get("/api/children/999999/").json(), "Detail")
    # An episode with no risk level yet, and a child with no sex given.
    row = {**rows[0], "source_ref": "KNT-NEW", "risk_level": "", "first_name": "Noor", "last_name": "Ali",
           "dob": "2011-02-03", "sex": "", "last_seen_at": "2025-01-10T18:00", "reported_at": ""}
    answer = client.post("/api/notifications/?authority=886", row, format="json").json()
    conforms(answer, "NotificationOutcome")
    conforms(client.get(f"/api/children/{answer['episode']['child']['id']}/").json(), "ChildDetail")
    conforms(as_persona("kent_admin").post("/api/notifications/", rows[3], format="json").json(), "NotificationOutcome")
