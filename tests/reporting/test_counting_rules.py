"""The counting rules of the key figures (homeward/reporting/rules.py), at their edges."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.reporting import rules
from homeward.reporting.definitions import DEFAULT_PROTOCOL, definitions_for, resolve_protocol

UTC = dt.timezone.utc


def london(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=rules.LONDON)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- periods --------------------------------------------------------------------------


def test_period_runs_from_local_midnight_to_local_midnight_of_the_exclusive_end():
    start, end = rules.period_bounds(d("2024-04-01"), d("2025-04-01"))
    assert start == dt.datetime(2024, 3, 31, 23, 0, tzinfo=UTC)  # BST
    assert end == dt.datetime(2025, 3, 31, 23, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        rules.period_bounds(d("2024-04-01"), d("2024-04-01"))


def test_2330_on_31_march_bst_is_in_march_and_0030_on_1_april_is_in_april():
    late = london("2025-03-31T23:30")
    early = london("2025-04-01T00:30")
    assert early.astimezone(UTC).date() == d("2025-03-31")  # stored UTC is still 31 March
    assert rules.local_date(late) == d("2025-03-31") and rules.local_date(early) == d("2025-04-01")
    assert rules.statutory_year(rules.local_date(late)) == 2025
    assert rules.statutory_year(rules.local_date(early)) == 2026


def test_a_naive_time_has_no_calendar_day():
    with pytest.raises(ValueError):
        rules.local_date(dt.datetime(2024, 7, 1, 12, 0))


def test_months_of_a_period_list_every_month_it_touches():
    assert rules.months_of_period(d("2024-04-01"), d("2025-04-01")) == (
        [f"2024-{m:02d}" for m in range(4, 13)] + ["2025-01", "2025-02", "2025-03"])
    assert rules.months_of_period(d("2024-12-15"), d("2025-01-02")) == ["2024-12", "2025-01"]
    assert rules.months_of_period(d("2024-07-01"), d("2024-07-02")) == ["2024-07"]
    assert rules.month_boundaries(d("2024-12-15"), d("2025-02-01")) == [d("2025-01-01")]
    assert rules.month_boundaries(d("2024-07-01"), d("2024-08-01")) == []


def test_offset_spans_follow_the_time_zone_database():
    spans = rules.offset_spans(rules.start_of_day(d("2024-01-01")), rules.start_of_day(d("2025-01-01")))
    assert [(s.isoformat(), e.isoformat(), o) for s, e, o in spans] == [
        ("2024-01-01T00:00:00+00:00", "2024-03-31T01:00:00+00:00", 0),
        ("2024-03-31T01:00:00+00:00", "2024-10-27T01:00:00+00:00", 3600),
        ("2024-10-27T01:00:00+00:00", "2025-01-01T00:00:00+00:00", 0),
    ]


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1)))
def test_local_day_number_from_offset_spans_agrees_with_zoneinfo(naive):
    moment = naive.replace(tzinfo=UTC)
    lo, hi = moment - dt.timedelta(days=400), moment + dt.timedelta(days=3)
    (offset,) = [o for s, e, o in rules.offset_spans(lo, hi) if s <= moment < e]
    assert (moment + dt.timedelta(seconds=offset)).date() == rules.local_date(moment)


# --- durations ------------------------------------------------------------------------


def test_elapsed_hours_across_the_clock_changes_are_real_hours():
    assert rules.elapsed_hours(london("2024-03-30T22:00"), london("2024-03-31T22:00")) == 23.0
    assert rules.elapsed_hours(london("2024-10-26T22:00"), london("2024-10-27T22:00")) == 25.0


@pytest.mark.parametrize("hours, bucket", [
    (0, "under_24"), (23.99, "under_24"), (24, "24_to_72"), (71.99, "24_to_72"),
    (72, "72_to_168"), (167.99, "72_to_168"), (168, "over_168"), (2000, "over_168"),
])
def test_duration_buckets_are_half_open(hours, bucket):
    assert rules.duration_bucket(hours) == bucket


def test_duration_buckets_count_every_duration_once():
    assert rules.duration_buckets([1, 24, 30, 72, 200]) == {"under_24": 1, "24_to_72": 2, "72_to_168": 1,
                                                           "over_168": 1}
    with pytest.raises(ValueError):
        rules.duration_bucket(-1)


def test_median_of_odd_even_and_no_values():
    assert rules.median([13.1, 31.5]) == pytest.approx(22.3)
    assert rules.median([5, 1, 3]) == 3
    assert rules.median([]) is None
    assert rules.weighted_median([(10, 3), (20, 1)]) == 10
    assert rules.weighted_median([(10, 2), (20, 2)]) == 15


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=40))
def test_weighted_median_is_the_median(values):
    pairs = {}
    for v in values:
        pairs[v] = pairs.get(v, 0) + 1
    assert rules.weighted_median(pairs.items()) == statistics.median(values)


# --- repeat missing -------------------------------------------------------------------


YEAR = (d("2024-04-01"), d("2025-04-01"))


def test_three_starts_with_first_and_third_89_days_apart_meet_3_in_90():
    starts = {"a": [d("2024-04-01"), d("2024-05-01"), d("2024-06-29")]}
    assert rules.three_in_ninety(starts, *YEAR) == {"a"}


def test_three_starts_with_first_and_third_90_days_apart_do_not():
    starts = {"a": [d("2024-04-01"), d("2024-05-01"), d("2024-06-30")]}
    assert rules.three_in_ninety(starts, *YEAR) == set()


def test_earlier_starts_may_be_before_the_period_but_the_third_must_be_in_it():
    starts = {"a": [d("2024-02-10"), d("2024-03-20"), d("2024-04-05")],
              "b": [d("2024-02-10"), d("2024-03-20"), d("2024-03-31")]}
    assert rules.three_in_ninety(starts, *YEAR) == {"a"}


def test_several_starts_on_one_day_each_count():
    assert rules.three_in_ninety({"a": [d("2024-07-01")] * 3}, *YEAR) == {"a"}


def test_3_in_90_counts_london_dates_of_aware_times():
    # 00:30 BST on 1 April 2024 is 31 March in UTC: 1 April to 29 June is 89 days
    starts = {"a": [london("2024-04-01T00:30"), london("2024-05-01T10:00"), london("2024-06-29T10:00")]}
    assert rules.three_in_ninety(starts, *YEAR) == {"a"}


def test_repeat_threshold_and_window_are_parameters():
    starts = {"a": [d("2024-04-01"), d("2024-04-15"), d("2024-05-05")]}  # 34 days
    assert rules.three_in_ninety(starts, *YEAR, n=3, days=30) == set()
    assert rules.three_in_ninety(starts, *YEAR, n=3, days=35) == {"a"}
    assert rules.three_in_ninety(starts, *YEAR, n=4, days=90) == set()
    assert rules.repeat_window_met(d("2024-04-01"), d("2024-06-29"), 90)
    assert not rules.repeat_window_met(d("2024-04-01"), d("2024-06-30"), 90)


def brute_three_in_ninety(starts_by_child, start, end, n, days):
    met = set()
    for child, starts in starts_by_child.items():
        for third in starts:
            if start <= third < end:
                window = [s for s in starts if third - dt.timedelta(days=days - 1) <= s <= third]
                if len(window) >= n:
                    met.add(child)
    return met


@given(
    st.dictionaries(
        st.integers(0, 5),
        st.lists(st.dates(min_value=d("2024-01-01"), max_value=d("2024-12-31")), max_size=8),
        max_size=5,
    ),
    st.integers(1, 4),
    st.integers(1, 120),
)
def test_three_in_ninety_agrees_with_counting_every_window(starts, n, days):
    start, end = d("2024-04-01"), d("2024-10-01")
    assert rules.three_in_ninety(starts, start, end, n=n, days=days) == brute_three_in_ninety(starts, start, end, n, days)


def test_five_starts_in_one_calendar_month_list_the_child_and_four_do_not():
    five = {"a": [d(f"2024-07-{x:02d}") for x in (1, 5, 10, 20, 31)]}
    four = {"a": [d(f"2024-07-{x:02d}") for x in (1, 5, 10, 20)]}
    assert rules.monthly_multiple(five, *YEAR) == {"2024-07": {"a"}}
    assert rules.monthly_multiple(four, *YEAR) == {}


def test_five_starts_across_a_month_boundary_do_not_list_the_child():
    starts = {"a": [d("2024-07-20"), d("2024-07-25"), d("2024-07-31"), d("2024-08-01"), d("2024-08-03")]}
    assert rules.monthly_multiple(starts, *YEAR) == {}


def test_monthly_multiple_counts_only_starts_inside_the_period():
    starts = {"a": [d(f"2024-07-{x:02d}") for x in (1, 5, 10, 20, 31)]}
    assert rules.monthly_multiple(starts, d("2024-07-02"), d("2024-08-01")) == {}
    assert rules.monthly_multiple(starts, d("2024-07-01"), d("2024-08-01"), n=4) == {"2024-07": {"a"}}


# --- return home interviews -----------------------------------------------------------


RETURNED = london("2024-07-01T20:00")


def exclusion(**overrides):
    values = dict(returned_at=RETURNED, due_at=rules.rhi_due(RETURNED), next_started_at=None,
                  placed_by_other_authority=False, dob=d("2010-01-01"), date_of_death=None)
    values.update(overrides)
    return rules.rhi_exclusion(**values)


def test_offer_is_due_72_real_hours_after_the_return():
    assert rules.rhi_due(RETURNED) == london("2024-07-04T20:00")
    # across the March clock change: 72 real hours is 73 on the clock
    assert rules.rhi_due(london("2024-03-29T10:00")) == london("2024-04-01T11:00")
    assert rules.rhi_due(RETURNED, hours=24) == london("2024-07-02T20:00")


def test_offer_in_working_days_skips_weekends_and_bank_holidays():
    # Thursday 28 March 2024; Good Friday 29 March and Easter Monday 1 April
    assert rules.rhi_due(london("2024-03-28T20:00"), working_days=3) == london("2024-04-04T20:00")
    # Friday: Monday, Tuesday, Wednesday
    assert rules.rhi_due(london("2024-07-05T09:30"), working_days=3) == london("2024-07-10T09:30")
    # Saturday: Monday is the first working day
    assert rules.rhi_due(london("2024-07-06T23:00"), working_days=1) == london("2024-07-08T23:00")
    assert rules.add_working_days(d("2024-12-24"), 2) == d("2024-12-30")  # Christmas and Boxing Day
    assert rules.is_working_day(d("2024-08-26")) is False  # summer bank holiday


def test_bound_on_due_days_covers_every_due_time():
    for weekday in range(14):
        returned = london("2024-12-20T23:59") + dt.timedelta(days=weekday)
        for working_days in (1, 3, 5, 10):
            due = rules.rhi_due(returned, working_days=working_days)
            assert due - returned < dt.timedelta(days=rules.rhi_due_bound_days(working_days=working_days))
    assert rules.rhi_due(RETURNED) - RETURNED < dt.timedelta(days=rules.rhi_due_bound_days(hours=72))


def test_new_episode_one_second_before_the_due_time_excludes_and_at_the_due_time_does_not():
    due = rules.rhi_due(RETURNED)
    assert exclusion(next_started_at=due - dt.timedelta(seconds=1)) == rules.Exclusion.NEW_EPISODE
    assert exclusion(next_started_at=due) is None
    assert exclusion() is None


def test_child_placed_by_another_authority_is_excluded():
    assert exclusion(placed_by_other_authority=True) == rules.Exclusion.PLACED_BY_OTHER_AUTHORITY


def test_child_18_by_the_due_time_is_excluded_and_one_turning_18_after_it_is_not():
    # returned 20:00 on 1 July, due 20:00 on 4 July
    assert exclusion(dob=d("2006-07-01")) == rules.Exclusion.AGED_18  # 18 on the day of the return
    assert exclusion(dob=d("2006-07-04")) == rules.Exclusion.AGED_18  # 18 at midnight before the due time
    assert exclusion(dob=d("2006-07-05")) is None  # 18 after the due time
    # the day of the return is the London day: 00:30 BST on 2 July is 1 July in UTC
    assert exclusion(returned_at=london("2024-07-02T00:30"), dob=d("2006-07-02")) == rules.Exclusion.AGED_18


def test_unknown_date_of_birth_never_makes_a_child_18():
    assert exclusion(dob=None) is None


def test_child_born_on_29_february_turns_18_on_1_march():
    assert rules.age_on(d("2008-02-29"), d("2026-02-28")) == 17
    assert rules.age_on(d("2008-02-29"), d("2026-03-01")) == 18


def test_child_who_died_by_the_due_day_is_excluded():
    assert exclusion(date_of_death=d("2024-07-04")) == rules.Exclusion.DIED
    assert exclusion(date_of_death=d("2024-07-05")) is None


def test_an_open_episode_is_not_asked_about():
    with pytest.raises(ValueError):
        exclusion(returned_at=None)


# --- rates and protocol ---------------------------------------------------------------


def test_a_rate_of_nothing_is_empty_not_zero():
    assert rules.rate(3, 0) is None
    assert rules.rate(0, 4) == 0.0
    assert rules.rate(1, 3, per=100, places=1) == 33.3


def test_protocol_overrides_defaults_rule_by_rule():
    p = resolve_protocol({"repeat_missing_meeting": {"days": 30}, "unknown_rule": {"x": 1}})
    assert p["repeat_missing_meeting"] == {"episodes": 3, "days": 30}
    assert p["monthly_multiple_missing"] == DEFAULT_PROTOCOL["monthly_multiple_missing"]
    with pytest.raises(ValueError):
        resolve_protocol({"repeat_missing_meeting": {"episodes": 0}})
    with pytest.raises(ValueError):
        resolve_protocol({"return_interview": {"hours": None, "working_days": None}})


def test_definitions_state_the_protocols_numbers():
    text = definitions_for({"return_interview": {"working_days": 3}, "monthly_multiple_missing": {"episodes": 4}})
    assert "3 working days after the return" in text["return_interviews.required"]
    assert "at least 4 episodes" in text["repeat.monthly_multiple_children"]
    assert "72 hours after the return" in definitions_for()["return_interviews.offered_in_time"]


def test_duration_summary_gives_the_median_and_half_open_buckets_from_one_sort():
    median, buckets = rules.duration_summary([72, 1, 24, 23.99, 168, 200])
    assert median == 48.0
    assert buckets == {"under_24": 2, "24_to_72": 1, "72_to_168": 1, "over_168": 2}
    assert rules.duration_summary([]) == (None, {"under_24": 0, "24_to_72": 0, "72_to_168": 0, "over_168": 0})
    with pytest.raises(ValueError):
        rules.duration_summary([-1])


def test_repeat_rules_take_day_ordinals_as_well_as_dates():
    as_dates = {"a": [d("2024-04-01"), d("2024-05-01"), d("2024-06-29")]}
    as_ordinals = {"a": [x.toordinal() for x in as_dates["a"]]}
    assert rules.three_in_ninety(as_ordinals, *YEAR) == rules.three_in_ninety(as_dates, *YEAR) == {"a"}
    five = {"a": [d(f"2024-07-{x:02d}").toordinal() for x in (1, 5, 10, 20, 31)]}
    assert rules.monthly_multiple(five, *YEAR) == {"2024-07": {"a"}}
    assert rules.day_ordinal(london("2024-04-01T00:30")) == d("2024-04-01").toordinal()
