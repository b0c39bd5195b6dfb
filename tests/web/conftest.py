"""Fixtures for the web pages: episodes for the shared `world`, made through the services.

- ``ellie_missing``: Ellie (Kent, at home) reported missing by the Kent missing
  officer 2 days 3 hours ago, medium risk: open.
- ``callum_returned``: Callum (Kent's child at Oakview) missing 10 days ago
  for 20 hours, reported and returned by the Kent police: closed.
- ``sam_missing``: Sam (Southwark, at home) reported missing by the Met an hour ago.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.episodes.services import episode_record_return, episode_report_missing


def report(world, *, actor, child, area, ago: dt.timedelta, risk: str = "", returned_after: dt.timedelta | None = None):
    now = timezone.now().replace(second=0, microsecond=0)
    episode = episode_report_missing(
        actor=actor, child=child, area_authority=area, last_seen_at=now - ago,
        reported_at=now - ago + dt.timedelta(minutes=30), risk_level=risk, postcode="CT2 7NZ",
    )
    if returned_after is not None:
        episode = episode_record_return(actor=actor, episode=episode, returned_at=now - ago + returned_after,
                                        found_postcode="ME15 6AA", found_where="Maidstone station", found_by="Police")
    return episode


@pytest.fixture
def ellie_missing(world):
    return report(world, actor=world.kent_missing_officer, child=world.ellie, area=world.kent,
                  ago=dt.timedelta(days=2, hours=3), risk="medium")


@pytest.fixture
def callum_returned(world):
    return report(world, actor=world.kent_police, child=world.callum, area=world.kent,
                  ago=dt.timedelta(days=10), risk="high", returned_after=dt.timedelta(hours=20))


@pytest.fixture
def sam_missing(world):
    return report(world, actor=world.met_police, child=world.sam, area=world.southwark, ago=dt.timedelta(hours=1))


@pytest.fixture
def episodes(ellie_missing, callum_returned, sam_missing):
    return {"ellie": ellie_missing, "callum": callum_returned, "sam": sam_missing}


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> the test client, signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def pytest_collection_modifyitems(config, items):
    # WhiteNoise warns on every request that STATIC_ROOT (static_build/) does not
    # exist until `collectstatic` runs; the pages' tests serve static files from
    # the apps' folders instead, so the warning says nothing here.
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))
