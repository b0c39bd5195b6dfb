"""GET /api/episodes/ and /api/episodes/{id}/: filters, detail, scope and audit."""

import datetime as dt

import pytest

from homeward.access.models import AuditEvent
from homeward.episodes.models import Episode

NO_NAMED_RECORDS = [f"{a}_{r}" for a in ("kent", "southwark") for r in ("analyst", "auditor", "admin")]


def listed_ids(client, query=""):
    response = client.get("/api/episodes/" + query)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_kent_police_lists_the_episodes_in_kent_most_recent_first(world, as_persona, episodes):
    assert listed_ids(as_persona("kent_police")) == [episodes.callum.pk, episodes.ellie.pk]


def test_a_list_item_names_the_child_and_the_episodes_times(world, as_persona, episodes):
    [item] = as_persona("kent_police").get(f"/api/episodes/?child={world.ellie.pk}").json()["results"]
    assert item["child"] == {
        "id": world.ellie.pk, "url": f"http://testserver/api/children/{world.ellie.pk}/",
        "first_name": "Ellie", "last_name": "Hart", "dob": "2009-03-14",
    }
    assert (item["area_authority"], item["status"], item["missing_from"], item["category"]) == (
        "886", "returned", "home", "missing")
    assert dt.datetime.fromisoformat(item["started_at"]) == dt.datetime(2024, 7, 5, 20, 10, tzinfo=dt.timezone.utc)
    assert round(item["duration_hours"], 1) == 13.1


def test_the_status_filter(world, as_persona, episodes):
    client = as_persona("southwark_missing_officer")
    assert listed_ids(client, "?status=open") == [episodes.sam.pk]
    assert listed_ids(client, "?status=returned") == []
    assert listed_ids(as_persona("kent_police"), "?status=returned") == [episodes.callum.pk, episodes.ellie.pk]
    Episode.objects.filter(pk=episodes.ellie.pk).update(status="closed")
    assert listed_ids(as_persona("kent_police"), "?status=closed") == [episodes.ellie.pk]


def test_the_child_filter(world, as_persona, episodes):
    client = as_persona("kent_missing_officer")
    assert listed_ids(client, f"?child={world.callum.pk}") == [episodes.callum.pk]
    # Another authority's child: nothing, as for a child that does not exist.
    assert listed_ids(client, f"?child={world.sam.pk}") == []


def test_dates_are_london_days_and_to_is_exclusive(world, as_persona, episodes):
    # Sam was last seen at 00:30 on 1 August, London time (23:30 on 31 July UTC).
    client = as_persona("met_police")
    assert listed_ids(client, "?from=2024-08-01&to=2024-08-02") == [episodes.sam.pk]
    assert listed_ids(client, "?from=2024-07-01&to=2024-08-01") == []
    kent = as_persona("kent_police")
    assert listed_ids(kent, "?from=2024-07-06") == [episodes.callum.pk]
    assert listed_ids(kent, "?to=2024-07-06") == [episodes.ellie.pk]
    assert listed_ids(kent, "?from=2024-07-05&to=2024-07-07") == [episodes.callum.pk, episodes.ellie.pk]


@pytest.mark.parametrize(
    "query, field",
    [("?status=lost", "status"), ("?child=ellie", "child"), ("?from=05/07/2024", "from"),
     ("?to=2024-13-01", "to"), ("?from=2024-08-01&to=2024-07-01", "to")],
)
def test_a_bad_filter_is_400_naming_the_parameter(world, as_persona, episodes, query, field):
    response = as_persona("kent_police").get("/api/episodes/" + query)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_an_episode_has_all_its_fields_risk_history_and_notifications(world, as_persona, episodes):
    response = as_persona("kent_missing_officer").get(f"/api/episodes/{episodes.callum.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert data["child"]["id"] == world.callum.pk
    assert (data["missing_from"], data["responsible_authority"], data["status"], data["risk_level"]) == (
        "care", "886", "returned", "high")
    assert dt.datetime.fromisoformat(data["started_at"]) == dt.datetime(2024, 7, 6, 18, 0, tzinfo=dt.timezone.utc)
    assert dt.datetime.fromisoformat(data["returned_at"]) == dt.datetime(2024, 7, 8, 1, 30, tzinfo=dt.timezone.utc)
    assert dt.datetime.fromisoformat(data["reported_at"]) == dt.datetime(2024, 7, 6, 18, 30, tzinfo=dt.timezone.utc)
    assert (data["postcode"], data["found_postcode"]) == ("ME15 6AA", "SE1 7PB")
    assert data["provider"]["urn"] == "SC100001"
    assert data["placement"]["provider"]["name"] == "Oakview"
    assert [r["risk_level"] for r in data["risk_history"]] == ["high"]
    assert data["risk_history"][0]["source"] == "police:kent"
    sources = [(n["source"], n["source_ref"]) for n in data["notifications"]]
    assert sources == [("provider:SC999001", "HOME-77"), ("police:kent", "KNT-000102"), ("police:kent", "KNT-000102")]
    assert all(n["received_at"] and n["area_authority"] == "886" for n in data["notifications"])
    assert data["notifications"][2]["received"]["notes"] == "found by transport police"
    for key in ("last_seen_at", "found_where", "found_by", "created_at", "updated_at", "duration_hours"):
        assert key in data


def test_every_read_of_an_episode_is_audited_with_its_child(world, as_persona, episodes):
    as_persona("kent_police").get(f"/api/episodes/{episodes.ellie.pk}/")
    event = AuditEvent.objects.filter(action="read", object_type="episode").order_by("-id").first()
    assert (event.object_id, event.child_id, event.actor_username, event.via) == (
        str(episodes.ellie.pk), world.ellie.pk, "kent.police", "api")


def test_listing_episodes_audits_the_children_it_names(world, as_persona, episodes):
    as_persona("kent_police").get("/api/episodes/")
    event = AuditEvent.objects.filter(action="list", object_type="child").order_by("-id").first()
    assert sorted(event.payload["child_ids"]) == sorted([world.ellie.pk, world.callum.pk])


@pytest.mark.parametrize(
    "persona, episode",
    [("southwark_social_worker", "ellie"), ("met_police", "callum"), ("met_police", "ellie"),
     ("kent_police", "sam"), ("oakview_staff", "ellie"), ("kent_rhi_worker", "callum")],
)
def test_an_episode_outside_the_scope_is_404_and_not_listed(world, as_persona, episodes, persona, episode):
    client = as_persona(persona)
    pk = getattr(episodes, episode).pk
    response = client.get(f"/api/episodes/{pk}/")
    assert response.status_code == 404
    assert pk not in listed_ids(client)
    missing = client.get("/api/episodes/999999/")
    assert (missing.status_code, missing.json()) == (response.status_code, response.json())


def test_care_staff_see_the_episodes_of_children_placed_with_them(world, as_persona, episodes):
    assert listed_ids(as_persona("oakview_staff")) == [episodes.callum.pk]


@pytest.mark.parametrize("persona", NO_NAMED_RECORDS)
def test_roles_without_named_records_get_no_episodes(world, as_persona, episodes, persona):
    client = as_persona(persona)
    assert listed_ids(client) == []
    for episode in (episodes.ellie, episodes.callum, episodes.sam):
        assert client.get(f"/api/episodes/{episode.pk}/").status_code == 404
