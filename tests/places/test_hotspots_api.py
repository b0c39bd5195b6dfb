"""GET /api/hotspots/: the figures of the hotspot page, with the same permissions."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from homeward.access.services import token_create

from .conftest import london

PERIOD = {"authority": "886", "from": "2025-03-01", "to": "2025-04-01"}


@pytest.fixture
def api(world):
    def make(persona: str) -> APIClient:
        user = getattr(world, persona)
        _, raw = token_create(actor=user, user=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


@pytest.fixture
def hot(world, directory, make_episode, kent_child):
    kids = [kent_child() for _ in range(6)]
    for i, kid in enumerate(kids[:5]):
        make_episode(kid, start=london(2025, 3, 2 + i, 20), found="CT1 2AB")
    make_episode(kids[5], start=london(2025, 3, 9, 20), found="ME15 6AA")
    make_episode(kids[5], start=london(2025, 3, 31, 23, 30), found="")  # BST: still March
    make_episode(kids[0], start=london(2025, 4, 1, 0, 0), found="CT1 2AB")  # the exclusive end: April
    return world


def test_the_missing_officer_gets_exact_figures_most_episodes_first(hot, api):
    r = api("kent_missing_officer").get("/api/hotspots/", PERIOD)
    assert r.status_code == 200
    body = r.json()
    assert (body["authority"], body["from"], body["to"], body["threshold"]) == ("886", "2025-03-01", "2025-04-01",
                                                                                None)
    assert [(a["key"], a["episodes"], a["children"]) for a in body["areas"]] == [
        ("CT1", 5, 5), ("ME15", 1, 1), (None, 1, 1)]
    assert body["previous"] == {"from": "2025-01-29", "to": "2025-03-01"}


def test_the_analyst_gets_suppressed_figures_and_the_rule(hot, api):
    body = api("kent_analyst").get("/api/hotspots/", PERIOD).json()
    assert [(a["key"], a["episodes"], a["children"]) for a in body["areas"]] == [
        ("CT1", 5, 5), ("ME15", "<5", "<5"), (None, "<5", "<5")]  # hidden counts after the others, by name
    assert body["threshold"] == 5 and "1 to 4" in body["rule"]


@pytest.mark.parametrize("persona", ["kent_admin", "kent_auditor", "oakview_staff", "southwark_missing_officer",
                                     "met_police"])
def test_no_figures_or_another_authority_is_404(hot, api, persona):
    assert api(persona).get("/api/hotspots/", PERIOD).status_code == 404


def test_without_a_token_it_is_refused(hot):
    assert APIClient().get("/api/hotspots/", PERIOD).status_code in (401, 403)


def test_bad_parameters_are_400_naming_the_field(hot, api):
    r = api("kent_missing_officer").get("/api/hotspots/", {**PERIOD, "to": "31/03/2025"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "to"
    r = api("kent_missing_officer").get("/api/hotspots/", {**PERIOD, "area": "ward"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "area"


def test_the_police_get_their_areas_figures_and_h3_cells(hot, api):
    body = api("kent_police").get("/api/hotspots/", {**PERIOD, "area": "h3"}).json()
    assert body["area"] == "h3"
    assert sum(a["episodes"] for a in body["areas"]) == 7
    assert all(a["key"] is None or len(a["key"]) == 15 for a in body["areas"])


def test_the_route_is_in_the_openapi_schema(world):
    schema = APIClient().get("/api/openapi.json").json()
    assert "/api/hotspots/" in schema["paths"]
