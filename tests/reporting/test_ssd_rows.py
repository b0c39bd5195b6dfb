"""The SSD `ssd_missing` table, built by pure functions from the same facts
as the Annex A list (ssd.ssd_row): the SSD's column names, ISO local times at
the edges of the period, open episodes, merged duplicates, M and A, and the
return home interview answers Y, N or blank."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from homeward.reporting import annex_a as aa
from homeward.reporting import ssd
from homeward.reporting.annex_a import ChildRecord, EpisodeRecord, InterviewRecord, Sources

LONDON = ZoneInfo("Europe/London")
YEAR = (date(2024, 4, 1), date(2025, 4, 1))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def episode(pk=1, child=10, start="2024-07-01T10:00", returned="2024-07-01T20:00", category="missing",
            placed_in=False) -> EpisodeRecord:
    return EpisodeRecord(pk, child, at(start), at(returned) if returned else None, category, "care", placed_in)


def rows(*episodes, period=YEAR, **kwargs) -> list[dict[str, str]]:
    kids = kwargs.pop("children", None) or {e.child_id: ChildRecord("F", "WBRI", date(2009, 5, 1)) for e in episodes}
    facts = aa.build_facts(Sources(episodes=list(episodes), children=kids, **kwargs), start=period[0], end=period[1])
    return [dict(zip(ssd.HEADER, ssd.ssd_row(f))) for f in facts]


def test_the_columns_are_the_ssds_own_names():
    assert ssd.HEADER == ("miss_table_id", "miss_person_id", "miss_missing_episode_start_date",
                          "miss_missing_episode_type", "miss_missing_episode_end_date", "miss_missing_rhi_offered",
                          "miss_missing_rhi_accepted")


def test_an_episode_at_23_30_on_31_march_is_in_that_year_in_local_iso_time():
    (r,) = rows(episode(pk=7, start="2025-03-31T23:30", returned="2025-04-01T01:15"), identifiers={10: ["K42"]})
    assert r == {"miss_table_id": "7", "miss_person_id": "K42", "miss_missing_episode_start_date": "2025-03-31T23:30:00",
                 "miss_missing_episode_type": "M", "miss_missing_episode_end_date": "2025-04-01T01:15:00",
                 "miss_missing_rhi_offered": "N", "miss_missing_rhi_accepted": ""}
    assert rows(episode(start="2025-03-31T23:30"), period=(date(2025, 4, 1), date(2026, 4, 1))) == []


def test_winter_times_are_local_too():
    (r,) = rows(episode(start="2024-12-01T09:05:59", returned=None))
    assert r["miss_missing_episode_start_date"] == "2024-12-01T09:05:59"


def test_an_open_episode_has_no_end_and_no_interview_answer():
    (r,) = rows(episode(returned=None))
    assert (r["miss_missing_episode_end_date"], r["miss_missing_rhi_offered"], r["miss_missing_rhi_accepted"]) == (
        "", "", "")


def test_absent_is_a_and_missing_is_m():
    assert [r["miss_missing_episode_type"] for r in rows(
        episode(pk=1, category="absent"), episode(pk=2, start="2024-07-03T10:00", category="missing"))] == ["A", "M"]


def test_merged_duplicates_are_one_person():
    out = rows(episode(pk=1, child=10), episode(pk=2, child=11, start="2024-08-01T10:00"),
               children={10: ChildRecord("F", "", date(2009, 1, 1))}, merged={11: 10})
    assert [r["miss_person_id"] for r in out] == ["HW10", "HW10"]


def test_interview_offered_and_accepted_answers():
    def answers(interview=None, **kwargs):
        (r,) = rows(episode(**kwargs), interviews={1: interview} if interview else {})
        return r["miss_missing_rhi_offered"], r["miss_missing_rhi_accepted"]

    offered = at("2024-07-02T10:00")
    assert answers(InterviewRecord(offered, "completed", at("2024-07-03T10:00"))) == ("Y", "Y")
    assert answers(InterviewRecord(offered, "accepted", None)) == ("Y", "Y")
    assert answers(InterviewRecord(offered, "offered", None)) == ("Y", "")
    assert answers(InterviewRecord(offered, "declined_by_child", None)) == ("Y", "N")
    assert answers(InterviewRecord(offered, "declined_by_parent_or_carer", None)) == ("Y", "N")
    assert answers(InterviewRecord(None, "unable_to_contact", None)) == ("N", "")
    assert answers() == ("N", "")  # required, nothing recorded
    assert answers(placed_in=True) == ("", "")  # another authority's interview: not required of this one
    assert answers(InterviewRecord(offered, "accepted", None), placed_in=True) == ("Y", "Y")  # what was done is said


def test_text_is_defused_for_spreadsheets():
    facts = aa.build_facts(Sources(episodes=[episode()], children={10: ChildRecord("F", "", None)},
                                   identifiers={10: ["@SUM(1+1)"]}), start=YEAR[0], end=YEAR[1])
    text = aa.write_csv(ssd.HEADER, ssd.ssd_rows(facts))
    assert list(csv.reader(io.StringIO(text)))[1][1] == "'@SUM(1+1)"
