"""Places from episodes and interviews: kept up to date by the episode events,
rebuilt idempotently by `homeward places sync`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.cli import main
from homeward.episodes.services import episode_record_return, episode_report_missing
from homeward.places.freshness import ensure_fresh, stale_episode_ids
from homeward.places.models import ChildPlace, EpisodePlace, Place
from homeward.places.services import episode_places_refresh, place_for, places_geocode, places_sync

from .conftest import london


def snapshot():
    return (
        sorted(Place.objects.values_list("pk", "key", "district", "precision", "latitude")),
        sorted(ChildPlace.objects.values_list("pk", "child_id", "place_id", "role", "episode_id", "source", "date")),
        sorted(EpisodePlace.objects.values_list("episode_id", "child_id", "found_place_id", "found_district",
                                                "from_district", "found_h3", "updated_at")),
    )


def test_an_episode_gives_its_places_links_and_hotspot_row(world, directory, make_episode):
    e = make_episode(world.ellie, start=london(2025, 3, 1, 20), postcode="CT2 7NZ", found="ct1 2ab")
    episode_places_refresh([e.pk])
    row = EpisodePlace.objects.get(episode=e)
    assert (row.found_district, row.from_district, row.child_id, row.area_authority_id) == (
        "CT1", "CT2", world.ellie.pk, world.kent.pk)
    assert row.found_place.postcode == "CT1 2AB" and row.found_place.precision == "unit"
    assert row.found_h3 and row.found_h3 == row.found_place.h3_cell
    links = {(c.role, c.place.postcode, c.source.split(":")[0], c.date) for c in ChildPlace.objects.filter(episode=e)}
    assert links == {("missing_from", "CT2 7NZ", "notification", dt.date(2025, 3, 1)),
                     ("found", "CT1 2AB", "notification", dt.date(2025, 3, 2))}
    source = ChildPlace.objects.get(episode=e, role="found").source
    assert source == f"notification:{e.notifications.get().pk}"


def test_no_found_postcode_means_no_found_place_and_a_blank_district(world, directory, make_episode):
    e = make_episode(world.ellie, start=london(2025, 3, 1, 20), found="")
    episode_places_refresh([e.pk])
    row = EpisodePlace.objects.get(episode=e)
    assert row.found_place is None and row.found_district == ""
    assert not ChildPlace.objects.filter(episode=e, role="found").exists()


def test_a_partial_or_unknown_postcode_is_located_at_the_district_or_not_at_all(world, directory, make_episode,
                                                                                kent_child):
    a = make_episode(kent_child(), start=london(2025, 3, 1, 20), found="CT1")
    b = make_episode(kent_child(), start=london(2025, 3, 1, 20), found="XX9 9XX")
    episode_places_refresh([a.pk, b.pk])
    pa, pb = EpisodePlace.objects.get(episode=a).found_place, EpisodePlace.objects.get(episode=b).found_place
    assert (pa.district, pa.precision, pa.postcode) == ("CT1", "district", "")
    assert (pb.district, pb.precision, pb.latitude) == ("XX9", "none", None)


def test_found_where_text_makes_a_named_place_and_the_same_text_later_is_the_same_place(world, directory):
    actor = world.kent_missing_officer
    now = timezone.now().replace(microsecond=0)
    first = episode_report_missing(actor=actor, child=world.ellie, area_authority=world.kent,
                                   last_seen_at=now - dt.timedelta(days=9))
    episode_record_return(actor=actor, episode=first, returned_at=now - dt.timedelta(days=8),
                          found_postcode="ME15 6AA", found_where="Maidstone station")
    second = episode_report_missing(actor=actor, child=world.ellie, area_authority=world.kent,
                                    last_seen_at=now - dt.timedelta(days=3))
    episode_record_return(actor=actor, episode=second, returned_at=now - dt.timedelta(days=2),
                          found_postcode="me15 6aa", found_where="  maidstone STATION ")
    episode_places_refresh([first.pk, second.pk])
    places = {EpisodePlace.objects.get(episode=e).found_place for e in (first, second)}
    assert len(places) == 1
    place = places.pop()
    assert (place.label, place.postcode, place.district) == ("Maidstone station", "ME15 6AA", "ME15")


def test_sync_twice_changes_nothing_the_second_time(world, directory, make_episode, kent_child):
    for i, found in enumerate(["CT1 2AB", "CT1", "", "ME15 6AA", "CT12"]):
        make_episode(kent_child(), start=london(2025, 2, 1 + i, 20), found=found, postcode="CT2 7NZ")
    first = places_sync()
    before = snapshot()
    assert first.episodes == 5 and len(before[2]) == 5
    second = places_sync()
    assert second.episodes == 5
    assert snapshot() == before
    assert main(["places", "sync", "--authority", "886"]) == 0
    assert snapshot() == before


def test_sync_rebuilds_what_was_lost_and_removes_what_is_stale(world, directory, make_episode):
    e = make_episode(world.ellie, start=london(2025, 3, 1, 20), found="CT1 2AB")
    places_sync()
    EpisodePlace.objects.all().delete()
    ChildPlace.objects.filter(role="found").delete()
    ChildPlace.objects.create(child=world.ellie, place=place_for("", "SE1 7PB"), role="found", episode=e,
                              source=f"episode:{e.pk}")
    places_sync()
    assert EpisodePlace.objects.get(episode=e).found_district == "CT1"
    assert list(ChildPlace.objects.filter(episode=e, role="found").values_list("place__postcode", flat=True)) == [
        "CT1 2AB"]


def test_the_episode_events_keep_places_up_to_date(world, directory, django_capture_on_commit_callbacks):
    actor = world.kent_missing_officer
    now = timezone.now().replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        episode = episode_report_missing(actor=actor, child=world.ellie, area_authority=world.kent,
                                         last_seen_at=now - dt.timedelta(hours=6), postcode="CT2 7NZ")
    row = EpisodePlace.objects.get(episode=episode)
    assert (row.from_district, row.found_district) == ("CT2", "")
    with django_capture_on_commit_callbacks(execute=True):
        episode_record_return(actor=actor, episode=episode, returned_at=now - dt.timedelta(hours=1),
                              found_postcode="CT1 3AA", found_where="Bus station")
    row.refresh_from_db()
    assert row.found_district == "CT1" and row.found_place.label == "Bus station"
    assert stale_episode_ids() == []


def test_hotspot_rows_catch_up_when_an_event_was_missed(world, directory, make_episode):
    e = make_episode(world.ellie, start=london(2025, 3, 1, 20), found="CT1 2AB")  # no on_commit here: no event
    assert not EpisodePlace.objects.filter(episode=e).exists()
    assert stale_episode_ids() == [e.pk]
    assert ensure_fresh() == 1
    assert EpisodePlace.objects.get(episode=e).found_district == "CT1"
    assert ensure_fresh() == 0


def test_loading_a_directory_later_locates_the_places_already_recorded(world, make_episode, tmp_path):
    from homeward.places.directory import postcodes_load

    from .conftest import write_onspd

    e = make_episode(world.ellie, start=london(2025, 3, 1, 20), found="CT1 2AB")
    episode_places_refresh([e.pk])
    place = EpisodePlace.objects.get(episode=e).found_place
    assert (place.precision, place.latitude, EpisodePlace.objects.get(episode=e).found_h3) == ("none", None, "")
    summary = postcodes_load(write_onspd(tmp_path / "d.csv"))
    assert summary.places_located >= 1
    place.refresh_from_db()
    assert (place.precision, place.latitude) == ("unit", 51.278)
    assert EpisodePlace.objects.get(episode=e).found_h3 == place.h3_cell != ""
    assert places_geocode() == 0


def test_places_named_in_a_return_interview_become_links_and_follow_removal(world, directory, make_episode,
                                                                             django_capture_on_commit_callbacks):
    from homeward.interviews.models import Interview
    from homeward.interviews.services import interview_add_place, interview_remove_named, interviews_sync

    e = make_episode(world.ellie, start=london(2025, 3, 1, 20), found="CT1 2AB")
    interviews_sync(episode_ids=[e.pk])
    interview = Interview.objects.get(episode=e)
    actor = world.kent_missing_officer
    with django_capture_on_commit_callbacks(execute=True):
        hotel = interview_add_place(actor=actor, interview=interview, text="Travel Inn", postcode="CT1 3AA",
                                    kind="hotel", shared=True)
        interview_add_place(actor=actor, interview=interview, text="The park by the river", kind="public_place")
    links = {(c.role, c.place.label, c.source) for c in ChildPlace.objects.filter(source__startswith="rhi:")}
    assert links == {("stayed", "Travel Inn", f"rhi:{interview.pk}"),
                     ("frequented", "The park by the river", f"rhi:{interview.pk}")}
    with django_capture_on_commit_callbacks(execute=True):
        interview_remove_named(actor=actor, record=hotel)
    assert set(ChildPlace.objects.filter(source__startswith="rhi:").values_list("place__label", flat=True)) == {
        "The park by the river"}
    places_sync()
    before = snapshot()
    assert len(before[1]) == 2  # the park, and where the episode ended
    places_sync()
    assert snapshot() == before


@pytest.mark.parametrize("postcode, district", [("CT1 2AB", "CT1"), ("ct1", "CT1"), ("", ""), ("NFA", "")])
def test_place_for_records_only_something(world, directory, postcode, district):
    place = place_for("", postcode)
    if district:
        assert place.district == district
    else:
        assert place is None


def test_a_child_moving_home_authority_moves_their_episodes_from_home_between_authorities(world, directory,
                                                                                       make_episode):
    from homeward.places.hotspots import HotspotQuery, area_counts

    e = make_episode(world.ellie, area=world.southwark, start=london(2025, 3, 1, 20), found="SE1 7PB",
                     missing_from="home", source="police:met")
    march = (london(2025, 3, 1).date(), london(2025, 4, 1).date())
    assert [(r.key, r.episodes) for r in area_counts(HotspotQuery(world.kent.pk, *march))] == [("SE1", 1)]
    assert EpisodePlace.objects.get(episode=e).home_authority_id == world.kent.pk
    ellie = world.ellie
    ellie.home_authority = world.southwark
    ellie.save()
    assert area_counts(HotspotQuery(world.kent.pk, *march)) == []  # no longer Kent's child at home
    assert EpisodePlace.objects.get(episode=e).home_authority_id == world.southwark.pk
