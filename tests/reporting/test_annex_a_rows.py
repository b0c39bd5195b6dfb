"""The Annex A list of missing and absent episodes, built by pure functions
from plain values (annex_a.build_facts, annex_a_row): the edges of the
period, open episodes, merged duplicate records, absent against missing, the
return home interview columns, and cells a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from homeward.reporting import annex_a as aa
from homeward.reporting.annex_a import ChildRecord, EpisodeRecord, InterviewRecord, Sources

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc
COL = {name: i for i, name in enumerate(aa.HEADER)}
YEAR_2025 = (date(2024, 4, 1), date(2025, 4, 1))
YEAR_2026 = (date(2025, 4, 1), date(2026, 4, 1))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def episode(pk=1, child=10, start="2024-07-01T10:00", returned="2024-07-01T20:00", category="missing",
            missing_from="home", placed_in=False) -> EpisodeRecord:
    return EpisodeRecord(pk, child, at(start), at(returned) if returned else None, category, missing_from, placed_in)


def sources(*episodes, children=None, **kwargs) -> Sources:
    kids = children or {e.child_id: ChildRecord("F", "WBRI", date(2009, 5, 1)) for e in episodes}
    return Sources(episodes=list(episodes), children=kids, **kwargs)


def facts(src: Sources, period=YEAR_2025):
    return aa.build_facts(src, start=period[0], end=period[1])


def row(src: Sources, period=YEAR_2025) -> dict[str, str]:
    (only,) = facts(src, period)
    return dict(zip(aa.HEADER, aa.annex_a_row(only)))


# --- the period's edges --------------------------------------------------------------------


def test_an_episode_at_23_30_on_31_march_belongs_to_the_year_ending_that_day():
    src = sources(episode(start="2025-03-31T23:30", returned="2025-04-01T02:00"))
    assert len(facts(src, YEAR_2025)) == 1 and facts(src, YEAR_2026) == []
    r = row(src)
    assert r["Date and time missing started"] == "31/03/2025 23:30"  # local time, not UTC (22:30)
    assert r["Date and time returned"] == "01/04/2025 02:00"
    assert r["Duration (hours)"] == "2.5"


def test_half_past_midnight_on_1_april_is_the_next_year_though_it_is_still_31_march_in_utc():
    start = at("2025-04-01T00:30")
    assert start.astimezone(UTC).date() == date(2025, 3, 31)
    src = sources(episode(start="2025-04-01T00:30", returned="2025-04-01T03:00"))
    assert facts(src, YEAR_2025) == [] and len(facts(src, YEAR_2026)) == 1
    assert aa.in_period(start, *YEAR_2026) and not aa.in_period(start, *YEAR_2025)


def test_an_episode_still_open_at_the_end_of_the_period_has_no_return_duration_or_interview_answer():
    src = sources(episode(start="2025-03-30T22:00", returned=None))
    (f,) = facts(src)
    assert f.open_at_end and f.not_required is None
    r = row(src)
    assert r["Date and time returned"] == r["Duration (hours)"] == ""
    assert r["Return interview offered"] == r["Return interview completed"] == ""
    assert r["Return interview not required: reason"] == ""


def test_an_episode_ended_after_the_period_shows_its_return_and_is_open_at_the_end():
    src = sources(episode(start="2025-03-31T20:00", returned="2025-04-01T00:00"))
    (f,) = facts(src)
    assert f.open_at_end  # definitions.md: a return on or after the period's end
    r = row(src)
    assert r["Date and time returned"] == "01/04/2025 00:00" and r["Duration (hours)"] == "4.0"
    src = sources(episode(start="2025-03-31T20:00", returned="2025-03-31T23:59"))
    assert not facts(src)[0].open_at_end


def test_duration_is_real_elapsed_hours_across_the_march_clock_change():
    # 00:00 to 03:00 on 30 March 2025, the clocks going forward at 01:00: two real hours
    r = row(sources(episode(start="2025-03-30T00:00", returned="2025-03-30T03:00")))
    assert r["Duration (hours)"] == "2.0"


# --- children --------------------------------------------------------------------------


def test_merged_duplicate_records_are_one_child_under_the_surviving_record():
    survivor, duplicate = 10, 11
    src = sources(
        episode(pk=1, child=survivor, start="2024-07-01T10:00", returned="2024-07-01T12:00"),
        episode(pk=2, child=duplicate, start="2024-08-01T10:00", returned="2024-08-01T12:00"),
        children={survivor: ChildRecord("M", "BAFR", date(2008, 1, 2)),
                  duplicate: ChildRecord("F", "WBRI", date(2008, 1, 3))},
        merged={duplicate: survivor},
        identifiers={duplicate: ["K555"]},
    )
    rows = [dict(zip(aa.HEADER, aa.annex_a_row(f))) for f in facts(src)]
    assert {f.child_key for f in facts(src)} == {survivor}
    assert [r["Child Unique ID"] for r in rows] == ["K555", "K555"]  # the duplicate's identifier, moved with it
    assert {r["Gender"] for r in rows} == {"a) Male"}  # the surviving record's facts
    assert {r["Date of Birth"] for r in rows} == {"02/01/2008"}


def test_chains_of_merges_end_at_one_child():
    src = sources(*(episode(pk=i, child=c, start=f"2024-07-0{i}T10:00", returned=f"2024-07-0{i}T11:00")
                    for i, c in ((1, 1), (2, 2), (3, 3))),
                  children={3: ChildRecord("F", "", date(2010, 1, 1))}, merged={1: 3, 2: 3})
    assert {(f.child_key, f.child_ref) for f in facts(src)} == {(3, "HW3")}


def test_the_identifier_is_the_authoritys_own_or_homewards():
    assert aa.child_reference(5, {5}, {5: ["A1", "A2"]}) == "A1"
    assert aa.child_reference(5, {5, 7, 6}, {7: ["B7"], 6: ["B6"]}) == "B6"  # a duplicate's, lowest record first
    assert aa.child_reference(5, {5}, {}) == "HW5"


def test_gender_ethnicity_and_age_on_the_day_the_episode_started():
    kids = {10: ChildRecord("M", "bafr", date(2008, 7, 2))}
    r = row(sources(episode(start="2024-07-01T23:30", returned="2024-07-02T09:00"), children=kids))
    assert (r["Gender"], r["Ethnicity"], r["Age of Child (Years)"]) == ("a) Male", "o) BAFR", "15")
    r = row(sources(episode(start="2024-07-02T00:30", returned="2024-07-02T09:00"), children=kids))
    assert r["Age of Child (Years)"] == "16"  # the birthday
    unknown = {10: ChildRecord("", "", None)}
    r = row(sources(episode(), children=unknown))
    assert (r["Gender"], r["Ethnicity"], r["Date of Birth"], r["Age of Child (Years)"]) == (
        "c) Not stated/recorded", "", "", "")


def test_looked_after_and_child_protection_plan_and_child_in_need():
    r = row(sources(episode(missing_from="care")))
    assert (r["Looked after child"], r["Child protection plan"], r["Child in need"]) == ("a) Yes", "", "")
    plans = {10: [(date(2024, 6, 1), date(2024, 7, 1))]}  # ended the day the episode started
    assert row(sources(episode(), protection_plans=plans))["Child protection plan"] == ""
    plans = {10: [(date(2024, 6, 1), None)]}
    r = row(sources(episode(), protection_plans=plans))
    assert (r["Looked after child"], r["Child protection plan"]) == ("b) No", "a) Yes")


# --- missing or absent ----------------------------------------------------------------------


def test_absent_and_missing_are_told_apart():
    assert row(sources(episode(category="absent")))["Missing or absent"] == "b) Absent"
    assert row(sources(episode(category="missing")))["Missing or absent"] == "a) Missing"


# --- return home interviews -------------------------------------------------------------------


def test_interview_offered_and_completed_with_their_dates():
    interview = InterviewRecord(at("2024-07-02T10:00"), "completed", at("2024-07-03T23:30"))
    r = row(sources(episode(), interviews={1: interview}))
    assert (r["Return interview offered"], r["Date return interview offered"]) == ("a) Yes", "02/07/2024")
    assert (r["Return interview completed"], r["Date return interview completed"]) == ("a) Yes", "03/07/2024")
    declined = InterviewRecord(at("2024-07-02T10:00"), "declined_by_child", None)
    r = row(sources(episode(), interviews={1: declined}))
    assert (r["Return interview offered"], r["Return interview completed"]) == ("a) Yes", "b) No")
    r = row(sources(episode()))  # ended, nothing recorded
    assert (r["Return interview offered"], r["Return interview completed"]) == ("b) No", "b) No")


def test_interview_not_required_reasons_follow_the_key_figures_rules():
    # missing again 71 hours after the return: before the 72-hour offer was due
    src = sources(episode(pk=1, start="2024-07-01T10:00", returned="2024-07-01T12:00"),
                  episode(pk=2, start="2024-07-04T11:00", returned="2024-07-04T12:00"),
                  later_starts={10: [at("2024-07-01T10:00"), at("2024-07-04T11:00")]})
    first, second = facts(src)
    assert first.not_required == "new_episode_before_due" and second.not_required is None
    src.later_starts = {10: [at("2024-07-01T10:00"), at("2024-07-04T12:00")]}  # exactly at the due time
    assert facts(src)[0].not_required is None
    r = row(sources(episode(placed_in=True)))
    assert r["Return interview not required: reason"].startswith("Placed in the area by another authority")
    eighteen = {10: ChildRecord("F", "", date(2006, 7, 1))}
    assert row(sources(episode(), children=eighteen))["Return interview not required: reason"] == \
        "18 by the time the interview was due"
    died = {10: ChildRecord("F", "", date(2010, 1, 1), date(2024, 7, 3))}
    assert row(sources(episode(), children=died))["Return interview not required: reason"] == "The child has died"


def test_working_days_timescale_moves_the_due_time():
    # a Friday 12:00 return is due on Wednesday 12:00 with 3 working days: a new start on Tuesday excludes it
    src = sources(episode(pk=1, start="2024-07-05T10:00", returned="2024-07-05T12:00"),
                  later_starts={10: [at("2024-07-05T10:00"), at("2024-07-09T12:00")]})
    assert aa.build_facts(src, start=YEAR_2025[0], end=YEAR_2025[1])[0].not_required is None  # 72 h: due Monday
    assert aa.build_facts(src, start=YEAR_2025[0], end=YEAR_2025[1], rhi_hours=None,
                          rhi_working_days=3)[0].not_required == "new_episode_before_due"


# --- the file ----------------------------------------------------------------------------------


def test_cells_a_spreadsheet_would_run_as_formulas_are_defused():
    for bad in ("=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert aa.csv_cell(bad) == "'" + bad
    assert aa.csv_cell("K123") == "K123" and aa.csv_cell(None) == "" and aa.csv_cell(12) == "12"
    src = sources(episode(), identifiers={10: ["=cmd|' /C calc'!A0"]})
    text = aa.write_csv(aa.HEADER, aa.annex_a_rows(facts(src)))
    (header, first) = list(csv.reader(io.StringIO(text)))
    assert header == list(aa.HEADER) and first[COL["Child Unique ID"]] == "'=cmd|' /C calc'!A0"


def test_rows_come_in_order_of_start_then_episode_number():
    src = sources(episode(pk=3, start="2024-07-02T10:00"), episode(pk=2, start="2024-07-01T10:00"),
                  episode(pk=1, start="2024-07-02T10:00", returned="2024-07-02T11:00"))
    assert [f.episode_id for f in facts(src)] == [2, 1, 3]


def test_an_episode_outside_the_period_is_left_out_even_if_given():
    src = sources(episode(start="2024-03-31T23:59", returned="2024-04-01T01:00"))
    assert facts(src) == []
    assert facts(src, (date(2024, 3, 31), date(2024, 4, 1)))[0].started_at == at("2024-03-31T23:59")


def test_the_header_is_the_documented_one():
    assert aa.HEADER[:5] == ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)")
    assert len(aa.HEADER) == len(set(aa.HEADER)) == len(aa.annex_a_row(facts(sources(episode()))[0]))
