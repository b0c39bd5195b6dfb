"""Measuring the matching rules on cases with known truth (homeward/people/matching_eval.py)."""

from __future__ import annotations

from datetime import date

import pytest

from homeward.people.matching import MatchResult, PersonRecord
from homeward.people.matching_eval import evaluate, outcome

DOB = date(2011, 3, 14)
CALLUM = PersonRecord("Callum", "Smith", DOB, "M")
AMY = PersonRecord("Amy", "Smith", DOB, "F")
JESS = PersonRecord("Jessica", "Smith", DOB, "F")
KNOWN = [(1, CALLUM), (2, AMY), (3, JESS)]


def test_evaluate_counts_each_kind_of_answer():
    cases = [
        (PersonRecord("Cal", "Smith", DOB, "M"), KNOWN, 1),  # nickname: true match
        (PersonRecord("Jess", "Smyth", DOB, "F"), KNOWN, 3),  # nickname and typo, sex agrees: true match
        (PersonRecord("Amy", "Smith", date(2011, 3, 15), "F"), KNOWN, 2),  # DOB slip: review, right child on top
        (PersonRecord("Grace", "Smith", DOB, "F"), KNOWN[:2], None),  # a third sister, unknown: review
        (PersonRecord("Oliver", "Okafor", date(2009, 1, 2), "M"), KNOWN, None),  # new child: no match
        (PersonRecord("Callum", "Smith", date(2004, 9, 30), "M"), KNOWN, 1),  # DOB badly wrong: missed
    ]
    report = evaluate(cases)
    assert report["cases"] == 6
    assert report["positives"] == 4 and report["negatives"] == 2
    assert report["true_matches"] == 2
    assert report["false_matches"] == 0
    assert report["reviews"] == 2
    assert report["reviews_right_candidate"] == 1
    assert report["reviews_new_child"] == 1
    assert report["true_new"] == 1
    assert report["missed"] == 1
    assert report["precision"] == 1.0
    assert report["recall"] == pytest.approx(2 / 4)
    assert report["recall_with_review"] == pytest.approx(3 / 4)
    assert report["review_rate"] == pytest.approx(2 / 6)
    assert report["false_match_rate"] == 0.0
    assert report["false_match_cases"] == []


def test_evaluate_reports_false_matches_and_where_they_are():
    always_first = lambda report, candidates: (candidates[0][0], MatchResult(99.0, "match", ()))  # noqa: E731
    cases = [(CALLUM, KNOWN, 1), (AMY, KNOWN, 2), (JESS, KNOWN, None)]
    report = evaluate(cases, matcher=always_first)
    assert report["true_matches"] == 1
    assert report["false_matches"] == 2
    assert report["false_match_cases"] == [1, 2]
    assert report["precision"] == pytest.approx(1 / 3)


def test_evaluate_on_nothing_has_no_rates():
    report = evaluate([])
    assert report["cases"] == 0
    assert report["precision"] is None and report["recall"] is None and report["review_rate"] is None


@pytest.mark.parametrize(
    "key, decision, true_key, expected",
    [
        (1, "match", 1, "true_match"),
        (2, "match", 1, "false_match"),
        (2, "match", None, "false_match"),
        (1, "review", 1, "review_right_candidate"),
        (2, "review", 1, "review_wrong_candidate"),
        (2, "review", None, "review_new_child"),
        (None, "no_match", None, "true_new"),
        (None, "no_match", 1, "missed"),
    ],
)
def test_outcome_classifies_one_answer(key, decision, true_key, expected):
    assert outcome(key, MatchResult(0.0, decision, ()), true_key) == expected
