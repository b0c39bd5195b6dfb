"""The panel of what is known when a child goes missing: where they were found
before, the places they go, the people linked to them, their flags, and the
findings of their last return interview that the interviewer shared with the
police; on the episode page while the episode is open, scoped and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from homeward.access.models import AuditEvent
from homeward.briefing import selectors
from homeward.briefing.selectors import KnownItem, KnownSection, known_about
from homeward.episodes.services import episode_record_return

from .conftest import CCE_TEXT, REASONS_TEXT


def texts(known, key) -> list[str]:
    return [item.text for item in known.section(key).items]


def test_the_panel_gathers_what_helps_find_the_child(world, callum_missing, callum_profile):
    known = known_about(world.kent_police, world.callum, episode=callum_missing)
    assert [s.key for s in known.sections] == ["found_before", "places", "places_part", "people", "links", "flags",
                                               "interview"]
    found = known.section("found_before").items
    assert [(f.text, f.postcode) for f in found] == [("Maidstone East station", "ME15 6AA")]
    assert found[0].detail.startswith("Found here once, last on ")
    places = known.section("places").items
    assert [(p.text, p.postcode, p.source.split(" (")[0]) for p in places] == [
        ("Nan's flat, 4 Hill Road, ME7 1AA", "ME7 1AA", "Address"),
        ("The skate park, Victoria Gardens, ME4 4AA", "ME4 4AA", "Place frequented"),
        ("McDonald's on the High Street", "", "Place frequented"),
        ("Chatham bus station", "ME4 4AA", "Return interview after the episode that ended "
                                           f"{places[3].source.rsplit('ended ', 1)[1]}"),
    ]
    assert texts(known, "people") == ["Jordan Smith, friend from school", "Kayden, older, met in Chatham", "Rico"]
    assert known.section("people").items[2].detail == "about 19, Drives a grey hatchback"
    assert texts(known, "flags") == ["Child criminal exploitation"]
    interview = known.section("interview").items
    assert [(i.text, i.detail) for i in interview] == [
        ("Exploitation indicators", f"Child criminal exploitation (CCE). {CCE_TEXT}")]


def test_what_the_interviewer_did_not_share_is_never_in_the_panel_even_for_the_council(world, callum_missing):
    for persona in ("kent_police", "kent_missing_officer", "kent_social_worker"):
        known = known_about(getattr(world, persona), world.callum, episode=callum_missing)
        everything = str([vars(i) for s in known.sections for i in s.items])
        assert "His cousin's flat" not in everything and "Aunt Lou" not in everything, persona
        assert REASONS_TEXT not in everything and CCE_TEXT in everything, persona
    council = known_about(world.kent_missing_officer, world.callum, episode=callum_missing)
    assert "marked as shared with the police" in council.section("interview").note


def test_care_staff_see_no_interview_text_as_the_interviews_part_decides(world, callum_missing, callum_profile):
    known = known_about(world.oakview_staff, world.callum, episode=callum_missing)
    assert known.section("interview").items == []
    assert known.section("interview").empty == "The findings are not shown to your role."
    assert "Chatham bus station" not in texts(known, "places") and "Rico" not in texts(known, "people")
    assert known.section("places").note == "Return interview places are not shown to your role."
    assert "Nan's flat, 4 Hill Road, ME7 1AA" in texts(known, "places")  # the profile is theirs


def test_without_a_profile_or_history_each_section_says_so(world, jade_missing):
    known = known_about(world.oakview_staff, world.jade, episode=jade_missing)
    assert all(not s.items for s in known.sections)
    assert known.section("found_before").empty == "No earlier episode records where the child was found."
    assert known.section("interview").empty == "No return interview has been completed."


def test_the_panel_is_audited_and_refused_outside_the_rules(world, callum_missing):
    known_about(world.kent_police, world.callum, episode=callum_missing)
    event = AuditEvent.objects.get(object_type="briefing_panel", action="read")
    assert event.child_id == world.callum.pk and event.object_id == str(callum_missing.pk)
    assert event.payload["sections"] == {"found_before": 1, "places": 1, "places_part": 0, "people": 1, "links": 0,
                                         "flags": 1, "interview": 1}
    for persona in ("met_police", "kent_rhi_worker", "kent_analyst"):
        with pytest.raises(Http404):
            known_about(getattr(world, persona), world.callum, episode=callum_missing)
    assert AuditEvent.objects.filter(object_type="briefing_panel", action="denied").count() == 3


def test_the_places_on_record_come_from_the_places_part(world, callum_missing):
    from homeward.places.models import ChildPlace, Place

    place = Place.objects.create(label="Chatham bus station", key="chatham bus station|ME4 4AA", postcode="ME4 4AA",
                                 district="ME4")
    for days in (30, 60):
        ChildPlace.objects.create(child=world.callum, place=place, role="found", source=f"notification:{days}",
                                  date=callum_missing.started_at.date() - dt.timedelta(days=days))
    ChildPlace.objects.create(child=world.callum, place=Place.objects.create(label="Home", key="home|", postcode=""),
                              role="missing_from", source="notification:test")
    known = known_about(world.kent_police, world.callum, episode=callum_missing)
    [item] = known.section("places_part").items
    assert item.text == "Chatham bus station" and item.postcode == "ME4 4AA"
    assert item.detail.startswith("found at 2 times, last ")


def test_the_episode_page_shows_the_panel_while_the_child_is_missing(world, callum_history, callum_missing,
                                                                    callum_profile, client):
    client.force_login(world.kent_police)
    page = client.get(f"/episodes/{callum_missing.pk}/").content.decode()
    assert "What is known that helps find Callum" in page
    assert "Maidstone East station" in page and "Chatham bus station" in page and "Rico" in page
    assert CCE_TEXT in page and REASONS_TEXT not in page and "Aunt Lou" not in page
    assert f"/episodes/{callum_missing.pk}/briefing.pdf" in page
    # The earlier, closed episode: no panel; and the police may not read its briefing.
    earlier = client.get(f"/episodes/{callum_history.pk}/").content.decode()
    assert "What is known" not in earlier and "briefing.pdf" not in earlier


def test_once_the_child_is_back_the_panel_goes_but_the_council_keeps_the_briefing(world, callum_missing, client):
    episode_record_return(actor=world.kent_police, episode=callum_missing,
                          returned_at=callum_missing.started_at + dt.timedelta(hours=2))
    client.force_login(world.kent_missing_officer)
    page = client.get(f"/episodes/{callum_missing.pk}/").content.decode()
    assert "What is known that helps find" not in page
    assert f"/episodes/{callum_missing.pk}/briefing.pdf" in page


def test_a_child_who_goes_missing_often_gets_a_briefing_that_stays_short(world, now):
    from homeward.briefing.selectors import FOUND_BEFORE_SHOWN, PREVIOUS_SHOWN, briefing_get
    from homeward.episodes.services import episode_report_missing

    start = now - dt.timedelta(days=100)
    for n in range(22):
        seen = start + dt.timedelta(days=4 * n)
        episode = episode_report_missing(actor=world.kent_missing_officer, child=world.ellie,
                                         area_authority=world.kent, last_seen_at=seen)
        episode_record_return(actor=world.kent_missing_officer, episode=episode, returned_at=seen
                              + dt.timedelta(hours=5), found_postcode=f"CT{n + 1} 1AA", found_where=f"Street {n}")
    current = episode_report_missing(actor=world.kent_missing_officer, child=world.ellie, area_authority=world.kent,
                                     last_seen_at=now - dt.timedelta(hours=1))
    briefing = briefing_get(actor=world.kent_police, episode_pk=current.pk)
    found = briefing.known.section("found_before")
    assert len(found.items) == FOUND_BEFORE_SHOWN == 15
    assert found.items[0].text == "Street 21"  # each found once: the most recent first
    assert found.note == "7 other places where the child was found are not listed: see the previous episodes."
    assert len(briefing.previous) == PREVIOUS_SHOWN == 20 and briefing.previous_count == 22
    from homeward.briefing.document import briefing_html

    assert "22 earlier episodes in all: the 20 most recent are listed." in briefing_html(briefing)


def test_people_of_concern_are_in_the_panel_only_for_the_roles_that_work_on_exploitation(
        world, callum_missing, callum_profile):
    from homeward.intelligence.services import person_link_child, person_of_concern_create

    person = person_of_concern_create(actor=world.kent_missing_officer, name="Dee Synthetic",
                                      description="Drives a grey hatchback")
    person_link_child(actor=world.kent_missing_officer, person=person, child=world.callum, nature="seen_with", source="officer",
                      noted_on=callum_missing.started_at.date())
    police = known_about(world.kent_police, world.callum, episode=callum_missing)
    assert [item.text for item in police.section("links").items] == ["Dee Synthetic"]
    social_worker = known_about(world.kent_social_worker, world.callum, episode=callum_missing)
    assert "links" not in [s.key for s in social_worker.sections]
