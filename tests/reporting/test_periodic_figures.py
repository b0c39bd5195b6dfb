"""The partnership report's figures, counted by hand on one small world (Kent, January to March 2025,
against January to March 2024), section by section.

The world (times are Europe/London):

- Ellie, at home in Kent: 10 January 2025 10:00 for 10 hours; 31 March 2025 23:30 to 1 April 02:00 (March:
  the period's last half hour); 15 January 2024 for 26 hours (last year).
- Callum, Kent's child in a Kent children's home (K2) since 2024: 20 January 2025 18:00 for 80 hours;
  5 February 2025 21:00, still missing (open at the end of the period, like Ellie's of 31 March, which
  ended after it).
- Jade, Southwark's child placed in Kent (K2), a UASC flag from 1 June 2024, home SE15, placed ME15 (34.5
  miles apart by the districts' centres given here): 10 February 2025 for 24 hours (placed in, UASC);
  10 February 2024 for 10 hours (placed in, not UASC then).
- Noah, Kent's child fostered (U4) in Nottinghamshire since June 2024, home CT2 7NZ (a unit postcode),
  placed "NG1 1" (a district): 3 March 2025 for 8 hours, in Nottinghamshire (placed out, 117 miles).
- Mia, Kent's child placed in Southwark since June 2024, a UASC flag, no postcodes, no placement type:
  10 March 2025 for 5 hours (placed out, distance not known, type not recorded).
- Zoe, at home in Kent: five episodes of 2 hours, 2, 5, 8, 11 and 14 January 2025 at 10:00 (3 in 90 and
  the monthly review); 1 April 2025 00:30 (April: not in the period, though stored as 31 March 23:30 UTC).

Return home interviews: Ellie's January interview completed in time (reasons: conflict, boundaries);
Callum's January one offered in time and declined by him; Noah's completed late (reason: contact with
family); Mia could not be contacted; Ellie's March and Zoe's last have no outcome (overdue).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from homeward.interviews.models import Interview
from homeward.interviews.services import (
    Section, interview_record_completed, interview_record_findings, interview_record_offer, interviews_sync,
)
from homeward.people.models import ChildFlag
from homeward.placements.models import Authority, Placement, Provider
from homeward.reporting import periodic
from homeward.reporting.kpis import key_figures

from .helpers import make_child, report

LONDON = ZoneInfo("Europe/London")
Q1 = periodic.parse_period("2025-Q1")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def located(la):
    from homeward.places.models import Postcode, PostcodeDistrict

    Postcode.objects.create(postcode="CT2 7NZ", district="CT2", latitude=51.30, longitude=0.0, source="synthetic")
    for district, lat in (("SE15", 51.50), ("ME15", 51.00), ("NG1", 53.00)):
        PostcodeDistrict.objects.create(district=district, latitude=lat, longitude=0.0, postcodes=1)


@pytest.fixture
def scenario(world, la):
    kent, southwark, notts = la.kent, la.southwark, la.notts
    located(la)
    w = type("Scenario", (), {})()
    w.kent = kent
    home = Provider.objects.create(urn="SC900001", name="Hillside", kind=Provider.Kind.CHILDREN_HOME,
                                   postcode="ME15 6AA", host_authority=kent)
    w.ellie = make_child(first="Ellie", last="Stone", home=kent, home_postcode="CT2 7NZ")
    w.callum = make_child(first="Callum", last="Wood", responsible=kent)
    w.jade = make_child(first="Jade", last="Lane", responsible=southwark)
    w.noah = make_child(first="Noah", last="Field", responsible=kent)
    w.mia = make_child(first="Mia", last="Brook", responsible=kent)
    w.zoe = make_child(first="Zoe", last="Hill", home=kent)
    Placement.objects.create(child=w.callum, responsible_authority=kent, host_authority=kent, provider=home,
                             place_code="K2", start_date=dt.date(2024, 1, 1))
    Placement.objects.create(child=w.jade, responsible_authority=southwark, host_authority=kent, provider=home,
                             place_code="K2", start_date=dt.date(2024, 1, 1), home_postcode="SE15 4AA",
                             placement_postcode="ME15 6AA")
    Placement.objects.create(child=w.noah, responsible_authority=kent, host_authority=notts, place_code="U4",
                             start_date=dt.date(2024, 6, 1), home_postcode="CT2 7NZ", placement_postcode="NG1 1")
    Placement.objects.create(child=w.mia, responsible_authority=kent, host_authority=southwark,
                             start_date=dt.date(2024, 6, 1))
    ChildFlag.objects.create(child=w.jade, flag="uasc", source="la:210", start_date=dt.date(2024, 6, 1))
    ChildFlag.objects.create(child=w.mia, flag="uasc", source="la:886", start_date=dt.date(2020, 1, 1))

    w.e1 = report(w.ellie, kent, "2025-01-10T10:00", "2025-01-10T20:00")
    w.e2 = report(w.ellie, kent, "2025-03-31T23:30", "2025-04-01T02:00")
    w.e0 = report(w.ellie, kent, "2024-01-15T12:00", "2024-01-16T14:00")
    w.c1 = report(w.callum, kent, "2025-01-20T18:00", "2025-01-24T02:00")
    w.c2 = report(w.callum, kent, "2025-02-05T21:00")
    w.j1 = report(w.jade, kent, "2025-02-10T10:00", "2025-02-11T10:00", responsible=southwark)
    w.j0 = report(w.jade, kent, "2024-02-10T10:00", "2024-02-10T20:00", responsible=southwark)
    w.n1 = report(w.noah, notts, "2025-03-03T15:00", "2025-03-03T23:00", responsible=kent)
    w.m1 = report(w.mia, southwark, "2025-03-10T10:00", "2025-03-10T15:00", responsible=kent)
    w.z = [report(w.zoe, kent, f"2025-01-{d:02d}T10:00", f"2025-01-{d:02d}T12:00") for d in (2, 5, 8, 11, 14)]
    w.z_april = report(w.zoe, kent, "2025-04-01T00:30", "2025-04-01T06:00")
    episodes = [w.e1, w.e2, w.e0, w.c1, w.c2, w.j1, w.j0, w.n1, w.m1, *w.z, w.z_april]
    interviews_sync(episode_ids=[e.pk for e in episodes])

    officer = world.kent_missing_officer

    def interview(ep):
        return Interview.objects.get(episode=ep)

    interview_record_completed(actor=officer, interview=interview(w.e1), completed_at=at("2025-01-11T10:00"),
                               venue="School", interviewer_name="A. Worker")
    interview_record_findings(actor=officer, interview=interview(w.e1), sections={
        "reasons": Section(codes=["conflict", "boundaries_rules"])})
    interview_record_offer(actor=officer, interview=interview(w.c1), answer="declined_by_child",
                           offered_at=at("2025-01-24T10:00"))
    interview_record_completed(actor=officer, interview=interview(w.n1), completed_at=at("2025-03-10T10:00"),
                               venue="Foster home", interviewer_name="B. Worker")
    interview_record_findings(actor=officer, interview=interview(w.n1), sections={
        "reasons": Section(codes=["contact_family_friends"])})
    interview_record_offer(actor=officer, interview=interview(w.m1), answer="unable_to_contact",
                           last_attempt_at=at("2025-03-12T10:00"))
    return w


def figures(w, period=Q1, suppress=None):
    return periodic.partnership_figures(authority=w.kent, period=period, suppress=suppress)


# --- episodes and children by month, against last year ---------------------------------------------------


def test_episodes_and_children_by_month_with_the_same_months_last_year(scenario):
    f = figures(scenario)
    this, last = f["this"], f["last"]
    assert f["period"]["from"] == "2025-01-01" and f["period"]["to"] == "2025-04-01"
    assert f["comparison"]["from"] == "2024-01-01" and f["comparison"]["to"] == "2024-04-01"
    assert this["key"]["episodes"]["total"] == 12
    # 31 March 23:30 is March; 1 April 00:30 (stored 31 March 23:30 UTC) is not in the quarter
    assert this["key"]["episodes_by_month"] == {"2025-01": 7, "2025-02": 2, "2025-03": 3}
    assert this["extra"]["children_by_month"] == {"2025-01": 3, "2025-02": 2, "2025-03": 3}
    assert last["key"]["episodes_by_month"] == {"2024-01": 1, "2024-02": 1, "2024-03": 0}
    assert last["extra"]["children_by_month"] == {"2024-01": 1, "2024-02": 1, "2024-03": 0}
    # the report's own episode rows are the key figures' episodes
    assert this["extra"]["episodes_by_month"] == this["key"]["episodes_by_month"]
    assert last["extra"]["episodes_by_month"] == last["key"]["episodes_by_month"]


def test_children_by_month_agree_with_the_key_figures_for_each_month(scenario):
    f = figures(scenario)
    for month, children in f["this"]["extra"]["children_by_month"].items():
        start = dt.date.fromisoformat(month + "-01")
        end = (start + dt.timedelta(days=32)).replace(day=1)
        assert key_figures(authority=scenario.kent, start=start, end=end)["children"]["total"] == children


# --- home and care ------------------------------------------------------------------------------------------


def test_home_against_care(scenario):
    key = figures(scenario)["this"]["key"]
    assert key["episodes"] == {"total": 12, "from_home": 7, "from_care": 5, "absent": 0, "open_at_end": 2}
    assert key["children"] == {"total": 6, "from_home": 2, "from_care": 4}


# --- repeat missing and thresholds -----------------------------------------------------------------------------


def test_children_by_number_of_episodes_and_the_thresholds(scenario):
    f = figures(scenario)
    assert f["this"]["extra"]["children_by_episodes"] == {"1": 3, "2": 2, "3": 0, "4": 0, "5_to_9": 1,
                                                           "10_or_more": 0}
    assert f["this"]["key"]["repeat"] == {"three_in_ninety_children": 1, "monthly_multiple_children": 1}
    assert f["this"]["extra"]["monthly_review_by_month"] == {"2025-01": 1, "2025-02": 0, "2025-03": 0}
    assert f["last"]["key"]["repeat"] == {"three_in_ninety_children": 0, "monthly_multiple_children": 0}
    assert f["protocol"]["repeat_missing_meeting"] == {"episodes": 3, "days": 90}
    assert f["protocol_source"].startswith("Homeward's defaults")


# --- durations --------------------------------------------------------------------------------------------------


def test_durations_with_the_open_episode_apart(scenario):
    f = figures(scenario)
    d = f["this"]["key"]["duration_hours"]
    assert {k: d[k] for k in ("under_24", "24_to_72", "72_to_168", "over_168")} == \
        {"under_24": 9, "24_to_72": 1, "72_to_168": 1, "over_168": 0}
    assert f["this"]["extra"]["durations"] == {"ended": 11}
    # open at the end: Callum's (no return: no duration, never a zero) and Ellie's of 31 March 23:30 (returned
    # after the period's end: open then, with its 2.5 hours among the durations)
    assert f["this"]["key"]["episodes"]["open_at_end"] == 2
    assert d["median"] == 2.5  # 2, 2, 2, 2, 2, 2.5, 5, 8, 10, 24, 80
    last = f["last"]["key"]["duration_hours"]
    assert (last["under_24"], last["24_to_72"]) == (1, 1)


# --- looked-after children ---------------------------------------------------------------------------------------


def test_looked_after_children_who_went_missing_and_the_uasc_among_them(scenario):
    f = figures(scenario)
    assert f["this"]["key"]["looked_after"] == {"children": 3, "went_missing": 3, "went_missing_percent": 100.0,
                                                "episodes": 4, "episodes_per_child": 1.33}
    assert f["this"]["extra"]["uasc"]["looked_after_went_missing"] == 1  # Mia
    assert f["this"]["extra"]["looked_after_by_month"] == {"2025-01": 1, "2025-02": 1, "2025-03": 2}
    assert f["last"]["key"]["looked_after"]["children"] == 1  # Callum; Noah and Mia came into care in June 2024
    assert f["last"]["key"]["looked_after"]["went_missing"] == 0


# --- placed in and placed out ---------------------------------------------------------------------------------------


def test_children_placed_in_by_other_authorities(scenario):
    f = figures(scenario)
    this, last = f["this"], f["last"]
    assert this["key"]["placements"]["placed_in_episodes"] == 1 and this["key"]["placements"]["placed_in_children"] == 1
    assert this["extra"]["placed_in_authority_episodes"] == {"210": 1}
    assert this["extra"]["placed_in_authority_children"] == {"210": 1}
    assert this["extra"]["placed_in_type_children"]["childrens_home"] == 1
    assert sum(this["extra"]["placed_in_type_children"].values()) == 1
    # SE15 to ME15, half a degree of latitude apart: 34.5 miles
    assert this["extra"]["placed_in_distance_children"] == {"under_10": 0, "10_to_20": 0, "20_to_50": 1,
                                                            "50_or_more": 0, "unknown": 0}
    assert this["extra"]["uasc"]["placed_in_children"] == 1
    # last year Jade was placed in too, but her UASC flag began later
    assert last["key"]["placements"]["placed_in_children"] == 1
    assert last["extra"]["uasc"]["placed_in_children"] == 0


def test_own_children_placed_out_of_area_with_distance_unknown_said_so(scenario):
    f = figures(scenario)
    extra = f["this"]["extra"]
    assert f["this"]["key"]["placements"]["own_placed_out_episodes"] == 2
    assert f["this"]["key"]["placements"]["own_placed_out_children"] == 2
    assert extra["placed_out_authority_episodes"] == {"891": 1, "210": 1}
    assert extra["placed_out_type_children"]["foster"] == 1
    assert extra["placed_out_type_children"]["not_recorded"] == 1
    # Noah: CT2 7NZ (the unit) to NG1 (the district's centre): 117 miles; Mia: no postcodes
    assert extra["placed_out_distance_children"] == {"under_10": 0, "10_to_20": 0, "20_to_50": 0,
                                                     "50_or_more": 1, "unknown": 1}
    assert extra["uasc"]["placed_out_children"] == 1
    assert f["this"]["located"] == {"postcodes": 4, "units": 1, "districts": 3}


def test_distance_is_unknown_for_everyone_when_the_postcode_directory_is_empty(scenario):
    from homeward.places.models import Postcode, PostcodeDistrict

    Postcode.objects.all().delete()
    PostcodeDistrict.objects.all().delete()
    extra = figures(scenario)["this"]["extra"]
    assert extra["placed_in_distance_children"]["unknown"] == 1
    assert extra["placed_out_distance_children"]["unknown"] == 2
    assert sum(extra["placed_out_distance_children"].values()) == 2


# --- return home interviews ----------------------------------------------------------------------------------------


def test_return_interview_timeliness_from_the_key_figures(scenario):
    ri = figures(scenario)["this"]["key"]["return_interviews"]
    # 11 ended; not required: Zoe's first four (a new episode within 72 hours), Jade's (Southwark's interview)
    assert ri["required"] == 6 and ri["not_required"] == 5
    assert (ri["offered"], ri["offered_in_time"], ri["completed"], ri["completed_in_time"], ri["declined"]) == \
        (3, 2, 2, 1, 1)


def test_return_interview_outcomes_each_required_interview_once(scenario):
    out = figures(scenario)["this"]["extra"]["interview_outcomes"]
    assert out == {"required": 6, "completed": 2, "declined_by_child": 1, "declined_by_parent_or_carer": 0,
                   "unable_to_contact": 1, "no_outcome_yet": 2, "overdue": 2}


def test_reasons_from_completed_interviews_by_home_and_care(scenario):
    extra = figures(scenario)["this"]["extra"]
    assert {k: v for k, v in extra["reasons_total"].items() if v} == \
        {"conflict": 1, "boundaries_rules": 1, "contact_family_friends": 1}
    assert {k: v for k, v in extra["reasons_home"].items() if v} == {"conflict": 1, "boundaries_rules": 1}
    assert {k: v for k, v in extra["reasons_care"].items() if v} == {"contact_family_friends": 1}


# --- the year, and the protocol -----------------------------------------------------------------------------------------


def test_the_financial_year_ends_with_the_last_half_hour_of_31_march(scenario):
    f = figures(scenario, periodic.parse_period("2024-25"))
    assert f["this"]["key"]["episodes"]["total"] == 12
    assert f["this"]["key"]["episodes_by_month"]["2025-03"] == 3
    later = figures(scenario, periodic.parse_period("2025-26"))
    assert later["this"]["key"]["episodes_by_month"]["2025-04"] == 1  # Zoe's, at 00:30 on 1 April
    assert later["comparison"]["code"] == "2024-25"


def test_the_authoritys_stored_protocol_sets_the_thresholds(scenario, world):
    from homeward.protocol.defaults import default_document
    from homeward.protocol.versions import version_create

    doc = default_document()
    doc["rules"]["monthly_multiple_missing"]["count"] = 6
    version_create(actor=world.kent_senior_manager, document=doc, authority=scenario.kent,
                   effective_from=at("2020-01-01T00:00"), note="Six a month")
    f = figures(scenario)
    assert f["protocol"]["monthly_multiple_missing"] == {"episodes": 6}
    assert f["this"]["key"]["repeat"]["monthly_multiple_children"] == 0  # Zoe had five
    assert "6 episodes" in f["definitions"]["monthly_review_by_month"]
    assert f["protocol_source"].startswith("the authority's protocol")


# --- suppression ---------------------------------------------------------------------------------------------------------


def test_suppression_replaces_counts_from_1_to_4_everywhere_and_withholds_rates(scenario):
    f = figures(scenario, suppress=5)
    this = f["this"]
    assert f["suppression"]["threshold"] == 5 and "<5" in f["suppression"]["rule"]
    assert this["key"]["episodes"]["total"] == 12 and this["key"]["episodes"]["from_home"] == 7
    assert this["key"]["children"]["from_home"] == "<5"
    assert this["key"]["episodes"]["absent"] == 0  # zero is shown
    assert this["key"]["duration_hours"]["under_24"] == 9
    assert this["key"]["duration_hours"]["median"] == 2.5  # not a count
    assert this["key"]["looked_after"]["went_missing"] == "<5"
    assert this["key"]["looked_after"]["went_missing_percent"] is None
    assert this["extra"]["children_by_month"] == {"2025-01": "<5", "2025-02": "<5", "2025-03": "<5"}
    assert this["extra"]["placed_out_authority_episodes"] == {"891": "<5", "210": "<5"}
    assert this["extra"]["interview_outcomes"]["declined_by_parent_or_carer"] == 0
    assert this["extra"]["interview_outcomes"]["required"] == 6
    assert f["last"]["key"]["episodes"]["total"] == "<5"
    assert any("went_missing_percent" in note for note in f["notes"])


def test_a_threshold_below_2_is_refused(scenario):
    with pytest.raises(ValueError):
        figures(scenario, suppress=1)


def test_another_authority_sees_only_its_own(scenario, la):
    f = periodic.partnership_figures(authority=la.southwark, period=Q1, suppress=None)
    # Mia's episode in Southwark (Kent's child placed there) and Jade's (Southwark's own, placed out in Kent)
    assert f["this"]["key"]["episodes"]["total"] == 2
    assert f["this"]["extra"]["placed_in_authority_episodes"] == {"886": 1}
    assert f["this"]["extra"]["placed_out_authority_episodes"] == {"886": 1}
    assert Authority.objects.get(code="886").name == "Kent"
