"""The return interview pages in a real browser (Debian's headless Chromium
against a live server), as in tests/web/test_browser.py.

One journey: a return-interview worker sees Ellie's interview due on their
worklist with the time left, records the offer, the interview and its
findings (her own words, reasons, a CSE indicator shared with the police, a
place), and raises the CSE flag; her social worker sees it all, her words
first; a police officer sees only the shared findings. Then axe-core on
every interview page, with and without errors.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from homeward.episodes.services import episode_record_return, episode_report_missing
from homeward.interviews.services import interviews_sync
from tests.browser_support import SCREENSHOTS, browser, fill_when, run_axe, sign_in, sign_out, watch, with_csp  # noqa: F401


pytestmark = [pytest.mark.browser]

WORDS = "I just wanted to see my nan. Nobody listens when I say I miss her."


def ellie_back(world, *, hours_ago: int = 10):
    now = timezone.now().replace(second=0, microsecond=0)
    episode = episode_report_missing(actor=world.kent_missing_officer, child=world.ellie, area_authority=world.kent,
                                     last_seen_at=now - dt.timedelta(hours=hours_ago + 6), risk_level="medium",
                                     postcode="CT2 7NZ")
    episode = episode_record_return(actor=world.kent_missing_officer, episode=episode,
                                    returned_at=now - dt.timedelta(hours=hours_ago))
    interviews_sync(episode_ids=[episode.pk])
    return episode


def test_worker_records_an_interview_the_social_worker_sees_it_the_police_see_only_what_is_shared(
        live_server, transactional_world, browser):
    world = transactional_world
    base = live_server.url
    ellie_back(world)
    problems: list[str] = []
    context = with_csp(browser.new_context(viewport={"width": 1280, "height": 1000}))
    page = context.new_page()
    watch(page, problems)

    # The return-interview worker's worklist: Ellie, due, with the time left.
    sign_in(page, base, "kent.rhi", world.password)
    page.goto(f"{base}/interviews/")
    assert page.locator("h1").inner_text() == "Return interviews"
    row = page.locator("tbody tr", has_text="Ellie Hart")
    assert row.count() == 1
    assert re.search(r"2 days 1[34] hours left", row.inner_text()) and "Due" in row.inner_text()
    row.get_by_role("link", name="Ellie Hart").click()
    assert "Ellie Hart, returned" in page.locator("h1").inner_text()

    # The offer: first with no answer, which is refused.
    page.get_by_role("button", name="Record the offer").click()
    page.get_by_role("button", name="Save the offer").click()
    assert "Choose what happened" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Accepted: the interview is arranged").check()
    fill_when(page, "offered", timezone.now() - dt.timedelta(hours=6))
    page.get_by_role("button", name="Save the offer").click()
    assert "The offer to Ellie is recorded" in page.locator(".govuk-notification-banner").inner_text()

    # The interview itself.
    page.get_by_role("button", name="Record the interview").click()
    fill_when(page, "completed", timezone.now() - dt.timedelta(hours=1))
    page.get_by_label("Where did it take place?").fill("Canterbury library")
    page.get_by_label("I did").check()
    page.get_by_role("button", name="Save and record the findings").click()
    assert page.locator("h1").inner_text() == "Findings of the interview"

    # The findings: her words, reasons, a CSE indicator shared with the police, a place.
    page.get_by_label("What the child said, in their words").fill(WORDS)
    page.get_by_label("Contact with family or friends").check()
    page.get_by_label("Conflict at home or in the placement").check()
    page.get_by_label("More about the reasons").fill("Rows with mum about seeing her nan")
    page.get_by_label("Child sexual exploitation (CSE)").check()
    page.get_by_label("What points to it").fill("A man in his twenties gave her lifts and gifts")
    page.locator("#exploitation_shared").check()
    page.get_by_label("Referred to the exploitation team").check()
    page.get_by_role("button", name="Save the findings").click()
    assert "The findings are saved" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("button", name="Record the findings").click()
    page.get_by_label("Place", exact=True).fill("Car park behind the leisure centre")
    page.get_by_label("Postcode (optional)").fill("ct1 1aa")
    page.get_by_label("Kind of place").select_option("public_place")
    page.get_by_label("Share this place with the police").check()
    page.get_by_role("button", name="Add the place").click()
    assert "The place is added" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("link", name="Back to the interview").click()

    # Her own words come first; the CSE finding raises the flag with one click.
    main = page.locator("main")
    text = main.inner_text()
    assert text.index("In Ellie’s own words") < text.index("The interview") < text.index("Findings")
    assert WORDS in text
    page.get_by_role("button", name="Raise the Child sexual exploitation flag").click()
    assert "flag is on Ellie Hart’s record" in page.locator(".govuk-notification-banner").inner_text()
    assert "Child sexual exploitation flag raised" in page.locator("main").inner_text()
    interview_url = page.url
    page.screenshot(path=str(SCREENSHOTS / "homeward-interview.png"), full_page=True)
    sign_out(page)

    # Her social worker sees the whole interview, her words first, on her record too.
    sign_in(page, base, "kent.social_worker", world.password)
    page.goto(interview_url)
    text = page.locator("main").inner_text()
    assert WORDS in text and "Rows with mum" in text and "Canterbury library" in text
    page.goto(f"{base}/children/{world.ellie.pk}/interviews/")
    timeline = page.locator("section", has_text="Return interviews").inner_text()
    assert timeline.index("In Ellie’s own words") < timeline.index("Completed in time")
    assert WORDS in timeline
    sign_out(page)

    # The police see only what was shared.
    sign_in(page, base, "kent.police", world.password)
    page.goto(interview_url)
    text = page.locator("main").inner_text()
    assert "A man in his twenties gave her lifts and gifts" in text
    assert "Car park behind the leisure centre" in text
    assert WORDS not in text and "Rows with mum" not in text and "Canterbury library" not in text
    assert "Contact with family or friends" not in text
    assert "what the interviewer shared with the police" in text
    page.screenshot(path=str(SCREENSHOTS / "homeward-interview-police.png"), full_page=True)
    sign_out(page)

    # Someone outside the scope gets nothing.
    sign_in(page, base, "met.police", world.password)
    assert page.goto(interview_url).status == 404
    assert WORDS not in page.content()

    context.close()
    assert not [p for p in problems if "404" not in p or "/static/" in p], problems


def test_every_interview_page_has_no_serious_accessibility_problem(live_server, transactional_world, browser):
    from homeward.interviews.models import Interview
    from homeward.interviews.services import (
        Section, interview_record_completed, interview_record_findings,
    )

    world = transactional_world
    base = live_server.url
    from .conftest import at

    # An earlier episode of Ellie's, whose interview is completed with findings.
    older = episode_report_missing(actor=world.kent_missing_officer, child=world.ellie, area_authority=world.kent,
                                   last_seen_at=at("2026-06-01 20:00"), postcode="CT2 7NZ")
    older = episode_record_return(actor=world.kent_missing_officer, episode=older, returned_at=at("2026-06-02 10:00"))
    interviews_sync(episode_ids=[older.pk], now=at("2026-06-02 10:01"))  # as the event did, then
    done = Interview.objects.get(episode=older)
    interview_record_completed(actor=world.kent_rhi_worker, interview=done, completed_at=at("2026-06-03 16:00"),
                               venue="School", interviewer=world.kent_rhi_worker)
    interview_record_findings(actor=world.kent_rhi_worker, interview=done, sections={
        "words": Section(text=WORDS), "reasons": Section(codes=["school"]),
        "exploitation": Section(codes=["cce"], text="Asked to carry a bag", shared=True)})
    interview = Interview.objects.get(episode=ellie_back(world, hours_ago=80))  # overdue

    # axe-core is injected as a script, which the Content Security Policy would block.
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, bypass_csp=True)
    page = context.new_page()
    found: list[dict] = []

    def check(label, url):
        response = page.goto(base + url)
        assert response.status == 200, (label, url, response.status)
        assert page.locator("h1").count() == 1, label
        found.extend(run_axe(page, label))

    sign_in(page, base, "kent.rhi", world.password)
    check("worklist", "/interviews/")
    check("interview, open and overdue", f"/interviews/{interview.pk}/")
    check("offer", f"/interviews/{interview.pk}/offer/")
    page.get_by_role("button", name="Save the offer").click()
    assert page.locator(".govuk-error-summary").count() == 1
    found += run_axe(page, "offer with errors")
    check("record", f"/interviews/{interview.pk}/record/")
    page.get_by_label("Someone else", exact=True).check()
    page.get_by_role("button", name="Save and record the findings").click()
    assert page.locator(".govuk-error-summary").count() == 1
    found += run_axe(page, "record with errors")
    check("allocate", f"/interviews/{interview.pk}/allocate/")
    check("interview, completed, with flag buttons", f"/interviews/{done.pk}/")
    check("findings", f"/interviews/{done.pk}/findings/")
    page.get_by_role("button", name="Add the place").click()
    assert page.locator(".govuk-error-summary").count() == 1
    found += run_axe(page, "findings with errors")
    check("child's interviews", f"/children/{world.ellie.pk}/interviews/")
    sign_out(page)

    sign_in(page, base, "kent.team_manager", world.password)
    check("figures", "/interviews/figures/?period=fy2026")
    check("figures: children", "/interviews/figures/children/?period=fy2026&measure=ended")
    check("quality audit", f"/interviews/{done.pk}/quality/")
    page.get_by_role("button", name="Save the audit").click()
    assert page.locator(".govuk-error-summary").count() == 1
    found += run_axe(page, "quality audit with errors")
    check("quality", "/interviews/quality/")
    sign_out(page)

    sign_in(page, base, "kent.police", world.password)
    check("interview as the police", f"/interviews/{done.pk}/")
    check("worklist for a role without one", "/interviews/")
    sign_out(page)
    sign_in(page, base, "kent.analyst", world.password)
    check("figures for an analyst", "/interviews/figures/")

    page.set_viewport_size({"width": 375, "height": 800})
    check("figures on a narrow screen", "/interviews/figures/")

    context.close()
    assert not found, json.dumps(found, indent=2)
