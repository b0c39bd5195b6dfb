"""Who sees the hotspot page, its map data and the episodes behind an area;
small numbers hidden from roles that see figures only."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward.access.models import AuditEvent
from homeward.people.models import Child
from homeward.placements.models import Placement

from .conftest import london

PERIOD = {"authority": "886", "from": "2025-03-01", "to": "2025-04-01"}


@pytest.fixture
def hot(world, directory, make_episode, kent_child):
    """CT1: 6 episodes of 5 children; ME15: 2 episodes of 2 children; no place: 1.
    One CT1 episode is of Kent's own child placed in Southwark, missing there
    (Kent police do not see that child)."""
    kids = [kent_child() for _ in range(4)]
    for i, kid in enumerate(kids):
        make_episode(kid, start=london(2025, 3, 2 + i, 20), found="CT1 2AB")
    make_episode(kids[0], start=london(2025, 3, 20, 20), found="CT1 3AA")
    away = Child.objects.create(first_name="Noah", last_name="Away", dob=dt.date(2009, 6, 1), sex="M",
                                responsible_authority=world.kent)
    Placement.objects.create(child=away, responsible_authority=world.kent, host_authority=world.southwark,
                             place_code="K2", start_date=dt.date(2024, 1, 1))
    world.away_episode = make_episode(away, area=world.southwark, start=london(2025, 3, 10, 20), found="CT1",
                                      source="police:met")
    make_episode(world.ellie, start=london(2025, 3, 11, 20), found="ME15 6AA")
    make_episode(kids[1], start=london(2025, 3, 12, 20), found="ME15 6AA")
    make_episode(kids[2], start=london(2025, 3, 13, 20), found="")
    # The previous period (February, 28 days before 1 March... the same length: 31 days): CT1 twice.
    make_episode(kids[3], start=london(2025, 2, 10, 20), found="CT1 2AB")
    make_episode(kids[3], start=london(2025, 2, 20, 20), found="CT1 2AB")
    return world


def page(signed_in, user, url="/hotspots/", **params):
    return signed_in(user).get(url, {**PERIOD, **params})


@pytest.mark.parametrize("persona", ["kent_missing_officer", "kent_team_manager", "kent_social_worker",
                                     "kent_analyst", "kent_police"])
def test_roles_that_see_figures_get_the_page(hot, signed_in, persona):
    r = page(signed_in, getattr(hot, persona))
    assert r.status_code == 200
    assert "Hotspots" in r.content.decode()


@pytest.mark.parametrize("persona", ["kent_admin", "kent_auditor", "oakview_staff", "kent_rhi_worker"])
def test_roles_without_figures_get_404_for_the_page_the_map_data_and_the_episodes(hot, signed_in, persona):
    user = getattr(hot, persona)
    for url in ("/hotspots/", "/hotspots/map.json", "/hotspots/episodes/"):
        assert page(signed_in, user, url, key="CT1").status_code == 404


def test_another_authoritys_figures_are_404(hot, signed_in):
    assert page(signed_in, hot.southwark_missing_officer).status_code == 404
    assert page(signed_in, hot.met_police, "/hotspots/map.json").status_code == 404
    assert page(signed_in, hot.southwark_missing_officer, authority="210").status_code == 200


def test_the_page_ranks_areas_with_counts_and_the_trend(hot, signed_in):
    html = page(signed_in, hot.kent_missing_officer).content.decode()
    ranked = html[html.index("Ranked by episodes"):html.index("Ranked by children")]
    assert ranked.index(">CT1<") < ranked.index(">ME15<") < ranked.index("No place found")
    assert "up 4 (from 2)" in ranked  # CT1: 6 now, 2 in the 31 days before
    assert "new (none before)" in ranked  # ME15
    assert "9 episodes in the period; 2 in the previous period" in html


def test_a_bad_date_shows_an_error_summary_naming_the_field(hot, signed_in):
    r = page(signed_in, hot.kent_missing_officer, to="2025-02-30")
    html = r.content.decode()
    assert r.status_code == 200
    assert "There is a problem" in html and 'href="#to"' in html and "must be a real date" in html
    r = page(signed_in, hot.kent_missing_officer, to="2025-02-01")
    assert "must be after its start" in r.content.decode()


def test_the_missing_officer_sees_every_episode_behind_an_area_and_the_read_is_audited(hot, signed_in):
    r = page(signed_in, hot.kent_missing_officer, "/hotspots/episodes/", key="CT1")
    html = r.content.decode()
    assert r.status_code == 200
    assert "6 episodes you may see" in html and "Noah Away" in html
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LIST, object_type="episode").latest("at")
    assert event.payload["key"] == "CT1" and len(event.payload["episode_ids"]) == 6


def test_the_police_see_only_the_episodes_in_their_scope_behind_an_area(hot, signed_in):
    r = page(signed_in, hot.kent_police, "/hotspots/episodes/", key="CT1")
    html = r.content.decode()
    assert r.status_code == 200
    assert "5 episodes you may see" in html
    assert "Noah Away" not in html  # Kent's child placed in Southwark, missing there: not Kent Police's
    assert "1 other episode counted here is outside the records you may see" in html
    assert f"/episodes/{hot.away_episode.pk}/" not in html


def test_the_analyst_gets_no_episodes_and_sees_small_counts_suppressed(hot, signed_in):
    assert page(signed_in, hot.kent_analyst, "/hotspots/episodes/", key="CT1").status_code == 404
    html = page(signed_in, hot.kent_analyst).content.decode()
    assert "Small numbers are hidden" in html and "Counts from 1 to 4" in html
    ranked = html[html.index("Ranked by episodes"):html.index("Ranked by children")]
    assert "<td class=\"govuk-table__cell\">6</td>" in ranked  # CT1 episodes: shown
    assert "&lt;5" in ranked  # ME15's 2, the no-place 1, CT1's previous 2
    assert "/hotspots/episodes/" not in html
    assert "withheld (small numbers)" in ranked


def test_the_map_data_is_suppressed_for_the_analyst_and_exact_for_the_officer(hot, signed_in):
    officer = page(signed_in, hot.kent_missing_officer, "/hotspots/map.json").json()
    analyst = page(signed_in, hot.kent_analyst, "/hotspots/map.json").json()
    o = {a["key"]: a for a in officer["areas"]}
    a = {a["key"]: a for a in analyst["areas"]}
    assert (o["ME15"]["episodes"], o["ME15"]["children"]) == (2, 2)
    assert (a["ME15"]["episodes"], a["ME15"]["children"], a["ME15"]["suppressed"]) == ("<5", "<5", True)
    assert (a["CT1"]["episodes"], a["CT1"]["children"]) == (6, 5)
    assert o["CT1"]["url"].startswith("/hotspots/episodes/") and a["CT1"]["url"] == ""
    assert analyst["threshold"] == 5 and officer["threshold"] is None
    assert a["ME15"]["level"] == 1 and o["CT1"]["level"] == 5
    assert officer["no_place"] == {"episodes": 1, "children": 1}
    assert o["CT1"]["latitude"] == pytest.approx((51.278 + 51.28) / 2)


def test_hexagons_have_boundaries_and_labels(hot, signed_in):
    data = page(signed_in, hot.kent_missing_officer, "/hotspots/map.json", area="h3").json()
    assert data["area"] == "h3" and data["areas"]
    first = data["areas"][0]
    assert len(first["boundary"]) == 6 and first["label"].startswith("Around ")
    html = page(signed_in, hot.kent_missing_officer, area="h3").content.decode()
    assert "Area (hexagon)" in html


def test_an_unknown_area_key_lists_nothing_and_a_missing_key_is_404(hot, signed_in):
    r = page(signed_in, hot.kent_missing_officer, "/hotspots/episodes/", key="ZZ9")
    assert r.status_code == 200 and "0 episodes you may see" in r.content.decode()
    assert page(signed_in, hot.kent_missing_officer, "/hotspots/episodes/").status_code == 404


def test_the_tile_server_setting_reaches_the_page(hot, signed_in, settings):
    settings.HOMEWARD_MAP_TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.HOMEWARD_MAP_TILES_ATTRIBUTION = "© Example"
    html = page(signed_in, hot.kent_missing_officer).content.decode()
    assert 'data-tiles-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    settings.HOMEWARD_MAP_TILES_URL = ""
    html = page(signed_in, hot.kent_missing_officer).content.decode()
    assert 'data-tiles-url=""' in html and "No background map is shown" in html
