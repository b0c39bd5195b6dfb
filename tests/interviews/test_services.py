"""Recording an interview: allocation, the offer, the interview, findings,
flags, places and people, the quality audit. Each service refuses, naming
the field, and stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.access.models import AuditEvent
from homeward.access.roles import Role
from homeward.access.services import user_create
from homeward.interviews import rules
from homeward.interviews.models import Finding, FindingCode, Interview, NamedPerson, NamedPlace, QualityAudit
from homeward.interviews.services import (
    Section, checklist_set, interview_add_person, interview_add_place, interview_allocate, interview_quality_audit,
    interview_raise_flag, interview_record_completed, interview_record_findings, interview_record_offer,
    interview_remove_named,
)
from homeward.people.models import ChildFlag
from homeward.problems import Refused

from .conftest import WORDS, at, episode, interview_of


def fields(refused) -> set[str]:
    return {p.field for p in refused.value.problems}


# --- allocation -------------------------------------------------------------------------------------


def test_a_provider_worker_can_take_an_interview_for_themselves(world, ellie_interview):
    interview_allocate(actor=world.kent_rhi_worker, interview=ellie_interview, provider=world.rhi_org,
                       worker=world.kent_rhi_worker)
    ellie_interview.refresh_from_db()
    assert ellie_interview.worker == world.kent_rhi_worker
    assert AuditEvent.objects.filter(object_type="interview", object_id=str(ellie_interview.pk),
                                     summary__startswith="Allocated the return interview").exists()


def test_allocating_to_someone_caring_for_the_child_is_refused(world, kai):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"))
    interview = interview_of(ep)
    # Oakview cares for Kai: neither the organisation nor its staff may do his interview.
    with pytest.raises(Refused) as refused:
        interview_allocate(actor=world.kent_missing_officer, interview=interview, provider=world.oakview_org)
    assert "caring for the child" in str(refused.value) or "cares for the child" in str(refused.value)
    with pytest.raises(Refused) as refused:
        interview_allocate(actor=world.kent_missing_officer, interview=interview, provider=world.rhi_org,
                           worker=world.oakview_staff)
    assert fields(refused) == {"worker"} and "not involved in caring" in str(refused.value)
    interview.refresh_from_db()
    assert interview.worker is None


def test_the_interviewer_must_not_be_caring_for_the_child(world, kai):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"))
    with pytest.raises(Refused) as refused:
        interview_record_completed(actor=world.kent_missing_officer, interview=interview_of(ep),
                                   completed_at=at("2025-06-11 10:00"), venue="School", interviewer=world.oakview_staff)
    assert fields(refused) == {"interviewer"}


def test_a_worker_must_belong_to_the_provider_allocated(world, ellie_interview):
    with pytest.raises(Refused) as refused:
        interview_allocate(actor=world.kent_missing_officer, interview=ellie_interview, provider=world.rhi_org,
                           worker=world.kent_social_worker)
    assert fields(refused) == {"worker"}


def test_a_provider_worker_cannot_allocate_to_another_organisation(world, ellie_interview):
    with pytest.raises(Refused) as refused:
        interview_allocate(actor=world.kent_rhi_worker, interview=ellie_interview, provider=world.kent_council)
    assert fields(refused) == {"provider"}


@pytest.mark.parametrize("persona", ["kent_police", "oakview_staff", "kent_social_worker", "southwark_missing_officer"])
def test_roles_that_do_not_run_the_service_cannot_allocate(world, ellie_interview, persona):
    with pytest.raises(Refused):
        interview_allocate(actor=getattr(world, persona), interview=ellie_interview, provider=world.rhi_org)


def test_the_council_can_do_the_interview_in_house(world, ellie_interview):
    interview_allocate(actor=world.kent_team_manager, interview=ellie_interview, provider=world.kent_council,
                       worker=world.kent_missing_officer)
    ellie_interview.refresh_from_db()
    assert ellie_interview.provider == world.kent_council


# --- the offer ---------------------------------------------------------------------------------------------


def test_an_offer_at_the_72nd_hour_is_in_time(world, kai):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"))
    interview = interview_record_offer(actor=world.kent_rhi_worker, interview=interview_of(ep), answer="accepted",
                                       offered_at=at("2025-06-13 10:00"))
    assert interview.offered_in_time
    interview = interview_record_offer(actor=world.kent_rhi_worker, interview=interview, answer="accepted",
                                       offered_at=at("2025-06-13 10:01"))
    assert not interview.offered_in_time


def test_a_decline_by_the_child_is_an_outcome(world, ellie_interview, now):
    interview = interview_record_offer(actor=world.kent_rhi_worker, interview=ellie_interview,
                                       answer="declined_by_child", offered_at=now - dt.timedelta(hours=1))
    assert interview.outcome == "declined_by_child"
    assert not interview.is_open
    assert interview.recorded_by == world.kent_rhi_worker


def test_unable_to_contact_needs_the_last_attempt_not_an_offer(world, ellie_interview, now):
    with pytest.raises(Refused) as refused:
        interview_record_offer(actor=world.kent_rhi_worker, interview=ellie_interview, answer="unable_to_contact")
    assert fields(refused) == {"last_attempt_at"}
    interview = interview_record_offer(actor=world.kent_rhi_worker, interview=ellie_interview,
                                       answer="unable_to_contact", last_attempt_at=now - dt.timedelta(hours=1))
    assert interview.outcome == "unable_to_contact" and interview.offered_at is None


@pytest.mark.parametrize("when, message", [
    (dt.timedelta(hours=1), "future"),
    (dt.timedelta(hours=-11), "before the child returned"),
])
def test_an_offer_time_must_be_after_the_return_and_not_in_the_future(world, ellie_interview, now, when, message):
    with pytest.raises(Refused) as refused:
        interview_record_offer(actor=world.kent_rhi_worker, interview=ellie_interview, answer="offered",
                               offered_at=now + when)
    assert fields(refused) == {"offered_at"} and message in str(refused.value)
    ellie_interview.refresh_from_db()
    assert ellie_interview.progress == ""


def test_an_unknown_answer_is_refused(world, ellie_interview, now):
    with pytest.raises(Refused) as refused:
        interview_record_offer(actor=world.kent_rhi_worker, interview=ellie_interview, answer="maybe",
                               offered_at=now)
    assert fields(refused) == {"answer"}


@pytest.mark.parametrize("persona", ["kent_police", "oakview_staff", "kent_analyst", "southwark_social_worker"])
def test_roles_that_cannot_record_are_refused(world, ellie_interview, now, persona):
    with pytest.raises(Refused):
        interview_record_offer(actor=getattr(world, persona), interview=ellie_interview, answer="offered",
                               offered_at=now - dt.timedelta(hours=1))


def test_a_provider_not_allocated_cannot_record(world, ellie_interview, now):
    from homeward.access.models import Organisation

    other_org = Organisation.objects.create(name="Another Provider", kind="rhi_provider")
    other = user_create(actor=None, username="other.rhi", password=None, organisation=other_org, role=Role.RHI_WORKER)
    with pytest.raises(Refused):
        interview_record_offer(actor=other, interview=ellie_interview, answer="offered",
                               offered_at=now - dt.timedelta(hours=1))


def test_nothing_can_be_recorded_on_an_interview_that_is_not_required(world, kai):
    first = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                    returned=at("2025-06-10 10:00"))
    episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-11 10:00"))
    with pytest.raises(Refused) as refused:
        interview_record_offer(actor=world.kent_rhi_worker, interview=interview_of(first), answer="offered",
                               offered_at=at("2025-06-10 12:00"))
    assert "not required" in str(refused.value)


# --- the interview ---------------------------------------------------------------------------------------------


def test_recording_the_interview_completes_it_and_counts_as_the_offer(world, ellie_interview, now):
    interview = interview_record_completed(actor=world.kent_rhi_worker, interview=ellie_interview,
                                           completed_at=now - dt.timedelta(hours=1), venue="Youth centre",
                                           interviewer=world.kent_rhi_worker)
    assert interview.outcome == "completed"
    assert interview.offered_at == interview.completed_at
    assert interview.completed_in_time and interview.offered_in_time
    assert interview.interviewer_organisation == "Kent Return Interviews"


def test_recording_the_interview_needs_when_where_and_who(world, ellie_interview):
    with pytest.raises(Refused) as refused:
        interview_record_completed(actor=world.kent_rhi_worker, interview=ellie_interview, completed_at=None,
                                   venue=" ")
    assert fields(refused) == {"completed_at", "venue", "interviewer_name"}


def test_the_interview_cannot_be_before_the_offer(world, ellie_interview, now):
    interview_record_offer(actor=world.kent_rhi_worker, interview=ellie_interview, answer="accepted",
                           offered_at=now - dt.timedelta(hours=2))
    with pytest.raises(Refused) as refused:
        interview_record_completed(actor=world.kent_rhi_worker, interview=ellie_interview,
                                   completed_at=now - dt.timedelta(hours=3), venue="School",
                                   interviewer=world.kent_rhi_worker)
    assert "before it was offered" in str(refused.value)


def test_the_area_records_what_the_placing_authority_told_it(world, mia):
    ep = episode(actor=world.kent_police, child=mia, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"))
    interview = interview_record_completed(
        actor=world.kent_missing_officer, interview=interview_of(ep), completed_at=at("2025-06-12 16:00"),
        venue="Café in Maidstone", interviewer_name="Sam Lowe", interviewer_organisation="Southwark Council",
        told_by="Southwark's missing officer, by email",
    )
    assert interview.outcome == "completed" and interview.interviewer is None
    assert (interview.interviewer_name, interview.told_by) == ("Sam Lowe", "Southwark's missing officer, by email")


def test_an_interview_cannot_be_offered_again_once_completed(world, ellie_completed, now):
    with pytest.raises(Refused):
        interview_record_offer(actor=world.kent_rhi_worker, interview=ellie_completed, answer="declined_by_child",
                               offered_at=now - dt.timedelta(hours=1))


# --- findings ----------------------------------------------------------------------------------------------------


def test_findings_are_kept_by_section_with_codes_and_what_is_shared(world, ellie_completed):
    findings = {f.kind: f for f in Finding.objects.filter(interview=ellie_completed)}
    assert set(findings) == {"words", "reasons", "exploitation", "actions"}
    assert findings["words"].text == WORDS and not findings["words"].shared
    assert findings["exploitation"].shared
    assert set(FindingCode.objects.filter(finding=findings["reasons"]).values_list("code", flat=True)) == {
        "conflict", "contact_family_friends"}


def test_findings_can_be_corrected_and_an_emptied_section_goes(world, ellie_completed):
    interview_record_findings(actor=world.kent_rhi_worker, interview=ellie_completed, sections={
        "reasons": Section(codes=["boundaries_rules"]),
        "actions": Section(),
        "stayed": Section(text="At a friend's flat", shared=True),
    })
    kinds = set(Finding.objects.filter(interview=ellie_completed).values_list("kind", flat=True))
    assert kinds == {"words", "reasons", "exploitation", "stayed"}
    assert list(FindingCode.objects.filter(finding__interview=ellie_completed, finding__kind="reasons")
                .values_list("code", flat=True)) == ["boundaries_rules"]


def test_findings_before_the_interview_took_place_are_refused(world, ellie_interview):
    with pytest.raises(Refused):
        interview_record_findings(actor=world.kent_rhi_worker, interview=ellie_interview,
                                  sections={"words": Section(text="hello")})


@pytest.mark.parametrize("sections, field", [
    ({"reasons": Section(codes=["aliens"])}, "reasons"),
    ({"push": Section(codes=["conflict"])}, "push"),
    ({"gossip": Section(text="x")}, "gossip"),
    ({"words": Section(text="x" * 10001)}, "words_text"),
])
def test_findings_outside_the_fixed_lists_are_refused(world, ellie_completed, sections, field):
    with pytest.raises(Refused) as refused:
        interview_record_findings(actor=world.kent_rhi_worker, interview=ellie_completed, sections=sections)
    assert fields(refused) == {field}


def test_the_audit_trail_never_holds_what_the_child_said(world, ellie_completed):
    from homeward.interviews.selectors import interview_get, interviews_for_child

    interview_get(actor=world.kent_social_worker, pk=ellie_completed.pk)
    interviews_for_child(actor=world.kent_police, child=world.ellie)
    for event in AuditEvent.objects.all():
        blob = f"{event.summary} {event.payload}"
        assert "cousin" not in blob and "older man" not in blob and "King Street" not in blob and "Dee" not in blob


# --- places and people named ----------------------------------------------------------------------------------------


def test_places_and_people_are_linked_to_the_child_and_interview_with_source_and_date(world, ellie_completed):
    place = NamedPlace.objects.get(interview=ellie_completed)
    assert (place.child, place.postcode, place.kind, place.shared) == (world.ellie, "CT1 2AB", "address", True)
    assert place.source == f"rhi:{ellie_completed.pk}"
    assert place.noted_on == timezone.localtime(ellie_completed.completed_at).date()
    person = NamedPerson.objects.get(interview=ellie_completed)
    assert (person.child, person.name, person.approximate_age, person.shared) == (world.ellie, "Dee", 25, False)


def test_a_place_with_a_bad_postcode_or_a_person_without_a_name_is_refused(world, ellie_completed):
    with pytest.raises(Refused) as refused:
        interview_add_place(actor=world.kent_rhi_worker, interview=ellie_completed, text="Somewhere",
                            postcode="NOT A POSTCODE")
    assert fields(refused) == {"place_postcode"}
    with pytest.raises(Refused) as refused:
        interview_add_person(actor=world.kent_rhi_worker, interview=ellie_completed, name="", approximate_age=300)
    assert fields(refused) == {"person_name", "person_age"}


def test_a_place_recorded_by_mistake_can_be_removed(world, ellie_completed):
    place = NamedPlace.objects.get(interview=ellie_completed)
    interview_remove_named(actor=world.kent_rhi_worker, record=place)
    assert not NamedPlace.objects.filter(interview=ellie_completed).exists()
    with pytest.raises(Refused):
        interview_remove_named(actor=world.kent_police, record=NamedPerson.objects.get(interview=ellie_completed))


# --- flags --------------------------------------------------------------------------------------------------------


def test_a_finding_raises_a_flag_on_the_child_with_one_call(world, ellie_completed):
    cse = FindingCode.objects.get(finding__interview=ellie_completed, code="cse")
    flag = interview_raise_flag(actor=world.kent_rhi_worker, interview=ellie_completed, code_id=cse.pk)
    assert (flag.child, flag.flag, flag.source) == (world.ellie, "cse", f"rhi:{ellie_completed.pk}")
    cse.refresh_from_db()
    assert cse.flag == flag
    # Once only.
    assert interview_raise_flag(actor=world.kent_rhi_worker, interview=ellie_completed, code_id=cse.pk) == flag
    assert ChildFlag.objects.filter(child=world.ellie, flag="cse").count() == 1


def test_a_finding_that_is_not_a_flag_raises_none(world, ellie_completed):
    conflict = FindingCode.objects.get(finding__interview=ellie_completed, code="conflict")
    with pytest.raises(Refused):
        interview_raise_flag(actor=world.kent_rhi_worker, interview=ellie_completed, code_id=conflict.pk)


def test_the_police_cannot_raise_flags_from_an_interview(world, ellie_completed):
    cse = FindingCode.objects.get(finding__interview=ellie_completed, code="cse")
    with pytest.raises(Refused):
        interview_raise_flag(actor=world.kent_police, interview=ellie_completed, code_id=cse.pk)
    assert not ChildFlag.objects.filter(child=world.ellie).exists()


# --- quality audit ------------------------------------------------------------------------------------------------

ALL_YES = {"voice": "yes", "reasons": "yes", "risks": "partly", "actions": "no"}


def test_a_manager_scores_an_interview_against_the_checklist(world, ellie_completed):
    audit = interview_quality_audit(actor=world.kent_team_manager, interview=ellie_completed, answers=ALL_YES,
                                    comment="Good use of the child's words")
    assert (audit.score, audit.max_score, audit.percent) == (5, 8, 62)
    assert audit.provider == world.rhi_org


def test_only_a_manager_of_the_responsible_authority_can_audit(world, ellie_completed):
    for persona in ("kent_social_worker", "kent_rhi_worker", "southwark_team_manager", "kent_police"):
        with pytest.raises(Refused):
            interview_quality_audit(actor=getattr(world, persona), interview=ellie_completed, answers=ALL_YES)


def test_every_question_must_be_answered(world, ellie_completed):
    with pytest.raises(Refused) as refused:
        interview_quality_audit(actor=world.kent_team_manager, interview=ellie_completed, answers={"voice": "yes"})
    assert fields(refused) == {"item-reasons", "item-risks", "item-actions"}
    assert not QualityAudit.objects.exists()


def test_an_interview_not_completed_cannot_be_audited(world, ellie_interview):
    with pytest.raises(Refused):
        interview_quality_audit(actor=world.kent_team_manager, interview=ellie_interview, answers=ALL_YES)


def test_the_checklist_is_configurable_per_authority(world, ellie_completed):
    checklist_set(actor=None, authority=world.kent, items=[{"key": "voice", "text": "Was the child heard?"},
                                                           {"key": "plan", "text": "Was a safety plan made?"}])
    audit = interview_quality_audit(actor=world.kent_team_manager, interview=ellie_completed,
                                    answers={"voice": "yes", "plan": "yes"})
    assert (audit.score, audit.max_score) == (4, 4)
    with pytest.raises(Refused):
        checklist_set(actor=None, authority=world.kent, items=[{"key": "a b", "text": ""}])


def test_interview_states_for_outcomes(world, ellie_completed):
    interview = Interview.objects.get(pk=ellie_completed.pk)
    assert interview.outcome == rules.COMPLETED
    assert not interview.overdue()
