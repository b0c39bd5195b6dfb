"""Measuring the matching rules on cases whose truth is known.

Pure Python, no Django. Give :func:`evaluate` cases of
``(report, candidates, true_key)``: the report, the candidates the service
would compare it with (``(key, PersonRecord)`` pairs, as for
:func:`homeward.people.matching.best_match`), and the key of the child the
report is really about, or ``None`` when that child is not among the
candidates (a new child). It runs the matcher on each case and counts what a
person would care about:

* ``true_matches`` - matched, to the right child;
* ``false_matches`` - matched to the wrong child, or matched a new child to
  someone: two children merged silently, the error that must not happen;
* ``reviews`` - sent to a person, split into ``reviews_right_candidate``
  (the suggested child is the right one), ``reviews_wrong_candidate`` (the
  right child is known but another was suggested) and ``reviews_new_child``;
* ``true_new`` - no match, and the child was indeed new;
* ``missed`` - no match, though the child was among the candidates (a
  duplicate record will be made).

And rates: ``precision`` = true / all automatic matches; ``recall`` = true
matches / cases whose child was known; ``recall_with_review`` counts reviews
that suggested the right child as found too; ``review_rate`` and
``false_match_rate`` are shares of all cases. A rate whose denominator is 0 is
``None``. ``false_match_cases`` lists the positions of the false matches in
the input, to look at.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

from .matching import MatchResult, PersonRecord, best_match

Case = tuple[PersonRecord, Iterable[tuple[Hashable, PersonRecord]], Hashable | None]
Matcher = Callable[[PersonRecord, list[tuple[Hashable, PersonRecord]]], tuple[Hashable | None, MatchResult]]

OUTCOMES = (
    "true_match",
    "false_match",
    "review_right_candidate",
    "review_wrong_candidate",
    "review_new_child",
    "true_new",
    "missed",
)


def outcome(key: Hashable | None, result: MatchResult, true_key: Hashable | None) -> str:
    """What one matcher answer was, given the truth: one of ``OUTCOMES``."""
    if result.decision == "match":
        return "true_match" if true_key is not None and key == true_key else "false_match"
    if result.decision == "review":
        if true_key is None:
            return "review_new_child"
        return "review_right_candidate" if key == true_key else "review_wrong_candidate"
    return "missed" if true_key is not None else "true_new"


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def evaluate(cases: Iterable[Case], *, matcher: Matcher | None = None) -> dict[str, Any]:
    """Precision, recall and counts of the matcher's answers on known cases.

    ``matcher`` defaults to :func:`best_match`; any function with its
    signature can be measured the same way.
    """
    match = matcher or (lambda report, candidates: best_match(report, candidates))
    counts = dict.fromkeys(OUTCOMES, 0)
    false_match_cases: list[int] = []
    n = positives = 0
    for i, (report, candidates, true_key) in enumerate(cases):
        key, result = match(report, list(candidates))
        what = outcome(key, result, true_key)
        counts[what] += 1
        n += 1
        if true_key is not None:
            positives += 1
        if what == "false_match":
            false_match_cases.append(i)
    tm, fm = counts["true_match"], counts["false_match"]
    reviews = counts["review_right_candidate"] + counts["review_wrong_candidate"] + counts["review_new_child"]
    return {
        "cases": n,
        "positives": positives,
        "negatives": n - positives,
        "true_matches": tm,
        "false_matches": fm,
        "reviews": reviews,
        "reviews_right_candidate": counts["review_right_candidate"],
        "reviews_wrong_candidate": counts["review_wrong_candidate"],
        "reviews_new_child": counts["review_new_child"],
        "true_new": counts["true_new"],
        "missed": counts["missed"],
        "precision": _rate(tm, tm + fm),
        "recall": _rate(tm, positives),
        "recall_with_review": _rate(tm + counts["review_right_candidate"], positives),
        "review_rate": _rate(reviews, n),
        "false_match_rate": _rate(fm, n),
        "false_match_cases": false_match_cases,
    }
