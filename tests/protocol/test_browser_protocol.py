"""The protocol in a real browser: headless Chromium (Debian's) against a live server.

The journey (issue: "a high-risk episode raises a strategy discussion task on
the team manager's worklist; the return closes the escalation; the interview
task appears"), then axe-core on every protocol page.

The episode services do not publish events yet, so the test runs the
scheduler (`run_schedule`, what `homeward protocol run` does) after each
change, as the worker would within a minute. The protocol's URLs are not in
the main urlconf yet: tests/protocol/urls.py adds them.

Needs /usr/bin/chromium, the `playwright` Python package (never `playwright
install`), and the built assets and axe-core (`npm ci && npm run build`).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from tests.browser_support import SCREENSHOTS, browser, fill_when, run_axe, sign_in, sign_out, watch, with_csp  # noqa: F401


pytestmark = [pytest.mark.browser, 
              pytest.mark.filterwarnings("ignore:No directory at:UserWarning")]


def scheduler():
    """What the worker (`homeward protocol run`) does every minute."""
    from homeward.protocol.engine import run_schedule

    return run_schedule()


def test_high_risk_strategy_discussion_then_the_return_closes_the_escalation_and_the_interview_appears(
        live_server, transactional_world, browser):
    world = transactional_world
    base = live_server.url
    problems: list[str] = []
    found: list[dict] = []
    context = with_csp(browser.new_context(viewport={"width": 1280, "height": 1000}))
    page = context.new_page()
    watch(page, problems)

    # The missing officer reports Ellie missing at high risk, last seen 25 hours ago.
    sign_in(page, base, "kent.missing_officer", world.password)
    page.goto(f"{base}/children/{world.ellie.pk}/report-missing/")
    last_seen = timezone.now() - dt.timedelta(hours=25)
    fill_when(page, "last_seen", last_seen)
    page.get_by_label("Missing", exact=True).check()
    page.get_by_label("Risk level").select_option("high")
    page.get_by_role("button", name="Report missing").click()
    assert "Ellie Hart is recorded as missing" in page.locator(".govuk-notification-banner").inner_text()
    episode_url = page.url
    scheduler()
    # Not the missing officer's task: it is the team manager's.
    page.goto(f"{base}/tasks/")
    assert "Hold a strategy discussion" not in page.locator("main table").all_inner_texts().__str__()
    sign_out(page)

    # The team manager's worklist: the strategy discussion and the 24-hour escalation, overdue first.
    sign_in(page, base, "kent.team_manager", world.password)
    page.goto(f"{base}/tasks/")
    assert page.locator("h1").inner_text() == "My tasks"
    found += run_axe(page, "my tasks")
    strategy = page.locator("tbody tr", has_text="Hold a strategy discussion")
    assert strategy.count() == 1 and "Ellie Hart" in strategy.inner_text()
    escalation = page.locator("tbody tr", has_text="escalated to team manager")
    assert escalation.count() == 1 and "Overdue" not in strategy.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "homeward-tasks.png"), full_page=True)

    # Why am I seeing this?
    strategy.get_by_role("link").first.click()
    assert page.locator("h1").inner_text() == "Hold a strategy discussion"
    why = page.locator("main").inner_text()
    assert "Why am I seeing this?" in why and "Kent protocol, version 1" in why and "risk level high" in why
    found += run_axe(page, "task")
    page.goto(f"{base}/tasks/")
    page.locator("tbody tr", has_text="escalated to team manager").get_by_role("link").first.click()
    escalation_url = page.url
    assert "Open" in page.locator(".govuk-summary-list").first.inner_text()
    sign_out(page)

    # The child comes back: the missing officer records the return.
    sign_in(page, base, "kent.missing_officer", world.password)
    page.goto(episode_url)
    page.get_by_role("button", name="Record return").click()
    fill_when(page, "returned", timezone.now() - dt.timedelta(minutes=10))
    page.get_by_role("button", name="Record return").click()
    assert "return is recorded" in page.locator(".govuk-notification-banner").inner_text()
    scheduler()
    sign_out(page)

    # The escalation closed itself, saying why; the strategy discussion stays.
    sign_in(page, base, "kent.team_manager", world.password)
    page.goto(escalation_url)
    status = page.locator(".govuk-summary-list").first.inner_text()
    assert "Cancelled" in status and "The child returned on" in status
    found += run_axe(page, "cancelled task")
    page.goto(f"{base}/tasks/")
    assert page.locator("tbody tr", has_text="escalated to team manager").count() == 0
    assert page.locator("tbody tr", has_text="Hold a strategy discussion").count() == 1
    sign_out(page)

    # The interview task appears on the independent provider's list, with the child's name.
    sign_in(page, base, "kent.rhi", world.password)
    page.goto(f"{base}/tasks/")
    interview = page.locator("tbody tr", has_text="Offer a return home interview")
    assert interview.count() == 1 and "Ellie Hart" in interview.inner_text()
    found += run_axe(page, "provider's tasks")
    page.screenshot(path=str(SCREENSHOTS / "homeward-rhi-tasks.png"), full_page=True)
    sign_out(page)

    # A Southwark manager sees none of it.
    sign_in(page, base, "southwark.team_manager", world.password)
    page.goto(f"{base}/tasks/team/")
    assert "Ellie" not in page.content()
    assert page.goto(escalation_url).status == 404

    context.close()
    # The last page is a 404 on purpose: the browser logs that as a console error.
    assert not [p for p in problems if "404" not in p], problems
    assert not found, json.dumps(found, indent=2)


def test_every_protocol_page_has_no_serious_accessibility_problem(live_server, transactional_world, browser):
    from homeward.episodes.services import episode_report_missing
    from homeward.protocol.engine import evaluate_episodes
    from homeward.protocol.models import Task

    world = transactional_world
    world.southwark.missing_contact_email = "missing@southwark.example"
    world.southwark.save()
    base = live_server.url
    episode = episode_report_missing(actor=world.kent_police, child=world.jade, area_authority=world.kent,
                                     last_seen_at=timezone.now() - dt.timedelta(hours=80), risk_level="high",
                                     postcode="ME15 6AA")
    evaluate_episodes([episode.pk])
    task = Task.objects.filter(rule="notify_responsible_authority").first() or Task.objects.first()
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    found: list[dict] = []

    sign_in(page, base, "kent.team_manager", world.password)
    pages = [
        ("my tasks", "/tasks/"), ("team tasks", "/tasks/team/"), ("overdue", "/tasks/overdue/"),
        ("task", f"/tasks/{task.pk}/"), ("protocol", "/protocol/"), ("messages", "/protocol/messages/"),
        ("homes", "/protocol/homes/"), ("meetings", "/meetings/"), ("new meeting", "/meetings/new/"),
        ("monthly review", "/meetings/monthly-review/"), ("conferences", "/meetings/family-group-conferences/"),
    ]
    for label, url in pages:
        page.goto(base + url)
        assert page.locator("h1").count() == 1, label
        found += run_axe(page, label)
        page.screenshot(path=str(SCREENSHOTS / f"homeward-protocol-{label.replace(' ', '-')}.png"), full_page=True)

    # Forms with their error summaries.
    page.goto(f"{base}/tasks/{task.pk}/")
    page.get_by_role("button", name="Cancel the task").click()
    assert page.locator(".govuk-error-summary").count() == 1
    found += run_axe(page, "task with errors")
    page.goto(f"{base}/meetings/new/")
    page.get_by_role("button", name="Save the meeting").click()
    assert page.locator(".govuk-error-summary").count() == 1
    found += run_axe(page, "meeting form with errors")

    # A meeting, recorded and shown.
    page.goto(f"{base}/meetings/new/?kind=strategy_discussion&child={world.jade.pk}")
    fill_when(page, "held", timezone.now() - dt.timedelta(hours=1))
    page.locator("#attendee-1-name").fill("Sam Lee")
    page.locator("#attendee-1-organisation").fill("Kent County Council")
    page.locator("#decisions").fill("Strategy discussion held")
    page.get_by_role("button", name="Save the meeting").click()
    assert page.locator("h1").inner_text().startswith("Strategy discussion")
    found += run_axe(page, "meeting")
    page.get_by_role("button", name="Sign out").click()

    # The administrator's pages.
    sign_in(page, base, "kent.admin", world.password)
    for label, url in (("protocol (admin)", "/protocol/"), ("change the protocol", "/protocol/change/"),
                       ("upload", "/protocol/upload/"), ("messages (admin)", "/protocol/messages/")):
        page.goto(base + url)
        assert page.locator("h1").count() == 1, label
        found += run_axe(page, label)
        page.screenshot(path=str(SCREENSHOTS / f"homeward-protocol-{label.replace(' ', '-')}.png"), full_page=True)
    page.goto(f"{base}/protocol/change/")
    page.locator("#repeat_missing_meeting__count").fill("1")
    page.get_by_label("Why is the protocol changing?").fill("Test")
    page.get_by_role("button", name="Save as a new version").click()
    assert page.locator(".govuk-error-summary").count() == 1
    found += run_axe(page, "change the protocol with errors")
    page.locator("#repeat_missing_meeting__count").fill("3")
    page.locator("#repeat_missing_meeting__window_days").fill("30")
    page.get_by_role("button", name="Save as a new version").click()
    assert "Version 2 of the protocol is saved" in page.locator(".govuk-notification-banner").inner_text()
    found += run_axe(page, "protocol after a change")
    page.goto(f"{base}/tasks/")
    found += run_axe(page, "no worklist")

    # A narrow screen.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base}/protocol/")
    found += run_axe(page, "protocol on a narrow screen")
    context.close()
    assert not found, json.dumps(found, indent=2)
