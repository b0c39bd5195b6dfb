"""The police briefing in a real browser: headless Chromium (Debian's) against
a live server, with the strict Content-Security-Policy.

One journey: Callum is missing; Oakview's care staff keep his Philomena
profile (a refused height first, then the profile, then a photo: a file
that is not one first) and add what he was wearing; a Kent police officer sees what is known on the
episode page, opens the briefing and downloads it as a PDF; an officer of
another force gets 404. axe-core runs on every page on the way.

Needs /usr/bin/chromium, the `playwright` Python package (never `playwright
install`), and the built assets and axe-core (`npm ci && npm run build`). On
CI (CI=true) their absence fails the test instead of skipping it.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.utils import timezone
from tests.browser_support import SCREENSHOTS, browser, run_axe, sign_in, sign_out, watch, with_csp  # noqa: F401


pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore:No directory at:UserWarning")]


def shot(page, name: str):
    page.screenshot(path=str(SCREENSHOTS / f"homeward-briefing-{name}.png"), full_page=True)


def portrait_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (360, 480), (120, 130, 150)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def callum_gone(transactional_world):
    """Callum was found at Maidstone East station 19 days ago, and went missing
    again 3 hours ago. Made before the browser starts: the test's own database
    work is all done here, outside Playwright's event loop."""
    from homeward.episodes.services import episode_record_return, episode_report_missing

    world = transactional_world
    now = timezone.now().replace(second=0, microsecond=0)
    earlier = episode_report_missing(actor=world.kent_police, child=world.callum, area_authority=world.kent,
                                     last_seen_at=now - dt.timedelta(days=20), risk_level="high",
                                     postcode="ME15 6AA")
    episode_record_return(actor=world.kent_police, episode=earlier, returned_at=now - dt.timedelta(days=19),
                          found_postcode="ME15 6AA", found_where="Maidstone East station", found_by="Police")
    return episode_report_missing(actor=world.kent_police, child=world.callum, area_authority=world.kent,
                                  last_seen_at=now - dt.timedelta(hours=3), risk_level="high", postcode="ME15 6AA")


def test_police_download_the_briefing_of_a_missing_child_kept_by_his_carers(live_server, transactional_world,
                                                                            callum_gone, browser, tmp_path):
    world = transactional_world
    base = live_server.url
    episode = callum_gone
    problems: list[str] = []
    found: list[dict] = []
    context = with_csp(browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True))
    page = context.new_page()
    watch(page, problems)

    # Oakview's staff keep Callum's profile (the police report came first; the carers catch up).
    sign_in(page, base, "oakview.staff", world.password)
    page.goto(f"{base}/children/{world.callum.pk}/")
    page.get_by_role("link", name="Philomena profile of Callum Reid").click()
    assert page.locator("h1").inner_text() == "Callum Reid"
    found += run_axe(page, "empty profile")
    page.get_by_role("button", name="Start the profile").click()
    found += run_axe(page, "profile form")
    page.get_by_label("Height in centimetres").fill("tall")
    page.get_by_label("Hair").fill("Short, dark brown")
    page.get_by_role("button", name="Save the profile").click()
    error = page.locator(".govuk-error-summary")
    assert "Enter the height in whole centimetres, like 165" in error.inner_text()
    assert page.get_by_label("Hair").input_value() == "Short, dark brown"
    found += run_axe(page, "profile form with errors")
    page.get_by_label("Height in centimetres").fill("172")
    page.get_by_label("Slim").check()
    page.get_by_label("Eye colour").fill("Brown")
    page.get_by_label("Distinguishing marks").fill("Scar through the left eyebrow")
    page.get_by_label("Friends and associates").fill("Jordan Smith, friend from school\nKayden, met in Chatham")
    page.get_by_label("Places frequented").fill("The skate park, Victoria Gardens, ME4 4AA")
    page.get_by_label("Medication").fill("Salbutamol inhaler when needed")
    page.get_by_role("button", name="Save the profile").click()
    assert "profile is saved (version 1)" in page.locator(".govuk-notification-banner").inner_text()

    # A photo: first a file that is not one, then a real one.
    page.get_by_role("button", name="Upload a photo").click()
    found += run_axe(page, "photo upload")
    page.locator("#photo").set_input_files(files=[{"name": "photo.jpg", "mimeType": "image/jpeg",
                                                   "buffer": b"not a photo at all" * 10}])
    page.get_by_role("button", name="Upload the photo").click()
    assert "The file must be a photo in JPEG or PNG format" in page.locator(".govuk-error-summary").inner_text()
    found += run_axe(page, "photo upload with errors")
    page.locator("#photo").set_input_files(files=[{"name": "callum.png", "mimeType": "image/png",
                                                   "buffer": portrait_png()}])
    page.get_by_role("button", name="Upload the photo").click()
    assert "The photo of Callum is saved" in page.locator(".govuk-notification-banner").inner_text()
    photo = page.get_by_role("img", name="Photo of Callum Reid")
    assert "/profile/photos/" in photo.get_attribute("src")
    # The scoped view serves it: the browser decodes a 360-pixel-wide image.
    for _ in range(100):  # (wait_for_function would need eval, which the CSP forbids)
        if page.evaluate("document.querySelector('img.hw-briefing__photo').complete"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("document.querySelector('img.hw-briefing__photo').naturalWidth") == 360
    found += run_axe(page, "profile")
    shot(page, "profile")
    sign_out(page)

    # Callum is missing: his carer adds what he was wearing.
    sign_in(page, base, "oakview.staff", world.password)
    page.goto(f"{base}/episodes/{episode.pk}/")
    page.get_by_role("link", name="Add what Callum was wearing and when last seen").click()
    found += run_axe(page, "missing details form")
    page.get_by_label("What were they wearing?").fill("Grey tracksuit, red cap")
    page.get_by_label("Where were they last seen?").fill("Leaving by the back gate")
    page.get_by_role("button", name="Save the details").click()
    assert "are saved" in page.locator(".govuk-notification-banner").inner_text()
    sign_out(page)

    # The Kent police officer: what is known, the briefing, the PDF.
    sign_in(page, base, "kent.police", world.password)
    page.goto(f"{base}/episodes/{episode.pk}/")
    panel = page.locator("#known")
    assert "What is known that helps find Callum" in panel.inner_text()
    assert "Maidstone East station" in panel.inner_text() and "The skate park" in panel.inner_text()
    assert "Grey tracksuit, red cap" in page.locator("main").inner_text()
    found += run_axe(page, "episode with the panel")
    shot(page, "episode")
    page.get_by_role("link", name="View the briefing").click()
    assert page.locator("h1").inner_text() == "Callum Reid"
    assert "OFFICIAL-SENSITIVE" in page.locator("main").inner_text()
    found += run_axe(page, "briefing")
    shot(page, "briefing")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the briefing (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"homeward-briefing-episode-{episode.pk}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf[:5] == b"%PDF-" and len(pdf) > 10_000
    # The same from the child's page.
    page.goto(f"{base}/children/{world.callum.pk}/")
    with page.expect_download() as again:
        page.get_by_role("button", name="Download the police briefing (PDF)").click()
    assert again.value.suggested_filename == download.suggested_filename
    sign_out(page)

    # Another force: 404, as for a record that does not exist.
    sign_in(page, base, "met.police", world.password)
    assert page.goto(f"{base}/episodes/{episode.pk}/briefing/").status == 404
    assert page.goto(f"{base}/children/{world.callum.pk}/profile/").status == 404

    context.close()
    # Refused forms answer 400 and the last pages are 404s, on purpose: the
    # browser logs both as console errors. Anything else is a problem.
    assert not [p for p in problems if "status of 400" not in p and "status of 404" not in p], problems
    assert not found, json.dumps(found, indent=2)
