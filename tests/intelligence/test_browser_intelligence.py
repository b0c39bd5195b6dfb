"""The intelligence pages in a real browser: headless Chromium (Debian's)
against a live server, with the strict Content-Security-Policy, and axe-core
on every page (no serious or critical violation).

The journey: the exploitation officer opens Callum's links (he went missing
from Oakview with Jade), adds a person of concern from there, links them,
sees the network and the panel's shortlist; a social worker is refused; a
Southwark manager does not see Callum.

Needs /usr/bin/chromium, the `playwright` Python package (never `playwright
install`), and the built assets and axe-core (`npm ci && npm run build`).
With CI=true their absence fails the test instead of skipping it.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from .conftest import make_episode, moment
from tests.browser_support import SCREENSHOTS, browser, run_axe, sign_in, sign_out, watch, with_csp  # noqa: F401


pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore:No directory at:UserWarning")]


def follow(page, locator):
    """Click something that loads a new page, and wait for that page."""
    with page.expect_navigation():
        locator.click()


def test_the_exploitation_officer_follows_the_links_and_every_page_passes_axe(
        live_server, transactional_world, browser):
    from homeward.intelligence.services import person_link_child, person_of_concern_create

    world = transactional_world
    start = moment(10)
    make_episode(actor=world.kent_police, child=world.callum, area=world.kent, last_seen=start,
                 returned=start + dt.timedelta(hours=20), found_postcode="CT1 1QU", found_where="Maidstone station")
    make_episode(actor=world.kent_police, child=world.jade, area=world.kent,
                 last_seen=start + dt.timedelta(minutes=40), returned=start + dt.timedelta(hours=21),
                 found_postcode="CT1 1QU", found_where="Maidstone station")
    officer = world.kent_exploitation_officer
    dean = person_of_concern_create(actor=officer, name="Dean Mills", aliases=["Deano"], phones=["07700 900123"],
                                    vehicles=[("AB12 CDE", "black Audi A3")], age_from=24, age_to=28)
    person_link_child(actor=officer, person=dean, child=world.jade, nature="stayed_with", source="officer",
                      noted_on=timezone.localdate() - dt.timedelta(days=8))

    base = live_server.url
    problems: list[str] = []
    found: list[dict] = []
    context = with_csp(browser.new_context(viewport={"width": 1280, "height": 1000}))
    page = context.new_page()
    watch(page, problems)

    sign_in(page, base, "kent.exploitation_officer", world.password)
    page.goto(f"{base}/children/{world.callum.pk}/links/")
    assert "Callum Reid: links" in page.locator("h1").inner_text()
    together = page.locator("#episodes + p + .hw-table-wrapper tbody tr", has_text="Went missing together")
    assert together.count() == 1 and "Jade Okafor" in together.inner_text() and "40 minutes" in together.inner_text()
    found += run_axe(page, "child links")

    # Dean is already known: link him to Callum from Callum's links.
    follow(page, page.get_by_role("button", name="Link a person of concern"))
    found += run_axe(page, "choose a person")
    page.get_by_label("Find the person").fill("07700900123")
    follow(page, page.get_by_role("button", name="Search"))
    follow(page, page.locator("tbody tr", has_text="Dean Mills").get_by_role("link", name="Link"))
    assert "Link Dean Mills to Callum Reid" in page.locator("h1").inner_text()
    follow(page, page.get_by_role("button", name="Save the link"))
    assert page.locator(".govuk-error-summary").count() == 1
    found += run_axe(page, "link form with errors")
    page.get_by_label("Seen with the child").check()
    page.get_by_label("Where does this come from?").fill("police:KNT-000102")
    today = timezone.localdate()
    page.locator("#noted-day").fill(str(today.day))
    page.locator("#noted-month").fill(str(today.month))
    page.locator("#noted-year").fill(str(today.year))
    follow(page, page.get_by_role("button", name="Save the link"))
    assert "Dean Mills is linked to Callum Reid" in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator("#people + .hw-table-wrapper tbody tr", has_text="Dean Mills").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "homeward-intel-child-links.png"), full_page=True)

    # A new person, from the same page.
    follow(page, page.get_by_role("button", name="Link a person of concern"))
    follow(page, page.get_by_role("link", name="Add a new person of concern"))
    follow(page, page.get_by_role("button", name="Save"))
    assert page.locator(".govuk-error-summary").count() == 1
    found += run_axe(page, "person form with errors")
    page.get_by_label("Name", exact=True).fill("Jay")
    page.get_by_label("Vehicles (optional)").fill(", silver van")
    follow(page, page.get_by_role("button", name="Save"))
    assert "Link Jay to Callum Reid" in page.locator("h1").inner_text()
    found += run_axe(page, "link form")

    # The network: an SVG and the same links as a table.
    page.goto(f"{base}/children/{world.callum.pk}/network/")
    assert page.locator("svg[role=img] title").text_content() == "Callum Reid: network"
    assert page.locator("svg[role=img] circle").count() == 2
    assert page.locator("table tbody tr", has_text="Went missing together").count() == 1
    found += run_axe(page, "child network")
    page.screenshot(path=str(SCREENSHOTS / "homeward-intel-network.png"), full_page=True)

    pages = [("people", "/intelligence/people/"), ("person", f"/intelligence/people/{dean.pk}/"),
             ("person network", f"/intelligence/people/{dean.pk}/network/"),
             ("edit person", f"/intelligence/people/{dean.pk}/edit/"),
             ("link place", f"/intelligence/people/{dean.pk}/link-place/"),
             ("shortlist", "/intelligence/shortlist/")]
    for label, url in pages:
        page.goto(base + url)
        assert page.locator("h1").count() == 1, label
        found += run_axe(page, label)
    assert "Dean Mills" in page.locator("#people + p + .hw-table-wrapper").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "homeward-intel-shortlist.png"), full_page=True)
    page.goto(f"{base}/intelligence/people/{dean.pk}/")
    page.screenshot(path=str(SCREENSHOTS / "homeward-intel-person.png"), full_page=True)
    follow(page, page.locator("tbody tr", has_text="Jade Okafor").get_by_role("link", name="Remove"))
    found += run_axe(page, "remove a link")
    sign_out(page)

    # A social worker is refused; a Southwark manager does not see Callum.
    sign_in(page, base, "kent.social_worker", world.password)
    assert page.goto(f"{base}/intelligence/people/").status == 403
    sign_out(page)
    sign_in(page, base, "southwark.team_manager", world.password)
    assert page.goto(f"{base}/children/{world.callum.pk}/links/").status == 404
    page.goto(f"{base}/children/{world.jade.pk}/links/")
    assert "Callum" not in page.content()
    found += run_axe(page, "links of another authority's view")

    context.close()
    assert not [p for p in problems if "403" not in p and "404" not in p], problems
    assert not found, json.dumps(found, indent=2)
