"""What people read and do on the pages leaves audit events; auditors search them."""

from __future__ import annotations

import datetime as dt

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent


def events(**filters):
    return AuditEvent.objects.filter(**filters)


def test_reading_a_child_writes_an_audit_event(world, signed_in):
    before = events(action="read", child_id=world.ellie.pk).count()
    signed_in(world.kent_missing_officer).get(f"/children/{world.ellie.pk}/")
    event = events(action="read", child_id=world.ellie.pk).latest("id")
    assert events(action="read", child_id=world.ellie.pk).count() == before + 1
    assert event.actor_username == "kent.missing_officer" and event.actor_organisation == "Kent County Council"
    assert event.object_type == "child" and event.via == "web" and event.path == f"/children/{world.ellie.pk}/"


def test_reading_an_episode_writes_an_audit_event(world, ellie_missing, signed_in):
    signed_in(world.kent_police).get(f"/episodes/{ellie_missing.pk}/")
    event = events(action="read", object_type="episode").latest("id")
    assert event.object_id == str(ellie_missing.pk) and event.child_id == world.ellie.pk


def test_lists_of_children_are_audited_with_the_children_shown(world, ellie_missing, signed_in):
    client = signed_in(world.kent_missing_officer)
    client.get("/")
    listed = events(action="list", object_type="child").latest("id")
    assert listed.payload["child_ids"] == [world.ellie.pk] and "missing now" in listed.summary
    client.get("/children/", {"q": "Reid"})
    listed = events(action="list", object_type="child").latest("id")
    assert listed.payload["child_ids"] == [world.callum.pk]


def test_signing_in_and_out_is_audited(world, client):
    client.post("/sign-in/", {"username": "kent.police", "password": world.password})
    assert events(action="login", actor_username="kent.police", via="web").exists()
    client.post("/sign-out/")
    assert events(action="logout", actor_username="kent.police").exists()


def test_a_failed_sign_in_is_audited_without_the_password(world, client):
    client.post("/sign-in/", {"username": "kent.police", "password": "not-the-password"})
    event = events(action="login_failed").latest("id")
    assert event.payload == {"username": "kent.police"} and event.object_id == str(world.kent_police.pk)
    assert "not-the-password" not in str(event.payload) + event.summary


def test_a_failed_sign_in_for_an_unknown_user_is_audited(world, client):
    client.post("/sign-in/", {"username": "nobody", "password": "x"})
    event = events(action="login_failed").latest("id")
    assert event.payload == {"username": "nobody"} and event.object_id == ""


def test_auditor_searches_by_username_action_record_and_child(world, ellie_missing, signed_in):
    signed_in(world.kent_police).get(f"/children/{world.ellie.pk}/")
    client = signed_in(world.kent_auditor)
    html = client.get("/audit/", {"username": "kent.police", "action": "read", "object_type": "child",
                                  "child_id": str(world.ellie.pk)}).content.decode()
    assert "Viewed a child&#x27;s record" in html and "kent.police" in html
    assert "Signed in" not in html
    searched = events(action="list", object_type="auditevent").latest("id")
    assert searched.actor_username == "kent.auditor" and searched.payload["username"] == "kent.police"


def test_auditor_searches_by_date_range(world, signed_in):
    client = signed_in(world.kent_auditor)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    html = client.get("/audit/", {"until-day": str(yesterday.day), "until-month": str(yesterday.month),
                                  "until-year": str(yesterday.year)}).content.decode()
    assert "No events match." in html
    html = client.get("/audit/", {"since-day": str(yesterday.day), "since-month": str(yesterday.month),
                                  "since-year": str(yesterday.year)}).content.decode()
    assert "Created user" in html


def test_auditor_page_shows_at_most_200_events_newest_first(world, signed_in):
    for n in range(205):
        audit_record(actor=world.kent_police, action="read", object_type="child", object_id=n, summary=f"event {n}")
    html = signed_in(world.kent_auditor).get("/audit/", {"username": "kent.police"}).content.decode()
    assert html.count('<tr class="govuk-table__row"><td') == 200
    assert html.index("event 204") < html.index("event 203")
    assert "event 4<" not in html
    assert "Only the newest 200 events are shown" in html


def test_auditor_bad_search_gets_an_error_summary(world, signed_in):
    html = signed_in(world.kent_auditor).get("/audit/", {"child_id": "abc", "since-day": "40", "since-month": "1",
                                                         "since-year": "2025"}).content.decode()
    assert 'class="govuk-error-summary"' in html
    assert "Enter the child’s record number" in html or "Enter the child&#x27;s record number" in html
    assert "Enter a real date" in html
