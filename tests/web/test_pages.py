"""Every page renders for a persona allowed to see it, with GOV.UK markup and no inline script."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.web.conftest import report

# No inline script, no inline event handler, no inline style: the pages work
# under a Content Security Policy of script-src 'self'; style-src 'self'.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.I)


def assert_page(response, *, title: str):
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{title}" in html or f"<title>Error: {title}" in html
    assert 'class="govuk-skip-link"' in html
    assert "This is a new service" in html
    assert "/static/build/homeward.css" in html
    assert "govuk-header__logotype" not in html and "Crown copyright" not in html
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html)
    assert not INLINE_STYLE.search(html)
    return html


def page_urls(world, episodes):
    return {
        "home": ("/", "Missing now"),
        "children": ("/children/", "Children"),
        "child": (f"/children/{world.ellie.pk}/", "Ellie Hart"),
        "episode": (f"/episodes/{episodes['ellie'].pk}/", "Episode of Ellie Hart"),
        "report_missing": (f"/children/{world.callum.pk}/report-missing/", "Report Callum Reid missing"),
        "report_find": ("/report-missing/?q=Hart", "Report a child missing"),
        "record_return": (f"/episodes/{episodes['ellie'].pk}/return/", "Record Ellie Hart’s return"),
        "account": ("/account/", "Your account"),
    }


@pytest.mark.parametrize("persona", ["kent_missing_officer", "kent_social_worker", "kent_team_manager", "kent_police"])
@pytest.mark.parametrize(
    "page", ["home", "children", "child", "episode", "report_missing", "report_find", "record_return", "account"]
)
def test_every_page_renders_for_a_kent_persona_who_may_see_it(world, episodes, signed_in, persona, page):
    client = signed_in(getattr(world, persona))
    url, title = page_urls(world, episodes)[page]
    assert_page(client.get(url), title=title)


@pytest.mark.parametrize(
    "persona, child_name",
    [("oakview_staff", "jade"), ("oakview_staff", "callum"), ("southwark_social_worker", "jade"),
     ("southwark_missing_officer", "sam"), ("met_police", "sam"), ("kent_police", "jade")],
)
def test_child_and_report_pages_render_for_other_personas_with_the_child_in_scope(world, signed_in, persona, child_name):
    child = getattr(world, child_name)
    client = signed_in(getattr(world, persona))
    assert_page(client.get(f"/children/{child.pk}/"), title=child.full_name)
    assert_page(client.get(f"/children/{child.pk}/report-missing/"), title=f"Report {child.full_name} missing")


def test_report_page_warns_when_the_child_is_already_missing(world, ellie_missing, signed_in):
    html = signed_in(world.kent_police).get(f"/children/{world.ellie.pk}/report-missing/").content.decode()
    assert "already recorded as missing" in html and f'href="/episodes/{ellie_missing.pk}/return/"' in html


def test_sign_in_page_renders_for_someone_not_signed_in(client):
    html = assert_page(client.get(reverse("web:login")), title="Sign in")
    assert 'autocomplete="current-password"' in html


def test_audit_page_renders_for_the_auditor(world, signed_in):
    assert_page(signed_in(world.kent_auditor).get("/audit/"), title="Audit trail")


def test_pages_ask_someone_not_signed_in_to_sign_in(world, episodes, client):
    for url, _ in page_urls(world, episodes).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=")


def test_home_lists_children_missing_now_longest_missing_first(world, ellie_missing, signed_in):
    report(world, actor=world.kent_police, child=world.jade, area=world.kent, ago=dt.timedelta(hours=5), risk="high")
    html = assert_page(signed_in(world.kent_missing_officer).get("/"), title="Missing now")
    assert html.index("Ellie Hart") < html.index("Jade Okafor")
    assert "2 days 3 hours" in html
    assert "5 hours 0 minutes" in html
    assert 'govuk-tag--orange">Medium' in html and 'govuk-tag--red">High' in html
    assert f'href="/children/{world.ellie.pk}/"' in html


def test_home_shows_last_seen_in_london_time(world, signed_in):
    # 1 July 2024 20:10 UTC is 21:10 British Summer Time.
    from homeward.episodes.services import episode_report_missing

    episode_report_missing(actor=world.kent_police, child=world.ellie, area_authority=world.kent,
                           last_seen_at=dt.datetime(2024, 7, 1, 20, 10, tzinfo=dt.timezone.utc))
    html = signed_in(world.kent_police).get("/").content.decode()
    assert "1 Jul 2024, 21:10" in html


def test_home_leaves_out_children_outside_scope_and_returned_episodes(world, episodes, signed_in):
    html = signed_in(world.kent_missing_officer).get("/").content.decode()
    assert "Ellie Hart" in html
    assert "Sam Price" not in html  # Southwark's child
    assert "Callum Reid" not in html  # returned


@pytest.mark.parametrize("persona", ["kent_analyst", "kent_auditor", "kent_admin"])
def test_roles_without_named_records_see_an_explanation_not_an_error(world, episodes, signed_in, persona):
    client = signed_in(getattr(world, persona))
    for url in ("/", "/children/", "/report-missing/"):
        html = assert_page(client.get(url), title=("Missing now", "Children", "Report a child missing")[
            ("/", "/children/", "/report-missing/").index(url)])
        assert "does not show children" in html
        assert "Ellie" not in html


def test_navigation_offers_what_the_role_may_do(world, signed_in):
    officer = signed_in(world.kent_missing_officer).get("/").content.decode()
    assert ">Report a child missing<" in officer and ">Children<" in officer and "Audit trail" not in officer
    assert 'action="/sign-out/"' in officer
    rhi = signed_in(world.kent_rhi_worker).get("/").content.decode()
    assert ">Children<" in rhi and ">Report a child missing<" not in rhi
    auditor = signed_in(world.kent_auditor).get("/").content.decode()
    assert ">Audit trail<" in auditor and ">Children<" not in auditor


def test_header_names_the_service_and_the_users_organisation(world, signed_in):
    html = signed_in(world.kent_police).get("/account/").content.decode()
    assert 'class="hw-header__service-name">Homeward<' in html
    assert "Kent Police" in html


def test_children_search_finds_by_name_and_by_identifier(world, signed_in):
    from homeward.people.models import ChildIdentifier

    ChildIdentifier.objects.create(child=world.callum, kind=ChildIdentifier.Kind.LA_CHILD, authority=world.kent, value="X2001")
    client = signed_in(world.kent_missing_officer)
    by_name = client.get("/children/", {"q": "ellie"}).content.decode()
    assert "Ellie Hart" in by_name and "Callum Reid" not in by_name
    by_ident = client.get("/children/", {"q": "X2001"}).content.decode()
    assert "Callum Reid" in by_ident and "Ellie Hart" not in by_ident


def test_children_list_shows_only_the_children_in_scope(world, signed_in):
    html = signed_in(world.southwark_social_worker).get("/children/").content.decode()
    assert "Jade Okafor" in html and "Sam Price" in html
    assert "Ellie Hart" not in html and "Callum Reid" not in html


def test_child_page_shows_identity_flags_placements_and_timeline_newest_first(world, signed_in):
    from homeward.people.services import child_add_flag

    child_add_flag(actor=world.kent_police, child=world.callum, flag="cce", source="police:kent",
                   start_date=dt.date(2024, 7, 6))
    older = report(world, actor=world.kent_police, child=world.callum, area=world.kent, ago=dt.timedelta(days=30),
                   risk="low", returned_after=dt.timedelta(hours=3))
    newer = report(world, actor=world.kent_police, child=world.callum, area=world.kent, ago=dt.timedelta(hours=4),
                   risk="high")
    response = signed_in(world.kent_missing_officer).get(f"/children/{world.callum.pk}/")
    html = assert_page(response, title="Callum Reid")
    assert "2 November 2008" in html  # date of birth
    assert "Child criminal exploitation" in html and "police:kent" in html
    assert "Oakview" in html and "Children&#x27;s home" in html
    assert html.index(f"/episodes/{newer.pk}/") < html.index(f"/episodes/{older.pk}/")
    assert "Missing now" in html and "3 hours 0 minutes" in html
    assert f'href="/episodes/{newer.pk}/return/"' in html  # "Record return" for the open episode
    assert "Report missing<" not in html


def test_child_page_offers_report_missing_when_no_episode_is_open(world, signed_in):
    html = signed_in(world.kent_missing_officer).get(f"/children/{world.ellie.pk}/").content.decode()
    assert f'href="/children/{world.ellie.pk}/report-missing/"' in html
    assert "No missing episodes are recorded." in html


def test_episode_page_shows_fields_risk_history_and_notifications(world, callum_returned, signed_in):
    html = assert_page(signed_in(world.kent_police).get(f"/episodes/{callum_returned.pk}/"),
                       title="Episode of Callum Reid")
    assert "Maidstone station" in html and "ME15 6AA" in html
    assert "20 hours 0 minutes" in html
    assert "Risk level history" in html and 'govuk-tag--red">High' in html
    assert "Notifications this episode came from" in html and "police:kent" in html
    assert 'class="govuk-details"' in html and "HW-RETURN-" in html
    assert 'name="risk_level"' in html  # the form to change the risk level


def test_rhi_worker_sees_records_but_no_recording_buttons(world, ellie_missing, signed_in):
    from homeward.people.models import Allocation

    Allocation.objects.create(child=world.ellie, kind=Allocation.Kind.RHI, organisation=world.rhi_org)
    client = signed_in(world.kent_rhi_worker)
    html = client.get(f"/children/{world.ellie.pk}/").content.decode()
    assert "Ellie Hart" in html and "Record return" not in html
    assert 'name="risk_level"' not in client.get(f"/episodes/{ellie_missing.pk}/").content.decode()
    assert client.get(f"/children/{world.ellie.pk}/report-missing/").status_code == 403


def test_report_find_links_to_each_childs_report_page(world, signed_in):
    html = signed_in(world.oakview_staff).get("/report-missing/", {"q": "e"}).content.decode()
    assert f'href="/children/{world.callum.pk}/report-missing/"' in html
    assert f'href="/children/{world.jade.pk}/report-missing/"' in html
    assert "Ellie" not in html


def test_static_files_are_found(world):
    from django.contrib.staticfiles import finders

    assert finders.find("build/homeward.css"), "run `npm ci && npm run build` first"
    assert finders.find("build/govuk-frontend.min.js")
    assert finders.find("homeward/init.js")
