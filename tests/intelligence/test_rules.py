"""The link rules at their edges (homeward/intelligence/rules.py, docs/intelligence.md)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.intelligence import rules
from homeward.intelligence.rules import EpisodeFacts

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.timezone.utc)
H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def ep(pk, child, start, end=None, *, provider=None, postcode="", found_postcode="", found_where=""):
    return EpisodeFacts(pk, child, start, end, provider, postcode, found_postcode, found_where)


START = at("2025-06-01 20:00")


# --- went missing together -----------------------------------------------------------------------


def test_starts_exactly_two_hours_apart_from_the_same_home_went_missing_together():
    a = ep(1, 10, START, START + H, provider=7)
    b = ep(2, 11, START + 2 * H, START + 5 * H, provider=7)
    link = rules.missing_link(a, b, now=NOW)
    assert link.kind == rules.MISSING_TOGETHER and link.basis == rules.BASIS_PROVIDER
    assert link.hours_apart == 2.0 and (link.a, link.b) == (a, b)


def test_a_second_more_than_two_hours_apart_is_not_together_when_the_periods_do_not_overlap():
    a = ep(1, 10, START, START + H, provider=7)
    b = ep(2, 11, START + 2 * H + S, START + 5 * H, provider=7)
    assert rules.missing_link(a, b, now=NOW) is None


def test_starts_far_apart_but_overlapping_periods_are_missing_at_the_same_time():
    a = ep(1, 10, START, START + 30 * H, provider=7)
    b = ep(2, 11, START + 20 * H, START + 40 * H, provider=7)
    link = rules.missing_link(a, b, now=NOW)
    assert link.kind == rules.MISSING_SAME_TIME
    assert link.overlap_hours == 10.0 and link.hours_apart == 20.0


def test_periods_that_only_touch_do_not_overlap():
    a = ep(1, 10, START, START + 30 * H, provider=7)
    b = ep(2, 11, START + 30 * H, START + 40 * H, provider=7)
    assert rules.missing_link(a, b, now=NOW) is None


def test_an_open_episode_overlaps_one_that_starts_while_it_is_still_open():
    a = ep(1, 10, START, None, provider=7)
    b = ep(2, 11, START + 100 * H, START + 101 * H, provider=7)
    assert rules.missing_link(a, b, now=NOW).kind == rules.MISSING_SAME_TIME


def test_different_providers_are_never_linked_even_at_the_same_moment_and_postcode():
    a = ep(1, 10, START, START + H, provider=7, postcode="ME15 6AA")
    b = ep(2, 11, START, START + H, provider=8, postcode="ME15 6AA")
    assert rules.missing_link(a, b, now=NOW) is None


def test_the_same_full_postcode_links_episodes_without_a_provider():
    a = ep(1, 10, START, START + H, postcode="me156aa")
    b = ep(2, 11, START + H, START + 2 * H, postcode="ME15 6AA")
    link = rules.missing_link(a, b, now=NOW)
    assert link.basis == rules.BASIS_ADDRESS and link.kind == rules.MISSING_TOGETHER


def test_a_provider_on_one_side_only_falls_back_to_the_postcode():
    a = ep(1, 10, START, START + H, provider=7, postcode="ME15 6AA")
    b = ep(2, 11, START, START + H, postcode="ME15 6AA")
    assert rules.missing_link(a, b, now=NOW).basis == rules.BASIS_ADDRESS


def test_a_postcode_district_alone_never_makes_the_same_address():
    a = ep(1, 10, START, START + H, postcode="ME15")
    b = ep(2, 11, START, START + H, postcode="ME15")
    assert rules.missing_link(a, b, now=NOW) is None


def test_no_origin_at_all_is_no_link():
    assert rules.missing_link(ep(1, 10, START), ep(2, 11, START), now=NOW) is None


def test_a_child_is_never_linked_to_itself():
    a = ep(1, 10, START, START + H, provider=7)
    b = ep(2, 10, START + H, START + 2 * H, provider=7)
    assert rules.missing_link(a, b, now=NOW) is None
    assert rules.found_link(a, b) is None


def test_hours_apart_are_real_hours_across_the_october_clock_change():
    # 00:30 BST and 01:30 GMT on 26 October 2025 are two real hours apart.
    a = ep(1, 10, dt.datetime(2025, 10, 26, 0, 30, tzinfo=LONDON), provider=7)
    b = ep(2, 11, dt.datetime(2025, 10, 26, 1, 30, fold=1, tzinfo=LONDON), provider=7)
    link = rules.missing_link(a, b, now=NOW.replace(year=2026))
    assert link.kind == rules.MISSING_TOGETHER and link.hours_apart == 2.0


# --- found together ------------------------------------------------------------------------------


def test_found_at_the_same_postcode_two_hours_apart_is_found_together():
    a = ep(1, 10, START, START + 10 * H, found_postcode="CT1 1QU")
    b = ep(2, 11, START - 50 * H, START + 12 * H, found_postcode="ct11qu")
    link = rules.found_link(a, b)
    assert link.kind == rules.FOUND_TOGETHER and link.basis == rules.BASIS_FOUND_POSTCODE
    assert link.hours_apart == 2.0


def test_found_a_second_more_than_two_hours_apart_is_not_together():
    a = ep(1, 10, START, START + 10 * H, found_postcode="CT1 1QU")
    b = ep(2, 11, START, START + 12 * H + S, found_postcode="CT1 1QU")
    assert rules.found_link(a, b) is None


def test_different_found_postcodes_decide_even_if_the_words_match():
    a = ep(1, 10, START, START + H, found_postcode="CT1 1QU", found_where="the station")
    b = ep(2, 11, START, START + H, found_postcode="CT1 1QW", found_where="The station")
    assert rules.found_link(a, b) is None


def test_the_same_words_without_a_postcode_are_not_the_same_place():
    # "The station" in two towns: a kind of place, not a place.
    a = ep(1, 10, START, START + H, found_where="Railway station")
    b = ep(2, 11, START, START + H, found_where="Railway station")
    assert rules.found_link(a, b) is None
    c = ep(3, 12, START, START + H, found_postcode="CT1 1QU", found_where="Railway station")
    assert rules.found_link(a, c) is None


def test_a_postcode_district_alone_is_not_the_same_found_place():
    a = ep(1, 10, START, START + H, found_postcode="CT1")
    b = ep(2, 11, START, START + H, found_postcode="CT1")
    assert rules.found_link(a, b) is None


def test_an_episode_not_yet_returned_is_never_found_together():
    a = ep(1, 10, START, None, found_postcode="CT1 1QU")
    b = ep(2, 11, START, START + H, found_postcode="CT1 1QU")
    assert rules.found_link(a, b) is None


def test_nothing_known_of_where_they_were_found_is_no_link():
    assert rules.found_link(ep(1, 10, START, START + H), ep(2, 11, START, START + H)) is None


# --- all links among many episodes ------------------------------------------------------------------


def _pairwise(episodes, involving=None):
    found = {}
    for i, a in enumerate(episodes):
        for b in episodes[i + 1:]:
            for link in (rules.missing_link(a, b, now=NOW), rules.found_link(a, b)):
                if link and (involving is None or set(link.child_ids) & involving):
                    found[link.key] = link
    return found


def test_episode_links_finds_each_pair_once_in_a_stable_order():
    a = ep(1, 10, START, START + 5 * H, provider=7, postcode="ME15 6AA", found_postcode="CT1 1QU")
    b = ep(2, 11, START + H, START + 5 * H, provider=7, postcode="ME15 6AA", found_postcode="CT1 1QU")
    c = ep(3, 12, START + 3 * H, START + 4 * H, provider=7)
    links = rules.episode_links([c, b, a, a], now=NOW)
    assert [(link.kind, link.a.episode_id, link.b.episode_id) for link in links] == [
        (rules.MISSING_TOGETHER, 1, 2),
        (rules.MISSING_SAME_TIME, 1, 3),
        (rules.MISSING_TOGETHER, 2, 3),
        (rules.FOUND_TOGETHER, 1, 2),
    ]
    assert rules.episode_links([a, b, c], now=NOW, involving={12}) == [links[1], links[2]]


_times = st.integers(min_value=0, max_value=24 * 20)
_episode = st.tuples(st.integers(10, 14), _times, st.one_of(st.none(), st.integers(0, 72)),
                     st.one_of(st.none(), st.integers(1, 3)), st.sampled_from(["", "ME15 6AA", "CT1 1QU", "CT1"]),
                     st.sampled_from(["", "CT1 1QU", "ct11qu", "ME15 6AA", "CT1"]), st.sampled_from(["", "station"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(_episode, max_size=14))
def test_the_sweep_finds_exactly_the_links_of_comparing_every_pair(raw):
    episodes = []
    for n, (child, start, length, provider, postcode, found_postcode, where) in enumerate(raw, start=1):
        begin = START + start * H
        episodes.append(ep(n, child, begin, None if length is None else begin + length * H, provider=provider,
                           postcode=postcode, found_postcode=found_postcode, found_where=where))
    random.Random(len(raw)).shuffle(episodes)
    assert {link.key for link in rules.episode_links(episodes, now=NOW)} == set(_pairwise(episodes))
    assert ({link.key for link in rules.episode_links(episodes, now=NOW, involving={10})}
            == set(_pairwise(episodes, involving={10})))


# --- people and places linking children ------------------------------------------------------------


def test_a_person_linked_to_two_children_links_them_and_one_child_twice_does_not():
    pairs = [("p1", 10), ("p1", 11), ("p2", 10), ("p2", 10), ("p3", 12)]
    assert rules.shared(pairs) == {"p1": {10, 11}}


def test_where_a_child_went_missing_from_does_not_make_a_place_shared():
    assert not rules.place_counts_for_sharing("missing_from")
    assert all(rules.place_counts_for_sharing(r) for r in ("found", "stayed", "taken_to", "frequented"))


def test_the_shortlist_breaks_ties_by_name_then_key_and_keeps_the_minimum():
    counts = {1: 3, 2: 5, 3: 3, 4: 1}
    labels = {1: "zed", 2: "amy", 3: "bob", 4: "cat"}
    assert [r.key for r in rules.rank(counts, labels=labels, size=3, minimum=2)] == [2, 3, 1]
    assert rules.rank(counts, labels=labels, minimum=6) == []


def test_hours_are_described_to_the_minute():
    assert rules.describe_hours(0.75) == "45 minutes"
    assert rules.describe_hours(2) == "2 hours"
    assert rules.describe_hours(1 + 1 / 60) == "1 hour 1 minute"
    assert rules.describe_hours(50) == "2 days 2 hours"
    assert rules.describe_hours(48) == "2 days"
