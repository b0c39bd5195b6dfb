"""The return home interview figures of `report kpis`, counted by hand from
interviews recorded through homeward/interviews (definitions.md, "Return home
interviews"): offered, offered in time, completed, completed in time,
declined, each over the episodes that required an interview."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from homeward.interviews.models import Interview
from homeward.interviews.services import interview_record_completed, interview_record_offer, interviews_sync
from homeward.placements.models import Placement
from homeward.reporting.filters import KpiFilters

from .helpers import figures, make_child, report

LONDON = ZoneInfo("Europe/London")
JULY = ("2024-07-01", "2024-08-01")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def ended(child, area, last_seen, returned, **kwargs):
    episode = report(child, area, last_seen, returned, **kwargs)
    interviews_sync(episode_ids=[episode.pk], now=at(returned) + dt.timedelta(minutes=1))
    return Interview.objects.get(episode=episode)


def offer(actor, interview, when, answer="offered"):
    return interview_record_offer(actor=actor, interview=interview, answer=answer, offered_at=at(when))


def completed(actor, interview, when):
    return interview_record_completed(actor=actor, interview=interview, completed_at=at(when), venue="School",
                                      interviewer=None, interviewer_name="A. Worker")


@pytest.fixture
def july(world):
    """Kent, July 2024, 72-hour timescale (due 72 real hours after the return):

    A offered and completed in time; B offered late and declined by the child;
    C offered exactly at the due time, completed after it; D not offered yet;
    E unable to contact, never offered; F Southwark's child placed in Kent,
    completed (Southwark's interview); G offered, then missing again before
    the due time (the next interview covers both), the new episode still open.
    """
    officer, southwark = world.kent_missing_officer, world.southwark_missing_officer
    kids = {name: make_child(first=name, home=world.kent) for name in "ABCDEG"}
    f = make_child(first="F", responsible=world.southwark)
    Placement.objects.create(child=f, responsible_authority=world.southwark, host_authority=world.kent,
                             place_code="K2", start_date=dt.date(2023, 1, 1))
    a = ended(kids["A"], world.kent, "2024-07-01T10:00", "2024-07-01T20:00")
    offer(officer, a, "2024-07-02T10:00", "accepted")
    completed(officer, a, "2024-07-03T10:00")
    b = ended(kids["B"], world.kent, "2024-07-05T10:00", "2024-07-05T12:00")
    offer(officer, b, "2024-07-09T12:00", "declined_by_child")  # due 8 July 12:00
    c = ended(kids["C"], world.kent, "2024-07-10T10:00", "2024-07-10T12:00")
    offer(officer, c, "2024-07-13T12:00", "accepted")  # exactly at the due time
    completed(officer, c, "2024-07-14T09:00")
    ended(kids["D"], world.kent, "2024-07-15T10:00", "2024-07-15T12:00")
    e = ended(kids["E"], world.kent, "2024-07-16T10:00", "2024-07-16T12:00")
    interview_record_offer(actor=officer, interview=e, answer="unable_to_contact", last_attempt_at=at("2024-07-17T12:00"))
    placed_in = ended(f, world.kent, "2024-07-18T10:00", "2024-07-18T12:00", responsible=world.southwark)
    offer(southwark, placed_in, "2024-07-19T10:00", "accepted")
    completed(southwark, placed_in, "2024-07-19T15:00")
    g = ended(kids["G"], world.kent, "2024-07-20T10:00", "2024-07-20T12:00")
    offer(officer, g, "2024-07-20T14:00")
    report(kids["G"], world.kent, "2024-07-21T18:00")  # 30 hours after the return: open
    return world


def test_interview_figures_are_counted_over_the_episodes_that_required_one(july):
    ri = figures(july.kent, *JULY)["return_interviews"]
    # ended: A B C D E F G; not required: F (Southwark's), G (missing again before the due time)
    assert (ri["required"], ri["not_required"]) == (5, 2)
    assert ri["offered"] == 3            # A, B, C (E was never offered; G needed none)
    assert ri["offered_in_time"] == 2    # A, C (at the due time is in time)
    assert ri["completed"] == 2          # A, C
    assert ri["completed_in_time"] == 1  # A
    assert ri["declined"] == 1           # B


def test_placed_in_childs_interview_counts_for_the_responsible_authority(july):
    ri = figures(july.southwark, *JULY)["return_interviews"]
    assert ri == {"required": 1, "offered": 1, "offered_in_time": 1, "completed": 1, "completed_in_time": 1,
                  "declined": 0, "not_required": 0}


def test_all_authorities_count_every_interview_once(july):
    ri = figures(None, *JULY)["return_interviews"]
    assert (ri["required"], ri["not_required"]) == (6, 1)  # F is someone's interview
    assert (ri["offered"], ri["completed"], ri["completed_in_time"], ri["declined"]) == (4, 3, 2, 1)


def test_interview_figures_follow_the_filters(july):
    ri = figures(july.kent, *JULY, filters=KpiFilters(missing_from="care"))["return_interviews"]
    assert ri == {"required": 0, "offered": 0, "offered_in_time": 0, "completed": 0, "completed_in_time": 0,
                  "declined": 0, "not_required": 1}
    home = figures(july.kent, *JULY, filters=KpiFilters(missing_from="home"))["return_interviews"]
    assert (home["required"], home["offered"], home["declined"]) == (5, 3, 1)


def test_an_interview_of_an_episode_outside_the_period_does_not_count(july):
    ri = figures(july.kent, "2024-08-01", "2024-09-01")["return_interviews"]
    assert ri["required"] == 0 and ri["offered"] == 0


def test_a_cancelled_interview_does_not_count(july):
    Interview.objects.filter(episode__child__first_name="A").update(cancelled_reason="merged away")
    ri = figures(july.kent, *JULY)["return_interviews"]
    assert (ri["required"], ri["offered"], ri["completed"], ri["completed_in_time"]) == (5, 2, 1, 0)


def test_the_definitions_say_in_time_is_against_the_interviews_due_time(july):
    definitions = figures(july.kent, *JULY)["definitions"]
    assert "due time" in definitions["return_interviews.offered_in_time"]
    assert "recorded" in definitions["return_interviews.offered_in_time"]
