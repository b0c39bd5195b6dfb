"""The briefing's pure rules at their edges (homeward/briefing/rules.py)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from homeward.briefing import rules

UTC = dt.timezone.utc


@pytest.mark.parametrize("typed, expected", [
    ("165", 165), (" 165 cm ", 165), ("165CM", 165), (165, 165), ("50", 50), ("230", 230), ("", None), (None, None),
])
def test_a_height_is_read_in_whole_centimetres(typed, expected):
    assert rules.parse_height(typed) == (expected, "")


@pytest.mark.parametrize("typed", ["49", "231", "0", "-5", "5ft 6", "1.65", "tall", True])
def test_a_height_outside_50_to_230_centimetres_or_not_a_number_is_a_problem(typed):
    value, problem = rules.parse_height(typed)
    assert value is None and problem


def test_lines_are_trimmed_blank_ones_dropped_and_inner_spaces_squeezed():
    assert rules.split_lines("  Jordan  Smith \n\n  \nKayden\r\n") == ["Jordan Smith", "Kayden"]
    assert rules.split_lines(["  a ", "", "b"]) == ["a", "b"]
    assert rules.split_lines(None) == []


def test_thirty_lines_of_three_hundred_characters_are_the_most_a_list_takes():
    assert rules.check_lines("addresses", "Addresses", ["x" * 300] * 30) == []
    too_many = rules.check_lines("addresses", "Addresses", ["x"] * 31)
    assert too_many[0].field == "addresses" and "30 lines or fewer" in too_many[0].message
    too_long = rules.check_lines("addresses", "Addresses", ["ok", "x" * 301])
    assert too_long[0].field == "addresses" and "line 2" in too_long[0].message


def test_a_postcode_is_found_anywhere_in_a_line_and_normalised():
    assert rules.postcode_in("Nan's flat, 4 Hill Road, me71aa") == "ME7 1AA"
    assert rules.postcode_in("Skate park, Victoria Gardens ME4 4AA, by the river") == "ME4 4AA"
    assert rules.postcode_in("McDonald's on the High Street") == ""


def test_changed_fields_name_only_what_differs():
    before = {"hair": "Brown", "eyes": "Blue", "addresses": ["a"]}
    after = {"hair": "Brown", "eyes": "Green", "addresses": ["a", "b"]}
    assert rules.changed_fields(before, after) == ["eyes", "addresses"]
    assert rules.changed_fields(after, dict(after)) == []


def _found(where, postcode, day):
    return SimpleNamespace(found_where=where, found_postcode=postcode,
                           returned_at=dt.datetime(2025, 1, day, 12, tzinfo=UTC))


def test_places_found_before_are_grouped_by_postcode_most_often_first():
    found = rules.places_found([
        _found("Maidstone East station", "ME15 6AA", 3),
        _found("", "", 4),  # found, but nobody said where: not a place
        _found("Friend's flat", "CT1 1QU", 10),
        _found("Maidstone East", "me15 6aa", 20),
        _found("McDonald's, Chatham", "", 21),
    ])
    assert [(f.postcode, f.times) for f in found] == [("ME15 6AA", 2), ("", 1), ("CT1 1QU", 1)]
    assert found[0].where == "Maidstone East station; Maidstone East"
    assert found[0].last == dt.datetime(2025, 1, 20, 12, tzinfo=UTC)
    assert found[1].where == "McDonald's, Chatham"  # the most recent of the places found once


def test_last_seen_must_be_past_after_birth_and_before_the_return():
    now = dt.datetime(2025, 6, 1, 12, tzinfo=UTC)
    dob = dt.date(2010, 5, 5)
    returned = dt.datetime(2025, 5, 30, 9, tzinfo=UTC)
    assert rules.check_last_seen(None, now=now, dob=dob, returned_at=None) == []
    assert rules.check_last_seen(now, now=now, dob=dob, returned_at=None) == []
    assert "in the past" in rules.check_last_seen(now + dt.timedelta(minutes=1), now=now, dob=dob,
                                                  returned_at=None)[0].message
    assert "date of birth" in rules.check_last_seen(dt.datetime(2010, 5, 4, 23, tzinfo=UTC), now=now, dob=dob,
                                                    returned_at=None)[0].message
    assert rules.check_last_seen(returned, now=now, dob=dob, returned_at=returned) == []
    assert "before they came back" in rules.check_last_seen(returned + dt.timedelta(minutes=1), now=now, dob=dob,
                                                            returned_at=returned)[0].message
