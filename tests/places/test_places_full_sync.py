"""A full sync (`places sync` of every episode: services.episode_places_refresh_all,
which reads the episodes by ranges of ids and writes only what differs) gives
exactly the rows the incremental path (services.episode_places_refresh of a
list of episodes, as the events and the freshness check call it) gives on the
same data: the same places, links and hotspot rows, and so the same counts."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward.episodes.models import Episode
from homeward.places import services
from homeward.places.freshness import ensure_fresh, stale_episode_ids
from homeward.places.hotspots import HotspotQuery, area_counts
from homeward.places.models import ChildPlace, EpisodePlace, Place
from homeward.places.services import episode_places_refresh, episode_places_refresh_all, places_sync

from .conftest import london


def rows():
    """Everything derived from the episodes, with places named by their key
    (ids of places differ between two runs that created them in another
    order), without the time a link was written."""
    key = dict(Place.objects.values_list("pk", "key"))
    places = sorted(Place.objects.values_list("key", "label", "postcode", "district", "latitude", "longitude",
                                              "precision", "kind", "h3_cell"))
    links = sorted((c, key[p], r, e, s, d) for c, p, r, e, s, d in ChildPlace.objects.values_list(
        "child_id", "place_id", "role", "episode_id", "source", "date"))
    summaries = sorted(
        (e, c, a, r, h, s, m, key.get(fp), fd, fh, key.get(op), od, oh, u)
        for e, c, a, r, h, s, m, fp, fd, fh, op, od, oh, u in EpisodePlace.objects.values_list(
            "episode_id", "child_id", "area_authority_id", "responsible_authority_id", "home_authority_id",
            "started_at", "missing_from", "from_place_id", "from_district", "from_h3", "found_place_id",
            "found_district", "found_h3", "updated_at"))
    return places, links, summaries


def counts(world):
    march = (dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    out = []
    for authority in (world.kent.pk, world.southwark.pk, None):
        for area in ("district", "h3"):
            for where in ("found", "from"):
                out.append(area_counts(HotspotQuery(authority, *march, area, where), fresh=False))
    return out


def forget_everything():
    EpisodePlace.objects.all().delete()
    ChildPlace.objects.all().delete()
    Place.objects.all().delete()


@pytest.fixture
def many(world, directory, make_episode, kent_child):
    """Episodes with every kind of place: units, partials, postcodes not in
    the directory, junk, the same place written differently, texts only,
    nothing; from home and from care; in two authorities; on the day the
    clocks change (the London day of a link)."""
    kids = [kent_child() for _ in range(6)]
    e = make_episode
    made = [
        e(world.ellie, start=london(2025, 3, 1, 20), found="CT1 2AB", postcode="CT2 7NZ"),
        e(world.ellie, start=london(2025, 3, 2, 20), found="ct12ab", postcode="ct2 7nz"),
        e(kids[0], start=london(2025, 3, 3, 20), found="CT1", postcode="CT1 3AA"),
        e(kids[0], start=london(2025, 3, 4, 20), found="CT1 2", postcode=""),
        e(kids[1], start=london(2025, 3, 5, 20), found="XX9 9XX"),
        e(kids[1], start=london(2025, 3, 6, 20), found="", postcode="ME15 6AA"),
        e(kids[2], start=london(2025, 3, 7, 20), found="ME14 1AA", found_where="Maidstone station"),
        e(kids[3], start=london(2025, 3, 8, 20), found="me14 1aa", found_where="  maidstone STATION. "),
        e(kids[3], start=london(2025, 3, 9, 20), found="", found_where="The park"),
        e(kids[4], start=london(2025, 3, 30, 0, 30), found="SE1 7PB", hours=2),  # the clocks go forward
        e(kids[4], start=london(2025, 3, 31, 23, 30), found="SE15 4AA", hours=1),  # ends on 1 April
        e(world.sam, area=world.southwark, start=london(2025, 3, 10, 18), found="SE1 7PB", postcode="SE15 4AA",
          source="police:met"),
        e(world.ellie, area=world.southwark, start=london(2025, 3, 11, 18), found="SE1", missing_from="home",
          source="police:met"),
        e(world.jade, start=london(2025, 3, 12, 18), found="CT2 7NZ"),
        e(kids[5], start=london(2025, 3, 13, 18), returned=False, postcode="CT1 2AB"),  # still missing
    ]
    return made


def test_a_full_sync_gives_the_rows_of_the_incremental_path(world, many, monkeypatch):
    ids = list(Episode.objects.values_list("pk", flat=True))
    assert len(ids) == len(many)
    assert episode_places_refresh(ids) == len(ids)
    incremental, figures = rows(), counts(world)
    assert len(incremental[2]) == len(ids) and len(incremental[1]) > len(ids)
    sources = {s.split(":")[0] for *_, s, _ in incremental[1]}
    assert sources == {"notification", "episode"}

    forget_everything()
    monkeypatch.setattr(services, "RANGE", 4)  # several ranges, places found in an earlier one
    monkeypatch.setattr(services, "COPY_OVER", 1)  # PostgreSQL: every insert through COPY
    assert episode_places_refresh_all() == len(ids)
    assert rows() == incremental
    assert counts(world) == figures

    forget_everything()
    monkeypatch.setattr(services, "RANGE", 50_000)  # one range
    monkeypatch.setattr(services, "COPY_OVER", 1000)  # a statement a row
    assert places_sync().episodes == len(ids)
    assert rows() == incremental
    assert stale_episode_ids() == []


def test_a_full_sync_corrects_what_differs_and_writes_nothing_when_nothing_does(world, many, monkeypatch):
    ids = list(Episode.objects.values_list("pk", flat=True))
    episode_places_refresh(ids)
    expected = rows()
    monkeypatch.setattr(services, "RANGE", 5)
    monkeypatch.setattr(services, "COPY_OVER", 1)  # PostgreSQL: the corrections through COPY too
    # Rows lost, rows wrong, links lost, a link that should not be there.
    EpisodePlace.objects.filter(episode_id=ids[0]).delete()
    EpisodePlace.objects.filter(episode_id=ids[1]).update(found_district="ZZ1", found_h3="")
    EpisodePlace.objects.filter(episode_id=ids[2]).update(home_authority_id=world.southwark.pk)
    ChildPlace.objects.filter(episode_id=ids[3], role="found").delete()
    wrong = ChildPlace.objects.filter(episode_id=ids[4]).first()
    ChildPlace.objects.create(child_id=wrong.child_id, place_id=wrong.place_id, role="found", episode_id=ids[5],
                              source=f"episode:{ids[5]}", date=dt.date(2020, 1, 1))
    assert rows() != expected
    assert episode_places_refresh_all() == len(ids)
    assert rows() == expected

    # Nothing differs: nothing is written (the links keep when they were written).
    written = sorted(ChildPlace.objects.values_list("pk", "recorded_at"))
    episode_places_refresh_all()
    assert rows() == expected
    assert sorted(ChildPlace.objects.values_list("pk", "recorded_at")) == written


def test_an_episode_changed_after_a_full_sync_is_followed_by_the_incremental_path(world, many):
    places_sync()
    episode = many[0]
    Episode.objects.filter(pk=episode.pk).update(found_postcode="ME15 6AA", updated_at=london(2030, 1, 1))
    assert stale_episode_ids() == [episode.pk]
    assert ensure_fresh() == 1
    assert EpisodePlace.objects.get(episode=episode).found_district == "ME15"
    after_incremental = rows()
    forget_everything()
    places_sync()
    assert rows() == after_incremental


def test_the_freshness_check_takes_the_full_path_when_many_episodes_are_stale(world, many, monkeypatch):
    ids = list(Episode.objects.values_list("pk", flat=True))
    episode_places_refresh(ids)
    expected = rows()
    forget_everything()
    calls = []
    full = services.episode_places_refresh_all
    monkeypatch.setattr(services, "episode_places_refresh_all", lambda **kw: calls.append(1) or full(**kw))
    monkeypatch.setattr("homeward.places.freshness.FULL_REFRESH_OVER", 3)
    assert ensure_fresh() == len(ids)
    assert calls == [1]
    assert rows() == expected
