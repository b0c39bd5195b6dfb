"""`links_for_child(actor, child)`: the selector other parts call (the episode
page, the police briefing), over episodes recorded through the services."""

from __future__ import annotations

import datetime as dt

from homeward.access.models import AuditEvent
from homeward.intelligence.selectors import links_for_child
from homeward.people.models import Child
from homeward.placements.models import Placement

from .conftest import make_episode, moment


def _other_oakview_child(world, first="Kai"):
    child = Child.objects.create(first_name=first, last_name="Morgan", dob=dt.date(2010, 2, 2), sex="M",
                                 responsible_authority=world.kent)
    Placement.objects.create(child=child, responsible_authority=world.kent, host_authority=world.kent,
                             provider=world.oakview, place_code="K2", start_date=dt.date(2020, 1, 1))
    return child


def test_a_role_that_does_not_work_on_exploitation_gets_nothing_and_nothing_is_read(world, dean):
    before = AuditEvent.objects.count()
    links = links_for_child(world.kent_social_worker, world.callum)
    assert links.allowed is False and links.empty and links.people == []
    assert AuditEvent.objects.count() == before


def test_the_read_is_audited_against_the_child(world, dean):
    links = links_for_child(world.kent_police, world.callum)
    assert links.allowed and [s.person.name for s in links.people] == ["Dean Mills"]
    event = AuditEvent.objects.filter(object_type="links").latest("at")
    assert event.child_id == world.callum.pk and event.payload["people"] == [dean.person.pk]


def test_two_hours_apart_from_the_same_home_is_together_and_a_minute_more_is_not(world):
    kai = _other_oakview_child(world)
    start = moment(20)
    make_episode(actor=world.kent_police, child=world.callum, area=world.kent, last_seen=start,
                 returned=start + dt.timedelta(hours=1))
    make_episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=start + dt.timedelta(hours=2),
                 returned=start + dt.timedelta(hours=3))
    later = moment(10)
    make_episode(actor=world.kent_police, child=world.callum, area=world.kent, last_seen=later,
                 returned=later + dt.timedelta(hours=1))
    make_episode(actor=world.kent_police, child=kai, area=world.kent,
                 last_seen=later + dt.timedelta(hours=2, minutes=1), returned=later + dt.timedelta(hours=3))
    rows = links_for_child(world.kent_missing_officer, world.callum).episodes
    assert [(r.kind, r.apart) for r in rows] == [("missing_together", "2 hours")]


def test_a_long_episode_overlapping_another_from_the_same_home_is_missing_at_the_same_time(world):
    kai = _other_oakview_child(world)
    start = moment(20)
    make_episode(actor=world.kent_police, child=world.callum, area=world.kent, last_seen=start,
                 returned=start + dt.timedelta(days=3))
    make_episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=start + dt.timedelta(days=2),
                 returned=start + dt.timedelta(days=4))
    rows = links_for_child(world.kent_missing_officer, kai).episodes
    assert [(r.kind, r.other_child.first_name, r.where) for r in rows] == [("missing_same_time", "Callum", "Oakview")]


def test_children_at_home_at_the_same_postcode_link_by_the_address(world):
    sibling = Child.objects.create(first_name="Lily", last_name="Hart", dob=dt.date(2011, 4, 4), sex="F",
                                   home_authority=world.kent, home_postcode="CT2 7NZ")
    start = moment(5)
    make_episode(actor=world.kent_missing_officer, child=world.ellie, area=world.kent, last_seen=start,
                 returned=start + dt.timedelta(hours=4), postcode="CT2 7NZ")
    make_episode(actor=world.kent_missing_officer, child=sibling, area=world.kent,
                 last_seen=start + dt.timedelta(minutes=15), returned=start + dt.timedelta(hours=4), postcode="ct27nz")
    rows = links_for_child(world.kent_missing_officer, world.ellie).episodes
    assert [(r.kind, r.where) for r in rows] == [("missing_together", "the same address (CT2 7NZ)")]


def test_found_at_the_same_postcode_however_typed_and_not_by_the_words_alone(world):
    start = moment(8)
    make_episode(actor=world.kent_police, child=world.callum, area=world.kent, last_seen=start - dt.timedelta(days=2),
                 returned=start, found_postcode="CT1 2QZ", found_where="Canterbury bus station")
    make_episode(actor=world.kent_police, child=world.ellie, area=world.kent, last_seen=start - dt.timedelta(hours=30),
                 returned=start + dt.timedelta(minutes=90), postcode="CT2 7NZ", found_postcode="ct12qz",
                 found_where="the bus station")
    rows = links_for_child(world.kent_missing_officer, world.callum).episodes
    assert [(r.kind, r.apart, r.where) for r in rows] == [
        ("found_together", "1 hour 30 minutes", "Canterbury bus station (CT1 2QZ)")]
    later = moment(4)
    make_episode(actor=world.kent_police, child=world.callum, area=world.kent, last_seen=later - dt.timedelta(days=1),
                 returned=later, found_where="Railway station")
    make_episode(actor=world.kent_police, child=world.ellie, area=world.kent, last_seen=later - dt.timedelta(hours=3),
                 returned=later + dt.timedelta(minutes=30), postcode="CT2 7NZ", found_where="Railway station")
    assert len(links_for_child(world.kent_missing_officer, world.callum).episodes) == 1


def test_where_children_went_missing_from_is_not_a_shared_place(world):
    kai = _other_oakview_child(world)
    make_episode(actor=world.kent_police, child=world.callum, area=world.kent, last_seen=moment(30),
                 returned=moment(29))
    make_episode(actor=world.kent_police, child=kai, area=world.kent, last_seen=moment(10), returned=moment(9))
    links = links_for_child(world.kent_missing_officer, world.callum)
    assert links.places == [] and links.episodes == [] and links.children == []


def test_a_place_where_two_children_stayed_links_them(world):
    from homeward.places.services import child_place_record

    kai = _other_oakview_child(world)
    for child in (world.callum, kai):
        child_place_record(actor=world.kent_missing_officer, child=child, text="Flat 2, 10 King Street",
                           postcode="CT1 2AB", role="stayed")
    links = links_for_child(world.kent_missing_officer, world.callum)
    assert [(p.place.postcode, [r.child.first_name for r in p.others]) for p in links.places] == [("CT1 2AB", ["Kai"])]
    assert links.children[0].child == kai and "Flat 2, 10 King Street" in links.children[0].reasons[0]
