"""Who may and may not see people of concern, links and networks through the API.

The same permissions as the pages: 403 for roles that do not work on
exploitation (before anything is read), 404 outside the caller's scope.
"""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from homeward.access.models import AuditEvent
from homeward.access.services import token_create
from homeward.intelligence.models import PersonOfConcern

ALLOWED = ["kent_missing_officer", "kent_exploitation_officer", "kent_team_manager", "kent_senior_manager",
           "kent_police"]
REFUSED = ["kent_social_worker", "kent_analyst", "kent_rhi_worker", "oakview_staff", "kent_auditor", "kent_admin"]


@pytest.fixture
def as_persona(world):
    def make(persona: str) -> APIClient:
        user = getattr(world, persona)
        _, raw = token_create(actor=user, user=user, name=f"test {persona}")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


def urls(world, dean):
    return [
        "/api/people-of-concern/",
        f"/api/people-of-concern/{dean.person.pk}/",
        f"/api/children/{world.callum.pk}/links/",
        f"/api/children/{world.callum.pk}/network/",
    ]


@pytest.mark.parametrize("persona", ALLOWED)
def test_exploitation_roles_get_every_endpoint(world, dean, went_missing_together, as_persona, persona):
    client = as_persona(persona)
    for url in urls(world, dean):
        assert client.get(url).status_code == 200, url
    listed = client.get("/api/people-of-concern/").json()
    assert [p["name"] for p in listed] == ["Dean Mills"] and listed[0]["children"] == 2


@pytest.mark.parametrize("persona", REFUSED)
def test_other_roles_get_403_and_nothing_is_read(world, dean, as_persona, persona):
    client = as_persona(persona)
    before = AuditEvent.objects.filter(action__in=["read", "list"]).count()
    for url in urls(world, dean):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Dean" not in response.content.decode()
    assert client.post("/api/people-of-concern/", {"name": "Someone"}, format="json").status_code == 403
    assert AuditEvent.objects.filter(action__in=["read", "list"]).count() == before
    assert PersonOfConcern.objects.count() == 1


def test_no_token_is_401(world, dean):
    assert APIClient().get("/api/people-of-concern/").status_code == 401


@pytest.mark.parametrize("persona", ["met_police", "southwark_team_manager"])
def test_another_force_or_authority_finds_nothing_of_callum(world, went_missing_together, as_persona, persona):
    from homeward.intelligence.services import person_link_child, person_of_concern_create

    officer = world.kent_exploitation_officer
    kyle = person_of_concern_create(actor=officer, name="Kyle")
    person_link_child(actor=officer, person=kyle, child=world.callum, nature="seen_with", source="officer",
                      noted_on=went_missing_together.callum.started_at.date())
    client = as_persona(persona)
    assert client.get("/api/people-of-concern/").json() == []
    assert client.get(f"/api/people-of-concern/{kyle.pk}/").status_code == 404
    assert client.get(f"/api/children/{world.callum.pk}/links/").status_code == 404
    assert client.get(f"/api/children/{world.callum.pk}/network/").status_code == 404


def test_the_links_of_a_child_name_the_rule_and_the_shared_person(world, dean, went_missing_together, as_persona):
    data = as_persona("kent_missing_officer").get(f"/api/children/{world.callum.pk}/links/").json()
    kinds = {(e["kind"], e["other_child"]["name"]) for e in data["episodes"]}
    assert kinds == {("missing_together", "Jade Okafor"), ("found_together", "Jade Okafor")}
    together = next(e for e in data["episodes"] if e["kind"] == "missing_together")
    assert together["where"] == "Oakview" and together["hours_apart"] == pytest.approx(40 / 60, abs=1e-3)
    assert [p["person"]["name"] for p in data["people"]] == ["Dean Mills"]
    assert data["people"][0]["others"][0]["child"]["name"] == "Jade Okafor"
    assert data["children"][0]["child"]["name"] == "Jade Okafor" and len(data["children"][0]["reasons"]) == 4
    assert AuditEvent.objects.filter(action="read", object_type="links", child_id=world.callum.pk,
                                     via="api").exists()


def test_southwark_gets_jades_links_without_callum(world, dean, went_missing_together, as_persona):
    data = as_persona("southwark_exploitation_officer").get(f"/api/children/{world.jade.pk}/links/").json()
    assert data["episodes"] == [] and data["hidden_children"] == 1
    assert data["people"][0]["others"] == [] and data["people"][0]["hidden"] == 1
    assert "Callum" not in json.dumps(data)
    person = as_persona("southwark_exploitation_officer").get(f"/api/people-of-concern/{dean.person.pk}/").json()
    assert [link["child"]["name"] for link in person["child_links"]] == ["Jade Okafor"]
    assert person["hidden_children"] == 1


def test_the_network_lists_nodes_and_edges(world, dean, went_missing_together, as_persona):
    data = as_persona("kent_police").get(f"/api/children/{world.callum.pk}/network/").json()
    kinds = sorted((n["kind"], n["label"]) for n in data["nodes"])
    # Both were found at the same place: it is shared, so it is in the network.
    assert kinds == [("child", "Callum Reid"), ("child", "Jade Okafor"), ("person", "Dean Mills"),
                     ("place", "Maidstone station, CT1 1QU")]
    assert sum(1 for e in data["edges"] if e["between_children"]) == 2
    assert AuditEvent.objects.filter(action="read", object_type="network", via="api").exists()


def test_a_person_is_created_through_the_api_and_bad_input_names_the_field(world, as_persona):
    client = as_persona("kent_police")
    bad = client.post("/api/people-of-concern/", {"name": "", "phones": ["12"], "vehicles": [{"registration": "X"}],
                                                  "age_from": 40, "age_to": 30}, format="json")
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"name", "phones", "vehicles", "age"}
    assert not PersonOfConcern.objects.exists()
    made = client.post("/api/people-of-concern/", {"name": "Kyle", "phones": ["+44 7700 900555"],
                                                   "vehicles": [{"registration": "ab12cde", "description": "van"}]},
                       format="json")
    assert made.status_code == 201
    body = made.json()
    assert body["phones"] == ["07700900555"] and body["vehicles"] == [{"registration": "AB12 CDE",
                                                                       "description": "van"}]
    assert made["Location"] == f"/api/people-of-concern/{body['id']}/"
    assert body["organisation"] == "Kent Police"
