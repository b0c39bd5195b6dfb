"""The key figures, counted by hand on small worlds at the edges of definitions.md."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from homeward.episodes.importing import import_notifications
from homeward.episodes.models import Episode
from homeward.people.models import Child
from homeward.reporting.definitions import DEFINITIONS

from .helpers import figures, make_child, place, report

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples"  # copies of shared/spec/examples
if not EXAMPLES.exists():
    EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "examples"

CONTRACT_KEYS = {
    "authority", "from", "to", "episodes", "children", "children_by_episode_count", "duration_hours",
    "episodes_by_month", "return_interviews", "repeat", "placements", "looked_after", "definitions",
}


# --- the contract's example files -----------------------------------------------------


def test_contract_examples_give_the_figures_the_readme_states(la):
    summary, _ = import_notifications(actor=None, authority=la.kent, path=EXAMPLES / "notifications.csv")
    assert summary.rejected == []
    f = figures(la.kent, "2024-07-01", "2024-08-01")
    assert f["authority"] == "886" and f["from"] == "2024-07-01" and f["to"] == "2024-08-01"
    assert f["episodes"] == {"total": 2, "from_home": 1, "from_care": 1, "absent": 0, "open_at_end": 0}
    assert f["children"] == {"total": 2, "from_home": 1, "from_care": 1}
    assert f["children_by_episode_count"] == {"1": 2, "2": 0, "3": 0}
    # 13.1 h (Ellie) and 31.5 h (Callum)
    assert f["duration_hours"] == {"median": 22.3, "under_24": 1, "24_to_72": 1, "72_to_168": 0, "over_168": 0}
    assert f["episodes_by_month"] == {"2024-07": 2}
    assert f["return_interviews"]["required"] == 2 and f["return_interviews"]["not_required"] == 0


def test_output_has_every_key_of_the_contract_and_a_definition_for_every_figure(la):
    f = figures(la.kent, "2024-04-01", "2025-04-01")
    assert CONTRACT_KEYS <= set(f)
    assert set(f["episodes"]) == {"total", "from_home", "from_care", "absent", "open_at_end"}
    assert set(f["children"]) == {"total", "from_home", "from_care"}
    assert set(f["duration_hours"]) == {"median", "under_24", "24_to_72", "72_to_168", "over_168"}
    assert set(f["return_interviews"]) == {"required", "offered", "offered_in_time", "completed",
                                          "completed_in_time", "declined", "not_required"}
    assert set(f["repeat"]) == {"three_in_ninety_children", "monthly_multiple_children"}
    assert set(f["placements"]) == {"placed_in_episodes", "placed_in_children", "own_placed_out_episodes",
                                    "own_placed_out_children"}
    assert {"children", "went_missing", "episodes_per_child"} <= set(f["looked_after"])
    for group in ("episodes", "children", "duration_hours", "return_interviews", "repeat", "placements",
                  "looked_after"):
        for key in f[group]:
            assert f["definitions"][f"{group}.{key}"], f"{group}.{key} has no definition"
    assert f["definitions"]["children_by_episode_count"] and f["definitions"]["episodes_by_month"]
    assert f["definitions"] == DEFINITIONS


def test_without_recorded_interviews_the_interview_counts_are_zero_and_no_note_says_they_are_missing(la):
    ellie = make_child(home=la.kent)
    report(ellie, la.kent, "2024-07-01T10:00", "2024-07-01T20:00")
    f = figures(la.kent, "2024-04-01", "2025-04-01")
    assert f["return_interviews"]["required"] == 1
    assert all(f["return_interviews"][k] == 0 for k in
               ("offered", "offered_in_time", "completed", "completed_in_time", "declined"))
    assert not any("later part" in note for note in f["notes"])
    assert "filters" not in f


# --- periods and local time -----------------------------------------------------------


def test_episode_at_2330_on_31_march_bst_belongs_to_march_and_the_earlier_statutory_year(la):
    ellie = make_child(home=la.kent)
    report(ellie, la.kent, "2025-03-31T23:30", "2025-04-01T02:00")
    earlier = figures(la.kent, "2024-04-01", "2025-04-01")
    later = figures(la.kent, "2025-04-01", "2026-04-01")
    assert earlier["episodes"]["total"] == 1 and earlier["episodes_by_month"]["2025-03"] == 1
    assert later["episodes"]["total"] == 0


def test_episode_at_0030_on_1_april_bst_belongs_to_april_though_stored_utc_is_31_march(la):
    ellie = make_child(home=la.kent)
    episode = report(ellie, la.kent, "2025-04-01T00:30", "2025-04-01T06:00")
    assert episode.started_at.astimezone(dt.timezone.utc) == dt.datetime(2025, 3, 31, 23, 30, tzinfo=dt.timezone.utc)
    assert figures(la.kent, "2024-04-01", "2025-04-01")["episodes"]["total"] == 0
    later = figures(la.kent, "2025-04-01", "2026-04-01")
    assert later["episodes"]["total"] == 1 and later["episodes_by_month"]["2025-04"] == 1


def test_to_is_exclusive_and_from_inclusive(la):
    ellie = make_child(home=la.kent)
    report(ellie, la.kent, "2024-07-01T00:00", "2024-07-01T01:00")
    report(ellie, la.kent, "2024-08-01T00:00", "2024-08-01T01:00")
    assert figures(la.kent, "2024-07-01", "2024-08-01")["episodes"]["total"] == 1


def test_every_month_of_the_period_is_listed_zeros_included(la):
    ellie = make_child(home=la.kent)
    report(ellie, la.kent, "2024-06-10T12:00", "2024-06-10T18:00")
    f = figures(la.kent, "2024-04-01", "2025-04-01")
    assert list(f["episodes_by_month"]) == [f"2024-{m:02d}" for m in range(4, 13)] + ["2025-01", "2025-02", "2025-03"]
    assert f["episodes_by_month"]["2024-06"] == 1 and sum(f["episodes_by_month"].values()) == 1
    part = figures(la.kent, "2024-06-15", "2024-08-02")
    assert list(part["episodes_by_month"]) == ["2024-06", "2024-07", "2024-08"]


# --- open episodes and durations ------------------------------------------------------


def test_open_episode_at_period_end_counts_open_and_has_no_duration(la):
    ellie = make_child(home=la.kent)
    report(ellie, la.kent, "2024-07-20T20:00")
    f = figures(la.kent, "2024-07-01", "2024-08-01")
    assert f["episodes"]["open_at_end"] == 1
    assert f["duration_hours"] == {"median": None, "under_24": 0, "24_to_72": 0, "72_to_168": 0, "over_168": 0}


def test_episode_returning_after_the_period_end_is_open_at_end_but_has_its_duration(la):
    ellie = make_child(home=la.kent)
    report(ellie, la.kent, "2024-07-31T20:00", "2024-08-01T02:00")
    f = figures(la.kent, "2024-07-01", "2024-08-01")
    assert f["episodes"]["open_at_end"] == 1
    assert f["duration_hours"]["median"] == 6.0 and f["duration_hours"]["under_24"] == 1


def test_return_exactly_at_period_end_is_open_at_end(la):
    ellie = make_child(home=la.kent)
    report(ellie, la.kent, "2024-07-31T20:00", "2024-08-01T00:00")
    assert figures(la.kent, "2024-07-01", "2024-08-01")["episodes"]["open_at_end"] == 1
    assert figures(la.kent, "2024-07-01", "2024-08-02")["episodes"]["open_at_end"] == 0


def test_clock_change_durations_are_real_elapsed_hours(la):
    ellie = make_child(home=la.kent)
    # 22:00 GMT on 30 March to 22:00 BST on 31 March 2024: 23 real hours, not 24
    report(ellie, la.kent, "2024-03-30T22:00", "2024-03-31T22:00")
    sam = make_child(first="Sam", home=la.kent)
    # 22:00 BST on 26 October to 22:00 GMT on 27 October 2024: 25 real hours
    report(sam, la.kent, "2024-10-26T22:00", "2024-10-27T22:00")
    spring = figures(la.kent, "2024-03-01", "2024-04-01")["duration_hours"]
    assert spring["median"] == 23.0 and spring["under_24"] == 1
    autumn = figures(la.kent, "2024-10-01", "2024-11-01")["duration_hours"]
    assert autumn["median"] == 25.0 and autumn["24_to_72"] == 1


def test_duration_buckets_are_half_open_at_24_72_and_168_hours(la):
    for i, (start, end) in enumerate([
        ("2024-07-01T10:00", "2024-07-02T09:59"),  # 23:59 -> under_24
        ("2024-07-03T10:00", "2024-07-04T10:00"),  # 24:00 -> 24_to_72
        ("2024-07-05T10:00", "2024-07-08T10:00"),  # 72:00 -> 72_to_168
        ("2024-07-10T10:00", "2024-07-17T10:00"),  # 168:00 -> over_168
    ]):
        report(make_child(first=f"C{i}", home=la.kent), la.kent, start, end)
    d = figures(la.kent, "2024-07-01", "2024-08-01")["duration_hours"]
    assert (d["under_24"], d["24_to_72"], d["72_to_168"], d["over_168"]) == (1, 1, 1, 1)
    assert d["median"] == 48.0  # (24 + 72) / 2


# --- children and episodes ------------------------------------------------------------


def test_child_with_home_and_care_episodes_counts_once_in_each_and_once_in_total(la):
    child = make_child(home=la.kent)
    report(child, la.kent, "2024-05-03T20:00", "2024-05-04T08:00")  # at home: no placement open yet
    place(child, responsible=la.kent, host=la.kent, start=dt.date(2024, 6, 1))
    report(child, la.kent, "2024-07-03T20:00", "2024-07-04T08:00")  # looked after
    f = figures(la.kent, "2024-04-01", "2025-04-01")
    assert f["episodes"] == {"total": 2, "from_home": 1, "from_care": 1, "absent": 0, "open_at_end": 0}
    assert f["children"] == {"total": 1, "from_home": 1, "from_care": 1}
    assert f["children_by_episode_count"] == {"1": 0, "2": 1, "3": 0}


def test_two_reports_of_one_episode_count_once(la):
    child = make_child(responsible=la.kent)
    place(child, responsible=la.kent, host=la.kent, start=dt.date(2024, 1, 1))
    report(child, la.kent, "2024-07-06T19:00", source="provider:SC1", ref="HOME-1")
    report(child, la.kent, "2024-07-06T19:20", "2024-07-07T08:00", source="police:kent", ref="KNT-1")
    assert Episode.objects.count() == 1
    f = figures(la.kent, "2024-07-01", "2024-08-01")
    assert f["episodes"]["total"] == 1 and f["children"]["total"] == 1
    assert f["duration_hours"]["median"] == 13.0  # 19:00, the earliest last seen, to the return


def test_absent_episodes_are_counted_apart_from_missing(la):
    child = make_child(responsible=la.kent)
    place(child, responsible=la.kent, host=la.kent, start=dt.date(2024, 1, 1))
    report(child, la.kent, "2024-07-06T19:00", "2024-07-06T23:00", category="absent")
    report(child, la.kent, "2024-07-16T19:00", "2024-07-16T23:00")
    assert figures(la.kent, "2024-07-01", "2024-08-01")["episodes"]["absent"] == 1


def test_children_by_episode_count_lists_higher_counts_when_they_occur(la):
    a, b = make_child(first="A", home=la.kent), make_child(first="B", home=la.kent)
    for day in (1, 3, 5, 7):
        report(a, la.kent, f"2024-07-{day:02d}T10:00", f"2024-07-{day:02d}T12:00")
    report(b, la.kent, "2024-07-02T10:00", "2024-07-02T12:00")
    assert figures(la.kent, "2024-07-01", "2024-08-01")["children_by_episode_count"] == {"1": 1, "2": 0, "3": 0, "4": 1}


def test_merged_duplicate_records_count_as_one_child(la):
    survivor = make_child(home=la.kent)
    duplicate = make_child(home=la.kent, first="Tes")
    report(survivor, la.kent, "2024-07-02T10:00", "2024-07-02T12:00")
    report(duplicate, la.kent, "2024-07-09T10:00", "2024-07-09T12:00")
    Child.objects.filter(pk=duplicate.pk).update(merged_into=survivor)
    f = figures(la.kent, "2024-07-01", "2024-08-01")
    assert f["episodes"]["total"] == 2
    assert f["children"]["total"] == 1 and f["children_by_episode_count"]["2"] == 1


def test_chains_of_merges_are_followed_to_the_surviving_record(la):
    first, second, third = (make_child(first=n, home=la.kent) for n in ("A", "B", "C"))
    for child, day in ((first, 2), (second, 9), (third, 16)):
        report(child, la.kent, f"2024-07-{day:02d}T10:00", f"2024-07-{day:02d}T12:00")
    Child.objects.filter(pk=first.pk).update(merged_into=second)
    Child.objects.filter(pk=second.pk).update(merged_into=third)
    f = figures(la.kent, "2024-07-01", "2024-08-01")
    assert f["children"]["total"] == 1 and f["children_by_episode_count"]["3"] == 1
    assert f["repeat"]["three_in_ninety_children"] == 1


# --- whose episodes -------------------------------------------------------------------


def test_southwark_child_placed_in_kent_counts_for_both_and_once_for_all(la):
    jade = make_child(responsible=la.southwark)
    place(jade, responsible=la.southwark, host=la.kent, start=dt.date(2024, 1, 1))
    report(jade, la.kent, "2024-07-06T19:00", "2024-07-07T09:00", responsible=la.southwark)
    kent = figures(la.kent, "2024-07-01", "2024-08-01")
    southwark = figures(la.southwark, "2024-07-01", "2024-08-01")
    everyone = figures(None, "2024-07-01", "2024-08-01")
    assert kent["episodes"]["total"] == southwark["episodes"]["total"] == 1
    assert kent["placements"] == {"placed_in_episodes": 1, "placed_in_children": 1,
                                  "own_placed_out_episodes": 0, "own_placed_out_children": 0}
    assert southwark["placements"] == {"placed_in_episodes": 0, "placed_in_children": 0,
                                       "own_placed_out_episodes": 1, "own_placed_out_children": 1}
    assert everyone["authority"] == "all"
    assert everyone["episodes"]["total"] == 1 and everyone["children"]["total"] == 1
    assert everyone["placements"]["placed_in_episodes"] == 1 and everyone["placements"]["own_placed_out_episodes"] == 1


def test_child_at_home_counts_for_the_home_authority_wherever_they_go_missing(la):
    sam = make_child(home=la.southwark)
    report(sam, la.kent, "2024-07-06T19:00", "2024-07-06T23:00")  # went missing in Kent
    assert figures(la.kent, "2024-07-01", "2024-08-01")["episodes"]["total"] == 1  # in its area
    assert figures(la.southwark, "2024-07-01", "2024-08-01")["episodes"]["total"] == 1  # its own child
    assert figures(la.notts, "2024-07-01", "2024-08-01")["episodes"]["total"] == 0
    assert figures(None, "2024-07-01", "2024-08-01")["episodes"]["total"] == 1


def test_own_child_placed_in_own_area_is_neither_placed_in_nor_out(la):
    callum = make_child(responsible=la.kent)
    place(callum, responsible=la.kent, host=la.kent, start=dt.date(2024, 1, 1))
    report(callum, la.kent, "2024-07-06T19:00", "2024-07-07T09:00")
    p = figures(la.kent, "2024-07-01", "2024-08-01")["placements"]
    assert p == {"placed_in_episodes": 0, "placed_in_children": 0, "own_placed_out_episodes": 0,
                 "own_placed_out_children": 0}


# --- looked-after children ------------------------------------------------------------


def test_child_looked_after_part_of_the_year_counts_in_the_denominator(la):
    part = make_child(first="Part", responsible=la.kent)
    place(part, responsible=la.kent, host=la.kent, start=dt.date(2024, 10, 1), end=dt.date(2024, 12, 1))
    whole = make_child(first="Whole", responsible=la.kent)
    place(whole, responsible=la.kent, host=la.southwark, start=dt.date(2020, 1, 1))
    report(whole, la.southwark, "2024-07-06T19:00", "2024-07-07T09:00", responsible=la.kent)
    report(whole, la.southwark, "2024-08-06T19:00", "2024-08-07T09:00", responsible=la.kent)
    report(whole, la.southwark, "2024-09-06T19:00", "2024-09-07T09:00", responsible=la.kent)
    f = figures(la.kent, "2024-04-01", "2025-04-01")["looked_after"]
    assert f["children"] == 2 and f["went_missing"] == 1 and f["episodes"] == 3
    assert f["went_missing_percent"] == 50.0 and f["episodes_per_child"] == 1.5


def test_looked_after_denominator_edges_and_children_of_other_authorities(la):
    ended_on_first_day = make_child(first="A", responsible=la.kent)
    place(ended_on_first_day, responsible=la.kent, host=la.kent, start=dt.date(2023, 1, 1), end=dt.date(2024, 4, 1))
    starts_on_day_after = make_child(first="B", responsible=la.kent)
    place(starts_on_day_after, responsible=la.kent, host=la.kent, start=dt.date(2025, 4, 1))
    last_day = make_child(first="C", responsible=la.kent)
    place(last_day, responsible=la.kent, host=la.kent, start=dt.date(2025, 3, 31))
    placed_by_southwark = make_child(first="D", responsible=la.southwark)
    place(placed_by_southwark, responsible=la.southwark, host=la.kent, start=dt.date(2024, 1, 1))
    moves = make_child(first="E", responsible=la.kent)  # two placements in the year: one child
    place(moves, responsible=la.kent, host=la.kent, start=dt.date(2024, 1, 1), end=dt.date(2024, 9, 1))
    place(moves, responsible=la.kent, host=la.kent, start=dt.date(2024, 9, 1))
    f = figures(la.kent, "2024-04-01", "2025-04-01")["looked_after"]
    assert f["children"] == 2  # C and E
    assert f["went_missing_percent"] == 0.0 and f["episodes_per_child"] == 0.0
    assert figures(None, "2024-04-01", "2025-04-01")["looked_after"]["children"] == 3


def test_rates_are_empty_when_no_child_was_looked_after(la):
    f = figures(la.kent, "2024-04-01", "2025-04-01")["looked_after"]
    assert f == {"children": 0, "went_missing": 0, "went_missing_percent": None, "episodes": 0,
                 "episodes_per_child": None}


def test_placed_in_children_are_not_in_the_host_authoritys_looked_after_rate(la):
    jade = make_child(responsible=la.southwark)
    place(jade, responsible=la.southwark, host=la.kent, start=dt.date(2024, 1, 1))
    report(jade, la.kent, "2024-07-06T19:00", "2024-07-07T09:00", responsible=la.southwark)
    kent = figures(la.kent, "2024-04-01", "2025-04-01")["looked_after"]
    southwark = figures(la.southwark, "2024-04-01", "2025-04-01")["looked_after"]
    assert (kent["children"], kent["went_missing"], kent["episodes"]) == (0, 0, 0)
    assert (southwark["children"], southwark["went_missing"], southwark["episodes"]) == (1, 1, 1)


# --- repeat missing -------------------------------------------------------------------


def _episodes_on(child, area, days):
    for day in days:
        report(child, area, f"{day}T10:00", f"{day}T12:00")


def test_three_episodes_first_and_third_89_days_apart_meet_3_in_90(la):
    child = make_child(home=la.kent)
    _episodes_on(child, la.kent, ["2024-04-01", "2024-05-01", "2024-06-29"])  # 89 days
    assert figures(la.kent, "2024-04-01", "2025-04-01")["repeat"]["three_in_ninety_children"] == 1


def test_three_episodes_first_and_third_90_days_apart_do_not_meet_3_in_90(la):
    child = make_child(home=la.kent)
    _episodes_on(child, la.kent, ["2024-04-01", "2024-05-01", "2024-06-30"])  # 90 days
    assert figures(la.kent, "2024-04-01", "2025-04-01")["repeat"]["three_in_ninety_children"] == 0


def test_earlier_episodes_before_the_period_count_towards_3_in_90(la):
    child = make_child(home=la.kent)
    _episodes_on(child, la.kent, ["2024-02-10", "2024-03-20", "2024-04-05"])
    assert figures(la.kent, "2024-04-01", "2025-04-01")["repeat"]["three_in_ninety_children"] == 1
    # counted in the period of the third episode only
    assert figures(la.kent, "2023-04-01", "2024-04-01")["repeat"]["three_in_ninety_children"] == 0


def test_3_in_90_days_are_counted_on_london_dates_across_the_clock_change(la):
    child = make_child(home=la.kent)
    # 00:30 BST on 1 April is 23:30 GMT on 31 March: the dates are 1 April and
    # 29 June, 89 days apart, though the UTC dates are 90 apart.
    report(child, la.kent, "2024-04-01T00:30", "2024-04-01T02:00")
    _episodes_on(child, la.kent, ["2024-05-01"])
    report(child, la.kent, "2024-06-29T10:00", "2024-06-29T12:00")
    assert figures(la.kent, "2024-04-01", "2025-04-01")["repeat"]["three_in_ninety_children"] == 1


def test_repeat_thresholds_come_from_the_protocol(la):
    child = make_child(home=la.kent)
    _episodes_on(child, la.kent, ["2024-04-01", "2024-04-15", "2024-05-05"])  # 34 days
    default = figures(la.kent, "2024-04-01", "2025-04-01")
    strict = figures(la.kent, "2024-04-01", "2025-04-01", protocol={"repeat_missing_meeting": {"episodes": 3, "days": 30}})
    monthly_3 = figures(la.kent, "2024-04-01", "2025-04-01", protocol={"monthly_multiple_missing": {"episodes": 2}})
    assert default["repeat"]["three_in_ninety_children"] == 1
    assert strict["repeat"]["three_in_ninety_children"] == 0
    assert "within 30 consecutive calendar days" in strict["definitions"]["repeat.three_in_ninety_children"]
    assert monthly_3["repeat"]["monthly_multiple_children"] == 1


def test_five_starts_in_one_calendar_month_list_the_child_for_monthly_multiple(la):
    child = make_child(home=la.kent)
    _episodes_on(child, la.kent, [f"2024-07-{d:02d}" for d in (1, 5, 10, 20, 31)])
    assert figures(la.kent, "2024-04-01", "2025-04-01")["repeat"]["monthly_multiple_children"] == 1


def test_four_starts_in_one_month_do_not_list_the_child(la):
    child = make_child(home=la.kent)
    _episodes_on(child, la.kent, [f"2024-07-{d:02d}" for d in (1, 5, 10, 20)])
    assert figures(la.kent, "2024-04-01", "2025-04-01")["repeat"]["monthly_multiple_children"] == 0


def test_five_starts_across_a_month_boundary_do_not_list_the_child(la):
    child = make_child(home=la.kent)
    _episodes_on(child, la.kent, ["2024-07-20", "2024-07-25", "2024-07-31", "2024-08-01", "2024-08-03"])
    f = figures(la.kent, "2024-04-01", "2025-04-01")
    assert f["repeat"]["monthly_multiple_children"] == 0
    assert f["repeat"]["three_in_ninety_children"] == 1


def test_monthly_multiple_months_start_at_london_midnight(la):
    child = make_child(home=la.kent)
    _episodes_on(child, la.kent, ["2024-07-05", "2024-07-10", "2024-07-15", "2024-07-20"])
    report(child, la.kent, "2024-08-01T00:30", "2024-08-01T02:00")  # 23:30 UTC on 31 July, but August
    assert figures(la.kent, "2024-04-01", "2025-04-01")["repeat"]["monthly_multiple_children"] == 0


# --- return home interviews -----------------------------------------------------------


def test_every_ended_episode_requires_an_interview_unless_excluded(la):
    ellie = make_child(home=la.kent)
    report(ellie, la.kent, "2024-07-01T10:00", "2024-07-01T20:00")
    report(ellie, la.kent, "2024-07-20T10:00")  # open: needs nothing yet
    ri = figures(la.kent, "2024-07-01", "2024-08-01")["return_interviews"]
    assert (ri["required"], ri["not_required"]) == (1, 0)


def test_new_episode_before_the_offer_was_due_needs_no_interview_for_the_first(la):
    ellie = make_child(home=la.kent)
    report(ellie, la.kent, "2024-07-01T10:00", "2024-07-01T20:00")
    report(ellie, la.kent, "2024-07-04T19:59", "2024-07-05T08:00")  # 71:59 after the return
    ri = figures(la.kent, "2024-07-01", "2024-08-01")["return_interviews"]
    assert (ri["required"], ri["not_required"]) == (1, 1)


def test_new_episode_exactly_at_the_due_time_leaves_the_interview_required(la):
    ellie = make_child(home=la.kent)
    report(ellie, la.kent, "2024-07-01T10:00", "2024-07-01T20:00")
    report(ellie, la.kent, "2024-07-04T20:00", "2024-07-05T08:00")  # 72:00 after the return
    ri = figures(la.kent, "2024-07-01", "2024-08-01")["return_interviews"]
    assert (ri["required"], ri["not_required"]) == (2, 0)


def test_new_episode_after_the_period_still_excludes_the_interview(la):
    ellie = make_child(home=la.kent)
    report(ellie, la.kent, "2024-07-31T10:00", "2024-07-31T20:00")
    report(ellie, la.kent, "2024-08-01T10:00", "2024-08-01T12:00")
    ri = figures(la.kent, "2024-07-01", "2024-08-01")["return_interviews"]
    assert (ri["required"], ri["not_required"]) == (0, 1)


def test_due_time_in_working_days_comes_from_the_protocol(la):
    ellie = make_child(home=la.kent)
    # returned Thursday 28 March 2024; Good Friday and Easter Monday are bank holidays:
    # 3 working days fall due on Thursday 4 April at 20:00
    report(ellie, la.kent, "2024-03-28T10:00", "2024-03-28T20:00")
    report(ellie, la.kent, "2024-04-04T19:00", "2024-04-04T22:00")
    hours = figures(la.kent, "2024-03-01", "2024-04-01")["return_interviews"]
    days = figures(la.kent, "2024-03-01", "2024-04-01",
                   protocol={"return_interview": {"working_days": 3}})["return_interviews"]
    assert (hours["required"], hours["not_required"]) == (1, 0)
    assert (days["required"], days["not_required"]) == (0, 1)


def test_child_placed_in_the_area_by_another_authority_is_that_authoritys_interview(la):
    jade = make_child(responsible=la.southwark)
    place(jade, responsible=la.southwark, host=la.kent, start=dt.date(2024, 1, 1))
    report(jade, la.kent, "2024-07-06T19:00", "2024-07-07T09:00", responsible=la.southwark)
    kent = figures(la.kent, "2024-07-01", "2024-08-01")["return_interviews"]
    southwark = figures(la.southwark, "2024-07-01", "2024-08-01")["return_interviews"]
    everyone = figures(None, "2024-07-01", "2024-08-01")["return_interviews"]
    assert (kent["required"], kent["not_required"]) == (0, 1)
    assert (southwark["required"], southwark["not_required"]) == (1, 0)
    assert (everyone["required"], everyone["not_required"]) == (1, 0)


def test_child_18_by_the_time_the_interview_is_due_needs_no_interview(la):
    adult = make_child(first="A", dob=dt.date(2006, 7, 2), home=la.kent)
    report(adult, la.kent, "2024-07-01T22:00", "2024-07-02T00:30")  # 18th birthday on the return day
    turning = make_child(first="B", dob=dt.date(2006, 7, 3), home=la.kent)
    report(turning, la.kent, "2024-07-01T22:00", "2024-07-02T00:30")  # 18 the day after, before 5 July 00:30
    minor = make_child(first="C", dob=dt.date(2006, 7, 6), home=la.kent)
    report(minor, la.kent, "2024-07-01T22:00", "2024-07-02T00:30")  # 18 after the interview was due
    ri = figures(la.kent, "2024-07-01", "2024-08-01")["return_interviews"]
    assert (ri["required"], ri["not_required"]) == (1, 2)


def test_child_who_died_needs_no_interview(la):
    child = make_child(home=la.kent)
    report(child, la.kent, "2024-07-01T10:00", "2024-07-01T20:00")
    Child.objects.filter(pk=child.pk).update(date_of_death=dt.date(2024, 7, 2))
    ri = figures(la.kent, "2024-07-01", "2024-08-01")["return_interviews"]
    assert (ri["required"], ri["not_required"]) == (0, 1)


# --- how it is computed ---------------------------------------------------------------


def test_figures_take_a_fixed_small_number_of_queries_whatever_the_number_of_episodes(la):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            f = figures(la.kent, "2024-04-01", "2025-04-01")
        return len(captured), f

    _episodes_on(make_child(first="First", home=la.kent), la.kent, ["2024-07-01", "2024-07-09", "2024-07-20"])
    few, _ = queries()
    for i in range(12):
        child = make_child(first=f"C{i}", home=la.kent if i % 2 else la.southwark)
        _episodes_on(child, la.kent, ["2024-07-01", "2024-07-09", "2024-07-20"])
    many, f = queries()
    assert f["episodes"]["total"] == 39 and f["repeat"]["three_in_ninety_children"] == 13
    # 4 on SQLite; PostgreSQL adds a savepoint and the settings of the report's transaction
    assert many == few <= 10


def test_the_period_must_end_after_it_starts(la):
    with pytest.raises(ValueError):
        figures(la.kent, "2024-07-01", "2024-07-01")


def test_figures_do_not_depend_on_the_current_time_zone_setting(la, settings):
    ellie = make_child(home=la.kent)
    report(ellie, la.kent, "2025-03-31T23:30", "2025-04-01T02:00")
    settings.TIME_ZONE = "UTC"
    timezone.deactivate()
    assert figures(la.kent, "2024-04-01", "2025-04-01")["episodes_by_month"]["2025-03"] == 1
