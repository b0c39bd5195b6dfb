"""Where interviews come from: interviews_sync over episodes made through the
episode services, the episode events, and `homeward interviews sync`."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from homeward import events
from homeward.access.models import AuditEvent, Organisation
from homeward.access.roles import OrganisationKind
from homeward.access.scope import children_visible_to
from homeward.interviews import rules
from homeward.interviews.models import Interview
from homeward.interviews.selectors import completed_interview_times, interview_get
from homeward.interviews.services import interview_record_offer, interviews_sync, interviews_sync_all
from homeward.people.models import Allocation, Child

from .conftest import at, episode, interview_of, years_ago


def test_an_ended_episode_requires_an_interview_due_72_hours_after_the_return(world, kai):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"))
    interview = interview_of(ep)
    assert interview.required and interview.exclusion == ""
    assert interview.due_at == at("2025-06-13 10:00")
    assert interview.timescale == {"hours": 72}
    assert interview.lead_authority == world.kent and interview.area_authority == world.kent
    assert not interview.placed_by_other_authority
    assert interview.outcome == "" and interview.is_open


def test_the_72_hours_run_across_the_march_clock_change(world, kai):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-03-27 20:00"),
                 returned=at("2025-03-28 12:00"))
    due = interview_of(ep).due_at
    assert due - at("2025-03-28 12:00") == dt.timedelta(hours=72)
    assert timezone.localtime(due).strftime("%Y-%m-%d %H:%M") == "2025-03-31 13:00"


def test_the_72_hours_run_across_the_october_clock_change(world, kai):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-10-23 20:00"),
                 returned=at("2025-10-24 12:00"))
    assert timezone.localtime(interview_of(ep).due_at).strftime("%Y-%m-%d %H:%M") == "2025-10-27 11:00"


def test_an_open_episode_has_no_interview_yet(world, kai):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"))
    assert not Interview.objects.filter(episode=ep).exists()


def test_the_interview_is_allocated_to_the_areas_provider_who_then_sees_the_child(world, ellie_interview):
    assert ellie_interview.provider == world.rhi_org
    assert ellie_interview.allocated_at is not None
    assert Allocation.objects.filter(child=world.ellie, kind="rhi", organisation=world.rhi_org,
                                     end_date__isnull=True).count() == 1
    assert children_visible_to(world.kent_rhi_worker).filter(pk=world.ellie.pk).exists()


def test_sync_is_idempotent(world, ellie_returned):
    before = AuditEvent.objects.count()
    result = interviews_sync(episode_ids=[ellie_returned.pk])
    assert (result.created, result.changed, result.allocated, result.unchanged) == ([], [], [], 1)
    assert AuditEvent.objects.count() == before
    assert Interview.objects.filter(child=world.ellie).count() == 1
    assert Allocation.objects.filter(child=world.ellie, kind="rhi").count() == 1


def test_sync_records_who_what_and_why_in_the_audit_trail(world, ellie_interview):
    event = AuditEvent.objects.filter(object_type="interview", object_id=str(ellie_interview.pk),
                                      action="create").get()
    assert event.child_id == world.ellie.pk
    assert event.payload["timescale"] == {"hours": 72}


# --- a child who goes missing again before the interview -----------------------------------------------


def test_a_child_missing_again_before_the_interview_was_due_is_covered_by_the_next_one(world, kai):
    first = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                    returned=at("2025-06-10 10:00"))
    assert interview_of(first).required
    # Missing again 48 hours later: the episode.started event syncs the new episode.
    second = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-12 10:00"))
    earlier = interview_of(first)
    assert not earlier.required
    assert earlier.exclusion == rules.NEW_EPISODE
    assert earlier.covered_by_episode == second
    assert earlier.outcome == "not_required"
    assert "12 June 2025 at 10:00" in earlier.exclusion_detail and "covers both" in earlier.exclusion_detail
    # Back again: the second episode's interview is required, and covers the first.
    from homeward.episodes.services import episode_record_return

    episode_record_return(actor=world.kent_police, episode=second, returned_at=at("2025-06-13 08:00"))
    interviews_sync(episode_ids=[second.pk])
    later = interview_of(second)
    assert later.required
    read = interview_get(actor=world.kent_missing_officer, pk=later.pk)
    assert [i.pk for i in read.covers] == [earlier.pk]
    assert interview_get(actor=world.kent_missing_officer, pk=earlier.pk).covering == later


def test_missing_again_three_times_chains_to_the_last_interview(world, kai):
    a = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-01 20:00"),
                returned=at("2025-06-02 10:00"))
    b = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-03 20:00"),
                returned=at("2025-06-04 10:00"))
    c = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-05 20:00"),
                returned=at("2025-06-06 10:00"))
    assert [interview_of(e).required for e in (a, b, c)] == [False, False, True]
    read = interview_get(actor=world.kent_missing_officer, pk=interview_of(c).pk)
    assert [i.episode_id for i in read.covers] == [a.pk, b.pk]
    assert interview_get(actor=world.kent_missing_officer, pk=interview_of(a).pk).covering == interview_of(c)


def test_missing_again_after_the_due_time_leaves_the_interview_required(world, kai):
    first = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                    returned=at("2025-06-10 10:00"))
    episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-13 10:00"),
            returned=at("2025-06-13 12:00"))
    assert interview_of(first).required  # the new episode started at the 72nd hour, not before it


def test_missing_again_after_an_offer_was_made_leaves_the_interview_required(world, now):
    first = episode(actor=world.kent_missing_officer, child=world.ellie, area=world.kent,
                    last_seen=now - dt.timedelta(hours=30), returned=now - dt.timedelta(hours=20))
    interview_record_offer(actor=world.kent_rhi_worker, interview=interview_of(first), answer="offered",
                           offered_at=now - dt.timedelta(hours=10))
    episode(actor=world.kent_missing_officer, child=world.ellie, area=world.kent, last_seen=now - dt.timedelta(hours=2))
    assert interview_of(first).required


# --- a child placed by another authority; a child of 18 --------------------------------------------------------


def test_a_child_placed_in_the_area_by_another_authority_is_that_authoritys_interview(world, mia):
    ep = episode(actor=world.kent_police, child=mia, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"))
    interview = interview_of(ep)
    assert ep.missing_from == "care" and ep.area_authority == world.kent
    assert interview.placed_by_other_authority
    assert interview.lead_authority == world.southwark
    assert interview.required  # for Southwark, whose child it is
    # Southwark has no commissioned provider here, and Kent's is not given it.
    assert interview.provider is None
    assert not children_visible_to(world.kent_rhi_worker).filter(pk=mia.pk).exists()


def test_the_placing_authoritys_provider_gets_it_when_there_is_one(world, mia):
    southwark_ri = Organisation.objects.create(name="Southwark Return Interviews", kind=OrganisationKind.RHI_PROVIDER)
    southwark_ri.areas.add(world.southwark)
    ep = episode(actor=world.kent_police, child=mia, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"))
    assert interview_of(ep).provider == southwark_ri


def test_a_child_18_at_the_return_needs_no_interview(world):
    adult = Child.objects.create(first_name="Lee", last_name="Adams", dob=years_ago(18, days=3),
                                 home_authority=world.kent)
    now = timezone.now()
    ep = episode(actor=world.kent_missing_officer, child=adult, area=world.kent,
                 last_seen=now - dt.timedelta(hours=30), returned=now - dt.timedelta(hours=20))
    interview = interview_of(ep)
    assert (interview.required, interview.exclusion) == (False, rules.TURNED_18)
    assert interview.provider is None


def test_a_child_who_died_needs_no_interview(world, kai):
    kai.date_of_death = dt.date(2025, 6, 11)
    kai.save()
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"))
    assert interview_of(ep).exclusion == rules.DIED


# --- the protocol's timescale ------------------------------------------------------------------------------------


@pytest.fixture
def kent_three_working_days(world):
    pytest.importorskip("homeward.protocol.versions")
    from homeward.protocol.defaults import default_document
    from homeward.protocol.versions import version_create

    document = default_document()
    document["rules"]["return_interview"]["due_in"] = {"working_days": 3}
    return version_create(actor=None, document=document, authority=world.kent, note="3 working days",
                          effective_from=at("2025-01-01 00:00"))


def test_the_protocols_working_days_apply_across_christmas(world, kai, kent_three_working_days):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-12-22 20:00"),
                 returned=at("2025-12-23 15:00"))
    interview = interview_of(ep)
    assert interview.timescale == {"working_days": 3}
    assert interview.protocol_version_id == kent_three_working_days.pk
    assert timezone.localtime(interview.due_at).strftime("%Y-%m-%d %H:%M") == "2025-12-30 15:00"


def test_the_protocols_working_days_apply_across_easter(world, kai, kent_three_working_days):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2026-04-01 20:00"),
                 returned=at("2026-04-02 18:00"))
    assert timezone.localtime(interview_of(ep).due_at).strftime("%Y-%m-%d %H:%M") == "2026-04-09 18:00"


def test_a_return_before_the_new_protocol_keeps_the_old_timescale(world, kai, kent_three_working_days):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2024-12-20 20:00"),
                 returned=at("2024-12-23 15:00"))
    assert interview_of(ep).timescale == {"hours": 72}


def test_a_later_protocol_version_does_not_rewrite_an_existing_interview(world, kai):
    pytest.importorskip("homeward.protocol.versions")
    from homeward.protocol.defaults import default_document
    from homeward.protocol.versions import version_create

    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"))
    document = default_document()
    document["rules"]["return_interview"]["due_in"] = {"working_days": 3}
    version_create(actor=None, document=document, authority=world.kent, effective_from=at("2025-01-01 00:00"))
    interviews_sync(episode_ids=[ep.pk])
    assert interview_of(ep).timescale == {"hours": 72}


# --- episodes merged, returns changed ---------------------------------------------------------------------------


def test_a_corrected_return_time_moves_the_due_time(world, kai):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"))
    # A second reporter says the child was back earlier: the episode takes the earliest return.
    from homeward.episodes.services import notification_apply

    notification_apply(actor=world.kent_missing_officer, area_authority=world.kent, child=kai, row={
        "source": "provider:SC100001", "source_ref": "OV-1", "first_name": "Kai", "last_name": "Morgan",
        "dob": kai.dob.isoformat(), "last_seen_at": "2025-06-09T20:00:00+01:00",
        "returned_at": "2025-06-10T07:00:00+01:00", "category": "missing",
    })
    ep.refresh_from_db()
    assert ep.returned_at == at("2025-06-10 07:00")
    result = interviews_sync(episode_ids=[ep.pk])
    assert len(result.changed) == 1
    assert interview_of(ep).due_at == at("2025-06-13 07:00")


def test_an_interview_moves_with_its_episode_when_episodes_are_merged(world, kai):
    from homeward.episodes.intake import merge_stored_episodes

    ended = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                    returned=at("2025-06-10 10:00"))
    interview = interview_of(ended)
    interview_record_offer(actor=world.kent_rhi_worker, interview=interview, answer="offered",
                           offered_at=at("2025-06-10 12:00"))
    # Another episode record of the same child (say, one a feed recorded apart) survives a merge.
    from homeward.episodes.services import notification_apply

    survivor = notification_apply(actor=world.kent_missing_officer, area_authority=world.kent, child=kai, row={
        "source": "provider:SC100001", "source_ref": "OV-9", "first_name": "Kai", "last_name": "Morgan",
        "dob": kai.dob.isoformat(), "last_seen_at": "2025-06-01T20:00:00+01:00",
        "returned_at": "2025-06-02T10:00:00+01:00", "category": "missing",
    }).episode
    assert not Interview.objects.filter(episode=survivor).exists()
    ended_pk = ended.pk
    merge_stored_episodes(survivor, [ended])
    survivor.returned_at, survivor.started_at = at("2025-06-10 10:00"), at("2025-06-01 20:00")
    survivor.save()
    interview.refresh_from_db()
    assert interview.episode_id is None and interview.episode_number == ended_pk
    interviews_sync(episode_ids=[ended_pk])
    interview.refresh_from_db()
    assert interview.episode_id == survivor.pk
    assert interview.offered_at == at("2025-06-10 12:00") and not interview.cancelled


def test_an_interview_whose_episode_is_gone_is_cancelled_not_deleted(world, kai):
    from homeward.episodes.intake import merge_stored_episodes

    first = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-01 20:00"),
                    returned=at("2025-06-02 10:00"))
    second = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-20 20:00"),
                     returned=at("2025-06-21 10:00"))
    orphan = interview_of(second)
    second_pk = second.pk
    merge_stored_episodes(first, [second])
    interviews_sync(episode_ids=[second_pk])
    orphan.refresh_from_db()
    assert orphan.cancelled and "merged" in orphan.cancelled_reason
    assert interview_of(first).required


# --- events and the command line -------------------------------------------------------------------------------


def test_the_episode_returned_event_creates_the_interview(world, kai):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"), sync=False)
    assert not Interview.objects.filter(episode=ep).exists()
    events.publish_now("episode.returned", episode_ids=[ep.pk], actor=world.kent_police)
    interview = interview_of(ep)
    assert interview.required
    assert AuditEvent.objects.filter(object_type="interview", object_id=str(interview.pk),
                                     actor_username="kent.police").exists()


def test_the_episode_started_event_excludes_the_earlier_interview(world, kai):
    first = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                    returned=at("2025-06-10 10:00"))
    second = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-11 10:00"), sync=False)
    events.publish_now("episode.started", episode_ids=[second.pk])
    assert interview_of(first).exclusion == rules.NEW_EPISODE


def test_the_command_syncs_every_ended_episode(world, kai, mia):
    made = [
        episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                returned=at("2025-06-10 10:00"), sync=False),
        episode(actor=world.kent_police, child=mia, area=world.kent, last_seen=at("2025-06-09 20:00"),
                returned=at("2025-06-10 10:00"), sync=False),
        episode(actor=world.met_police, child=world.sam, area=world.southwark, last_seen=at("2025-06-09 20:00"),
                returned=at("2025-06-10 10:00"), sync=False),
    ]
    out = io.StringIO()
    call_command("interviews", "sync", "--authority", "886", stdout=out)
    assert "2 created" in out.getvalue()
    assert not Interview.objects.filter(episode=made[2]).exists()
    out = io.StringIO()
    call_command("interviews", "sync", stdout=out)
    assert "1 created" in out.getvalue() and "2 unchanged" in out.getvalue()
    out = io.StringIO()
    call_command("interviews", "sync", "--format", "json", stdout=out)
    assert '"created": 0' in out.getvalue()
    with pytest.raises(CommandError):
        call_command("interviews", "sync", "--authority", "999")


def test_the_command_shows_and_sets_the_quality_checklist(world):
    out = io.StringIO()
    call_command("interviews", "checklist", stdout=out)
    assert "voice:" in out.getvalue()
    call_command("interviews", "checklist", "--authority", "886", "--item", "voice=Was the child heard?",
                 "--item", "safety=Was a safety plan made?", stdout=io.StringIO())
    out = io.StringIO()
    call_command("interviews", "checklist", "--authority", "886", stdout=out)
    assert "safety: Was a safety plan made?" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("interviews", "checklist", "--item", "no equals sign")


def test_a_providers_sight_of_the_child_ends_some_weeks_after_the_outcome(world, kai):
    from homeward.interviews.services import interview_record_completed

    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"))
    interview = interview_of(ep)
    interview_record_completed(actor=world.kent_rhi_worker, interview=interview, completed_at=at("2025-06-11 10:00"),
                               venue="School", interviewer=world.kent_rhi_worker)
    assert children_visible_to(world.kent_rhi_worker).filter(pk=kai.pk).exists()
    interviews_sync_all()
    assert children_visible_to(world.kent_rhi_worker).filter(pk=kai.pk).exists()  # recorded today
    long_ago = timezone.now() - dt.timedelta(days=40)
    Interview.objects.filter(pk=interview.pk).update(recorded_at=long_ago, allocated_at=long_ago)
    interviews_sync_all()
    assert not children_visible_to(world.kent_rhi_worker).filter(pk=kai.pk).exists()


def test_the_protocol_engine_can_ask_when_interviews_were_completed(world, ellie_completed, kai):
    other = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                    returned=at("2025-06-10 10:00"))
    times = completed_interview_times([ellie_completed.episode_id, other.pk, None])
    assert times == {ellie_completed.episode_id: ellie_completed.completed_at}
    from homeward.protocol.hooks import interviews_completed

    assert interviews_completed([ellie_completed.episode_id]) == {ellie_completed.episode_id:
                                                                  ellie_completed.completed_at}


def test_syncing_old_history_does_not_give_a_provider_sight_of_those_children(world, kai):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"), sync=False)
    interviews_sync_all()
    interview = interview_of(ep)
    assert interview.required and interview.provider is None
    assert not Allocation.objects.filter(child=kai, kind="rhi").exists()
