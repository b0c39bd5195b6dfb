"""The hotspot page in a real browser: headless Chromium (Debian's) against a live server.

The map draws the shipped district outlines and shades the areas with
episodes (Leaflet's SVG paths), the tables list the same figures, the
analyst sees small numbers hidden, the hexagon view draws hexagons, and
axe-core finds no serious or critical problem. The pages' strict
Content-Security-Policy is enforced, so an inline script or style would
fail the test (the console reports the violation).

Needs /usr/bin/chromium, the `playwright` Python package (never `playwright
install`), and the built assets and axe-core (`npm ci && npm run build`).
With CI=true a missing piece fails the test instead of skipping it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser_support import SCREENSHOTS, browser, run_axe, sign_in, sign_out, watch, with_csp  # noqa: F401


pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore:No directory at:UserWarning")]

PERIOD = "from=2025-03-01&to=2025-04-01"


def drawn(page) -> int:
    page.wait_for_selector("#hotspot-map[data-drawn]", timeout=15000)
    return int(page.get_attribute("#hotspot-map", "data-drawn"))


@pytest.fixture
def hot(transactional_world):
    from homeward.people.models import Child
    from homeward.places.demo import SYNTHETIC_POSTCODES
    from homeward.places.directory import postcodes_load
    from homeward.places.services import places_sync

    from .conftest import london, new_episode

    w = transactional_world
    postcodes_load(SYNTHETIC_POSTCODES)
    kids = [Child.objects.create(first_name=f"Kid{i}", last_name="Test", dob=dt.date(2009, 1, 1 + i), sex="F",
                                 home_authority=w.kent) for i in range(8)]
    for i, kid in enumerate(kids[:6]):
        new_episode(w, kid, start=london(2025, 3, 2 + i, 20), found="CT1 2AB")
    new_episode(w, kids[6], start=london(2025, 3, 12, 20), found="ME15 6AA")
    new_episode(w, kids[7], start=london(2025, 3, 13, 20), found="TN23 1AA")
    new_episode(w, kids[7], start=london(2025, 3, 20, 20), found="")
    places_sync()
    return w


def test_the_hotspot_map_and_list_render_with_data_and_pass_axe(live_server, hot, browser):
    base = live_server.url
    problems: list[str] = []
    found: list[dict] = []
    context = with_csp(browser.new_context(viewport={"width": 1280, "height": 1100}))
    page = context.new_page()
    watch(page, problems)

    sign_in(page, base, "kent.missing_officer", hot.password)
    page.goto(f"{base}/hotspots/?{PERIOD}")
    assert page.locator("h1").inner_text() == "Hotspots"
    assert drawn(page) == 3  # CT1, ME15, TN23
    # The shipped outlines are drawn (hundreds of districts), the three with episodes shaded.
    paths = page.locator("#hotspot-map .leaflet-overlay-pane path")
    assert paths.count() > 100
    assert page.locator('#hotspot-map .leaflet-overlay-pane path[fill="#6b0f33"]').count() == 1  # CT1, the busiest
    assert page.locator("#hotspot-map .leaflet-tile").count() == 0  # no base map by default
    assert "The map shows 3 areas" in page.locator("#hotspot-map-status").inner_text()
    table = page.locator("table").first
    first_row = table.locator("tbody tr").first.inner_text()
    assert "CT1" in first_row and "6" in first_row
    assert "No place found" in table.inner_text()
    found += run_axe(page, "hotspots")
    page.screenshot(path=str(SCREENSHOTS / "homeward-hotspots.png"), full_page=True)

    # One click to the episodes behind CT1.
    table.get_by_role("link", name="CT1").click()
    page.wait_for_load_state()
    assert "Episodes ending in CT1" in page.locator("h1").inner_text()
    assert page.locator("tbody tr").count() == 6
    found += run_axe(page, "episodes behind an area")

    # Hexagons.
    page.goto(f"{base}/hotspots/?{PERIOD}&area=h3")
    assert drawn(page) == 3
    assert page.locator("#hotspot-map .leaflet-overlay-pane path").count() == 3
    found += run_axe(page, "hotspots by hexagon")
    sign_out(page)

    # The analyst: small numbers hidden, no links to episodes.
    sign_in(page, base, "kent.analyst", hot.password)
    page.goto(f"{base}/hotspots/?{PERIOD}")
    assert drawn(page) == 3
    assert "Small numbers are hidden" in page.locator("#suppression-rule").inner_text()
    assert "<5" in page.locator("table").first.inner_text()
    assert page.locator("table").first.get_by_role("link").count() == 0
    found += run_axe(page, "hotspots, analyst")
    page.screenshot(path=str(SCREENSHOTS / "homeward-hotspots-analyst.png"), full_page=True)

    context.close()
    assert not problems, problems
    assert not found, found
