"""The reports page in a real browser: headless Chromium (Debian's) against a
live server, with the strict Content-Security-Policy a deployment sends.

A team manager opens the key figures, changes the period, downloads the PDF
and the xlsx (each checked: the PDF's magic bytes and a figure read from its
text; the workbook opened with openpyxl and a figure compared), and axe-core
runs on the page, with and without errors.

Needs /usr/bin/chromium, the `playwright` Python package (never `playwright
install`), and the built assets and axe-core (`npm ci && npm run build`). On
CI (CI set) their absence fails the test instead of skipping it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.utils import timezone
from tests.browser_support import SCREENSHOTS, browser, run_axe, sign_in, watch, with_csp  # noqa: F401


pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore:No directory at:UserWarning")]


def figure(page, key: str) -> str:
    return page.locator(f'tr[data-figure="{key}"] td[data-value]').inner_text().strip()


def test_a_manager_changes_the_period_and_downloads_the_pdf_and_the_xlsx(live_server, transactional_world, browser):
    from openpyxl import load_workbook

    from homeward.reporting.kpis import key_figures

    from .helpers import report
    from .reports_helpers import pdf_values

    world = transactional_world
    base = live_server.url
    today = timezone.localdate()
    this_year = today.year if today.month >= 4 else today.year - 1
    last_year = this_year - 1
    # Two episodes of Ellie's in the last statutory year, one the year before; none this year.
    report(world.ellie, world.kent, f"{last_year}-06-03T18:00", f"{last_year}-06-04T09:00")
    report(world.ellie, world.kent, f"{last_year + 1}-02-10T18:00", f"{last_year + 1}-02-12T20:00")
    report(world.ellie, world.kent, f"{last_year - 1}-09-01T18:00", f"{last_year - 1}-09-01T22:00")

    problems: list[str] = []
    found: list[dict] = []
    context = with_csp(browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True))
    page = context.new_page()
    watch(page, problems)
    sign_in(page, base, "kent.team_manager", world.password)

    page.goto(f"{base}/reports/")
    assert page.locator("h1").inner_text() == "Key figures"
    assert figure(page, "episodes.total") == "0"  # this statutory year so far
    found += run_axe(page, "key figures")

    # The last statutory year.
    period = f"{dt.date(last_year, 4, 1)}:{dt.date(last_year + 1, 4, 1)}"
    page.get_by_label("Period").select_option(period)
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_load_state()
    assert page.locator("#figures-period").inner_text() == f"1 April {last_year} to 31 March {last_year + 1}"
    assert figure(page, "episodes.total") == "2" and figure(page, "children.total") == "1"
    assert figure(page, "duration_hours.24_to_72") == "1"
    page.screenshot(path=str(SCREENSHOTS / "homeward-reports-kpis.png"), full_page=True)
    found += run_axe(page, "key figures, last year")

    expected = key_figures(authority=world.kent, start=dt.date(last_year, 4, 1), end=dt.date(last_year + 1, 4, 1))
    assert expected["episodes"]["total"] == 2

    # The PDF.
    with page.expect_download() as download:
        page.locator('#downloads a[data-format="pdf"]').click()
    pdf = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.endswith(".pdf") and pdf.startswith(b"%PDF-")
    from_pdf = pdf_values(pdf, expected)
    assert from_pdf["episodes.total"] == "2" and from_pdf["children.total"] == "1"

    # The whole workbook, and one table on its own.
    with page.expect_download() as download:
        page.locator('#downloads a[data-format="xlsx"]').click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = {row[3]: row[1] for row in book["Episodes"].iter_rows(min_row=2, values_only=True)}
    assert rows["episodes.total"] == 2 and rows["episodes.open_at_end"] == 0
    assert "Definitions" in book.sheetnames
    with page.expect_download() as download:
        page.locator('a[data-table="duration_hours"]').click()
    table = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert table.sheetnames == ["About these figures", "Duration (hours)", "Definitions"]

    # A filter the page refuses: the error summary names it.
    page.goto(f"{base}/reports/?period={period}&sex=X")
    assert "Sex: 'X' is not a sex Homeward records" in page.locator(".govuk-error-summary").inner_text()
    found += run_axe(page, "key figures with an error")

    # Other dates, typed in.
    page.goto(f"{base}/reports/")
    page.get_by_label("Period").select_option("custom")
    page.locator("summary", has_text="Other dates").click()
    for prefix, day in (("first_day", dt.date(last_year, 6, 1)), ("last_day", dt.date(last_year, 6, 30))):
        page.locator(f"#{prefix}-day").fill(str(day.day))
        page.locator(f"#{prefix}-month").fill(str(day.month))
        page.locator(f"#{prefix}-year").fill(str(day.year))
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_load_state()
    assert figure(page, "episodes.total") == "1"
    assert figure(page, f"episodes_by_month.{last_year}-06") == "1"

    # The analyst sees small numbers suppressed, and the rule.
    context.clear_cookies()
    sign_in(page, base, "kent.analyst", world.password)
    page.goto(f"{base}/reports/?period={period}")
    assert figure(page, "episodes.total") == "<5"
    assert "Small numbers suppressed." in page.locator("#suppression-rule").inner_text()
    found += run_axe(page, "key figures, analyst")

    context.close()
    # The page with the refused filter answers 400 on purpose: the browser logs that as a console error.
    assert not [p for p in problems if "status of 400" not in p], problems
    assert not found, json.dumps(found, indent=2)
