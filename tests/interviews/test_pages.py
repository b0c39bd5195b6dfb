"""The interview pages: each renders for the people allowed to see it, with
GOV.UK markup and nothing inline; the forms save through the services and
show what is wrong; the figures count as definitions.md says."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.interviews.models import Finding, FindingCode, Interview, NamedPerson, NamedPlace, QualityAudit
from homeward.people.models import ChildFlag
from tests.web.test_pages import assert_page

from .conftest import WORDS, at, episode, interview_of

pytestmark = [
              pytest.mark.filterwarnings("ignore:No directory at:UserWarning")]


def pages(interview):
    base = f"/interviews/{interview.pk}/"
    child = interview.child.full_name
    return {
        "worklist": ("/interviews/", "Return interviews"),
        "detail": (base, f"{child}’s return interview"),
        "offer": (base + "offer/", f"Record the offer to {child}"),
        "record": (base + "record/", f"Record {child}’s interview"),
        "findings": (base + "findings/", f"Findings of {child}’s interview"),
        "allocate": (base + "allocate/", f"Allocate {child}’s interview"),
        "quality_audit": (base + "quality/", f"Audit {child}’s interview"),
        "quality": ("/interviews/quality/", "Return interview quality"),
        "figures": ("/interviews/figures/", "Return interview timeliness and outcomes"),
        "child": (f"/children/{interview.child_id}/interviews/", f"{child}: return interviews"),
    }


@pytest.mark.parametrize("persona, page", [
    ("kent_rhi_worker", "worklist"), ("kent_rhi_worker", "detail"), ("kent_rhi_worker", "findings"),
    ("kent_rhi_worker", "record"), ("kent_rhi_worker", "child"),
    ("kent_missing_officer", "worklist"), ("kent_missing_officer", "detail"), ("kent_missing_officer", "figures"),
    ("kent_social_worker", "detail"), ("kent_social_worker", "child"), ("kent_social_worker", "worklist"),
    ("kent_team_manager", "quality_audit"), ("kent_team_manager", "quality"), ("kent_team_manager", "figures"),
    ("kent_senior_manager", "figures"), ("kent_analyst", "figures"), ("kent_police", "detail"),
    ("kent_police", "child"), ("kent_police", "worklist"), ("oakview_staff", "worklist"),
])
def test_every_page_renders_for_a_persona_who_may_see_it(world, ellie_completed, signed_in, persona, page):
    url, title = pages(ellie_completed)[page]
    assert_page(signed_in(getattr(world, persona)).get(url), title=title)


@pytest.mark.parametrize("persona, page", [
    ("kent_rhi_worker", "offer"), ("kent_rhi_worker", "allocate"), ("kent_missing_officer", "allocate"),
    ("kent_rhi_worker", "worklist"), ("kent_rhi_worker", "detail"),
])
def test_the_pages_before_the_interview_render(world, ellie_interview, signed_in, persona, page):
    url, title = pages(ellie_interview)[page]
    assert_page(signed_in(getattr(world, persona)).get(url), title=title)


@pytest.mark.parametrize("persona, url", [
    ("kent_rhi_worker", "/interviews/figures/"), ("kent_police", "/interviews/figures/"),
    ("kent_social_worker", "/interviews/quality/"), ("kent_analyst", "/interviews/quality/"),
    ("kent_analyst", "/interviews/figures/children/?measure=required"),
    ("kent_police", "/interviews/figures/children/?measure=required"),
])
def test_reports_are_for_the_roles_that_run_the_service(world, ellie_completed, signed_in, persona, url):
    assert signed_in(getattr(world, persona)).get(url).status_code == 404


# --- recording through the pages ----------------------------------------------------------------------


def when(prefix: str, moment: dt.datetime) -> dict:
    local = timezone.localtime(moment)
    return {f"{prefix}-day": local.day, f"{prefix}-month": local.month, f"{prefix}-year": local.year,
            f"{prefix}-time": local.strftime("%H:%M")}


def test_a_worker_records_the_offer_the_interview_and_the_findings(world, ellie_interview, signed_in, now):
    client = signed_in(world.kent_rhi_worker)
    base = f"/interviews/{ellie_interview.pk}/"
    response = client.post(base + "offer/", {"answer": "accepted", **when("offered", now - dt.timedelta(hours=5))})
    assert response.status_code == 302 and response["Location"] == base
    response = client.post(base + "record/", {"who": "me", "venue": "Library",
                                              **when("completed", now - dt.timedelta(hours=1))})
    assert response.status_code == 302 and response["Location"] == base + "findings/"
    response = client.post(base + "findings/", {
        "words_text": WORDS, "reasons_codes": ["conflict", "school"], "reasons_text": "Rows at home",
        "exploitation_codes": ["county_lines"], "exploitation_text": "Carrying a package", "exploitation_shared": "yes",
        "push_text": "", "actions_codes": ["mash"],
    })
    assert response.status_code == 302
    interview = Interview.objects.get(pk=ellie_interview.pk)
    assert interview.outcome == "completed" and interview.interviewer == world.kent_rhi_worker
    assert interview.offered_in_time and interview.completed_in_time
    shared = dict(Finding.objects.filter(interview=interview).values_list("kind", "shared"))
    assert shared == {"words": False, "reasons": False, "exploitation": True, "actions": False}
    page = client.get(base).content.decode()
    assert "Raise the County lines flag" in page
    code = FindingCode.objects.get(finding__interview=interview, code="county_lines")
    response = client.post(base + "flags/", {"code_id": code.pk}, follow=True)
    assert "flag is on Ellie Hart’s record" in response.content.decode()
    assert ChildFlag.objects.filter(child=world.ellie, flag="county_lines", source=f"rhi:{interview.pk}").exists()
    assert "County lines flag raised" in client.get(base).content.decode()


def test_the_offer_form_shows_what_is_wrong(world, ellie_interview, signed_in, now):
    client = signed_in(world.kent_rhi_worker)
    html = assert_page(client.post(f"/interviews/{ellie_interview.pk}/offer/", {}),
                       title="Record the offer to Ellie Hart")
    assert "Choose what happened" in html
    html = client.post(f"/interviews/{ellie_interview.pk}/offer/", {
        "answer": "offered", **when("offered", now + dt.timedelta(hours=2))}).content.decode()
    assert "cannot be in the future" in html and 'href="#offered-day"' in html


def test_the_record_form_shows_what_is_wrong(world, ellie_interview, signed_in):
    client = signed_in(world.kent_rhi_worker)
    html = client.post(f"/interviews/{ellie_interview.pk}/record/", {"who": "other"}).content.decode()
    assert "Enter the date and time the interview took place" in html
    assert "Enter where the interview took place" in html
    assert "Enter the name of the person who did the interview" in html


def test_findings_with_a_bad_code_are_refused_and_kept_on_the_form(world, ellie_completed, signed_in):
    client = signed_in(world.kent_rhi_worker)
    html = client.post(f"/interviews/{ellie_completed.pk}/findings/", {
        "words_text": "Changed words", "reasons_codes": ["aliens"]}).content.decode()
    assert "is not one of the choices" in html and 'href="#reasons_codes"' in html
    assert "Changed words" in html
    assert Finding.objects.get(interview=ellie_completed, kind="words").text == WORDS


def test_places_and_people_are_added_and_removed_on_the_findings_page(world, ellie_completed, signed_in):
    client = signed_in(world.kent_rhi_worker)
    base = f"/interviews/{ellie_completed.pk}/"
    html = client.post(base + "places/", {"place_text": "", "place_postcode": "XX"}).content.decode()
    assert "Enter the place the child named" in html and "Enter a real postcode" in html
    client.post(base + "places/", {"place_text": "Maidstone East station", "place_postcode": "me14 1ql",
                                   "place_kind": "transport", "place_shared": "yes"})
    assert NamedPlace.objects.filter(interview=ellie_completed, postcode="ME14 1QL", shared=True).exists()
    html = client.post(base + "people/", {"person_name": "Jay", "person_age": "about 20"}).content.decode()
    assert "Enter the approximate age as a number" in html
    client.post(base + "people/", {"person_name": "Jay", "person_age": "20"})
    person = NamedPerson.objects.get(interview=ellie_completed, name="Jay")
    client.post(base + "named/remove/", {"kind": "person", "id": person.pk})
    assert not NamedPerson.objects.filter(pk=person.pk).exists()


def test_a_manager_allocates_an_interview(world, ellie_interview, signed_in):
    client = signed_in(world.kent_missing_officer)
    html = client.get(f"/interviews/{ellie_interview.pk}/allocate/").content.decode()
    assert "Kent Return Interviews" in html and "kent.rhi" in html
    response = client.post(f"/interviews/{ellie_interview.pk}/allocate/",
                           {"provider": world.rhi_org.pk, "worker": world.kent_rhi_worker.pk})
    assert response.status_code == 302
    assert Interview.objects.get(pk=ellie_interview.pk).worker == world.kent_rhi_worker


def test_a_manager_audits_the_quality_of_an_interview(world, ellie_completed, signed_in):
    client = signed_in(world.kent_team_manager)
    url = f"/interviews/{ellie_completed.pk}/quality/"
    html = client.post(url, {"item-voice": "yes"}).content.decode()
    assert "Answer: Were the reasons for going missing explored?" in html
    response = client.post(url, {"item-voice": "yes", "item-reasons": "yes", "item-risks": "yes",
                                 "item-actions": "partly", "comment": "Thorough"}, follow=True)
    assert "The quality audit is saved: 88%" in response.content.decode()
    assert QualityAudit.objects.get(interview=ellie_completed).score == 7
    html = client.get("/interviews/quality/").content.decode()
    assert "Kent Return Interviews" in html and "88%" in html


def test_an_episode_links_to_its_interview(world, ellie_interview, signed_in):
    response = signed_in(world.kent_social_worker).get(f"/episodes/{ellie_interview.episode_id}/interview/")
    assert response.status_code == 302 and response["Location"] == f"/interviews/{ellie_interview.pk}/"


def test_the_childs_timeline_shows_their_words_first(world, ellie_completed, signed_in):
    from django.template.loader import render_to_string

    from homeward.interviews.selectors import interviews_for_child

    html = render_to_string("interviews/_child_timeline.html", {
        "child": world.ellie, "interview_timeline": interviews_for_child(actor=world.kent_social_worker,
                                                                         child=world.ellie)})
    assert html.index("In Ellie’s own words") < html.index("Completed")
    assert "cousin" in html
    police = render_to_string("interviews/_child_timeline.html", {
        "child": world.ellie, "interview_timeline": interviews_for_child(actor=world.kent_police, child=world.ellie)})
    assert "cousin" not in police and "Completed" in police


# --- the figures ----------------------------------------------------------------------------------------------


@pytest.fixture
def figures_world(world, kai, mia, now):
    """In the month of 10 June 2025: Kai's interview completed in time, a
    second of his not required (missing again), Mia's (placed by Southwark)
    completed late by Southwark, and Ellie's declined."""
    from homeward.interviews.services import interview_record_completed, interview_record_offer

    first = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-01 20:00"),
                    returned=at("2025-06-02 10:00"))
    second = episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=at("2025-06-03 20:00"),
                     returned=at("2025-06-04 10:00"))
    interview_record_completed(actor=world.kent_rhi_worker, interview=interview_of(second),
                               completed_at=at("2025-06-05 10:00"), venue="School", interviewer=world.kent_rhi_worker)
    mias = episode(actor=world.kent_police, child=mia, area=world.kent, last_seen=at("2025-06-09 20:00"),
                   returned=at("2025-06-10 10:00"))
    interview_record_completed(actor=world.southwark_missing_officer, interview=interview_of(mias),
                               completed_at=at("2025-06-20 10:00"), venue="Café", interviewer_name="Sam Lowe")
    ellies = episode(actor=world.kent_missing_officer, child=world.ellie, area=world.kent,
                     last_seen=at("2025-06-15 20:00"), returned=at("2025-06-16 10:00"))
    interview_record_offer(actor=world.kent_rhi_worker, interview=interview_of(ellies),
                           answer="declined_by_parent_or_carer", offered_at=at("2025-06-16 15:00"))
    return {"first": first, "second": second, "mia": mias, "ellie": ellies}


def period_for(day: dt.date) -> str:
    year = day.year if day.month >= 4 else day.year - 1
    return f"fy{year}"


def test_the_figures_count_by_definitions_md(world, figures_world, signed_in):
    from homeward.interviews.selectors import interview_figures

    kent = interview_figures(actor=world.kent_team_manager, start=dt.date(2025, 4, 1), end=dt.date(2026, 4, 1))
    june = next(r for r in kent.months if r.key == "2025-06")
    assert {k: v for k, v in june.counts.items() if v} == {
        "ended": 4, "not_required": 2, "not_required_new_episode": 1, "not_required_placed_by_other_authority": 1,
        "required": 2, "offered_in_time": 2, "completed": 1, "completed_in_time": 1, "declined": 1,
        "declined_by_parent_or_carer": 1,
    }
    assert june.pct("completed_in_time") == "50%"
    assert [r.key for r in kent.months][:2] == ["2025-04", "2025-05"] and len(kent.months) == 12
    southwark = interview_figures(actor=world.southwark_team_manager, start=dt.date(2025, 4, 1),
                                  end=dt.date(2026, 4, 1))
    assert {k: v for k, v in southwark.total.counts.items() if v} == {"ended": 1, "required": 1, "completed": 1}


def test_the_figures_page_links_each_number_to_the_children_behind_it(world, figures_world, signed_in):
    client = signed_in(world.kent_team_manager)
    period = period_for(dt.date(2025, 6, 1))
    if period not in client.get("/interviews/figures/").content.decode():
        pytest.skip("June 2025 is no longer among the periods offered")
    html = client.get(f"/interviews/figures/?period={period}").content.decode()
    assert f"/interviews/figures/children/?period={period}&amp;measure=declined&amp;month=2025-06" in html
    html = client.get(f"/interviews/figures/children/?period={period}&measure=declined&month=2025-06").content.decode()
    assert "Ellie Hart" in html and "Kai Morgan" not in html
    html = client.get(f"/interviews/figures/children/?period={period}"
                      "&measure=not_required_placed_by_other_authority").content.decode()
    assert "Mia Stone" in html


def test_an_analyst_sees_the_numbers_without_names_or_links(world, figures_world, signed_in):
    period = period_for(dt.date(2025, 6, 1))
    html = signed_in(world.kent_analyst).get(f"/interviews/figures/?period={period}").content.decode()
    assert "/interviews/figures/children/" not in html and "Ellie" not in html


def test_an_unknown_figure_or_provider_is_404(world, figures_world, signed_in):
    client = signed_in(world.kent_team_manager)
    assert client.get("/interviews/figures/children/?measure=everything").status_code == 404
    assert client.get("/interviews/figures/children/?measure=required&provider=abc").status_code == 404
    assert client.get("/interviews/figures/children/?measure=required&month=2025-13").status_code == 404
