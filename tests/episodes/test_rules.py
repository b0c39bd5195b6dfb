"""The episode rules at their edges (definitions.md, "Episode" and "Duration")."""

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.episodes import rules
from homeward.episodes.rules import LONDON, Account

UTC = timezone.utc


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def account(src, ref, seen, returned=None, reported=None, risk="", order=0):
    return Account(src, ref, seen and at(seen), reported and at(reported), returned and at(returned), risk, order)


def test_two_reporters_episode_starts_at_earliest_last_seen_and_ends_at_earliest_return():
    home = account("provider:SC1", "H-1", "2024-07-06T19:00", order=1)
    police = account("police:kent", "K-1", "2024-07-06T19:20", returned="2024-07-08T02:30", order=2)
    late = account("la:886", "L-1", "2024-07-06T19:10", returned="2024-07-08T09:00", order=3)
    times = rules.derive_times([home, police, late])
    assert times.started_at == at("2024-07-06T19:00")
    assert times.returned_at == at("2024-07-08T02:30")


def test_start_is_report_time_when_no_one_gave_last_seen():
    only_reported = Account("police:kent", "K", None, at("2024-01-01T10:00"), None)
    assert rules.derive_times([only_reported]).started_at == at("2024-01-01T10:00")


def test_later_row_of_same_report_replaces_earlier_account():
    first = account("police:kent", "K-1", "2024-07-05T21:10", risk="medium", order=1)
    update = account("police:kent", "K-1", "2024-07-05T21:10", returned="2024-07-06T10:15", risk="low", order=2)
    current = rules.current_accounts([update, first])
    assert current == [update]
    assert rules.derive_times(current).risk_level == "low"


def test_duration_across_march_clock_change_is_an_hour_shorter_than_wall_clock():
    start = at("2024-03-31T00:00")  # clocks go forward at 01:00 GMT on 31 March 2024
    end = at("2024-03-31T12:00")
    assert rules.elapsed_hours(start, end) == 11.0


def test_duration_across_october_clock_change_is_an_hour_longer_than_wall_clock():
    start = at("2024-10-27T00:00")
    end = at("2024-10-27T12:00")
    assert rules.elapsed_hours(start, end) == 13.0


def test_touching_periods_do_not_overlap_but_an_open_one_does():
    a0, a1 = at("2024-01-01T10:00"), at("2024-01-01T12:00")
    assert not rules.overlaps(a0, a1, a1, None)
    assert rules.overlaps(a0, None, at("2024-02-01T00:00"), None)
    assert rules.overlaps(a0, a1, at("2024-01-01T11:59"), at("2024-01-01T13:00"))


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)),
    st.integers(min_value=0, max_value=10_000),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)),
    st.integers(min_value=0, max_value=10_000),
)
def test_overlap_is_symmetric(a, alen, b, blen):
    a, b = a.replace(tzinfo=UTC), b.replace(tzinfo=UTC)
    a_end, b_end = a + timedelta(minutes=alen), b + timedelta(minutes=blen)
    assert rules.overlaps(a, a_end, b, b_end) == rules.overlaps(b, b_end, a, a_end)


NOW = at("2024-07-10T12:00")


def test_return_before_last_seen_is_refused():
    problems = rules.check_times(last_seen_at=at("2024-07-05T21:10"), reported_at=None,
                                 returned_at=at("2024-07-05T21:09"), dob=date(2009, 3, 14), now=NOW)
    assert [p.field for p in problems] == ["returned_at"]


def test_return_in_the_future_is_refused_but_now_is_allowed():
    seen = at("2024-07-05T21:10")
    assert rules.check_times(last_seen_at=seen, reported_at=None, returned_at=NOW, dob=None, now=NOW) == []
    future = rules.check_times(last_seen_at=seen, reported_at=None, returned_at=NOW + timedelta(seconds=1), dob=None, now=NOW)
    assert [p.message for p in future] == ["The return time cannot be in the future"]


def test_episode_before_birth_is_refused_but_on_the_birthday_is_allowed():
    dob = date(2010, 5, 5)
    before = rules.check_times(last_seen_at=at("2010-05-04T23:59"), reported_at=None, returned_at=None, dob=dob, now=NOW)
    assert before and before[0].field == "last_seen_at"
    assert rules.check_times(last_seen_at=at("2010-05-05T00:00"), reported_at=None, returned_at=None, dob=dob, now=NOW) == []


def test_missing_from_care_needs_an_open_placement_or_the_reporter_for_a_child_without_placements():
    assert rules.missing_from(placement_open=True, has_any_placement=True, reported="home") == "care"
    assert rules.missing_from(placement_open=False, has_any_placement=False, reported="care") == "care"
    # Homeward knows the child's placements, and none was open: home, whatever was reported.
    assert rules.missing_from(placement_open=False, has_any_placement=True, reported="care") == "home"
    assert rules.missing_from(placement_open=False, has_any_placement=False, reported=None) == "home"
