"""The partnership report's own rules (homeward/reporting/periodic.py), at their edges."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward.reporting import periodic
from homeward.reporting.periodic import PeriodError


# --- periods -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, start, end", [
    ("2025-Q1", dt.date(2025, 1, 1), dt.date(2025, 4, 1)),
    ("2025-Q2", dt.date(2025, 4, 1), dt.date(2025, 7, 1)),
    ("2025-Q3", dt.date(2025, 7, 1), dt.date(2025, 10, 1)),
    ("2025-Q4", dt.date(2025, 10, 1), dt.date(2026, 1, 1)),
    ("2025-q4", dt.date(2025, 10, 1), dt.date(2026, 1, 1)),
    (" 2025-26 ", dt.date(2025, 4, 1), dt.date(2026, 4, 1)),
    ("2099-00", dt.date(2099, 4, 1), dt.date(2100, 4, 1)),
])
def test_periods_are_calendar_quarters_or_financial_years_with_the_end_exclusive(text, start, end):
    p = periodic.parse_period(text)
    assert (p.start, p.end) == (start, end)
    assert p.last_day == end - dt.timedelta(days=1)


@pytest.mark.parametrize("text", ["", "2025", "2025-Q0", "2025-Q5", "2025-27", "2025-25", "25-26", "2025-26-27",
                                  "1999-Q1", "2100-Q1", "Q1-2025", "2025 Q1", None])
def test_anything_else_is_refused_with_the_two_forms_explained(text):
    with pytest.raises(PeriodError) as refused:
        periodic.parse_period(text)
    message = str(refused.value)
    assert "YYYY-Qn" in message or "financial year" in message or "year from" in message


def test_a_financial_year_named_with_the_wrong_second_year_says_which_it_should_be():
    with pytest.raises(PeriodError, match="2025-26"):
        periodic.parse_period("2025-27")


def test_labels_name_the_months_and_the_financial_year_and_quarter():
    q1 = periodic.parse_period("2025-Q1")
    assert q1.label == "January to March 2025"
    assert q1.financial_year == "2024-25" and q1.financial_quarter == 4
    assert q1.title == "January to March 2025 (quarter 4 of 2024-25)"
    q2 = periodic.parse_period("2025-Q2")
    assert q2.financial_year == "2025-26" and q2.financial_quarter == 1
    year = periodic.parse_period("2025-26")
    assert year.label == "1 April 2025 to 31 March 2026" and year.title.startswith("Financial year 2025-26")
    assert year.financial_quarter is None and year.short == "2025-26"


def test_the_same_period_a_year_earlier():
    assert periodic.parse_period("2025-Q1").a_year_earlier() == periodic.parse_period("2024-Q1")
    assert periodic.parse_period("2025-Q4").a_year_earlier() == periodic.parse_period("2024-Q4")
    assert periodic.parse_period("2025-26").a_year_earlier() == periodic.parse_period("2024-25")


def test_recent_periods_and_the_default_quarter_is_the_last_one_ended():
    quarters, years = periodic.recent_periods(dt.date(2025, 1, 1))
    assert quarters[0].code == "2025-Q1" and quarters[1].code == "2024-Q4" and len(quarters) == 8
    assert quarters[-1].code == "2023-Q2"
    assert [y.code for y in years] == ["2024-25", "2023-24", "2022-23"]
    assert periodic.default_period(dt.date(2025, 1, 1)).code == "2024-Q4"
    assert periodic.default_period(dt.date(2025, 3, 31)).code == "2024-Q4"
    assert periodic.default_period(dt.date(2025, 4, 1)).code == "2025-Q1"
    assert [y.code for y in periodic.recent_periods(dt.date(2025, 4, 1))[1]][0] == "2025-26"


# --- by month ----------------------------------------------------------------------------------------


def test_by_month_lists_every_month_and_counts_each_child_once_a_month():
    months = ["2025-01", "2025-02", "2025-03"]
    starts = [("a", dt.date(2025, 1, 1)), ("a", dt.date(2025, 1, 31)), ("b", dt.date(2025, 1, 15)),
              ("a", dt.date(2025, 3, 31)), ("c", dt.date(2025, 4, 1)), ("c", dt.date(2024, 12, 31))]
    episodes, children = periodic.by_month(starts, months)
    assert episodes == {"2025-01": 3, "2025-02": 0, "2025-03": 1}
    assert children == {"2025-01": 2, "2025-02": 0, "2025-03": 1}


def test_monthly_review_by_month_uses_the_threshold_and_lists_every_month():
    jan = [dt.date(2025, 1, d) for d in (1, 2, 3, 4)]
    starts = {"four": jan, "five": jan + [dt.date(2025, 1, 31)], "split": jan[:3] + [dt.date(2025, 2, 1)] * 2}
    months = ["2025-01", "2025-02", "2025-03"]
    assert periodic.monthly_review_by_month(starts, dt.date(2025, 1, 1), dt.date(2025, 4, 1), months, n=5) == \
        {"2025-01": 1, "2025-02": 0, "2025-03": 0}
    assert periodic.monthly_review_by_month(starts, dt.date(2025, 1, 1), dt.date(2025, 4, 1), months, n=4) == \
        {"2025-01": 2, "2025-02": 0, "2025-03": 0}


def test_episode_counts_are_grouped_without_losing_a_child():
    grouped = periodic.group_episode_counts({"1": 7, "2": 3, "3": 0, "4": 1, "5": 1, "9": 2, "10": 1, "31": 1})
    assert grouped == {"1": 7, "2": 3, "3": 0, "4": 1, "5_to_9": 3, "10_or_more": 2}
    assert sum(grouped.values()) == 16
    with pytest.raises(ValueError):
        periodic.group_episode_counts({"0": 1})


# --- distances ---------------------------------------------------------------------------------------


def test_miles_between_points_a_degree_of_latitude_apart_is_about_69():
    assert periodic.miles_between((51.0, 0.0), (52.0, 0.0)) == pytest.approx(69.09, abs=0.05)
    assert periodic.miles_between((51.5, -0.1), (51.5, -0.1)) == 0
    # symmetric
    a, b = (51.28, 1.08), (52.95, -1.15)
    assert periodic.miles_between(a, b) == pytest.approx(periodic.miles_between(b, a))


@pytest.mark.parametrize("miles, band", [
    (0.0, "under_10"), (9.999, "under_10"), (10.0, "10_to_20"), (19.99, "10_to_20"), (20.0, "20_to_50"),
    (49.99, "20_to_50"), (50.0, "50_or_more"), (400.0, "50_or_more"), (None, "unknown"),
])
def test_distance_bands_are_half_open_and_unknown_is_its_own_band(miles, band):
    assert periodic.distance_band(miles) == band


def test_a_negative_distance_is_refused():
    with pytest.raises(ValueError):
        periodic.distance_band(-0.1)


def test_distance_from_home_is_unknown_when_either_end_is_not_located():
    assert periodic.distance_from_home(None, (51.0, 0.0)) is None
    assert periodic.distance_from_home((51.0, 0.0), None) is None
    assert periodic.distance_from_home((51.0, 0.0), (51.5, 0.0)) == pytest.approx(34.5, abs=0.1)


# --- placement types and flags -----------------------------------------------------------------------


@pytest.mark.parametrize("code, kind, expected", [
    ("U1", None, "foster"), ("U6", "children_home", "foster"), ("K2", None, "childrens_home"),
    ("k2", None, "childrens_home"), ("K1", None, "secure"), ("H5", None, "semi_independent"),
    ("R1", None, "residential_other"), ("S1", None, "residential_other"), ("P1", None, "parents"),
    ("P2", None, "independent"), ("A4", None, "adoption"), ("T1", None, "other"), ("Z1", None, "other"),
    ("Q9", None, "other"), ("", "children_home", "childrens_home"), ("", "fostering_agency", "foster"),
    ("", "semi_independent", "semi_independent"), ("", "something_new", "other"), ("", None, "not_recorded"),
    (None, "", "not_recorded"),
])
def test_placement_type_from_the_ssda903_code_else_the_provider(code, kind, expected):
    assert periodic.placement_type(code, kind) == expected
    assert expected in periodic.PLACEMENT_TYPE_LABELS


def test_a_flag_is_in_force_from_its_start_up_to_not_on_its_end():
    spans = [(dt.date(2025, 1, 10), dt.date(2025, 2, 1))]
    assert not periodic.flag_in_force(spans, dt.date(2025, 1, 9))
    assert periodic.flag_in_force(spans, dt.date(2025, 1, 10))
    assert periodic.flag_in_force(spans, dt.date(2025, 1, 31))
    assert not periodic.flag_in_force(spans, dt.date(2025, 2, 1))
    assert periodic.flag_in_force([(dt.date(2020, 1, 1), None)], dt.date(2030, 1, 1))
    assert not periodic.flag_in_force([], dt.date(2025, 1, 1))


# --- interviews ---------------------------------------------------------------------------------------


def test_every_required_interview_has_one_outcome_and_overdue_is_among_those_without():
    sets = [
        frozenset({"ended", "required", "offered_in_time", "completed", "completed_in_time"}),
        frozenset({"ended", "required", "declined", "declined_by_child"}),
        frozenset({"ended", "required", "declined", "declined_by_parent_or_carer"}),
        frozenset({"ended", "required", "unable_to_contact"}),
        frozenset({"ended", "required", "open", "overdue"}),
        frozenset({"ended", "required", "open"}),
        frozenset({"ended", "not_required", "not_required_new_episode"}),
        frozenset(),
    ]
    out = periodic.interview_outcomes(sets)
    assert out == {"required": 6, "completed": 1, "declined_by_child": 1, "declined_by_parent_or_carer": 1,
                   "unable_to_contact": 1, "no_outcome_yet": 2, "overdue": 1}
    assert sum(out[k] for k, _ in periodic.OUTCOMES) == out["required"]


def test_reasons_are_counted_by_home_and_care_and_unknown_codes_count_as_other():
    known = ["contact_family_friends", "conflict", "other"]
    given = [("conflict", "home"), ("conflict", "care"), ("contact_family_friends", "care"), ("weird", "home")]
    counts = periodic.reason_counts(given, known)
    assert counts["total"] == {"contact_family_friends": 1, "conflict": 2, "other": 1}
    assert counts["home"] == {"contact_family_friends": 0, "conflict": 1, "other": 1}
    assert counts["care"] == {"contact_family_friends": 1, "conflict": 1, "other": 0}


def test_top_reasons_leave_out_those_never_given_and_break_ties_by_label():
    totals = {"a": 3, "b": 5, "c": 3, "d": 0}
    labels = {"a": "Zebra", "b": "Bees", "c": "Apples", "d": "Dogs"}
    assert periodic.top_reasons(totals, labels) == ["b", "c", "a"]
    assert periodic.top_reasons(totals, labels, top=1) == ["b"]


def test_percent_is_withheld_when_either_count_is_withheld_or_the_whole_is_zero():
    assert periodic.percent(1, 3) == 33
    assert periodic.percent(2, 3) == 67
    assert periodic.percent(0, 0) is None
    assert periodic.percent("<5", 10) is None
    assert periodic.percent(3, "<5") is None
    assert periodic.percent(None, 3) is None


# --- the protocol --------------------------------------------------------------------------------------


def test_a_stored_protocol_sets_the_thresholds_and_the_interview_timescale():
    rules_doc = {
        "repeat_missing_meeting": {"enabled": True, "count": 4, "window_days": 60},
        "monthly_multiple_missing": {"enabled": True, "count": 6},
        "return_interview": {"enabled": True, "due_in": {"working_days": 3}},
    }
    assert periodic.figures_protocol(rules_doc) == {
        "repeat_missing_meeting": {"episodes": 4, "days": 60},
        "monthly_multiple_missing": {"episodes": 6},
        "return_interview": {"hours": None, "working_days": 3},
    }
    assert periodic.figures_protocol({"return_interview": {"due_in": {"hours": 48}}}) == {
        "return_interview": {"hours": 48, "working_days": None}}
    assert periodic.figures_protocol(None) == {}
    assert periodic.figures_protocol({"repeat_missing_meeting": {"count": 3}}) == {}
