"""The upload page and the match review queue."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homeward.episodes.models import Episode
from homeward.people.models import Child, ChildMerge, MatchReview

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples"


def upload(client, name, content, authority="886"):
    return client.post("/imports/", {"authority": authority, "file": SimpleUploadedFile(name, content)})


def test_missing_officer_uploads_the_example_feed_and_sees_the_summary(client, world):
    client.force_login(world.kent_missing_officer)
    response = upload(client, "notifications.csv", (EXAMPLES / "notifications.csv").read_bytes())
    assert response.status_code == 200
    text = response.content.decode()
    assert "5 rows: 2 created, 2 updated, 1 merged, 0 unchanged, 0 rejected" in text
    assert Episode.objects.filter(area_authority=world.kent).count() == 2


def test_rejected_rows_are_listed_with_their_line(client, world):
    client.force_login(world.kent_missing_officer)
    content = b"source,source_ref,first_name,last_name,dob,last_seen_at\npolice:kent,Z1,Amy,Stone,2010-02-30,2024-01-01T10:00\n"
    text = upload(client, "feed.csv", content).content.decode()
    assert "1 rows: 0 created" in text and "2010-02-30" in text and "<td class=\"govuk-table__cell\">2</td>" in text


def test_a_file_without_required_columns_is_refused_with_an_error_summary(client, world):
    client.force_login(world.kent_missing_officer)
    text = upload(client, "feed.csv", b"source,source_ref\nx,y\n").content.decode()
    assert "govuk-error-summary" in text and "lacks the required column" in text
    assert Episode.objects.count() == 0


def test_a_user_cannot_import_for_another_authority(client, world):
    client.force_login(world.southwark_missing_officer)
    text = upload(client, "notifications.csv", (EXAMPLES / "notifications.csv").read_bytes(), authority="886").content.decode()
    assert "Choose the area whose feed this file is" in text
    assert Episode.objects.count() == 0


def test_roles_that_cannot_import_are_refused(client, world):
    for persona in (world.kent_analyst, world.kent_auditor, world.oakview_staff, world.kent_rhi_worker):
        client.force_login(persona)
        assert client.get("/imports/").status_code == 403


@pytest.fixture
def review(world):
    twin = Child.objects.create(first_name="Elly", last_name="Hart", dob=world.ellie.dob, sex="F", home_authority=world.kent)
    return MatchReview.objects.create(reported_child=twin, candidate=world.ellie, score=18.0, reasons=["first_name_fuzzy"])


def test_confirming_a_review_merges_and_the_merge_can_be_undone(client, world, review):
    client.force_login(world.kent_missing_officer)
    page = client.get("/reviews/").content.decode()
    assert "Elly Hart" in page and "Ellie Hart" in page and "first name fuzzy" in page
    response = client.post(f"/reviews/{review.pk}/decide/", {"decision": "same"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == "confirmed"
    assert Child.objects.get(pk=review.reported_child_id).merged_into_id == world.ellie.pk
    merge = ChildMerge.objects.get()
    assert client.post(f"/merges/{merge.pk}/undo/").status_code == 302
    assert Child.objects.get(pk=review.reported_child_id).merged_into_id is None


def test_rejecting_a_review_keeps_the_children_apart(client, world, review):
    client.force_login(world.kent_missing_officer)
    client.post(f"/reviews/{review.pk}/decide/", {"decision": "different"})
    review.refresh_from_db()
    assert review.state == "rejected"
    assert Child.objects.get(pk=review.reported_child_id).merged_into_id is None


def test_a_persona_who_cannot_see_the_children_gets_404_and_an_empty_queue(client, world, review):
    client.force_login(world.southwark_missing_officer)
    assert "Elly Hart" not in client.get("/reviews/").content.decode()
    assert client.post(f"/reviews/{review.pk}/decide/", {"decision": "same"}).status_code == 404
    review.refresh_from_db()
    assert review.state == "pending"
