"""Forms refuse bad input with a GOV.UK error summary, keep what was typed, and store nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from homeward.episodes.models import Episode, Notification, RiskChange
from homeward.placements.models import Authority

LONDON = ZoneInfo("Europe/London")


def when(moment: dt.datetime, prefix: str) -> dict:
    local = moment.astimezone(LONDON)
    return {f"{prefix}-day": str(local.day), f"{prefix}-month": str(local.month), f"{prefix}-year": str(local.year),
            f"{prefix}-time": local.strftime("%H:%M")}


def counts():
    return Episode.objects.count(), Notification.objects.count(), RiskChange.objects.count()


def error_summary(html: str) -> str:
    assert 'class="govuk-error-summary"' in html, "no error summary"
    start = html.index('class="govuk-error-summary"')
    return html[start:html.index("</ul>", start)]


def report_form(world, **overrides):
    data = {**when(timezone.now() - dt.timedelta(hours=3), "last_seen"), "category": "missing", "risk_level": "medium",
            "postcode": "ct2 7nz", "missing_from": "", "area": str(world.kent.pk), "notes": "Phone off"}
    data.update(overrides)
    return data


# --- report missing ---------------------------------------------------------------------------


def test_report_missing_creates_the_episode_and_shows_it(world, signed_in):
    client = signed_in(world.kent_missing_officer)
    response = client.post(f"/children/{world.ellie.pk}/report-missing/", report_form(world))
    episode = Episode.objects.get(child=world.ellie)
    assert response.status_code == 302 and response["Location"] == f"/episodes/{episode.pk}/"
    assert episode.is_open and episode.risk_level == "medium" and episode.area_authority == world.kent
    assert episode.postcode == "CT2 7NZ" and episode.missing_from == "home"
    html = client.get(response["Location"]).content.decode()
    assert "Ellie Hart is recorded as missing" in html and "govuk-notification-banner--success" in html


def test_report_missing_reads_the_time_as_london_time(world, signed_in):
    client = signed_in(world.kent_missing_officer)
    client.post(f"/children/{world.ellie.pk}/report-missing/", report_form(
        world, **{"last_seen-day": "5", "last_seen-month": "7", "last_seen-year": "2024", "last_seen-time": "21:10"}))
    episode = Episode.objects.get(child=world.ellie)
    assert episode.started_at == dt.datetime(2024, 7, 5, 20, 10, tzinfo=dt.timezone.utc)


def test_overlapping_second_episode_is_refused_and_nothing_is_stored(world, ellie_missing, signed_in):
    before = counts()
    response = signed_in(world.kent_missing_officer).post(
        f"/children/{world.ellie.pk}/report-missing/", report_form(world, notes="second report"))
    assert response.status_code == 200
    html = response.content.decode()
    summary = error_summary(html)
    assert "already has an episode" in summary and 'href="#last_seen-day"' in summary
    assert "<title>Error: Report Ellie Hart missing" in html
    assert counts() == before
    assert "second report" in html  # what was typed is kept


@pytest.mark.parametrize(
    "fields, message, anchor",
    [
        ({"last_seen-day": "31", "last_seen-month": "2", "last_seen-year": "2025"},
         "Enter a real date for when the child was last seen", "last_seen-day"),
        ({"last_seen-month": "13"}, "Enter a real date for when the child was last seen", "last_seen-month"),
        ({"last_seen-day": "x"}, "Enter a real date for when the child was last seen", "last_seen-day"),
        ({"last_seen-year": "25"}, "The year the child was last seen must include 4 numbers", "last_seen-year"),
        ({"last_seen-month": ""}, "The date the child was last seen must include a month", "last_seen-month"),
        ({"last_seen-time": "25:99"}, "Enter a time like 21:30 for when the child was last seen", "last_seen-time"),
        ({"last_seen-time": "9pm"}, "Enter a time like 21:30 for when the child was last seen", "last_seen-time"),
        ({"last_seen-time": ""}, "Enter the time the child was last seen", "last_seen-time"),
        ({"last_seen-day": "", "last_seen-month": "", "last_seen-year": "", "last_seen-time": ""},
         "Enter the date and time the child was last seen", "last_seen-day"),
        ({"last_seen-day": "30", "last_seen-month": "3", "last_seen-year": "2025", "last_seen-time": "01:30"},
         "The clocks went forward", "last_seen-time"),
        ({"category": ""}, "Select whether the child is missing or absent", "category"),
        ({"postcode": "not a postcode"}, "Enter a real postcode", "postcode"),
        ({"risk_level": "extreme"}, "Choose a risk level from the list", "risk_level"),
        ({"area": "999999"}, "Choose the area where the child went missing", "area"),
        ({"reported-day": "1", "reported-month": "1", "reported-year": "2020", "reported-time": "10:00"},
         "The time reported cannot be before the time last seen", "reported-day"),
    ],
)
def test_report_missing_refuses_bad_input_naming_the_field(world, signed_in, fields, message, anchor):
    data = report_form(world, **fields)
    before = counts()
    response = signed_in(world.kent_missing_officer).post(f"/children/{world.ellie.pk}/report-missing/", data)
    assert response.status_code == 200
    html = response.content.decode()
    summary = error_summary(html)
    assert message in summary and f'href="#{anchor}"' in summary
    assert 'class="govuk-error-message"' in html and message in html[html.index("</ul>"):]
    assert counts() == before
    # What was typed is kept.
    for name, value in fields.items():
        if value and name != "area" and name != "risk_level":
            assert f'value="{value}"' in html or f">{value}<" in html, name


def test_report_missing_in_the_future_is_refused(world, signed_in):
    data = report_form(world, **when(timezone.now() + dt.timedelta(days=1), "last_seen"))
    response = signed_in(world.kent_police).post(f"/children/{world.ellie.pk}/report-missing/", data)
    assert "cannot be in the future" in error_summary(response.content.decode())
    assert not Episode.objects.exists()


def test_report_missing_keeps_the_area_to_the_users_own_authority(world, signed_in):
    html = signed_in(world.kent_missing_officer).get(f"/children/{world.ellie.pk}/report-missing/").content.decode()
    assert 'id="area"' not in html and "Kent (886)" in html


def test_police_covering_several_areas_choose_with_the_childs_area_suggested(world, signed_in):
    medway = Authority.objects.get(code="887")
    world.kent_police_org.areas.add(medway)
    world.kent_police_org.areas.add(world.southwark)
    client = signed_in(world.kent_police)
    html = client.get(f"/children/{world.sam.pk}/report-missing/").content.decode()
    assert '<select class="govuk-select" id="area" name="area"' in html
    assert f'<option value="{world.southwark.pk}" selected>' in html  # Sam lives in Southwark
    html = client.get(f"/children/{world.jade.pk}/report-missing/").content.decode()
    assert f'<option value="{world.kent.pk}" selected>' in html  # Jade is placed in Kent
    client.post(f"/children/{world.sam.pk}/report-missing/", report_form(world, area=str(medway.pk)))
    assert Episode.objects.get(child=world.sam).area_authority == medway


def test_report_missing_refuses_an_area_the_user_does_not_cover(world, signed_in):
    response = signed_in(world.kent_police).post(f"/children/{world.ellie.pk}/report-missing/",
                                                 report_form(world, area=str(world.southwark.pk)))
    assert "Choose the area where the child went missing" in error_summary(response.content.decode())
    assert not Episode.objects.exists()


def test_care_staff_report_for_the_area_of_the_placement(world, signed_in):
    client = signed_in(world.oakview_staff)
    html = client.get(f"/children/{world.jade.pk}/report-missing/").content.decode()
    assert "Kent (886)" in html
    response = client.post(f"/children/{world.jade.pk}/report-missing/", report_form(world, category="absent"))
    assert response.status_code == 302
    episode = Episode.objects.get(child=world.jade)
    assert episode.area_authority == world.kent and episode.missing_from == "care" and episode.category == "absent"


# --- record a return ---------------------------------------------------------------------------


def return_form(moment, **extra):
    return {**when(moment, "returned"), "found_postcode": "ME15 6AA", "found_where": "Station", "found_by": "Police", **extra}


def test_record_return_closes_the_episode_and_shows_it_on_the_timeline(world, ellie_missing, signed_in):
    client = signed_in(world.kent_police)
    response = client.post(f"/episodes/{ellie_missing.pk}/return/", return_form(timezone.now() - dt.timedelta(hours=1)))
    assert response.status_code == 302 and response["Location"] == f"/children/{world.ellie.pk}/"
    ellie_missing.refresh_from_db()
    assert not ellie_missing.is_open and ellie_missing.found_where == "Station" and ellie_missing.found_postcode == "ME15 6AA"
    html = client.get(response["Location"]).content.decode()
    assert "Ellie Hart’s return is recorded" in html or "Ellie Hart&#x27;s return is recorded" in html
    assert "2 days 2 hours" in html and f'href="/children/{world.ellie.pk}/report-missing/"' in html


@pytest.mark.parametrize(
    "delta, message",
    [
        (-dt.timedelta(days=3), "The return cannot be before the time the child was last seen"),
        (dt.timedelta(days=1), "The return time cannot be in the future"),
    ],
)
def test_record_return_refuses_impossible_times_and_stores_nothing(world, ellie_missing, signed_in, delta, message):
    before = counts()
    moment = timezone.now() + delta
    response = signed_in(world.kent_missing_officer).post(f"/episodes/{ellie_missing.pk}/return/", return_form(moment))
    assert response.status_code == 200
    html = response.content.decode()
    summary = error_summary(html)
    assert message in summary and 'href="#returned-day"' in summary
    assert counts() == before
    ellie_missing.refresh_from_db()
    assert ellie_missing.is_open
    local = moment.astimezone(LONDON)
    assert f'value="{local.year}"' in html and f'value="{local.strftime("%H:%M")}"' in html
    assert "govuk-input--error" in html


def test_record_return_refuses_a_bad_date_and_postcode(world, ellie_missing, signed_in):
    data = return_form(timezone.now(), **{"returned-day": "32", "found_postcode": "ZZZ"})
    response = signed_in(world.kent_missing_officer).post(f"/episodes/{ellie_missing.pk}/return/", data)
    summary = error_summary(response.content.decode())
    assert "Enter a real date for when the child returned or was found" in summary
    assert "Enter a real postcode for where the child was found" in summary
    ellie_missing.refresh_from_db()
    assert ellie_missing.is_open


def test_record_return_on_a_closed_episode_goes_back_to_the_episode(world, callum_returned, signed_in):
    response = signed_in(world.kent_police).get(f"/episodes/{callum_returned.pk}/return/")
    assert response.status_code == 302 and response["Location"] == f"/episodes/{callum_returned.pk}/"


# --- change the risk level -------------------------------------------------------------------------


def test_change_risk_records_who_when_and_why(world, ellie_missing, signed_in):
    client = signed_in(world.kent_police)
    response = client.post(f"/episodes/{ellie_missing.pk}/risk/", {"risk_level": "high", "reason": "Seen with older men"})
    assert response.status_code == 302
    ellie_missing.refresh_from_db()
    assert ellie_missing.risk_level == "high"
    change = RiskChange.objects.filter(episode=ellie_missing).latest("id")
    assert change.changed_by == world.kent_police and change.reason == "Seen with older men"
    html = client.get(response["Location"]).content.decode()
    assert "Seen with older men" in html and "Risk level changed to high" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"risk_level": "high", "reason": " "}, "Say why the risk level changed"),
        ({"risk_level": "", "reason": "x"}, "Choose the new risk level"),
        ({"risk_level": "medium", "reason": "x"}, "The risk level is already Medium"),
    ],
)
def test_change_risk_refuses_bad_input(world, ellie_missing, signed_in, data, message):
    before = counts()
    response = signed_in(world.kent_police).post(f"/episodes/{ellie_missing.pk}/risk/", data)
    assert response.status_code == 200
    assert message in error_summary(response.content.decode())
    assert counts() == before


def test_sign_in_refuses_a_wrong_password_with_an_error_summary(world, client):
    response = client.post("/sign-in/", {"username": "kent.missing_officer", "password": "wrong"})
    html = response.content.decode()
    assert "Enter a correct username and password" in error_summary(html)
    assert 'value="kent.missing_officer"' in html
    response = client.post("/sign-in/", {"username": "", "password": ""})
    summary = error_summary(response.content.decode())
    assert "Enter your username" in summary and "Enter your password" in summary


def test_sign_in_and_out(world, client):
    response = client.post("/sign-in/", {"username": "kent.missing_officer", "password": world.password})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/sign-out/").status_code == 405  # only a POST signs out
    response = client.post("/sign-out/")
    assert response.status_code == 302 and response["Location"] == "/sign-in/"
    assert client.get("/").status_code == 302
