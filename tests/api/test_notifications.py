"""POST /api/notifications/: one notification in, the episode it made out."""

import datetime as dt
import json

import pytest

from homeward.access.models import AuditEvent
from homeward.episodes.models import Episode, Notification
from homeward.people.models import Child

URL = "/api/notifications/"


def post(client, row, query="?authority=886"):
    return client.post(URL + query, row, format="json")


def counts():
    return (Notification.objects.count(), Episode.objects.count(), Child.objects.count())


def test_a_police_report_creates_an_episode(world, as_persona, rows):
    response = post(as_persona("kent_police"), rows[0])
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["outcome"], data["review"]) == ("created", False)
    episode = Episode.objects.get()
    assert data["episode_id"] == episode.pk
    assert data["episode"]["id"] == episode.pk
    assert data["episode"]["child"]["id"] == world.ellie.pk  # matched to the child Homeward knows
    assert (data["episode"]["status"], data["episode"]["returned_at"], data["episode"]["risk_level"]) == (
        "open", None, "medium")
    assert dt.datetime.fromisoformat(data["episode"]["started_at"]) == dt.datetime(2024, 7, 5, 20, 10, tzinfo=dt.timezone.utc)
    assert [(n["source"], n["source_ref"]) for n in data["episode"]["notifications"]] == [("police:kent", "KNT-000101")]
    notification = Notification.objects.get()
    assert (notification.area_authority, notification.entered_by) == (world.kent, world.kent_police)
    assert response["Location"] == f"/api/episodes/{episode.pk}/"


def test_posting_the_same_row_again_is_unchanged(world, as_persona, rows):
    client = as_persona("kent_police")
    first = post(client, rows[0]).json()
    before = counts()
    response = post(client, rows[0])
    assert response.status_code == 200
    assert response.json()["outcome"] == "unchanged"
    assert response.json()["episode_id"] == first["episode_id"]
    assert counts() == before


def test_the_update_row_sets_the_return(world, as_persona, rows):
    client = as_persona("kent_police")
    created = post(client, rows[0]).json()
    response = post(client, rows[3])
    assert response.status_code == 200
    data = response.json()
    assert data["outcome"] == "updated"
    assert data["episode_id"] == created["episode_id"]
    assert dt.datetime.fromisoformat(data["episode"]["returned_at"]) == dt.datetime(2024, 7, 6, 9, 15, tzinfo=dt.timezone.utc)
    assert (data["episode"]["status"], data["episode"]["risk_level"], data["episode"]["found_postcode"]) == (
        "returned", "low", "CT1 1QU")
    assert [r["risk_level"] for r in data["episode"]["risk_history"]] == ["medium", "low"]
    episode = Episode.objects.get()
    assert episode.returned_at == dt.datetime(2024, 7, 6, 9, 15, tzinfo=dt.timezone.utc)


def test_a_second_reporter_of_the_same_episode_is_merged(world, as_persona, rows):
    client = as_persona("kent_missing_officer")  # the council's feed carries the home's and the police's rows
    assert post(client, rows[1]).json()["outcome"] == "created"
    response = post(client, rows[2])
    assert response.status_code == 200
    data = response.json()
    assert data["outcome"] == "merged"
    assert data["episode"]["child"]["id"] == world.callum.pk
    assert dt.datetime.fromisoformat(data["episode"]["started_at"]) == dt.datetime(2024, 7, 6, 18, 0, tzinfo=dt.timezone.utc)
    assert Episode.objects.count() == 1


def test_unknown_fields_are_kept_and_the_area_authority_field_is_not(world, as_persona, rows):
    row = {**rows[0], "force_incident": "INC-77", "area_authority": "886"}
    response = post(as_persona("kent_police"), row, query="")
    assert response.status_code == 201
    raw = Notification.objects.get().raw
    assert raw["force_incident"] == "INC-77"
    assert "area_authority" not in raw
    assert response.json()["episode"]["notifications"][0]["received"]["force_incident"] == "INC-77"


def test_the_area_authority_defaults_to_the_only_one_the_organisation_covers(world, as_persona, rows):
    response = post(as_persona("kent_police"), rows[0], query="")
    assert response.status_code == 201
    assert Notification.objects.get().area_authority == world.kent


@pytest.mark.parametrize(
    "change, field",
    [
        ({"dob": "14/03/2009"}, "dob"),
        ({"last_seen_at": "yesterday evening"}, "last_seen_at"),
        ({"last_name": ""}, "last_name"),
        ({"returned_at": "2024-07-05T20:00"}, "returned_at"),
        ({"responsible_authority": "999"}, "responsible_authority"),
        ({"risk_level": "extreme"}, "risk_level"),
        ({"last_seen_at": "2099-01-01T10:00", "reported_at": ""}, "last_seen_at"),
    ],
)
def test_a_bad_row_is_400_naming_the_field_and_stores_nothing(world, as_persona, rows, change, field):
    before = counts()
    response = post(as_persona("kent_police"), {**rows[0], **change})
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]
    assert all(e["message"] for e in response.json()["errors"])
    assert counts() == before


def test_a_missing_required_field_is_400_naming_it(world, as_persona, rows):
    row = dict(rows[0])
    del row["source_ref"]
    before = counts()
    response = post(as_persona("kent_police"), row)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "source_ref", "message": "is required and was blank or missing"}]
    assert counts() == before


def test_a_bad_update_changes_nothing_already_stored(world, as_persona, rows):
    client = as_persona("kent_police")
    post(client, rows[0])
    before = counts()
    response = post(client, {**rows[3], "returned_at": "2024-07-05T09:00"})
    assert response.status_code == 400
    assert counts() == before
    assert Episode.objects.get().returned_at is None


def test_an_unknown_authority_code_is_400_naming_the_field(world, as_persona, rows):
    client = as_persona("kent_police")
    response = post(client, rows[0], query="?authority=999")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["authority"]
    response = post(client, {**rows[0], "area_authority": "999"}, query="")
    assert [e["field"] for e in response.json()["errors"]] == ["area_authority"]
    assert counts()[:2] == (0, 0)


def test_an_area_authority_differing_from_the_query_is_400(world, as_persona, rows):
    response = post(as_persona("kent_police"), {**rows[0], "area_authority": "210"}, query="?authority=886")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["area_authority"]


def test_a_user_of_several_authorities_must_say_which(world, as_persona, rows):
    world.kent_police_org.areas.add(world.southwark)
    response = post(as_persona("kent_police"), rows[0], query="")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["authority"]


def test_police_of_another_area_get_403(world, as_persona, rows):
    response = post(as_persona("met_police"), rows[0], query="?authority=886")
    assert response.status_code == 403
    assert "886" in response.json()["detail"]
    assert counts()[:2] == (0, 0)
    assert AuditEvent.objects.filter(action="denied", object_type="notification", actor_username="met.police").exists()


@pytest.mark.parametrize("persona", ["kent_analyst", "kent_auditor", "kent_rhi_worker", "oakview_staff"])
def test_roles_that_cannot_import_get_403(world, as_persona, rows, persona):
    response = post(as_persona(persona), rows[0])
    assert response.status_code == 403
    assert response.json()["detail"]
    assert counts()[:2] == (0, 0)


def test_another_organisations_reference_cannot_be_used_to_change_its_episode(world, as_persona, rows):
    post(as_persona("kent_police"), rows[0])
    before = counts()
    # The Met reuses Kent Police's source and reference to "return" Ellie.
    response = post(as_persona("met_police"), rows[3], query="?authority=210")
    assert response.status_code == 403
    assert counts() == before
    assert Episode.objects.get().returned_at is None


def test_an_administrator_may_import_but_is_not_shown_the_record(world, as_persona, rows):
    response = post(as_persona("kent_admin"), rows[0])
    assert response.status_code == 201
    data = response.json()
    assert data["outcome"] == "created"
    assert data["episode"] is None
    assert data["episode_id"] == Episode.objects.get().pk


def test_a_session_user_can_post_too(world, rows):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(world.kent_missing_officer)
    assert post(client, rows[0]).status_code == 201


@pytest.mark.parametrize("body", [[{"source": "police:kent"}], "a string", 42, None])
def test_a_body_that_is_not_one_json_object_is_400(world, as_persona, body):
    response = as_persona("kent_police").post(URL + "?authority=886", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "__all__"


def test_invalid_json_is_400(world, as_persona):
    response = as_persona("kent_police").post(URL + "?authority=886", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["errors"][0]["message"]


def test_a_body_too_big_is_400_and_not_read(world, as_persona, rows):
    row = {**rows[0], "notes": "x" * (70 * 1024)}
    response = post(as_persona("kent_police"), row)
    assert response.status_code == 400
    assert "larger than" in response.json()["errors"][0]["message"]
    assert counts()[:2] == (0, 0)


def test_a_form_encoded_body_is_415(world, as_persona, rows):
    response = as_persona("kent_police").post(URL + "?authority=886", rows[0])  # multipart
    assert response.status_code == 415


def test_the_write_is_audited(world, as_persona, rows):
    post(as_persona("kent_police"), rows[0])
    event = AuditEvent.objects.filter(action="create", object_type="episode").get()
    assert (event.actor_username, event.via, event.child_id) == ("kent.police", "api", world.ellie.pk)


def test_two_writes_colliding_in_the_database_answer_409_not_500(world):
    from django.db import IntegrityError

    from homeward.api.errors import exception_handler

    response = exception_handler(IntegrityError("notification_row_once"), {})
    assert response.status_code == 409
    assert "again" in response.data["detail"]
