"""Fixtures for the places tests.

- ``directory``: a small postcode directory (ONS layout) with known
  coordinates, loaded through the loader.
- ``make_episode(child, area=..., start=..., found=..., ...)``: an episode made
  through the notification service, with a found postcode (and place) as the
  feeds send them.
- ``kent_child(name)``: another child at home in Kent.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from homeward.episodes.services import notification_apply
from homeward.people.models import Child

LONDON = ZoneInfo("Europe/London")

DIRECTORY_ROWS = [
    # pcds, lat, long
    ("CT1 2AB", 51.2780, 1.0800),
    ("CT1 3AA", 51.2800, 1.0900),
    ("CT2 7NZ", 51.2950, 1.0600),
    ("ME15 6AA", 51.2600, 0.5300),
    ("ME14 1AA", 51.2800, 0.5200),
    ("SE1 7PB", 51.5010, -0.1150),
    ("SE15 4AA", 51.4700, -0.0650),
]


def write_onspd(path, rows=DIRECTORY_ROWS) -> str:
    lines = ["pcd,pcds,dointr,doterm,lat,long"]
    for pc, lat, lon in rows:
        out, inward = pc.split(" ")
        lines.append(f"{out.ljust(4)}{inward},{pc},199001,,{lat},{lon}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def directory(db, tmp_path):
    from homeward.places.directory import postcodes_load

    return postcodes_load(write_onspd(tmp_path / "onspd.csv"))


_refs = itertools.count(1)


def london(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def new_episode(world, child, *, area=None, start: dt.datetime, found: str = "", postcode: str = "",
                returned: bool = True, hours: float = 5, found_where: str = "", missing_from: str = "",
                responsible: str = "", actor=None, source: str = "police:kent"):
    """An episode through the notification service, as a feed sends it."""
    n = next(_refs)
    row = {
        "source": source, "source_ref": f"T-{n}", "first_name": child.first_name, "last_name": child.last_name,
        "dob": child.dob.isoformat(), "last_seen_at": start.isoformat(), "postcode": postcode,
        "missing_from": missing_from, "responsible_authority": responsible,
    }
    if returned:
        row["returned_at"] = (start + dt.timedelta(hours=hours)).isoformat()
        row["found_postcode"] = found
    outcome = notification_apply(actor=actor, area_authority=area or world.kent, row=row, child=child,
                                 extra={"found_where": found_where} if found_where else None)
    episode = outcome.episode
    if found_where:
        episode.found_where = found_where
        episode.save(update_fields=["found_where", "updated_at"])
    episode.refresh_from_db()
    return episode


@pytest.fixture
def make_episode(world):
    def make(child, **kwargs):
        return new_episode(world, child, **kwargs)

    return make


@pytest.fixture
def kent_child(world):
    made = itertools.count(1)

    def make(name: str = "") -> Child:
        i = next(made)
        return Child.objects.create(first_name=name or f"Kid{i}", last_name=f"Test{i}", dob=dt.date(2009, 1, i),
                                    sex="F", home_authority=world.kent)

    return make


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> the test client, signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def pytest_collection_modifyitems(config, items):
    # WhiteNoise warns that STATIC_ROOT does not exist until collectstatic runs.
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))
