"""Fixtures for intelligence, on the shared `world` (tests/conftest.py).

- ``went_missing_together``: Callum (Kent's child) and Jade (Southwark's
  child), both placed at Oakview in Kent, went missing from it 40 minutes
  apart ten days ago and were found together at Maidstone station (CT1 1QU)
  an hour apart. Kent sees both children; Southwark sees Jade only; the Met
  sees neither.
- ``dean``: a person of concern recorded by Kent's exploitation officer,
  linked to Callum (seen with him, police:KNT-000102) and to Jade (she stayed
  with him, officer), with an alias, a phone and a car.
- ``ellie_episode``: Ellie (Kent, at home) missing from home, for the
  people's links from a return interview.

Episodes are made through the episode services; the places part's derived
rows are brought up to date explicitly (as its episode handler does once the
transaction commits).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from homeward.episodes.services import episode_record_return, episode_report_missing
from homeward.intelligence.services import person_link_child, person_of_concern_create


def make_episode(*, actor, child, area, last_seen, returned=None, postcode="ME15 6AA", found_postcode="",
                 found_where=""):
    episode = episode_report_missing(actor=actor, child=child, area_authority=area, last_seen_at=last_seen,
                                     reported_at=last_seen + dt.timedelta(minutes=20), postcode=postcode)
    if returned is not None:
        episode = episode_record_return(actor=actor, episode=episode, returned_at=returned,
                                        found_postcode=found_postcode, found_where=found_where, found_by="Police")
    refresh_places(episode)
    episode.refresh_from_db()
    return episode


def refresh_places(*episodes):
    from homeward.places.services import episode_places_refresh

    episode_places_refresh([e.pk for e in episodes])


def moment(days_ago: float, hour: int = 20, minute: int = 0) -> dt.datetime:
    day = timezone.localtime() - dt.timedelta(days=days_ago)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


@pytest.fixture
def went_missing_together(world):
    start = moment(10)
    callum = make_episode(actor=world.kent_police, child=world.callum, area=world.kent, last_seen=start,
                          returned=start + dt.timedelta(hours=20), found_postcode="CT1 1QU",
                          found_where="Maidstone station")
    jade = make_episode(actor=world.kent_police, child=world.jade, area=world.kent,
                        last_seen=start + dt.timedelta(minutes=40), returned=start + dt.timedelta(hours=21),
                        found_postcode="CT1 1QU", found_where="Maidstone station")
    return SimpleNamespace(callum=callum, jade=jade)


@pytest.fixture
def dean(world):
    officer = world.kent_exploitation_officer
    person = person_of_concern_create(actor=officer, name="Dean Mills", aliases=["Deano"], age_from=24, age_to=28,
                                      description="Drives a black Audi", phones=["07700 900123"],
                                      vehicles=[("AB12 CDE", "black Audi A3")], notes="Seen outside Oakview")
    today = timezone.localdate()
    to_callum = person_link_child(actor=officer, person=person, child=world.callum, nature="seen_with",
                                  source="police:KNT-000102", noted_on=today - dt.timedelta(days=9))
    to_jade = person_link_child(actor=officer, person=person, child=world.jade, nature="stayed_with",
                                source="officer", noted_on=today - dt.timedelta(days=8))
    return SimpleNamespace(person=person, to_callum=to_callum, to_jade=to_jade)


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> the test client, signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def pytest_collection_modifyitems(config, items):
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))


@pytest.fixture
def ellie_interview(world):
    """Ellie (at home in Kent) missing for 6 hours, back yesterday; her return
    interview done by the Kent RHI worker, naming two people: "Dee" (about 25,
    shared with the police) and "Tash" (not shared)."""
    from homeward.interviews.models import Interview
    from homeward.interviews.services import (
        interview_add_person, interview_allocate, interview_record_completed, interview_record_offer,
        interviews_sync,
    )

    now = timezone.now().replace(second=0, microsecond=0)
    returned = now - dt.timedelta(hours=26)
    episode = make_episode(actor=world.kent_missing_officer, child=world.ellie, area=world.kent,
                           last_seen=returned - dt.timedelta(hours=6), returned=returned, postcode="CT2 7NZ")
    interviews_sync(episode_ids=[episode.pk], now=returned + dt.timedelta(minutes=1))
    interview = Interview.objects.get(episode=episode)
    worker = world.kent_rhi_worker
    interview_allocate(actor=worker, interview=interview, provider=world.rhi_org, worker=worker)
    interview_record_offer(actor=worker, interview=interview, answer="accepted", offered_at=now - dt.timedelta(hours=20))
    interview_record_completed(actor=worker, interview=interview, completed_at=now - dt.timedelta(hours=2),
                               venue="Canterbury youth centre", interviewer=worker)
    dee = interview_add_person(actor=worker, interview=interview, name="Dee", approximate_age=25,
                               description="Drives a black car", shared=True)
    tash = interview_add_person(actor=worker, interview=interview, name="Tash", shared=False)
    interview.refresh_from_db()
    return SimpleNamespace(interview=interview, episode=episode, dee=dee, tash=tash)
