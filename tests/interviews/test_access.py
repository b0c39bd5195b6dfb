"""Who sees an interview, and how much of it: through the selectors and
through the pages, with a persona who must not see each kind of record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from homeward.access.models import AuditEvent
from homeward.interviews import access
from homeward.interviews.selectors import interview_get, interview_worklist, interviews_for_child

from .conftest import WORDS, at, episode, interview_of


SECRET_REASON = "Arguments about curfew"  # the reasons section: not shared
SHARED_EXPLOITATION = "An older man offered lifts"  # shared with the police
SHARED_PLACE = "Flat above the chip shop"
UNSHARED_PERSON = "Drives a black car"


# --- the selectors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["kent_social_worker", "kent_missing_officer", "kent_team_manager",
                                     "kent_senior_manager", "kent_rhi_worker"])
def test_the_roles_that_need_it_see_the_whole_interview(world, ellie_completed, persona):
    read = interview_get(actor=getattr(world, persona), pk=ellie_completed.pk)
    assert read.access == access.FULL
    assert read.words.text == WORDS
    assert {f.kind for f in read.findings} == {"reasons", "exploitation", "actions"}
    assert len(read.places) == 1 and len(read.people) == 1


def test_the_police_see_only_the_findings_marked_as_shared(world, ellie_completed):
    read = interview_get(actor=world.kent_police, pk=ellie_completed.pk)
    assert read.access == access.SHARED
    assert read.words is None  # not shared
    assert {f.kind for f in read.findings} == {"exploitation", "actions"}
    assert [p.text for p in read.places] == ["Flat above the chip shop, King Street"]
    assert read.people == []


def test_the_police_see_the_childs_words_only_if_shared(world, ellie_completed):
    from homeward.interviews.models import Finding

    Finding.objects.filter(interview=ellie_completed, kind="words").update(shared=True)
    assert interview_get(actor=world.kent_police, pk=ellie_completed.pk).words.text == WORDS


def test_care_staff_see_that_an_interview_happened_not_what_was_said(world, kai):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"))
    interview = interview_of(ep)
    from homeward.interviews.services import Section, interview_record_completed, interview_record_findings

    interview_record_completed(actor=world.kent_rhi_worker, interview=interview, completed_at=at("2025-06-11 10:00"),
                               venue="School", interviewer=world.kent_rhi_worker)
    interview_record_findings(actor=world.kent_rhi_worker, interview=interview,
                              sections={"words": Section(text=WORDS, shared=True)})
    read = interview_get(actor=world.oakview_staff, pk=interview.pk)
    assert read.access == access.STATUS
    assert read.words is None and read.findings == [] and read.places == [] and read.people == []


@pytest.mark.parametrize("persona", ["met_police", "kent_analyst", "kent_auditor", "kent_admin", "oakview_staff",
                                     "southwark_social_worker", "southwark_missing_officer"])
def test_a_persona_outside_the_scope_gets_404_and_the_refusal_is_audited(world, ellie_completed, persona):
    with pytest.raises(Http404):
        interview_get(actor=getattr(world, persona), pk=ellie_completed.pk)
    event = AuditEvent.objects.filter(action="denied", object_type="interview").latest("id")
    assert event.object_id == str(ellie_completed.pk)


def test_every_read_is_audited_with_the_access_given(world, ellie_completed):
    interview_get(actor=world.kent_police, pk=ellie_completed.pk)
    event = AuditEvent.objects.filter(action="read", object_type="interview").latest("id")
    assert (event.actor_username, event.child_id, event.payload) == ("kent.police", world.ellie.pk,
                                                                     {"access": "shared"})
    interviews_for_child(actor=world.kent_social_worker, child=world.ellie)
    event = AuditEvent.objects.filter(action="read", object_type="interview").latest("id")
    assert event.actor_username == "kent.social_worker" and event.payload["interviews"] == [ellie_completed.pk]


def test_another_provider_does_not_see_the_child_or_the_interview(world, ellie_interview):
    from homeward.access.models import Organisation
    from homeward.access.roles import Role
    from homeward.access.services import user_create

    org = Organisation.objects.create(name="Medway Return Interviews", kind="rhi_provider")
    other = user_create(actor=None, username="medway.rhi", password=None, organisation=org, role=Role.RHI_WORKER)
    with pytest.raises(Http404):
        interview_get(actor=other, pk=ellie_interview.pk)
    assert interview_worklist(actor=other).items == []


# --- the worklist ---------------------------------------------------------------------------------------


def test_the_worklist_shows_due_interviews_overdue_first_with_the_time_left(world, kai, ellie_interview, now):
    late = interview_of(episode(actor=world.kent_police, child=kai, area=world.kent,
                                last_seen=now - dt.timedelta(hours=90), returned=now - dt.timedelta(hours=80)))
    work = interview_worklist(actor=world.kent_rhi_worker, now=now)
    assert [i.interview.pk for i in work.items] == [late.pk, ellie_interview.pk]
    assert work.items[0].overdue and work.items[0].time_left == "Overdue by 8 hours 0 minutes"
    assert not work.items[1].overdue and work.items[1].time_left == "2 days 14 hours left"
    assert AuditEvent.objects.filter(action="list", object_type="interview").latest("id").payload["child_ids"] == [
        kai.pk, world.ellie.pk]


def test_interviews_long_overdue_are_counted_not_listed(world, kai, ellie_interview, now):
    old = interview_of(episode(actor=world.kent_police, child=kai, area=world.kent,
                               last_seen=at("2025-06-09 20:00"), returned=at("2025-06-10 10:00")))
    assert old.provider == world.rhi_org  # allocated when it happened
    work = interview_worklist(actor=world.kent_rhi_worker, now=now)
    assert [i.interview.pk for i in work.items] == [ellie_interview.pk] and work.older == 1


def test_only_mine_shows_the_interviews_allocated_to_me(world, ellie_interview):
    assert interview_worklist(actor=world.kent_rhi_worker, show="mine").items == []
    from homeward.interviews.services import interview_allocate

    interview_allocate(actor=world.kent_rhi_worker, interview=ellie_interview, provider=world.rhi_org,
                       worker=world.kent_rhi_worker)
    assert len(interview_worklist(actor=world.kent_rhi_worker, show="mine").items) == 1


def test_the_council_worklist_is_its_authoritys_and_excludes_not_required(world, kai, mia, ellie_interview, now):
    episode(actor=world.kent_police, child=mia, area=world.kent, last_seen=now - dt.timedelta(hours=30),
            returned=now - dt.timedelta(hours=20))
    kent = interview_worklist(actor=world.kent_missing_officer)
    assert [i.interview.child for i in kent.items] == [world.ellie]
    southwark = interview_worklist(actor=world.southwark_missing_officer)
    assert [i.interview.child for i in southwark.items] == [mia]  # Southwark's child, placed in Kent
    assert interview_worklist(actor=world.kent_police).items == []


# --- the pages -------------------------------------------------------------------------------------------


def interview_urls(interview):
    base = f"/interviews/{interview.pk}/"
    return [base, base + "offer/", base + "record/", base + "findings/", base + "allocate/", base + "quality/",
            f"/episodes/{interview.episode_id}/interview/", f"/children/{interview.child_id}/interviews/"]


@pytest.mark.parametrize("persona", ["met_police", "kent_analyst", "kent_auditor", "kent_admin", "oakview_staff",
                                     "southwark_social_worker", "southwark_team_manager"])
def test_persona_outside_scope_gets_404_for_every_interview_page(world, ellie_completed, signed_in, persona):
    client = signed_in(getattr(world, persona))
    for url in interview_urls(ellie_completed):
        response = client.get(url)
        assert response.status_code == 404, url
        assert WORDS not in response.content.decode()
    for url in ("places/", "people/", "flags/", "named/remove/", "offer/", "record/", "findings/", "quality/"):
        assert client.post(f"/interviews/{ellie_completed.pk}/{url}", {}).status_code == 404, url


def test_the_police_page_shows_only_the_shared_findings(world, ellie_completed, signed_in):
    html = signed_in(world.kent_police).get(f"/interviews/{ellie_completed.pk}/").content.decode()
    assert SHARED_EXPLOITATION in html and SHARED_PLACE in html
    assert WORDS.replace("'", "&#x27;") not in html and SECRET_REASON not in html and UNSHARED_PERSON not in html
    assert "Canterbury youth centre" not in html  # the venue is not for the police
    assert "what the interviewer shared with the police" in html


def test_the_police_cannot_record_or_audit(world, ellie_completed, signed_in):
    client = signed_in(world.kent_police)
    for url in ("offer/", "record/", "findings/", "allocate/", "quality/"):
        assert client.get(f"/interviews/{ellie_completed.pk}/{url}").status_code == 403, url


def test_care_staff_pages_show_no_interview_text(world, kai, signed_in):
    ep = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-09 20:00"),
                 returned=at("2025-06-10 10:00"))
    interview = interview_of(ep)
    from homeward.interviews.services import Section, interview_record_completed, interview_record_findings

    interview_record_completed(actor=world.kent_rhi_worker, interview=interview, completed_at=at("2025-06-11 10:00"),
                               venue="Kai's school", interviewer=world.kent_rhi_worker)
    interview_record_findings(actor=world.kent_rhi_worker, interview=interview,
                              sections={"words": Section(text="Nobody at the home listens", shared=True)})
    client = signed_in(world.oakview_staff)
    for url in (f"/interviews/{interview.pk}/", f"/children/{kai.pk}/interviews/"):
        html = client.get(url).content.decode()
        assert "Nobody at the home listens" not in html and "Kai&#x27;s school" not in html, url
    assert client.get(f"/interviews/{interview.pk}/findings/").status_code == 403


def test_the_social_worker_sees_the_childs_words_first(world, ellie_completed, signed_in):
    html = signed_in(world.kent_social_worker).get(f"/interviews/{ellie_completed.pk}/").content.decode()
    main = html[html.index("<main"):]
    words = main.index("own words")
    assert words < main.index("The interview</h2>") and words < main.index("Findings")
    assert SECRET_REASON in html and UNSHARED_PERSON in html
