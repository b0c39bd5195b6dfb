"""Fixtures for return home interviews, on the shared `world` (tests/conftest.py).

Episodes are made through the episode services, then `interviews_sync` is
called explicitly, as the episode events will do once the episode services
publish them.

Extra children, with dates of birth relative to today so that their ages do
not drift as the years pass:

- ``kai``: Kent's looked-after child, placed at Oakview (Kent) since 2020.
- ``mia``: Southwark's looked-after child, placed at Oakview (Kent) since 2020:
  placed in Kent by another authority.
- ``ellie``: the world's child at home in Kent.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from homeward.episodes.services import episode_record_return, episode_report_missing
from homeward.interviews.services import interviews_sync
from homeward.people.models import Child
from homeward.placements.models import Placement

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc
WORDS = "I went to my cousin's because nobody listens to me at home."


def at(text: str) -> dt.datetime:
    """A UK wall-clock time, e.g. at('2025-03-28 12:00')."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - dt.timedelta(days=days)


def episode(*, actor, child, area, last_seen: dt.datetime, returned: dt.datetime | None = None, sync=True):
    """An episode through the services (and, by default, interviews_sync on it)."""
    made = episode_report_missing(actor=actor, child=child, area_authority=area, last_seen_at=last_seen,
                                  reported_at=last_seen + dt.timedelta(minutes=30), postcode="ME15 6AA")
    if returned is not None:
        made = episode_record_return(actor=actor, episode=made, returned_at=returned)
    if sync:
        # As the episode event would, just after it happened.
        interviews_sync(episode_ids=[made.pk], now=(returned or last_seen) + dt.timedelta(minutes=1))
    made.refresh_from_db()
    return made


def interview_of(ep):
    from homeward.interviews.models import Interview

    return Interview.objects.get(episode=ep)


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> the test client, signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def kai(world):
    child = Child.objects.create(first_name="Kai", last_name="Morgan", dob=years_ago(15), sex="M",
                                 responsible_authority=world.kent)
    Placement.objects.create(child=child, responsible_authority=world.kent, host_authority=world.kent,
                             provider=world.oakview, place_code="K2", start_date=dt.date(2020, 1, 1))
    return child


@pytest.fixture
def mia(world):
    child = Child.objects.create(first_name="Mia", last_name="Stone", dob=years_ago(15), sex="F",
                                 responsible_authority=world.southwark)
    Placement.objects.create(child=child, responsible_authority=world.southwark, host_authority=world.kent,
                             provider=world.oakview, place_code="K2", start_date=dt.date(2020, 1, 1))
    return child


@pytest.fixture
def now():
    return timezone.now().replace(second=0, microsecond=0)


@pytest.fixture
def ellie_returned(world, now):
    """Ellie (at home in Kent) missing for 6 hours, back 10 hours ago: interview due in 62 hours."""
    return episode(actor=world.kent_missing_officer, child=world.ellie, area=world.kent,
                   last_seen=now - dt.timedelta(hours=16), returned=now - dt.timedelta(hours=10))


@pytest.fixture
def ellie_interview(ellie_returned):
    return interview_of(ellie_returned)


@pytest.fixture
def ellie_completed(world, ellie_interview, now):
    """Ellie's interview offered, done by the Kent RHI worker, with findings:
    her words and the reasons (not shared), exploitation (CSE, shared with
    the police), a place (shared) and a person (not shared)."""
    from homeward.interviews.services import (
        Section, interview_add_person, interview_add_place, interview_allocate, interview_record_completed,
        interview_record_findings, interview_record_offer,
    )

    worker = world.kent_rhi_worker
    interview_allocate(actor=worker, interview=ellie_interview, provider=world.rhi_org, worker=worker)
    interview_record_offer(actor=worker, interview=ellie_interview, answer="accepted",
                           offered_at=now - dt.timedelta(hours=8))
    interview_record_completed(actor=worker, interview=ellie_interview, completed_at=now - dt.timedelta(hours=2),
                               venue="Canterbury youth centre", interviewer=worker)
    interview_record_findings(actor=worker, interview=ellie_interview, sections={
        "words": Section(text=WORDS),
        "reasons": Section(codes=["conflict", "contact_family_friends"], text="Arguments about curfew"),
        "exploitation": Section(codes=["cse"], text="An older man offered lifts", shared=True),
        "actions": Section(codes=["social_worker", "exploitation_team"], text="Referred on", shared=True),
    })
    interview_add_place(actor=worker, interview=ellie_interview, text="Flat above the chip shop, King Street",
                        postcode="ct1 2ab", kind="address", shared=True)
    interview_add_person(actor=worker, interview=ellie_interview, name="Dee", approximate_age=25,
                         description="Drives a black car", shared=False)
    ellie_interview.refresh_from_db()
    return ellie_interview
