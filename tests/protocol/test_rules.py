"""The protocol's rules as pure functions, at their edges (protocol.md, definitions.md).

No database: children, episodes and protocols are plain values, `now` is an
argument. Times are written in UK time (Europe/London).
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from homeward.protocol import defaults
from homeward.protocol.rules import (
    ChildFact, EpisodeFact, FlagFact, Prior, Protocol, add_working_days, due_after, evaluate_child,
    interview_exclusion,
)

LONDON = ZoneInfo("Europe/London")
KENT, SOUTHWARK, NOTTS = 1, 2, 3


def at(text: str) -> datetime:
    """'2025-03-05 21:10' in UK time."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def protocol(version: int = 1, look_back_days: int = 30, **rules) -> Protocol:
    doc = defaults.default_document()
    doc["look_back_days"] = look_back_days
    for name, params in rules.items():
        doc["rules"][name] = {**doc["rules"][name], **params}
    doc = defaults.validate(doc)
    return Protocol(version_id=version, number=version, rules=doc["rules"], look_back_days=doc["look_back_days"],
                    label="Test protocol")


ALL = {KENT: protocol(), SOUTHWARK: protocol(), NOTTS: protocol()}
# Looking back a year, so that every firing of a long history is raised.
YEAR = {KENT: protocol(look_back_days=365)}
ELLIE = ChildFact(id=10, dob=date(2009, 3, 14), home_authority_id=KENT)


def ep(id, start, end=None, *, risk="", area=KENT, responsible=None, host=None, care=False, reported=None,
       risk_changed=None):
    return EpisodeFact(
        id=id, started_at=at(start), returned_at=at(end) if end else None,
        reported_at=at(reported) if reported else None, risk_level=risk,
        risk_changed_at=at(risk_changed) if risk_changed else None, area_authority_id=area,
        responsible_authority_id=responsible, host_authority_id=host,
        missing_from="care" if care or responsible else "home",
    )


def run(episodes, now, child=ELLIE, protocols=ALL, prior=(), **kw):
    return evaluate_child(child, episodes, now=at(now) if isinstance(now, str) else now, protocols=protocols,
                          prior=prior, **kw)


def keys(result, rule=None):
    return sorted(i.cause_key for i in result.intents if rule is None or i.rule == rule)


def intent(result, rule):
    found = [i for i in result.intents if i.rule == rule]
    assert len(found) == 1, [i.cause_key for i in result.intents]
    return found[0]


def as_prior(result):
    return [Prior(i.rule, i.cause_key, i.cause_at) for i in result.intents]


# --- working days and timescales --------------------------------------------------------------


def test_working_days_skip_weekends_and_england_and_wales_bank_holidays():
    # Thursday 17 April 2025; Good Friday 18 and Easter Monday 21 are bank holidays.
    assert add_working_days(at("2025-04-17 10:30"), 5) == at("2025-04-28 10:30")
    # A Friday afternoon plus 3 working days is the Wednesday.
    assert add_working_days(at("2025-06-06 15:00"), 3) == at("2025-06-11 15:00")
    # Christmas: Wednesday 24 December 2025, then 25 and 26 are bank holidays, 27-28 a weekend.
    assert add_working_days(at("2025-12-24 09:00"), 1) == at("2025-12-29 09:00")
    # A return on a Saturday counts from the Monday.
    assert add_working_days(at("2025-06-07 11:00"), 1) == at("2025-06-09 11:00")


def test_hours_are_real_elapsed_hours_across_the_clock_changes():
    # Clocks go forward at 01:00 GMT on 30 March 2025: 24 real hours from noon is 13:00 on the clock.
    assert due_after(at("2025-03-29 12:00"), {"hours": 24}) == at("2025-03-30 13:00")
    # Clocks go back at 02:00 BST on 26 October 2025: 24 real hours from noon is 11:00 on the clock.
    assert due_after(at("2025-10-25 12:00"), {"hours": 24}) == at("2025-10-26 11:00")
    # Working days keep the clock time whatever the offset (clocks change on Sundays).
    assert add_working_days(at("2025-10-24 16:00"), 1) == at("2025-10-27 16:00")


# --- duration escalation -------------------------------------------------------------------------


def test_escalation_to_team_manager_at_24_hours_not_a_second_before():
    e = ep(1, "2025-05-01 20:00")
    assert keys(run([e], "2025-05-02 19:59:59"), "duration_escalation") == []
    step = intent(run([e], "2025-05-02 20:00"), "duration_escalation")
    assert step.cause_key == "duration_escalation:e1:24h"
    assert step.owner_role == "team_manager"
    assert step.cause_at == at("2025-05-02 20:00") and step.due_at == at("2025-05-03 00:00")


@pytest.mark.parametrize("now, step, role", [
    ("2025-05-04 19:59", "24h", "team_manager"),
    ("2025-05-04 20:00", "72h", "senior_manager"),
    ("2025-05-08 19:59", "72h", "senior_manager"),
    ("2025-05-08 20:00", "168h", "senior_manager"),  # 7 days: head of service
])
def test_escalation_steps_at_72_hours_and_7_days(now, step, role):
    result = run([ep(1, "2025-05-01 20:00")], now)
    assert keys(result, "duration_escalation") == [f"duration_escalation:e1:{step}"]
    assert intent(result, "duration_escalation").owner_role == role


def test_escalation_counts_real_hours_across_the_march_clock_change():
    e = ep(1, "2025-03-29 12:00")  # GMT; the clocks go forward that night
    assert keys(run([e], "2025-03-30 12:59"), "duration_escalation") == []
    assert keys(run([e], "2025-03-30 13:00"), "duration_escalation") == ["duration_escalation:e1:24h"]


def test_escalation_counts_real_hours_across_the_october_clock_change():
    e = ep(1, "2025-10-25 12:00")  # BST; the clocks go back that night
    assert keys(run([e], "2025-10-26 10:59"), "duration_escalation") == []
    assert keys(run([e], "2025-10-26 11:00"), "duration_escalation") == ["duration_escalation:e1:24h"]


def test_escalation_wakes_at_the_next_step():
    e = ep(1, "2025-05-01 20:00")
    assert run([e], "2025-05-01 21:00").wake_at == at("2025-05-02 20:00")
    assert run([e], "2025-05-03 08:00").wake_at == at("2025-05-04 20:00")
    assert run([e], "2025-05-09 08:00").wake_at is None  # past the last step


def test_a_child_first_seen_after_80_hours_goes_to_the_highest_step_only():
    result = run([ep(1, "2025-05-01 20:00")], "2025-05-05 04:00")
    assert keys(result, "duration_escalation") == ["duration_escalation:e1:72h"]


def test_return_before_an_escalation_closes_it_with_the_reason():
    result = run([ep(1, "2025-05-01 20:00", "2025-05-02 22:00")], "2025-05-02 22:05")
    assert keys(result, "duration_escalation") == []
    closures = {c.cause_key: c for c in result.closures}
    assert closures["duration_escalation:e1:24h"].state == "cancelled"
    assert "returned on 2 May 2025, 22:00" in closures["duration_escalation:e1:24h"].reason


def test_a_return_after_now_has_not_happened_yet():
    e = ep(1, "2025-05-01 20:00", "2025-05-03 10:00")
    assert keys(run([e], "2025-05-02 21:00"), "duration_escalation") == ["duration_escalation:e1:24h"]


def test_escalation_steps_come_from_the_protocol():
    quick = {KENT: protocol(duration_escalation={"steps": [
        {"after_hours": 6, "level": "Duty manager", "owner_role": "team_manager", "due_in": {"hours": 1}}]})}
    result = run([ep(1, "2025-05-01 20:00")], "2025-05-02 02:00", protocols=quick)
    assert keys(result, "duration_escalation") == ["duration_escalation:e1:6h"]
    assert intent(result, "duration_escalation").due_at == at("2025-05-02 03:00")


# --- strategy discussion and police national circulation ------------------------------------------


def test_high_risk_raises_a_strategy_discussion_for_the_team_manager_due_in_24_hours():
    result = run([ep(1, "2025-05-01 20:00", reported="2025-05-01 21:00", risk="high")], "2025-05-01 21:05")
    task = intent(result, "strategy_discussion")
    assert task.cause_key == "strategy_discussion:e1" and task.owner_role == "team_manager"
    assert task.due_at == at("2025-05-02 21:00")
    assert "risk level high" in task.reason and "version 1" in task.reason


def test_medium_risk_raises_no_strategy_discussion_until_it_is_raised_to_high():
    assert keys(run([ep(1, "2025-05-01 20:00", risk="medium")], "2025-05-01 21:00"), "strategy_discussion") == []
    raised = ep(1, "2025-05-01 20:00", risk="high", risk_changed="2025-05-02 09:00")
    task = intent(run([raised], "2025-05-02 09:10"), "strategy_discussion")
    assert task.cause_at == at("2025-05-02 09:00") and task.due_at == at("2025-05-03 09:00")


@pytest.mark.parametrize("flag", ["trafficking", "cse", "cce", "uasc"])
def test_an_exploitation_flag_raises_a_strategy_discussion(flag):
    child = ChildFact(id=10, dob=date(2009, 3, 14), home_authority_id=KENT,
                      flags=(FlagFact(flag, date(2024, 1, 1)),))
    assert keys(run([ep(1, "2025-05-01 20:00")], "2025-05-01 21:00", child=child), "strategy_discussion") == [
        "strategy_discussion:e1"]


def test_a_flag_that_ended_before_the_episode_raises_nothing():
    child = ChildFact(id=10, dob=date(2009, 3, 14), home_authority_id=KENT,
                      flags=(FlagFact("cse", date(2024, 1, 1), date(2024, 6, 1)),))
    assert keys(run([ep(1, "2025-05-01 20:00")], "2025-05-01 21:00", child=child), "strategy_discussion") == []


def test_a_uasc_child_still_missing_needs_national_circulation_confirmed_and_the_return_cancels_it():
    child = ChildFact(id=10, dob=date(2008, 1, 1), responsible_authority_id=KENT,
                      flags=(FlagFact("uasc", date(2024, 1, 1)),))
    e = ep(1, "2025-05-01 20:00", responsible=KENT)
    task = intent(run([e], "2025-05-01 20:30", child=child), "police_national_circulation")
    assert task.due_at == at("2025-05-02 20:00")
    returned = ep(1, "2025-05-01 20:00", "2025-05-01 23:00", responsible=KENT)
    result = run([returned], "2025-05-01 23:05", child=child)
    assert keys(result, "police_national_circulation") == []
    assert [c.cause_key for c in result.closures if c.state == "cancelled"].count("police_national_circulation:e1") == 1


# --- on return -------------------------------------------------------------------------------------


def test_return_raises_a_return_interview_due_in_72_hours_and_the_overdue_escalation_at_that_time():
    e = ep(1, "2025-05-01 20:00", "2025-05-02 08:00")
    result = run([e], "2025-05-02 08:05")
    task = intent(result, "return_interview")
    assert task.owner_role == "rhi_worker" and task.due_at == at("2025-05-05 08:00")
    assert result.wake_at == at("2025-05-05 08:00")
    assert keys(run([e], "2025-05-05 07:59"), "return_interview_overdue") == []
    overdue = intent(run([e], "2025-05-05 08:00"), "return_interview_overdue")
    assert overdue.owner_role == "team_manager" and overdue.cause_at == at("2025-05-05 08:00")


def test_return_interview_in_3_working_days_where_the_protocol_says_so():
    kent = {KENT: protocol(return_interview={"due_in": {"working_days": 3}})}
    # Returned on Thursday 17 April 2025 (Easter): Tue 22, Wed 23, Thu 24.
    task = intent(run([ep(1, "2025-04-16 20:00", "2025-04-17 08:00")], "2025-04-17 09:00", protocols=kent),
                  "return_interview")
    assert task.due_at == at("2025-04-24 08:00")


def test_a_new_episode_before_the_interview_is_due_cancels_it_the_next_covers_both():
    first = ep(1, "2025-05-01 20:00", "2025-05-02 08:00")
    assert keys(run([first], "2025-05-02 09:00"), "return_interview") == ["return_interview:e1"]
    second = ep(2, "2025-05-04 22:00")
    result = run([first, second], "2025-05-04 22:30")
    assert "return_interview:e1" not in keys(result)
    closure = next(c for c in result.closures if c.cause_key == "return_interview:e1")
    assert closure.state == "cancelled" and "went missing again on 4 May 2025, 22:00" in closure.reason


def test_a_new_episode_after_the_due_time_does_not_cancel_the_interview():
    first = ep(1, "2025-05-01 20:00", "2025-05-02 08:00")
    second = ep(2, "2025-05-05 08:00")  # exactly at the due time: not before it
    result = run([first, second], "2025-05-05 09:00")
    assert "return_interview:e1" in keys(result)


def test_no_interview_for_a_child_placed_by_another_authority_who_is_notified_instead():
    jade = ChildFact(id=11, dob=date(2009, 1, 20), responsible_authority_id=SOUTHWARK)
    e = ep(1, "2025-05-01 20:00", "2025-05-02 08:00", area=KENT, responsible=SOUTHWARK, host=KENT)
    result = run([e], "2025-05-02 08:05", child=jade)
    assert keys(result, "return_interview") == [] and keys(result, "placement_review") == [
        "placement_review:e1"]
    told = intent(result, "notify_responsible_authority")
    assert told.cause_key == "notify_responsible_authority:e1:return" and told.notify_authority_id == SOUTHWARK
    assert told.authority_id == KENT and intent(result, "placement_review").authority_id == SOUTHWARK


def test_interview_exclusions_turning_18_and_death():
    e = ep(1, "2027-03-10 20:00", "2027-03-14 08:00")
    turns_18 = ChildFact(id=10, dob=date(2009, 3, 14), home_authority_id=KENT)
    assert interview_exclusion(turns_18, e, None, at("2027-03-17 08:00")) == "aged_18_or_over"
    assert keys(run([e], "2027-03-14 09:00", child=turns_18), "return_interview") == []
    # Turning 18 before the interview is due excludes it too (the interviews part's rule).
    day_before = ep(1, "2027-03-10 20:00", "2027-03-13 08:00")
    assert keys(run([day_before], "2027-03-13 09:00", child=turns_18), "return_interview") == []
    # Turning 18 after the due time does not.
    week_before = ep(1, "2027-03-05 20:00", "2027-03-07 08:00")
    assert interview_exclusion(turns_18, week_before, None, at("2027-03-10 08:00")) is None
    assert keys(run([week_before], "2027-03-07 09:00", child=turns_18), "return_interview") == ["return_interview:e1"]
    died = ChildFact(id=10, dob=date(2009, 3, 14), home_authority_id=KENT, date_of_death=date(2025, 5, 3))
    assert keys(run([ep(1, "2025-05-01 20:00", "2025-05-02 08:00")], "2025-05-02 09:00", child=died),
                "return_interview") == []


def test_a_completed_interview_closes_the_tasks_as_done_and_prevents_the_overdue_escalation():
    e = ep(1, "2025-05-01 20:00", "2025-05-02 08:00")
    result = run([e], "2025-05-06 09:00", interviews_completed={1: at("2025-05-04 15:00")})
    assert keys(result, "return_interview") == [] and keys(result, "return_interview_overdue") == []
    done = {c.cause_key: c for c in result.closures}
    assert done["return_interview:e1"].state == "done" and done["return_interview_overdue:e1"].state == "done"


def test_placement_review_for_a_looked_after_child_due_in_5_working_days():
    callum = ChildFact(id=12, dob=date(2008, 11, 2), responsible_authority_id=KENT)
    task = intent(run([ep(1, "2025-04-16 20:00", "2025-04-17 10:30", responsible=KENT, host=KENT)],
                      "2025-04-17 11:00", child=callum), "placement_review")
    assert task.owner_role == "social_worker" and task.due_at == at("2025-04-28 10:30")
    assert keys(run([ep(1, "2025-04-16 20:00", "2025-04-17 10:30")], "2025-04-17 11:00"), "placement_review") == []


# --- notifications between authorities ---------------------------------------------------------------


def test_own_child_placed_out_of_area_missing_elsewhere_tells_the_host():
    callum = ChildFact(id=12, dob=date(2008, 11, 2), responsible_authority_id=KENT)
    # Placed in Southwark, went missing in Nottinghamshire: Notts tells Kent; Kent tells Southwark.
    e = ep(1, "2025-05-01 20:00", area=NOTTS, responsible=KENT, host=SOUTHWARK)
    result = run([e], "2025-05-01 21:00", child=callum)
    host = intent(result, "notify_host_authority")
    assert host.authority_id == KENT and host.notify_authority_id == SOUTHWARK
    assert host.due_at == at("2025-05-02 00:00")
    responsible = intent(result, "notify_responsible_authority")
    assert responsible.authority_id == NOTTS and responsible.notify_authority_id == KENT


def test_the_host_is_not_told_what_its_own_feed_reported():
    callum = ChildFact(id=12, dob=date(2008, 11, 2), responsible_authority_id=KENT)
    e = ep(1, "2025-05-01 20:00", area=SOUTHWARK, responsible=KENT, host=SOUTHWARK)
    result = run([e], "2025-05-01 21:00", child=callum)
    assert keys(result, "notify_host_authority") == []
    assert keys(result, "notify_responsible_authority") == ["notify_responsible_authority:e1:start"]


def test_authorities_not_using_homeward_raise_nothing():
    jade = ChildFact(id=11, dob=date(2009, 1, 20), responsible_authority_id=SOUTHWARK)
    e = ep(1, "2025-05-01 20:00", area=KENT, responsible=SOUTHWARK, host=KENT, risk="high")
    result = run([e], "2025-05-02 21:00", child=jade, protocols={KENT: protocol()})
    # Southwark is not in Homeward: Kent (the area) leads, and still tells Southwark.
    assert {i.authority_id for i in result.intents} == {KENT}
    assert "notify_responsible_authority:e1:start" in keys(result)


# --- repeat missing ---------------------------------------------------------------------------------


def starts(*days, base="2025-01-06 18:00"):
    b = at(base)
    return [EpisodeFact(id=i + 1, started_at=b + timedelta(days=d), returned_at=b + timedelta(days=d, hours=3),
                        area_authority_id=KENT) for i, d in enumerate(days)]


def test_three_episodes_with_the_first_and_third_89_days_apart_meet_the_threshold():
    result = run(starts(0, 45, 89), "2025-04-05 22:00")
    task = intent(result, "repeat_missing_meeting")
    assert task.cause_key == "repeat_missing_meeting:c10:e3" and task.episode_id == 3
    # Due in 10 working days from the third start (Friday 4 April 2025): 18 April is Good Friday, 21 Easter Monday.
    assert task.due_at == at("2025-04-22 18:00")


def test_three_episodes_90_days_apart_do_not():
    assert keys(run(starts(0, 45, 90), "2025-04-06 22:00"), "repeat_missing_meeting") == []


def test_the_repeat_window_counts_calendar_days_in_uk_time():
    # The first start is 23:30 on 1 Jan (UK); the third 00:30 on 31 March BST (23:30 UTC on 30 March): 89 days apart.
    eps = [EpisodeFact(1, at("2025-01-01 23:30")), EpisodeFact(2, at("2025-02-01 12:00")),
           EpisodeFact(3, at("2025-03-31 00:30"))]
    eps = [EpisodeFact(e.id, e.started_at, e.started_at + timedelta(hours=2), area_authority_id=KENT) for e in eps]
    assert keys(run(eps, "2025-03-31 06:00"), "repeat_missing_meeting") == ["repeat_missing_meeting:c10:e3"]


def test_repeat_fires_again_only_more_than_the_window_after_the_episode_that_fired_it():
    # Fires at day 20 (episodes 0, 10, 20); 30, 60 and 110 start within 90 days of it: no second firing.
    result = run(starts(0, 10, 20, 30, 60, 110), "2025-05-01 12:00", protocols=YEAR)
    assert keys(result, "repeat_missing_meeting") == ["repeat_missing_meeting:c10:e3"]
    # At day 111 (91 days after day 20), with 60 and 110 in its window, it fires again.
    result = run(starts(0, 10, 20, 30, 60, 110, 111), "2025-05-01 12:00", protocols=YEAR)
    assert keys(result, "repeat_missing_meeting") == ["repeat_missing_meeting:c10:e3", "repeat_missing_meeting:c10:e7"]


def test_an_earlier_episode_reported_late_does_not_raise_a_second_meeting():
    fired = run(starts(0, 10, 20), "2025-02-01 12:00")
    prior = as_prior(fired)
    late = starts(0, 10, 20) + [EpisodeFact(99, at("2025-01-11 18:00"), at("2025-01-11 20:00"), area_authority_id=KENT)]
    again = run(late, "2025-02-01 12:00", prior=prior)
    assert set(keys(again, "repeat_missing_meeting")) <= {p.cause_key for p in prior}


def test_the_repeat_threshold_and_window_come_from_the_protocol():
    strict = {KENT: protocol(repeat_missing_meeting={"count": 3, "window_days": 30})}
    assert keys(run(starts(0, 15, 29), "2025-02-10 12:00", protocols=strict), "repeat_missing_meeting") != []
    assert keys(run(starts(0, 15, 30), "2025-02-10 12:00", protocols=strict), "repeat_missing_meeting") == []


# --- monthly multiple missing -----------------------------------------------------------------------


def month_episodes(n, year=2025, month=5):
    return [EpisodeFact(i + 1, datetime(year, month, 2 + i * 5, 18, tzinfo=LONDON),
                        datetime(year, month, 2 + i * 5, 22, tzinfo=LONDON), area_authority_id=KENT)
            for i in range(n)]


def test_the_fifth_episode_in_a_calendar_month_lists_the_child_for_the_monthly_review():
    assert keys(run(month_episodes(4), "2025-05-30 12:00"), "monthly_multiple_missing") == []
    task = intent(run(month_episodes(5), "2025-05-30 12:00"), "monthly_multiple_missing")
    assert task.cause_key == "monthly_multiple_missing:c10:2025-05" and task.episode_id is None
    assert task.cause_at == datetime(2025, 5, 22, 18, tzinfo=LONDON)
    assert "May 2025" in task.title
    # A sixth in the same month changes nothing.
    assert keys(run(month_episodes(6), "2025-05-30 12:00"), "monthly_multiple_missing") == [
        "monthly_multiple_missing:c10:2025-05"]


def test_the_month_is_the_uk_calendar_month_of_the_start():
    eps = month_episodes(4, month=6)
    # 00:30 on 1 June BST is 23:30 on 31 May UTC: a June episode.
    eps.append(EpisodeFact(9, at("2025-06-01 00:30"), at("2025-06-01 02:00"), area_authority_id=KENT))
    assert keys(run(eps, "2025-06-30 12:00"), "monthly_multiple_missing") == ["monthly_multiple_missing:c10:2025-06"]


# --- family group conference -------------------------------------------------------------------------


def test_reaching_the_repeat_threshold_twice_in_180_days_suggests_a_family_group_conference():
    days = (0, 10, 20, 111, 115, 120)  # firings at day 20 and day 120 (100 days apart)
    result = run(starts(*days), "2025-05-10 12:00", protocols=YEAR)
    assert keys(result, "repeat_missing_meeting") == ["repeat_missing_meeting:c10:e3", "repeat_missing_meeting:c10:e6"]
    task = intent(result, "family_group_conference")
    assert task.cause_key == "family_group_conference:c10:e6" and task.owner_role == "social_worker"


def test_no_conference_when_the_two_firings_are_180_days_or_more_apart():
    result = run(starts(0, 10, 20, 190, 195, 200), "2025-07-30 12:00", protocols=YEAR)
    assert len(keys(result, "repeat_missing_meeting")) == 2
    assert keys(result, "family_group_conference") == []


def test_the_conference_rule_can_be_switched_off():
    off = {KENT: protocol(family_group_conference={"enabled": False})}
    assert keys(run(starts(0, 10, 20, 111, 115, 120), "2025-05-10 12:00", protocols=off),
                "family_group_conference") == []


# --- history and versions ------------------------------------------------------------------------------


def test_events_older_than_the_look_back_raise_nothing_but_open_episodes_always_do():
    old = ep(1, "2024-01-01 20:00", "2024-01-02 08:00", risk="high")
    assert run([old], "2025-05-01 12:00").intents == []
    still_missing = ep(2, "2024-12-01 20:00")
    assert keys(run([still_missing], "2025-05-01 12:00"), "duration_escalation") == ["duration_escalation:e2:168h"]


def test_each_intent_names_the_version_that_raised_it():
    result = run([ep(1, "2025-05-01 20:00", risk="high")], "2025-05-02 21:00",
                 protocols={KENT: protocol(version=7)})
    assert {i.protocol_version_id for i in result.intents} == {7}
    assert all("version 7" in i.reason for i in result.intents)


def test_cause_keys_are_unique_within_an_evaluation():
    eps = starts(0, 10, 20, 111, 115, 120) + [ep(50, "2025-05-08 20:00", risk="high")]
    result = run(eps, "2025-05-10 12:00", protocols=YEAR)
    assert len(keys(result)) == len(set(keys(result)))


def test_no_names_in_the_reasons():
    result = run([ep(1, "2025-05-01 20:00", "2025-05-03 08:00", risk="high")], "2025-05-03 09:00")
    for i in result.intents:
        assert "Ellie" not in i.reason and "Hart" not in i.reason


def test_defaults_follow_protocol_md():
    rules = defaults.default_document()["rules"]
    assert rules["repeat_missing_meeting"]["count"] == 3 and rules["repeat_missing_meeting"]["window_days"] == 90
    assert rules["repeat_missing_meeting"]["due_in"] == {"working_days": 10}
    assert rules["monthly_multiple_missing"]["count"] == 5
    assert rules["return_interview"]["due_in"] == {"hours": 72}
    assert rules["placement_review"]["due_in"] == {"working_days": 5}
    assert [s["after_hours"] for s in rules["duration_escalation"]["steps"]] == [24, 72, 168]
    assert rules["strategy_discussion"]["due_in"] == {"hours": 24}
    assert set(rules["strategy_discussion"]["flags"]) == {"trafficking", "cse", "cce", "uasc"}
    assert rules["notify_responsible_authority"]["due_in"] == {"hours": 4}
    assert rules["family_group_conference"]["enabled"] is True
    assert set(rules) == set(defaults.RULE_NAMES) and len(rules) == 11


def test_an_invalid_protocol_is_refused_naming_each_problem():
    doc = copy.deepcopy(defaults.default_document())
    doc["rules"]["repeat_missing_meeting"]["count"] = "three"
    doc["rules"]["return_interview"]["due_in"] = {"days": 3}
    doc["rules"]["made_up"] = {}
    with pytest.raises(defaults.InvalidProtocol) as caught:
        defaults.validate(doc)
    paths = [p for p, _ in caught.value.problems]
    assert sorted(paths) == ["rules.made_up", "rules.repeat_missing_meeting.count", "rules.return_interview.due_in"]


def test_a_partial_protocol_takes_the_defaults_for_the_rest():
    doc = defaults.validate({"rules": {"repeat_missing_meeting": {"window_days": 30}}})
    assert doc["rules"]["repeat_missing_meeting"] == {**defaults.default_document()["rules"]["repeat_missing_meeting"],
                                                      "window_days": 30}
    assert doc["rules"]["monthly_multiple_missing"]["count"] == 5


def test_an_episode_reported_after_now_is_not_known_yet():
    e = ep(1, "2025-05-01 20:00", reported="2025-05-02 22:00", risk="high")
    assert run([e], "2025-05-02 21:00").intents == []
    assert keys(run([e], "2025-05-02 22:00")) == ["duration_escalation:e1:24h", "strategy_discussion:e1"]
