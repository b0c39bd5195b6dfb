"""GET /api/children/ and /api/children/{id}/: the caller's scope, and an audit of every read."""

import datetime as dt

import pytest

from homeward.access.models import AuditEvent
from homeward.people.models import ChildAlias, ChildFlag, ChildIdentifier

NO_NAMED_RECORDS = [f"{a}_{r}" for a in ("kent", "southwark") for r in ("analyst", "auditor", "admin")]


def listed_ids(client, path="/api/children/"):
    response = client.get(path)
    assert response.status_code == 200
    return {item["id"] for item in response.json()["results"]}


def test_a_kent_missing_officer_lists_kents_children_and_the_child_placed_in_kent(world, as_persona):
    ids = listed_ids(as_persona("kent_missing_officer"))
    assert ids == {world.ellie.pk, world.callum.pk, world.jade.pk}


def test_the_list_is_paginated_with_limit_and_offset(world, as_persona):
    client = as_persona("kent_missing_officer")
    data = client.get("/api/children/?limit=2").json()
    assert data["count"] == 3
    assert len(data["results"]) == 2
    assert data["next"] is not None
    rest = client.get("/api/children/?limit=2&offset=2").json()
    assert len(rest["results"]) == 1
    assert {c["id"] for c in data["results"] + rest["results"]} == {world.ellie.pk, world.callum.pk, world.jade.pk}


def test_a_list_item_gives_identity_and_authorities_by_code(world, as_persona):
    data = as_persona("kent_missing_officer").get("/api/children/?search=ellie").json()
    assert data["results"] == [
        {
            "id": world.ellie.pk,
            "url": f"http://testserver/api/children/{world.ellie.pk}/",
            "first_name": "Ellie",
            "last_name": "Hart",
            "dob": "2009-03-14",
            "sex": "F",
            "responsible_authority": None,
            "home_authority": "886",
        }
    ]


def test_search_matches_names_and_identifiers_within_the_scope_only(world, as_persona):
    ChildIdentifier.objects.create(child=world.callum, kind="la_child", authority=world.kent, value="X2001")
    client = as_persona("kent_missing_officer")
    assert listed_ids(client, "/api/children/?search=reid") == {world.callum.pk}
    assert listed_ids(client, "/api/children/?search=X2001") == {world.callum.pk}
    assert listed_ids(client, "/api/children/?search=okafor jade") == {world.jade.pk}
    # Sam is Southwark's: a Kent officer's search does not find him.
    assert listed_ids(client, "/api/children/?search=price") == set()


def test_a_child_record_has_identity_aliases_identifiers_flags_placements_and_episodes(world, as_persona, episodes):
    ChildAlias.objects.create(child=world.callum, first_name="Cal", last_name="Reid", source="police:kent")
    ChildFlag.objects.create(child=world.callum, flag="youth_justice", source="la:886",
                             start_date=dt.date(2024, 1, 2), end_date=dt.date(2024, 3, 1))
    response = as_persona("kent_missing_officer").get(f"/api/children/{world.callum.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert (data["first_name"], data["last_name"], data["dob"], data["responsible_authority"]) == (
        "Callum", "Reid", "2008-11-02", "886")
    assert {(a["first_name"], a["source"]) for a in data["aliases"]} == {("Cal", "police:kent")}
    assert data["identifiers"] == [{"kind": "la_child", "authority": "886", "value": "X2001"}]
    flags = {f["flag"]: f for f in data["flags"]}
    assert set(flags) == {"cce", "county_lines", "youth_justice"}
    assert flags["cce"]["source"] == "provider:SC999001"
    assert flags["cce"]["start_date"] == "2024-07-06"
    assert flags["cce"]["active"] is True
    assert (flags["youth_justice"]["end_date"], flags["youth_justice"]["active"]) == ("2024-03-01", False)
    [placement] = data["placements"]
    assert placement["provider"]["urn"] == "SC100001"
    assert (placement["responsible_authority"], placement["host_authority"], placement["end_date"]) == ("886", "886", None)
    [episode] = data["episodes"]
    assert episode["id"] == episodes.callum.pk
    assert episode["status"] == "returned"
    assert episode["missing_from"] == "care"
    assert episode["url"].endswith(f"/api/episodes/{episodes.callum.pk}/")


def test_every_read_of_a_child_record_writes_an_audit_event(world, as_persona):
    client = as_persona("kent_police")
    reads = AuditEvent.objects.filter(action="read", object_type="child", child_id=world.ellie.pk)
    for expected in (1, 2):
        assert client.get(f"/api/children/{world.ellie.pk}/").status_code == 200
        assert reads.count() == expected
    event = reads.order_by("-id").first()
    assert (event.actor_username, event.via, event.path) == ("kent.police", "api", f"/api/children/{world.ellie.pk}/")


def test_listing_children_is_audited_with_the_children_shown(world, as_persona):
    as_persona("kent_missing_officer").get("/api/children/?limit=2")
    event = AuditEvent.objects.filter(action="list", object_type="child").order_by("-id").first()
    assert event.actor_username == "kent.missing_officer"
    assert len(event.payload["child_ids"]) == 2


@pytest.mark.parametrize(
    "persona, child",
    [("southwark_social_worker", "ellie"), ("met_police", "callum"), ("met_police", "jade"),
     ("oakview_staff", "ellie"), ("kent_rhi_worker", "sam"), ("kent_missing_officer", "sam")],
)
def test_a_child_outside_the_scope_is_404_and_not_listed(world, as_persona, persona, child):
    client = as_persona(persona)
    pk = getattr(world, child).pk
    response = client.get(f"/api/children/{pk}/")
    assert response.status_code == 404
    assert pk not in listed_ids(client)
    # Exactly like a record that does not exist.
    missing = client.get("/api/children/999999/")
    assert (missing.status_code, missing.json()) == (response.status_code, response.json())
    assert AuditEvent.objects.filter(action="denied", object_type="child", object_id=str(pk)).exists()


@pytest.mark.parametrize("persona", NO_NAMED_RECORDS)
def test_roles_without_named_records_get_an_empty_list_and_404s(world, as_persona, persona):
    client = as_persona(persona)
    data = client.get("/api/children/").json()
    assert (data["count"], data["results"]) == (0, [])
    for child in (world.ellie, world.callum, world.jade, world.sam):
        assert client.get(f"/api/children/{child.pk}/").status_code == 404


def test_a_merged_duplicate_is_404(world, as_persona):
    world.jade.merged_into = world.callum
    world.jade.save()
    assert as_persona("kent_missing_officer").get(f"/api/children/{world.jade.pk}/").status_code == 404


def test_a_non_numeric_id_is_404(world, as_persona):
    assert as_persona("kent_missing_officer").get("/api/children/abc/").status_code == 404


def test_the_children_api_is_read_only(world, as_persona):
    client = as_persona("kent_missing_officer")
    assert client.post("/api/children/", {"first_name": "X"}, format="json").status_code == 405
    assert client.delete(f"/api/children/{world.ellie.pk}/").status_code == 405
