"""Reading postcodes, what makes two places one, and the hotspot rules (homeward/places/rules.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward.places import rules
from homeward.places.rules import AreaCount, ParsedPostcode


@pytest.mark.parametrize("text, expected", [
    ("CT1 2AB", ("CT1 2AB", "CT1")),
    ("ct12ab", ("CT1 2AB", "CT1")),
    ("  ct1   2ab ", ("CT1 2AB", "CT1")),
    ("SW1A1AA", ("SW1A 1AA", "SW1A")),
    ("w1a 0ax", ("W1A 0AX", "W1A")),
    ("ME141AA", ("ME14 1AA", "ME14")),
    ("E1 6AN", ("E1 6AN", "E1")),
])
def test_full_postcodes_are_read_in_any_case_and_spacing(text, expected):
    assert rules.parse_postcode(text) == ParsedPostcode(*expected)
    assert rules.parse_postcode(text).precision == "unit"


@pytest.mark.parametrize("text, district", [
    ("CT1", "CT1"), ("ct1", "CT1"), ("ct1 2", "CT1"), ("CT1 2A", "CT1"), ("e1", "E1"), ("SW1A", "SW1A"),
    ("CT12", "CT12"),  # without a space this is the district CT12, not sector 2 of CT1
])
def test_partial_postcodes_resolve_to_their_district(text, district):
    parsed = rules.parse_postcode(text)
    assert parsed == ParsedPostcode(None, district)
    assert parsed.precision == "district"
    assert rules.district_of(text) == district


@pytest.mark.parametrize("text", ["", None, "NFA", "no fixed abode", "12345", "CT1 2ABC", "1CT 2AB", "unknown", " "])
def test_text_that_is_not_a_postcode_has_no_district(text):
    assert rules.parse_postcode(text) == rules.NOT_A_POSTCODE
    assert rules.parse_postcode(text).precision == "none"


def test_the_same_place_written_differently_has_one_key_and_a_postcode_alone_is_another_place():
    a = rules.place_key("McDonald's, Canterbury bus station", "ct12ab")
    b = rules.place_key("  mcdonald's,  canterbury BUS station. ", "CT1 2AB")
    assert a == b
    assert rules.place_key("", "CT1 2AB") != a
    assert rules.place_key("", "ct1 2ab") == rules.place_key(None, "CT12AB")
    assert rules.place_key("", "ct1") == rules.place_key("", "CT1 2")  # partials: the district


def test_named_place_kinds_map_to_stayed_or_frequented():
    assert rules.role_for_named_place("address") == "stayed"
    assert rules.role_for_named_place("hotel") == "stayed"
    assert rules.role_for_named_place("food_shop") == "frequented"
    assert rules.role_for_named_place("other") == "frequented"


def test_hotspot_order_most_episodes_then_most_children_then_natural_district_order_none_last():
    rows = [AreaCount("CT10", 3, 2), AreaCount(None, 3, 2), AreaCount("CT2", 3, 2), AreaCount("ME14", 3, 3),
            AreaCount("DA1", 5, 1), AreaCount("CT1", 1, 1)]
    ordered = [r.key for r in rules.hotspot_order(rows)]
    assert ordered == ["DA1", "ME14", "CT2", "CT10", None, "CT1"]


def test_area_sort_key_orders_districts_naturally_and_h3_cells_as_text():
    keys = ["CT10", "CT2", "CT1", "BN1", "SW1A", "SW1", "871948533ffffff", "87194e6d1ffffff"]
    assert sorted(keys, key=rules.area_sort_key) == [
        "871948533ffffff", "87194e6d1ffffff", "BN1", "CT1", "CT2", "CT10", "SW1", "SW1A"]


@pytest.mark.parametrize("count, threshold, shown", [
    (0, 5, 0), (1, 5, "<5"), (4, 5, "<5"), (5, 5, 5), (12, 5, 12), (3, None, 3), (None, 5, None), (2, 3, "<3"),
])
def test_suppression_replaces_1_to_threshold_minus_1(count, threshold, shown):
    assert rules.suppress(count, threshold) == shown


def test_suppression_rule_states_the_threshold():
    assert "1 to 4" in rules.suppression_rule(5) and "“<5”" in rules.suppression_rule(5)


def test_previous_period_has_the_same_length_and_ends_where_the_period_starts():
    start, end = dt.date(2025, 1, 1), dt.date(2025, 4, 1)
    p_start, p_end = rules.previous_period(start, end)
    assert p_end == start and (p_end - p_start) == (end - start) and p_start == dt.date(2024, 10, 3)


@pytest.mark.parametrize("current, previous, kind, words", [
    (5, 3, "up", "up 2 (from 3)"), (1, 4, "down", "down 3 (from 4)"), (2, 2, "same", "no change"),
    (3, 0, "new", "new (none before)"), (0, 0, "same", "none"), (0, 2, "down", "down 2 (from 2)"),
])
def test_trend_against_the_previous_period(current, previous, kind, words):
    assert rules.trend(current, previous) == kind
    assert rules.change_text(current, previous) == words
