"""The pages in a real browser: headless Chromium (Debian's) against a live server.

One journey (a missing officer reports Ellie missing and records her return;
a Southwark worker cannot open her record), and axe-core on every page.

Needs /usr/bin/chromium (`apt-get install chromium`), the `playwright` Python
package (never `playwright install`: Debian's browser is used), and the built
assets and axe-core (`npm ci && npm run build`).
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from playwright.sync_api import expect
from django.utils import timezone
from tests.browser_support import SCREENSHOTS, browser, fill_when, run_axe, sign_in, watch, with_csp  # noqa: F401


pytestmark = pytest.mark.browser


def test_missing_officer_reports_ellie_missing_and_records_her_return(live_server, transactional_world, browser):
    world = transactional_world
    base = live_server.url
    problems: list[str] = []
    context = with_csp(browser.new_context(viewport={"width": 1280, "height": 1000}))
    page = context.new_page()
    watch(page, problems, failed_requests=True)

    # Not signed in: the home page asks to sign in.
    page.goto(f"{base}/")
    assert "/sign-in/" in page.url
    sign_in(page, base, "kent.missing_officer", world.password)
    assert page.locator("h1").inner_text() == "Missing now"

    # The stylesheet and GOV.UK Frontend's JavaScript are loaded from the live server.
    assert page.evaluate("getComputedStyle(document.querySelector('.govuk-header')).backgroundColor") == "rgb(11, 12, 12)"
    assert "system-ui" in page.evaluate("getComputedStyle(document.querySelector('.govuk-heading-l')).fontFamily")
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    assert "Kent County Council" in page.locator("header").inner_text()

    # Find Ellie.
    page.get_by_role("link", name="Children", exact=True).click()
    page.get_by_label("Search by name or identifier").fill("Ellie")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Ellie Hart", exact=True).click()
    assert page.locator("h1").inner_text() == "Ellie Hart"

    # Report her missing.
    page.get_by_role("button", name="Report missing").click()
    last_seen = timezone.now() - dt.timedelta(hours=3)
    fill_when(page, "last_seen", last_seen)
    page.get_by_label("Missing", exact=True).check()
    page.get_by_label("Risk level").select_option("high")
    page.get_by_label("Postcode the child went missing from (optional)").fill("CT2 7NZ")
    page.get_by_label("Notes (optional)").fill("Left after an argument")
    page.get_by_role("button", name="Report missing").click()
    assert "Ellie Hart is recorded as missing" in page.locator(".govuk-notification-banner").inner_text()

    # She is on the home page.
    page.get_by_role("link", name="Missing now").click()
    row = page.locator("tbody tr", has_text="Ellie Hart")
    assert row.count() == 1
    assert "High" in row.inner_text() and "3 hours" in row.inner_text() and "Kent" in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "homeward-home.png"), full_page=True)

    # Record her return: first a time before she was last seen, which is refused.
    page.get_by_role("link", name="Ellie Hart", exact=True).click()
    page.get_by_role("button", name="Record return").click()
    fill_when(page, "returned", last_seen - dt.timedelta(hours=1))
    page.get_by_role("button", name="Record return").click()
    summary = page.locator(".govuk-error-summary")
    assert "The return cannot be before the time the child was last seen" in summary.inner_text()
    # The error summary takes focus, and its link goes to the first box of the date.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "returned-day"

    fill_when(page, "returned", last_seen + dt.timedelta(hours=2))
    page.get_by_label("Where the child was found (optional)").fill("Canterbury bus station")
    page.get_by_role("button", name="Record return").click()
    assert "return is recorded" in page.locator(".govuk-notification-banner").inner_text()

    # The episode is on her timeline, ended, with its duration.
    timeline = page.locator("table", has_text="Missing episodes, newest first")
    assert timeline.locator("tbody tr").count() == 1
    assert "2 hours 0 minutes" in timeline.inner_text() and "High" in timeline.inner_text()
    assert "Missing now" not in timeline.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "homeward-child.png"), full_page=True)
    ellie_url = page.url

    # Sign out (a POST), then a Southwark social worker cannot open Ellie's record.
    page.get_by_role("button", name="Sign out").click()
    assert "/sign-in/" in page.url
    sign_in(page, base, "southwark.social_worker", world.password)
    response = page.goto(ellie_url)
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert "Ellie" not in page.content()

    context.close()
    assert not [p for p in problems if "404" not in p or "/static/" in p], problems


def test_every_page_has_no_serious_accessibility_problem(live_server, transactional_world, browser):
    from homeward.episodes.services import episode_report_missing

    world = transactional_world
    base = live_server.url
    episode = episode_report_missing(actor=world.kent_police, child=world.callum, area_authority=world.kent,
                                     last_seen_at=timezone.now() - dt.timedelta(hours=30), risk_level="medium",
                                     postcode="ME15 6AA")
    # axe is injected as a script of the test's own: the page's policy would refuse it.
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, bypass_csp=True)
    page = context.new_page()
    found: list[dict] = []

    page.goto(f"{base}/sign-in/")
    found += run_axe(page, "sign in")
    page.get_by_role("button", name="Sign in").click()  # empty: the error summary
    found += run_axe(page, "sign in with errors")
    sign_in(page, base, "kent.missing_officer", world.password)
    pages = [
        ("home", "/"),
        ("children", "/children/?q=e"),
        ("child", f"/children/{world.callum.pk}/"),
        ("episode", f"/episodes/{episode.pk}/"),
        ("report missing (find the child)", "/report-missing/?q=Hart"),
        ("report missing", f"/children/{world.ellie.pk}/report-missing/"),
        ("record return", f"/episodes/{episode.pk}/return/"),
        ("account", "/account/"),
        ("import notifications", "/imports/"),
        ("possible duplicates", "/reviews/"),
    ]
    for label, url in pages:
        page.goto(base + url)
        assert page.locator("h1").count() == 1, label
        found += run_axe(page, label)

    # The forms with their error summaries.
    page.goto(f"{base}/episodes/{episode.pk}/return/")
    page.locator("#returned-day").fill("31")
    page.locator("#returned-month").fill("2")
    page.locator("#returned-year").fill("2025")
    page.locator("#returned-time").fill("25:00")
    page.get_by_role("button", name="Record return").click()
    assert page.locator(".govuk-error-summary").count() == 1
    found += run_axe(page, "record return with errors")
    page.goto(f"{base}/children/{world.ellie.pk}/report-missing/")
    page.get_by_role("button", name="Report missing").click()
    assert page.locator(".govuk-error-summary").count() == 1
    found += run_axe(page, "report missing with errors")
    page.goto(f"{base}/episodes/{episode.pk}/")
    page.get_by_role("button", name="Change the risk level").click()
    found += run_axe(page, "episode with errors")
    page.goto(f"{base}/account/")
    page.get_by_label("Name for a new token").fill("Script")
    page.get_by_role("button", name="Create a token").click()
    found += run_axe(page, "account with a new token")
    page.goto(f"{base}/imports/")
    page.get_by_role("button", name="Import").click()
    assert page.locator(".govuk-error-summary").count() == 1
    found += run_axe(page, "import with errors")
    page.goto(f"{base}/children/999999/")
    found += run_axe(page, "page not found")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "kent.auditor", world.password)
    page.goto(f"{base}/audit/?username=kent.missing_officer")
    found += run_axe(page, "audit")
    page.goto(f"{base}/")
    found += run_axe(page, "home for a role without named records")

    # A narrow screen: the navigation collapses behind a Menu button.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base}/")
    assert page.get_by_role("button", name="Menu").is_visible()
    found += run_axe(page, "home on a narrow screen")

    context.close()
    assert not found, json.dumps(found, indent=2)
