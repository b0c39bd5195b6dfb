"""The return interview rules at their edges (definitions.md, "Return home interviews")."""

from __future__ import annotations

import datetime as dt
import socket
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.interviews import rules

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc
H72 = {"hours": 72}
WD3 = {"working_days": 3}


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def local(moment: dt.datetime) -> str:
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")


# --- 72 hours ----------------------------------------------------------------------------------


def test_default_timescale_is_72_hours():
    assert rules.due_at(at("2025-06-10 10:00")) == at("2025-06-13 10:00")
    assert rules.Timescale.of(None).describe() == "72 hours"


def test_offer_at_the_72nd_hour_is_in_time_and_a_moment_later_is_not():
    returned = at("2025-06-10 10:00")
    due = rules.due_at(returned, H72)
    assert rules.in_time(returned + dt.timedelta(hours=72), due)
    assert rules.in_time(returned + dt.timedelta(hours=71, minutes=59, seconds=59), due)
    assert not rules.in_time(returned + dt.timedelta(hours=72, microseconds=1), due)
    assert not rules.in_time(None, due)


def test_72_hours_across_the_march_clock_change_are_real_hours():
    # Clocks go forward at 01:00 GMT on Sunday 30 March 2025.
    returned = at("2025-03-28 12:00")
    due = rules.due_at(returned, H72)
    assert due - returned == dt.timedelta(hours=72)
    assert local(due) == "2025-03-31 13:00"  # the wall clock shows 73 hours


def test_72_hours_across_the_october_clock_change_are_real_hours():
    # Clocks go back at 02:00 BST on Sunday 26 October 2025.
    returned = at("2025-10-24 12:00")
    due = rules.due_at(returned, H72)
    assert (due - returned.astimezone(UTC)) == dt.timedelta(hours=72)
    assert local(due) == "2025-10-27 11:00"  # the wall clock shows 71 hours


def test_a_return_in_the_repeated_hour_of_october_keeps_72_real_hours():
    first = dt.datetime(2025, 10, 26, 1, 30, tzinfo=LONDON, fold=0)  # BST
    second = dt.datetime(2025, 10, 26, 1, 30, tzinfo=LONDON, fold=1)  # GMT, an hour later
    assert rules.due_at(second) - rules.due_at(first) == dt.timedelta(hours=1)
    assert local(rules.due_at(first)) == "2025-10-29 00:30"


@given(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31),
                    timezones=st.just(LONDON)))
def test_hours_timescale_is_always_exactly_that_many_real_hours(returned):
    assert rules.due_at(returned, H72).astimezone(UTC) - returned.astimezone(UTC) == dt.timedelta(hours=72)


def test_naive_return_time_is_refused():
    with pytest.raises(ValueError):
        rules.due_at(dt.datetime(2025, 1, 1, 10, 0))


# --- working days --------------------------------------------------------------------------------


def test_three_working_days_from_a_friday_afternoon_is_wednesday_at_the_same_time():
    assert local(rules.due_at(at("2025-06-13 15:00"), WD3)) == "2025-06-18 15:00"


def test_a_weekend_return_counts_from_monday():
    assert local(rules.due_at(at("2025-06-14 23:30"), WD3)) == "2025-06-18 23:30"


def test_three_working_days_across_christmas_2025():
    # Wed 24 (1); 25, 26 bank holidays; 27, 28 weekend; Mon 29 (2); Tue 30 (3).
    assert local(rules.due_at(at("2025-12-23 15:00"), WD3)) == "2025-12-30 15:00"


def test_three_working_days_across_christmas_2026_with_boxing_day_substitute():
    # Christmas Day is a Friday, Boxing Day a Saturday: Monday 28 is the substitute bank holiday.
    assert rules.is_bank_holiday(dt.date(2026, 12, 28))
    assert local(rules.due_at(at("2026-12-24 10:00"), WD3)) == "2026-12-31 10:00"


def test_three_working_days_across_new_year():
    # Wed 31 Dec 2025 (1); Thu 1 Jan bank holiday; Fri 2 (2); Mon 5 (3).
    assert local(rules.due_at(at("2025-12-30 09:00"), WD3)) == "2026-01-05 09:00"


def test_three_working_days_across_easter_2026():
    # Good Friday 3 April and Easter Monday 6 April 2026.
    assert local(rules.due_at(at("2026-04-02 18:00"), WD3)) == "2026-04-09 18:00"


def test_three_working_days_across_easter_2025():
    # Good Friday 18 April and Easter Monday 21 April 2025.
    assert local(rules.due_at(at("2025-04-17 11:00"), WD3)) == "2025-04-24 11:00"


def test_working_days_across_the_march_clock_change_keep_the_clock_time():
    due = rules.due_at(at("2025-03-28 10:00"), WD3)  # GMT on Friday, BST from Sunday
    assert local(due) == "2025-04-02 10:00"
    assert due - at("2025-03-28 10:00") == dt.timedelta(hours=5 * 24 - 1)


def test_one_off_bank_holidays_are_known():
    assert rules.is_bank_holiday(dt.date(2022, 9, 19))  # the State Funeral
    assert rules.is_bank_holiday(dt.date(2023, 5, 8))  # the Coronation
    assert local(rules.due_at(at("2023-05-05 12:00"), {"working_days": 1})) == "2023-05-09 12:00"


def test_england_and_wales_share_the_bank_holidays_used():
    import holidays

    for year in range(2020, 2031):
        assert set(holidays.UK(subdiv="ENG", years=year)) == set(holidays.UK(subdiv="WLS", years=year))


def test_bank_holidays_are_computed_offline(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the bank holiday calendar tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    rules._bank_holidays_of_year.cache_clear()
    assert rules.is_bank_holiday(dt.date(2031, 12, 25))
    assert not rules.is_working_day(dt.date(2031, 12, 26))
    rules._bank_holidays_of_year.cache_clear()


@given(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31),
                    timezones=st.just(LONDON)), st.integers(min_value=1, max_value=10))
def test_working_days_due_time_is_on_a_working_day_at_the_same_clock_time(returned, n):
    due = rules.due_at(returned, {"working_days": n}).astimezone(LONDON)
    assert rules.is_working_day(due.date())
    assert due.time() == returned.time()
    assert due.date() > returned.date()
    between = [returned.date() + dt.timedelta(days=k) for k in range(1, (due.date() - returned.date()).days + 1)]
    assert sum(rules.is_working_day(d) for d in between) == n


@pytest.mark.parametrize("value", [{"hours": 0}, {"hours": -1}, {"working_days": 0}, {"hours": 72, "working_days": 3},
                                   {"days": 3}, {"hours": "72"}, {"hours": True}, {}])
def test_a_timescale_must_be_hours_or_working_days(value):
    with pytest.raises(ValueError):
        rules.Timescale.of(value)


def test_timescales_describe_themselves():
    assert rules.Timescale.of(WD3).describe() == "3 working days"
    assert rules.Timescale.of({"working_days": 1}).describe() == "1 working day"
    assert rules.Timescale.of(WD3).as_dict() == WD3


# --- exclusions ---------------------------------------------------------------------------------------

RETURNED = at("2025-06-10 10:00")
DUE = rules.due_at(RETURNED, H72)
DOB = dt.date(2010, 1, 1)


def decide(**kwargs):
    values = {"returned_at": RETURNED, "due": DUE, "dob": DOB}
    values.update(kwargs)
    return rules.requirement(**values)


def test_an_ended_episode_requires_an_interview():
    assert decide() == rules.Requirement(True)


def test_a_new_episode_before_the_interview_was_due_is_covered_by_the_next_interview():
    decision = decide(next_episode_start=DUE - dt.timedelta(seconds=1), next_episode_id=42)
    assert not decision.required
    assert decision.exclusion == rules.NEW_EPISODE
    assert decision.covered_by_episode_id == 42
    assert "covers both" in decision.detail


def test_a_new_episode_at_the_due_time_does_not_exclude_it():
    assert decide(next_episode_start=DUE, next_episode_id=42).required


def test_a_new_episode_after_an_offer_made_in_time_does_not_exclude_it():
    offered = RETURNED + dt.timedelta(hours=5)
    assert decide(next_episode_start=offered + dt.timedelta(hours=1), offered_at=offered).required
    # An offer made after the child went missing again does not undo the exclusion.
    assert not decide(next_episode_start=offered - dt.timedelta(hours=1), offered_at=offered).required


def test_a_child_18_at_the_return_needs_no_interview():
    dob = dt.date(2007, 6, 10)  # 18 on the day of the return
    decision = decide(dob=dob)
    assert (decision.required, decision.exclusion) == (False, rules.TURNED_18)


def test_a_child_17_at_the_return_who_turns_18_after_the_due_time_needs_one():
    assert decide(dob=dt.date(2007, 6, 14)).required  # 18 on 14 June, due 13 June 10:00


def test_a_child_who_turns_18_before_the_interview_was_due_needs_none_unless_offered_before():
    dob = dt.date(2007, 6, 12)  # 18 on 12 June: after the return, before the due time
    assert decide(dob=dob).exclusion == rules.TURNED_18
    assert decide(dob=dob, offered_at=at("2025-06-11 09:00")).required


def test_a_29_february_birthday_turns_18_on_1_march():
    assert rules.eighteenth_birthday(dt.date(2008, 2, 29)) == dt.date(2026, 3, 1)
    returned = at("2026-02-28 20:00")
    assert rules.requirement(returned_at=returned, due=rules.due_at(returned), dob=dt.date(2008, 2, 29)).exclusion \
        == rules.TURNED_18
    returned = at("2026-02-25 20:00")
    assert rules.requirement(returned_at=returned, due=rules.due_at(returned), dob=dt.date(2008, 2, 29)).required


def test_a_child_who_died_needs_no_interview():
    decision = decide(date_of_death=dt.date(2025, 6, 11))
    assert (decision.required, decision.exclusion) == (False, rules.DIED)
    assert decide(date_of_death=dt.date(2025, 6, 20)).required


def test_the_lead_authority_is_the_placing_authority_for_a_looked_after_child():
    assert rules.lead_authority(missing_from="care", area_authority_id=1, responsible_authority_id=2) == 2
    assert rules.lead_authority(missing_from="care", area_authority_id=1, responsible_authority_id=None,
                                child_responsible_authority_id=3) == 3
    assert rules.lead_authority(missing_from="home", area_authority_id=1, responsible_authority_id=None) == 1
    assert rules.lead_authority(missing_from="home", area_authority_id=1, responsible_authority_id=None,
                                child_home_authority_id=4) == 4


def test_a_child_placed_in_the_area_by_another_authority_is_that_authoritys():
    assert rules.placed_by_other_authority(missing_from="care", area_authority_id=1, lead_authority_id=2)
    assert not rules.placed_by_other_authority(missing_from="care", area_authority_id=1, lead_authority_id=1)
    assert not rules.placed_by_other_authority(missing_from="home", area_authority_id=1, lead_authority_id=2)


# --- timeliness --------------------------------------------------------------------------------------------


def m(**kwargs):
    values = {"for_lead": True, "for_area": True, "required": True, "exclusion": "", "placed_by_other": False,
              "due": DUE, "offered_at": None, "completed_at": None, "progress": "", "now": RETURNED}
    values.update(kwargs)
    return rules.measures(**values)


def test_measures_of_an_interview_completed_at_the_due_time():
    found = m(offered_at=DUE - dt.timedelta(hours=1), completed_at=DUE, progress="completed")
    assert found == {"ended", "required", "offered_in_time", "completed", "completed_in_time"}


def test_measures_of_a_late_interview():
    found = m(offered_at=DUE + dt.timedelta(minutes=1), completed_at=DUE + dt.timedelta(days=1), progress="completed")
    assert found == {"ended", "required", "completed"}


def test_measures_of_declines_and_no_contact():
    assert m(offered_at=DUE, progress="declined_by_child") >= {"offered_in_time", "declined", "declined_by_child"}
    assert "declined_by_parent_or_carer" in m(offered_at=DUE, progress="declined_by_parent_or_carer")
    assert m(progress="unable_to_contact") == {"ended", "required", "unable_to_contact"}


def test_measures_of_an_open_interview_before_and_after_the_due_time():
    assert m(now=DUE) == {"ended", "required", "open"}
    assert m(now=DUE + dt.timedelta(seconds=1)) == {"ended", "required", "open", "overdue"}


def test_measures_of_exclusions():
    assert m(required=False, exclusion="new_episode") == {"ended", "not_required", "not_required_new_episode"}
    # A child placed in the area by another authority: not required of the area...
    assert m(for_lead=False, placed_by_other=True) == {"ended", "not_required",
                                                      "not_required_placed_by_other_authority"}
    # ...but the placing authority counts it as its own.
    assert "required" in m(for_area=False, placed_by_other=True)
    assert m(for_lead=False, for_area=False) == frozenset()


def test_percentages_say_when_there_is_nothing_to_divide_by():
    assert rules.percentage(1, 3) == "33%"
    assert rules.percentage(0, 0) == "–"


def test_time_left_is_described_and_overdue_says_so():
    assert rules.describe_time_left(DUE, DUE - dt.timedelta(days=2, hours=3)) == ("2 days 3 hours left", False)
    assert rules.describe_time_left(DUE, DUE - dt.timedelta(minutes=5)) == ("5 minutes left", False)
    assert rules.describe_time_left(DUE, DUE + dt.timedelta(hours=5, minutes=1)) == ("Overdue by 5 hours 1 minute",
                                                                                     True)
