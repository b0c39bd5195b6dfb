"""The briefing's services: the profile, the missing details, who may write
them, and bad input refused naming the field and the reason, with nothing
stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.access.models import AuditEvent
from homeward.briefing.models import MissingDetails, PhilomenaProfile, PhilomenaProfileVersion
from homeward.briefing.services import missing_details_record, philomena_profile_update
from homeward.problems import Refused


def problems(call) -> dict[str, str]:
    with pytest.raises(Refused) as caught:
        call()
    return {p.field: p.message for p in caught.value.problems}


def test_a_carer_makes_the_profile_and_it_is_audited_without_its_contents(world):
    profile = philomena_profile_update(actor=world.oakview_staff, child=world.callum, height_cm="172 cm",
                                       build="slim", hair="Short, dark", friends_and_associates="Jordan\n\n Kayden ")
    assert profile.version == 1 and profile.height_cm == 172
    assert profile.friends_and_associates == ["Jordan", "Kayden"]
    event = AuditEvent.objects.get(object_type="philomenaprofile", action="create")
    assert event.child_id == world.callum.pk and event.summary == "Made the Philomena profile"
    assert event.payload == {"version": 1, "changed": ["height_cm", "build", "hair", "friends_and_associates"]}
    assert "Jordan" not in str(event.payload)


def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(world):
    found = problems(lambda: philomena_profile_update(
        actor=world.oakview_staff, child=world.callum, height_cm="5ft 8", build="huge", eyes="x" * 101,
        places_frequented="\n".join(f"Place {n}" for n in range(31)), medication="x" * 4001,
        addresses=["ok", "y" * 301]))
    assert found == {
        "height_cm": "Enter the height in whole centimetres, like 165",
        "build": "Choose the child's build from the list",
        "eyes": "Eyes must be 100 characters or fewer",
        "places_frequented": "Places frequented: enter 30 lines or fewer (there are 31)",
        "medication": "Medication must be 4,000 characters or fewer",
        "addresses": "Addresses: line 2 must be 300 characters or fewer",
    }
    assert not PhilomenaProfile.objects.exists() and not PhilomenaProfileVersion.objects.exists()
    assert problems(lambda: philomena_profile_update(actor=world.oakview_staff, child=world.callum,
                                                     height_cm=300)) == {
        "height_cm": "Enter a height from 50 to 230 centimetres"}


@pytest.mark.parametrize("persona", ["kent_police", "kent_rhi_worker", "kent_team_manager", "kent_analyst",
                                     "southwark_missing_officer", "kent_exploitation_officer"])
def test_only_the_childs_carers_may_change_the_profile(world, persona):
    found = problems(lambda: philomena_profile_update(actor=getattr(world, persona), child=world.callum,
                                                      hair="Brown"))
    assert "Only the child's carers" in found["__all__"]
    assert not PhilomenaProfile.objects.filter(version__gt=0).exists()


@pytest.mark.parametrize("persona", ["oakview_staff", "kent_missing_officer", "kent_social_worker"])
def test_the_home_the_social_worker_and_the_missing_officer_of_the_responsible_authority_keep_it(world, persona):
    profile = philomena_profile_update(actor=getattr(world, persona), child=world.callum, hair="Brown")
    assert profile.version == 1


def test_the_placing_authority_keeps_the_profile_of_a_child_placed_in_another_area(world):
    # Jade: Southwark's child at Oakview in Kent. Southwark's missing officer and Oakview keep it; Kent's do not.
    assert philomena_profile_update(actor=world.southwark_missing_officer, child=world.jade, eyes="Hazel").version == 1
    assert philomena_profile_update(actor=world.oakview_staff, child=world.jade, eyes="Green").version == 2
    assert "__all__" in problems(lambda: philomena_profile_update(actor=world.kent_missing_officer, child=world.jade,
                                                                  eyes="Blue"))


def test_a_child_not_looked_after_has_no_keeper(world):
    for persona in ("kent_missing_officer", "kent_social_worker", "oakview_staff"):
        assert "__all__" in problems(lambda: philomena_profile_update(actor=getattr(world, persona),
                                                                      child=world.ellie, hair="Blonde"))


def test_a_save_over_a_newer_version_is_refused(world):
    philomena_profile_update(actor=world.oakview_staff, child=world.callum, hair="Brown")
    philomena_profile_update(actor=world.kent_social_worker, child=world.callum, hair="Black", expected_version=1)
    found = problems(lambda: philomena_profile_update(actor=world.oakview_staff, child=world.callum, eyes="Blue",
                                                      expected_version="1"))
    assert "Someone else changed the profile" in found["version"] and "version 2" in found["version"]
    assert PhilomenaProfile.objects.get(child=world.callum).eyes == ""


# --- the missing details ------------------------------------------------------------------------------


def test_the_carer_adds_the_second_part_and_a_correction_keeps_the_first(world, jade_missing, now):
    first = missing_details_record(actor=world.oakview_staff, episode=jade_missing, clothing="Black puffer jacket",
                                   last_seen_where="Front gate", last_seen_at=now - dt.timedelta(hours=5))
    second = missing_details_record(actor=world.southwark_social_worker, episode=jade_missing,
                                    clothing="Black puffer jacket, white trainers", with_whom="Alone")
    assert (first.revision, second.revision) == (1, 2)
    assert MissingDetails.objects.filter(episode=jade_missing).count() == 2
    assert MissingDetails.objects.get(pk=first.pk).clothing == "Black puffer jacket"
    events = AuditEvent.objects.filter(object_type="missingdetails").order_by("pk")
    assert [e.action for e in events] == ["create", "update"]
    assert events[0].payload["given"] == ["clothing", "last_seen_at", "last_seen_where"]


def test_a_last_seen_time_in_the_future_is_refused(world, jade_missing, now):
    found = problems(lambda: missing_details_record(actor=world.oakview_staff, episode=jade_missing,
                                                    clothing="Hoodie", last_seen_at=timezone.now()
                                                    + dt.timedelta(hours=2)))
    assert found == {"last_seen_at": "The time the child was last seen must be in the past"}
    assert not MissingDetails.objects.exists()


def test_a_last_seen_time_before_birth_or_without_a_time_zone_is_refused(world, jade_missing):
    assert "after their date of birth" in problems(lambda: missing_details_record(
        actor=world.oakview_staff, episode=jade_missing,
        last_seen_at=dt.datetime(2008, 1, 1, 12, tzinfo=dt.timezone.utc)))["last_seen_at"]
    assert "time zone" in problems(lambda: missing_details_record(
        actor=world.oakview_staff, episode=jade_missing, last_seen_at=dt.datetime(2025, 1, 1, 12)))["last_seen_at"]


def test_details_with_nothing_in_them_or_too_long_are_refused(world, jade_missing):
    assert "Enter what the child was wearing" in problems(lambda: missing_details_record(
        actor=world.oakview_staff, episode=jade_missing, clothing="   "))["clothing"]
    found = problems(lambda: missing_details_record(actor=world.oakview_staff, episode=jade_missing,
                                                    clothing="x" * 4001, last_seen_where="y" * 301))
    assert found == {"clothing": "What they were wearing must be 4,000 characters or fewer",
                     "last_seen_where": "Where they were last seen must be 300 characters or fewer"}
    assert not MissingDetails.objects.exists()


@pytest.mark.parametrize("persona", ["kent_police", "met_police", "kent_rhi_worker", "kent_missing_officer",
                                     "kent_team_manager"])
def test_only_carers_add_the_details_of_an_episode(world, jade_missing, persona):
    found = problems(lambda: missing_details_record(actor=getattr(world, persona), episode=jade_missing,
                                                    clothing="Hoodie"))
    assert "__all__" in found
    assert not MissingDetails.objects.exists()


def test_for_a_child_missing_from_home_the_home_authoritys_missing_officer_adds_them(world, now):
    from homeward.episodes.services import episode_report_missing

    episode = episode_report_missing(actor=world.kent_missing_officer, child=world.ellie, area_authority=world.kent,
                                     last_seen_at=now - dt.timedelta(hours=2))
    details = missing_details_record(actor=world.kent_missing_officer, episode=episode, clothing="School uniform")
    assert details.child_id == world.ellie.pk
    assert "__all__" in problems(lambda: missing_details_record(actor=world.southwark_missing_officer,
                                                                episode=episode, clothing="x"))


def test_a_last_seen_time_after_the_return_is_refused(world, callum_history):
    found = problems(lambda: missing_details_record(actor=world.oakview_staff, episode=callum_history,
                                                    last_seen_at=callum_history.returned_at
                                                    + dt.timedelta(minutes=5)))
    assert found == {"last_seen_at": "The time the child was last seen must be before they came back"}
