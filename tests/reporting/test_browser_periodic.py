"""The partnership report in a real browser: headless Chromium (Debian's) against a live server,
with the strict Content-Security-Policy, and axe-core on the form, the report and an error.

Needs /usr/bin/chromium, the `playwright` Python package (never `playwright install`), and the built
assets and axe-core (`npm ci && npm run build`). With CI=true their absence fails the test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser_support import SCREENSHOTS, browser, run_axe, watch, with_csp  # noqa: F401


pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore:No directory at:UserWarning")]


def test_the_partnership_report_page_its_charts_and_its_pdf(live_server, transactional_world, browser):
    from homeward.access.models import AuditEvent

    from .helpers import make_child, place, report

    world = transactional_world
    kent, southwark = world.kent, world.southwark
    zoe = make_child(first="Zoe", last="Hill", home=kent)
    for day in (2, 5, 8, 11, 14, 20):
        report(zoe, kent, f"2025-01-{day:02d}T10:00", f"2025-01-{day:02d}T12:00")
    report(zoe, kent, "2025-03-31T23:30", "2025-04-01T02:00")
    kai = make_child(first="Kai", last="Reed", responsible=kent)
    place(kai, responsible=kent, host=southwark, start=__import__("datetime").date(2024, 1, 1))
    report(kai, southwark, "2025-02-01T21:00", responsible=kent)  # still missing at the end

    base = live_server.url
    problems: list[str] = []
    found: list[dict] = []
    context = with_csp(browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True))
    page = context.new_page()
    watch(page, problems)
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill("kent.team_manager")
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    # the form
    page.goto(f"{base}/reports/partnership/")
    assert "quarterly and annual report" in page.locator("h1").inner_text()
    found += run_axe(page, "form")
    page.get_by_label("For internal use only: every count shown").check()
    page.get_by_role("button", name="Show the report").click()
    page.wait_for_load_state()
    assert page.locator("#partnership-report").count() == 1

    # an error: a period typed into the address
    page.goto(f"{base}/reports/partnership/?authority=886&period=2025-Q7&suppress=5")
    assert page.locator(".govuk-error-summary").count() == 1
    found += run_axe(page, "error")
    # (the page answers 400 Bad Request, which the browser logs: expected here)
    problems[:] = [p for p in problems if "status of 400" not in p]

    # the quarter with the episodes, published (suppressed)
    page.goto(f"{base}/reports/partnership/?authority=886&period=2025-Q1&suppress=5")
    assert page.locator("h1").inner_text() == "Children missing from home and care: Kent"
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 9
    first = charts.first
    assert first.get_attribute("aria-labelledby") == "chart-episodes-by-month-title chart-episodes-by-month-desc"
    # the chart is drawn at a readable size and scales to the column
    box = first.bounding_box()
    assert 300 < box["width"] <= 720 and box["height"] > 100
    # the values drawn are those of the table after it: January 6 (shown exactly), March "<5"
    values = page.eval_on_selector_all(
        "#chart-episodes-by-month [data-series]:not(g)",
        "els => els.map(e => [e.dataset.series, e.dataset.category, e.dataset.value])")
    assert ["Jan to Mar 2025", "January 2025", "6"] in values and ["Jan to Mar 2025", "March 2025", "<5"] in values
    table = page.locator("table[data-chart=chart-episodes-by-month] tbody tr")
    assert table.nth(0).inner_text().split("\t")[:2] == ["January 2025", "6"]
    assert "Small numbers are suppressed." in page.locator("#suppression-rule").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "periodic-report.png"), full_page=True)
    found += run_axe(page, "report")
    page.set_viewport_size({"width": 375, "height": 800})  # a phone
    found += run_axe(page, "report, narrow")
    page.set_viewport_size({"width": 1280, "height": 1000})

    # the PDF
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as PDF").click()
    path = download.value.path()
    assert Path(path).read_bytes()[:5] == b"%PDF-"
    assert download.value.suggested_filename == "missing-children-886-2025-Q1.pdf"

    assert not problems, problems
    assert not found, json.dumps(found, indent=2)
    actions = set(AuditEvent.objects.filter(object_type="partnership_report").values_list("action", flat=True))
    assert actions == {AuditEvent.Action.READ, AuditEvent.Action.EXPORT}
    context.close()
