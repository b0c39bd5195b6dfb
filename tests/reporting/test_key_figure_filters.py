"""The key figures with filters (filters.py), counted by hand on a small
world, and at the edges of definitions.md: local days at the end of March,
open episodes at the period's end, children looked after for part of the
year, merged duplicates, and the repeat thresholds."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward.people.models import Child
from homeward.placements.models import Provider
from homeward.problems import Refused
from homeward.reporting.filters import KpiFilters, parse_filters

from .helpers import figures, make_child, place, report
from .test_kpis_agree_with_rules import PERIODS, build_world

JULY = ("2024-07-01", "2024-08-01")


@pytest.fixture
def july(la):
    """Kent, July 2024 (ages on the day each episode started):

    - Ellie, F, at home in Kent, 13 on 10 July and 14 on 25 July (two episodes from home);
    - Callum, M, WBRI, Kent's child at Oakview (K2, Kent), 16: from care on 5 July;
    - Jade, F, BAFR, Southwark's child at Oakview (K2, Kent), 13: placed in, 8 July;
    - Pip, F, Kent's child fostered in Southwark (U4, no provider), 9: from care in Southwark, 12 July, open;
    - Alex, sex not recorded, at home in Kent, 14: 20 July.
    """
    oakview = Provider.objects.create(urn="SC900001", name="Oakview", kind=Provider.Kind.CHILDREN_HOME,
                                      host_authority=la.kent)
    ellie = make_child(first="Ellie", dob=dt.date(2010, 7, 20), home=la.kent)
    callum = make_child(first="Callum", dob=dt.date(2008, 1, 1), responsible=la.kent, ethnicity="WBRI")
    Child.objects.filter(pk=callum.pk).update(sex="M")
    jade = make_child(first="Jade", dob=dt.date(2011, 6, 1), responsible=la.southwark, ethnicity="BAFR")
    pip = make_child(first="Pip", dob=dt.date(2015, 1, 1), responsible=la.kent)
    alex = make_child(first="Alex", dob=dt.date(2009, 9, 1), home=la.kent)
    Child.objects.filter(pk=alex.pk).update(sex="")
    for child, responsible, host, code, provider in ((callum, la.kent, la.kent, "K2", oakview),
                                                     (jade, la.southwark, la.kent, "K2", oakview),
                                                     (pip, la.kent, la.southwark, "U4", None)):
        p = place(child, responsible=responsible, host=host, start=dt.date(2023, 1, 1))
        p.place_code, p.provider = code, provider
        p.save()
    report(ellie, la.kent, "2024-07-10T18:00", "2024-07-11T08:00")
    report(ellie, la.kent, "2024-07-25T18:00", "2024-07-28T08:00")
    report(callum, la.kent, "2024-07-05T21:00", "2024-07-06T09:00", responsible=la.kent)
    report(jade, la.kent, "2024-07-08T22:00", "2024-07-09T06:00", responsible=la.southwark)
    report(pip, la.southwark, "2024-07-12T16:00", responsible=la.kent)
    report(alex, la.kent, "2024-07-20T12:00", "2024-07-20T20:00")
    return la


def kent(la, **filters):
    return figures(la.kent, *JULY, filters=KpiFilters(**filters) if filters else None)


def test_unfiltered_world_is_as_counted(july):
    f = kent(july)
    assert f["episodes"] == {"total": 6, "from_home": 3, "from_care": 3, "absent": 0, "open_at_end": 1}
    assert f["children"] == {"total": 5, "from_home": 2, "from_care": 3}
    assert f["placements"] == {"placed_in_episodes": 1, "placed_in_children": 1, "own_placed_out_episodes": 1,
                               "own_placed_out_children": 1}
    assert f["looked_after"]["children"] == 2 and f["looked_after"]["went_missing"] == 2
    assert "filters" not in f


def test_missing_from_care_counts_the_episodes_from_care_only(july):
    f = kent(july, missing_from="care")
    assert f["episodes"] == {"total": 3, "from_home": 0, "from_care": 3, "absent": 0, "open_at_end": 1}
    assert f["children"] == {"total": 3, "from_home": 0, "from_care": 3}
    assert f["filters"] == {"missing_from": "care"}
    assert f["looked_after"] == {"children": 2, "went_missing": 2, "went_missing_percent": 100.0, "episodes": 2,
                                 "episodes_per_child": 1.0}
    assert any(note.startswith("Filtered: Episodes from care") for note in f["notes"])


def test_missing_from_home_withholds_the_looked_after_figures(july):
    f = kent(july, missing_from="home")
    assert f["episodes"]["total"] == 3 and f["children"]["total"] == 2
    assert f["duration_hours"]["median"] == 14.0  # 14 h (Ellie), 62 h (Ellie), 8 h (Alex)
    assert set(f["looked_after"].values()) == {None}
    assert any("withheld" in note for note in f["notes"])


def test_whose_children_own_and_placed_in_split_the_episodes(july):
    placed_in, own = kent(july, children="placed-in"), kent(july, children="own")
    assert placed_in["episodes"]["total"] == 1 and placed_in["placements"]["placed_in_children"] == 1
    assert own["episodes"]["total"] == 5 and own["placements"]["placed_in_episodes"] == 0
    assert set(placed_in["looked_after"].values()) == {None}
    assert own["looked_after"]["children"] == 2


@pytest.mark.parametrize("band, episodes, children", [
    ("under-10", 1, 1),  # Pip, 9
    ("10-13", 2, 2),     # Ellie on 10 July (13), Jade (13)
    ("14-15", 2, 2),     # Ellie on 25 July (14: her birthday was 20 July), Alex (14)
    ("16-17", 1, 1),     # Callum
])
def test_age_band_is_the_age_on_the_day_the_episode_started(july, band, episodes, children):
    f = kent(july, age_band=band)
    assert (f["episodes"]["total"], f["children"]["total"]) == (episodes, children)


def test_age_bands_split_the_episodes_and_a_child_counts_in_each_band_they_were_in(july):
    total = sum(kent(july, age_band=band)["episodes"]["total"] for band in ("under-10", "10-13", "14-15", "16-17"))
    assert total == kent(july)["episodes"]["total"]


def test_looked_after_denominator_follows_the_child_and_placement_filters(july):
    assert kent(july, sex="M")["looked_after"]["children"] == 1           # Callum
    assert kent(july, sex="F")["looked_after"]["children"] == 1           # Pip (Jade is Southwark's)
    assert kent(july, placement_type="U4")["looked_after"]["children"] == 1
    assert kent(july, age_band="16-17")["looked_after"]["children"] == 1
    assert kent(july, age_band="10-13")["looked_after"]["children"] == 0  # Pip is 9: no rate
    assert kent(july, age_band="10-13")["looked_after"]["went_missing_percent"] is None


@pytest.mark.parametrize("filters, episodes, children", [
    ({"sex": "F"}, 4, 3),                 # Ellie twice, Jade, Pip
    ({"sex": "M"}, 1, 1),
    ({"sex": "U"}, 1, 1),                 # Alex: not recorded counts as not known
    ({"ethnicity": "BAFR"}, 1, 1),
    ({"placement_type": "K2"}, 2, 2),     # Callum, Jade
    ({"placement_type": "U4"}, 1, 1),
    ({"placement_type": "R1"}, 0, 0),
    ({"provider": "SC900001"}, 2, 2),
    ({"missing_from": "care", "sex": "F"}, 2, 2),  # Jade, Pip
    ({"missing_from": "care", "sex": "F", "children": "own"}, 1, 1),  # Pip
])
def test_filters_on_child_placement_and_provider(july, filters, episodes, children):
    f = kent(july, **filters)
    assert (f["episodes"]["total"], f["children"]["total"]) == (episodes, children)
    assert f["filters"] == {k: v for k, v in filters.items()}


def test_open_episode_at_the_period_end_stays_open_under_a_filter_and_has_no_duration(july):
    f = kent(july, placement_type="U4")
    assert f["episodes"]["open_at_end"] == 1
    assert f["duration_hours"]["median"] is None and sum(
        v for k, v in f["duration_hours"].items() if k != "median") == 0
    assert f["return_interviews"]["required"] == 0


def test_all_authorities_take_the_same_filters(july):
    f = figures(None, *JULY, filters=KpiFilters(children="placed-in"))
    assert f["episodes"]["total"] == 2  # Jade in Kent, Pip (Kent's) in Southwark
    assert figures(None, *JULY, filters=KpiFilters(missing_from="home"))["episodes"]["total"] == 3


# --- edges of definitions.md ------------------------------------------------------------


def test_2330_on_31_march_bst_is_31_march_for_the_age_band(la):
    """Ages are taken on the Europe/London day the episode started."""
    child = make_child(dob=dt.date(2011, 4, 1), home=la.kent)  # 14 on 1 April 2025
    report(child, la.kent, "2025-03-31T23:30", "2025-04-01T03:00")
    report(child, la.kent, "2025-04-10T00:30", "2025-04-10T03:00")
    year = ("2024-04-01", "2025-04-01")
    assert figures(la.kent, *year, filters=KpiFilters(age_band="10-13"))["episodes"]["total"] == 1
    assert figures(la.kent, *year, filters=KpiFilters(age_band="14-15"))["episodes"]["total"] == 0
    assert figures(la.kent, "2025-04-01", "2026-04-01", filters=KpiFilters(age_band="14-15"))["episodes"]["total"] == 1


def test_0030_on_1_april_bst_is_1_april_for_the_age_band_though_stored_as_31_march_utc(la):
    child = make_child(dob=dt.date(2011, 4, 1), home=la.kent)
    report(child, la.kent, "2025-04-01T00:30", "2025-04-01T03:00")
    f = figures(la.kent, "2025-04-01", "2025-05-01", filters=KpiFilters(age_band="14-15"))
    assert f["episodes"]["total"] == 1 and f["episodes_by_month"] == {"2025-04": 1}


def test_2330_on_31_march_gmt_before_the_clock_change_is_31_march(la):
    """31 March 2024 is the day the clocks went forward (01:00 GMT): 00:30 that
    day is GMT, 23:30 is BST; both are 31 March."""
    child = make_child(dob=dt.date(2010, 4, 1), home=la.kent)  # 14 on 1 April 2024
    report(child, la.kent, "2024-03-31T00:30", "2024-03-31T02:30")
    report(child, la.kent, "2024-03-31T23:30", "2024-04-01T01:30")
    f = figures(la.kent, "2024-03-01", "2024-04-01", filters=KpiFilters(age_band="10-13"))
    assert f["episodes"]["total"] == 2 and f["duration_hours"]["median"] == 1.5  # 1 h real (2 h on the wall clock) and 2 h
    assert figures(la.kent, "2024-04-01", "2024-05-01", filters=KpiFilters(age_band="14-15"))["episodes"]["total"] == 0


def test_child_looked_after_part_of_the_year_is_in_the_age_band_denominator_only_while_placed(la):
    child = make_child(dob=dt.date(2008, 10, 1), responsible=la.kent)  # 16 on 1 October 2024
    place(child, responsible=la.kent, host=la.kent, start=dt.date(2024, 11, 1))
    year = ("2024-04-01", "2025-04-01")
    assert figures(la.kent, *year)["looked_after"]["children"] == 1
    assert figures(la.kent, *year, filters=KpiFilters(age_band="14-15"))["looked_after"]["children"] == 0
    assert figures(la.kent, *year, filters=KpiFilters(age_band="16-17"))["looked_after"]["children"] == 1


def test_placement_ended_before_a_birthday_keeps_the_child_in_the_earlier_band(la):
    child = make_child(dob=dt.date(2008, 10, 1), responsible=la.kent)
    place(child, responsible=la.kent, host=la.kent, start=dt.date(2024, 1, 1), end=dt.date(2024, 10, 1))
    year = ("2024-04-01", "2025-04-01")
    assert figures(la.kent, *year, filters=KpiFilters(age_band="14-15"))["looked_after"]["children"] == 1
    # open up to, not on, its end date: never looked after at 16
    assert figures(la.kent, *year, filters=KpiFilters(age_band="16-17"))["looked_after"]["children"] == 0


def test_merged_duplicates_count_once_with_the_surviving_records_facts(la):
    survivor = make_child(first="Mia", home=la.kent, ethnicity="WBRI")  # F
    duplicate = make_child(first="Mia", home=la.kent, ethnicity="")
    Child.objects.filter(pk=duplicate.pk).update(sex="", merged_into=survivor)
    report(survivor, la.kent, "2024-07-02T10:00", "2024-07-02T12:00")
    report(Child.objects.get(pk=duplicate.pk), la.kent, "2024-07-09T10:00", "2024-07-09T12:00")
    f = figures(la.kent, *JULY, filters=KpiFilters(sex="F", ethnicity="WBRI"))
    assert (f["episodes"]["total"], f["children"]["total"]) == (2, 1)
    assert f["children_by_episode_count"]["2"] == 1
    assert figures(la.kent, *JULY, filters=KpiFilters(sex="U"))["episodes"]["total"] == 0


def test_3_in_90_counts_a_child_when_the_third_episode_matches(la):
    child = make_child(home=la.kent, responsible=la.kent)
    report(child, la.kent, "2024-07-01T10:00", "2024-07-01T12:00", missing_from="home")
    report(child, la.kent, "2024-07-10T10:00", "2024-07-10T12:00", missing_from="home")
    report(child, la.kent, "2024-07-20T10:00", "2024-07-20T12:00", missing_from="care", responsible=la.kent)
    assert figures(la.kent, *JULY, filters=KpiFilters(missing_from="care"))["repeat"]["three_in_ninety_children"] == 1
    assert figures(la.kent, *JULY, filters=KpiFilters(missing_from="home"))["repeat"]["three_in_ninety_children"] == 0


def test_monthly_multiple_counts_a_child_with_a_matching_episode_in_the_month(la):
    child = make_child(home=la.kent, responsible=la.kent)
    for day in (1, 3, 5, 7):
        report(child, la.kent, f"2024-07-0{day}T10:00", f"2024-07-0{day}T12:00", missing_from="home")
    report(child, la.kent, "2024-07-09T10:00", "2024-07-09T12:00", missing_from="care", responsible=la.kent)
    for missing_from in ("home", "care"):
        f = figures(la.kent, *JULY, filters=KpiFilters(missing_from=missing_from))
        assert f["repeat"]["monthly_multiple_children"] == 1, missing_from
    assert figures(la.kent, *JULY, filters=KpiFilters(sex="M"))["repeat"]["monthly_multiple_children"] == 0


def test_a_new_episode_of_another_kind_still_makes_the_interview_not_required(la):
    child = make_child(home=la.kent, responsible=la.kent)
    report(child, la.kent, "2024-07-01T10:00", "2024-07-01T12:00", missing_from="home")
    report(child, la.kent, "2024-07-02T10:00", "2024-07-02T12:00", missing_from="care", responsible=la.kent)
    ri = figures(la.kent, *JULY, filters=KpiFilters(missing_from="home"))["return_interviews"]
    assert (ri["required"], ri["not_required"]) == (0, 1)


# --- sums over a partition, on random worlds ----------------------------------------------

ADDITIVE = ("episodes", "duration_hours", "episodes_by_month")


@pytest.mark.parametrize("seed", range(3))
def test_filters_that_split_the_episodes_add_up_to_the_unfiltered_figures(la, seed):
    build_world(seed, la)
    splits = [
        [{"missing_from": "home"}, {"missing_from": "care"}],
        [{"children": "own"}, {"children": "placed-in"}],
        [{"sex": "M"}, {"sex": "F"}, {"sex": "U"}],
    ]
    for authority in (la.kent, la.southwark, None):
        for start, end in PERIODS:
            whole = figures(authority, start, end)
            for split in splits:
                parts = [figures(authority, start, end, filters=KpiFilters(**f)) for f in split]
                for group in ADDITIVE:
                    for key, value in whole[group].items():
                        if key == "median":
                            continue
                        assert sum(p[group][key] for p in parts) == value, (authority, start, split, group, key)
                ri = [p["return_interviews"] for p in parts]
                assert sum(r["required"] for r in ri) == whole["return_interviews"]["required"]
                assert sum(r["not_required"] for r in ri) == whole["return_interviews"]["not_required"]
                assert max(p["children"]["total"] for p in parts) <= whole["children"]["total"] <= sum(
                    p["children"]["total"] for p in parts)
                assert max(p["repeat"]["three_in_ninety_children"] for p in parts) <= whole["repeat"][
                    "three_in_ninety_children"]


# --- checking the filters -----------------------------------------------------------------


@pytest.mark.parametrize("values, field, words", [
    ({"missing_from": "school"}, "missing_from", "'school' is not where a child can go missing from: give home, care"),
    ({"children": "theirs"}, "children", "give own, placed-in"),
    ({"age_band": "18-21"}, "age_band", "'18-21' is not an age band: give under-10, 10-13, 14-15, 16-17"),
    ({"sex": "X"}, "sex", "'X' is not a sex Homeward records: give M, F, U"),
    ({"ethnicity": "ZZZZ"}, "ethnicity", "'ZZZZ' is not a DfE ethnicity code"),
    ({"placement_type": "Q9"}, "placement_type", "'Q9' is not an SSDA903 placement type (PLACE) code"),
    ({"provider": "SC999999"}, "provider", "'SC999999' is not the Ofsted URN of a provider Homeward knows"),
    ({"provider": "<script>"}, "provider", "is not an Ofsted URN"),
])
def test_a_bad_filter_is_refused_naming_the_filter_and_the_reason(db, values, field, words):
    with pytest.raises(Refused) as refused:
        parse_filters(values)
    assert [p.field for p in refused.value.problems] == [field]
    assert words in refused.value.problems[0].message


def test_every_bad_filter_is_named_at_once(db):
    with pytest.raises(Refused) as refused:
        parse_filters({"sex": "X", "age_band": "old", "missing_from": "home"})
    assert [p.field for p in refused.value.problems] == ["age_band", "sex"]


def test_filters_are_read_whatever_their_case_and_blank_means_any(db):
    Provider.objects.create(urn="SC900002", name="Elm House")
    f = parse_filters({"missing_from": "CARE", "sex": "f", "ethnicity": "wbri", "placement_type": "k2",
                       "age_band": "14–15", "children": "placed_in", "provider": " sc900002 "})
    assert f.given() == {"missing_from": "care", "children": "placed-in", "age_band": "14-15", "sex": "F",
                         "ethnicity": "WBRI", "placement_type": "K2", "provider": "SC900002"}
    assert f.provider_name == "Elm House"
    assert not parse_filters({"sex": "", "provider": "  "})
