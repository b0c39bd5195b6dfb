"""The briefing as a PDF: made from the same HTML as the page, with the
profile, the photo embedded, this episode's missing details and the panel;
marked OFFICIAL-SENSITIVE with when it was made and by whom; never more than
the police may see."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zlib

import pytest
from PIL import Image

from homeward.access.models import AuditEvent
from homeward.briefing import document
from homeward.briefing.selectors import briefing_get
from homeward.briefing.services import missing_details_record

from .conftest import CCE_TEXT, REASONS_TEXT


def outline_titles(pdf: bytes) -> list[str]:
    """The PDF's bookmarks (WeasyPrint makes one per heading), read from its
    compressed object streams: text that is really in the PDF."""
    titles = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        titles += [t.decode("latin-1") for t in re.findall(rb"/Title \(([^)]*)\)", data)]
    return titles


@pytest.fixture
def briefing(world, callum_missing, callum_profile, now):
    missing_details_record(actor=world.oakview_staff, episode=callum_missing, clothing="Grey tracksuit, red cap",
                           last_seen_where="Walking towards Maidstone East station",
                           last_seen_at=now - dt.timedelta(hours=3), with_whom="Alone")
    return briefing_get(actor=world.kent_police, episode_pk=callum_missing.pk, export=True)


def test_the_pdf_is_a_pdf_made_from_html_naming_the_child(briefing):
    printed = document.briefing_pdf(briefing)
    assert printed.pdf[:5] == b"%PDF-" and printed.pdf.rstrip().endswith(b"%%EOF")
    assert len(printed.pdf) > 5000
    titles = outline_titles(printed.pdf)
    assert titles[:3] == ["Callum Reid", "This episode", "What the carer says about this episode"]
    assert "What is known" in titles and "Description" in titles
    html = printed.html
    assert "<h1 class=\"govuk-heading-l\">Callum Reid</h1>" in html
    assert re.search(r"<title>OFFICIAL-SENSITIVE: police briefing, Callum Reid</title>", html)


def test_it_is_marked_with_when_and_by_whom_and_the_print_stylesheet_marks_every_page(briefing):
    html = document.briefing_html(briefing)
    assert html.count("OFFICIAL-SENSITIVE") >= 3  # title, top and end of the document
    assert "by kent.police (Police missing team, Kent Police)." in html
    assert re.search(r"Made \d{1,2} \w+ \d{4}, \d{2}:\d{2} by kent\.police", html)
    assert 'href="/static/briefing/print.css"' in html
    from django.contrib.staticfiles import finders

    css = open(finders.find("briefing/print.css"), encoding="utf-8").read()
    assert '@top-center {\n    content: "OFFICIAL-SENSITIVE"' in css
    assert 'content: "Page " counter(page) " of " counter(pages)' in css


def test_the_photo_is_embedded_as_a_data_url(briefing):
    html = document.briefing_html(briefing)
    match = re.search(r'<img class="hw-briefing__photo" src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', html)
    assert match
    image = Image.open(io.BytesIO(base64.b64decode(match.group(1))))
    assert image.format == "JPEG" and image.size == (600, 800)
    assert "/children/" not in html  # no links back into Homeward in a printed document


def test_it_holds_the_profile_the_missing_details_and_the_panel(briefing):
    html = document.briefing_html(briefing)
    for text in ("172 cm (5 ft 8 in)", "Scar through the left eyebrow", "Sertraline 50 mg each morning",
                 "Snapchat: cal_r08", "Grey tracksuit, red cap", "Walking towards Maidstone East station",
                 "Maidstone East station", "Chatham bus station", "Rico", "Child criminal exploitation", CCE_TEXT,
                 "Previous missing episodes", "ME15 6AA"):
        assert text in html, text
    assert REASONS_TEXT not in html and "Aunt Lou" not in html and "His cousin" not in html


def test_the_pdf_made_by_a_council_officer_holds_no_more_than_the_police_may_see(world, briefing, callum_missing):
    council = briefing_get(actor=world.kent_missing_officer, episode_pk=callum_missing.pk)
    html = document.briefing_html(council)
    assert CCE_TEXT in html and REASONS_TEXT not in html and "Aunt Lou" not in html
    assert "by kent.missing_officer (Children missing officer, Kent County Council)." in html


def test_printing_is_audited_as_an_export(world, briefing, callum_missing):
    event = AuditEvent.objects.get(object_type="briefing", action="export")
    assert event.child_id == world.callum.pk and event.object_id == str(callum_missing.pk)
    assert event.payload["profile_version"] == 2 and event.payload["missing_details"] is not None


def test_the_download_is_an_attachment_without_the_childs_name(world, callum_missing, callum_profile, client):
    client.force_login(world.kent_police)
    response = client.get(f"/episodes/{callum_missing.pk}/briefing.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"
    assert response["Content-Disposition"] == (
        f'attachment; filename="homeward-briefing-episode-{callum_missing.pk}.pdf"')
    assert response["Cache-Control"] == "private, no-store"


def test_a_child_without_a_profile_still_has_a_briefing(world, now, client):
    from homeward.episodes.services import episode_report_missing

    episode = episode_report_missing(actor=world.kent_missing_officer, child=world.ellie, area_authority=world.kent,
                                     last_seen_at=now - dt.timedelta(hours=4), postcode="CT2 7NZ")
    briefing = briefing_get(actor=world.kent_police, episode_pk=episode.pk)
    printed = document.briefing_pdf(briefing)
    assert printed.pdf[:5] == b"%PDF-"
    assert "Ellie is not looked after: there is no Philomena Protocol profile." in printed.html
    assert "No photo is kept." in printed.html


def test_the_api_gives_the_same_briefing_as_json(world, briefing, callum_missing):
    from rest_framework.test import APIClient

    from homeward.access.services import token_create

    _, raw = token_create(actor=world.kent_police, user=world.kent_police, name="briefing")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    data = api.get(f"/api/episodes/{callum_missing.pk}/briefing/").json()
    assert data["marking"] == "OFFICIAL-SENSITIVE"
    assert data["child"]["first_name"] == "Callum" and data["child"]["looked_after"] is True
    assert data["profile"]["height_cm"] == 172 and data["profile"]["photo"]["width"] == 600
    assert base64.b64decode(data["profile"]["photo"]["data_base64"])[:3] == b"\xff\xd8\xff"
    assert data["missing_details"]["clothing"] == "Grey tracksuit, red cap"
    assert [s["key"] for s in data["known"]] == ["found_before", "places", "places_part", "people", "links", "flags",
                                                "interview"]
    assert data["previous_episodes"][0]["found_where"] == "Maidstone East station"
    assert REASONS_TEXT not in str(data)
