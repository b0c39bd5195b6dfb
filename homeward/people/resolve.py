"""Which child a report is about.

Order of evidence: the responsible authority's own child identifier when the
reporter gives it; then date of birth and names through the matching rules
(homeward/people/matching.py). A certain match links the report; an
uncertain one creates a new record and puts the pair in the review queue, so
that two different children are never merged silently. Once a person has
judged two records different children (a rejected review), neither stands in
the way of a report that clearly fits the other (`kept_apart`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Child, ChildIdentifier


@dataclass
class Resolution:
    child: Child | None
    decision: str  # "identifier", "match", "review", "new"
    candidates: list[tuple[Child, float, tuple[str, ...]]] = field(default_factory=list)


def follow_merges(child: Child) -> Child:
    seen = set()
    while child.merged_into_id is not None and child.pk not in seen:
        seen.add(child.pk)
        child = child.merged_into
    return child


def by_identifier(*, authority, value: str) -> Child | None:
    ident = (
        ChildIdentifier.objects.select_related("child")
        .filter(kind=ChildIdentifier.Kind.LA_CHILD, authority=authority, value=value)
        .first()
    )
    return follow_merges(ident.child) if ident else None


def resolve_child(*, parsed, identifier_authority) -> Resolution:
    if parsed.child_ref and identifier_authority is not None:
        child = by_identifier(authority=identifier_authority, value=parsed.child_ref)
        if child is not None:
            return Resolution(child, "identifier")
    candidates = list(candidate_children(parsed.dob))
    if not candidates:
        return Resolution(None, "new")
    by_pk = {c.pk: c for c in candidates}
    key, decision, scored = decide(report_record(parsed), [(c.pk, person_record(c)) for c in candidates])
    return Resolution(by_pk[key] if key is not None else None, decision, [(by_pk[k], s, r) for k, s, r in scored])


def report_record(parsed):
    """What a parsed notification row says about the child, for matching."""
    from . import matching

    return matching.PersonRecord(
        first_name=parsed.first_name,
        last_name=parsed.last_name,
        dob=parsed.dob,
        sex=parsed.sex or None,
        postcode=parsed.postcode or None,
        provider_urn=parsed.provider_urn or None,
    )


def decide(report, pairs, *, apart=None):
    """Which of the candidates a report is about: ``(key, decision, scored)``.

    ``pairs`` are ``(child key, PersonRecord)`` in the order of the children's
    ids; ``decision`` is "match" (``key`` is the child), "review" or "new";
    ``scored`` lists ``(key, score, reasons)`` of every candidate that did not
    come out ``no_match``, best score first (the review queue). The one
    decision used by ``resolve_child`` and by the batched intake
    (homeward/episodes/intake.py). Each candidate is compared once.
    """
    from . import matching

    apart = apart or kept_apart
    if not pairs:
        return None, "new", []
    ranked = matching.rank_candidates(report, pairs)
    results = dict(ranked)
    key, result = ranked[0]
    if result.decision == "no_match":
        key = None
    elif result.decision == "match" and len(ranked) > 1:
        # Only then may best_match judge the match ambiguous; it looks at the
        # two best candidates, already compared (matching.pick_best).
        key, result = matching.pick_best(ranked)
    if result.decision == "review" and any(r.startswith("ambiguous:") for r in result.reasons):
        # A runner-up a person has already judged a different child from the
        # best candidate does not make the report ambiguous, unless it would
        # match on its own too (then the report fits both children).
        kept = apart(key, [k for k, _ in pairs])
        if kept:
            left = [(k, rec) for k, rec in pairs if k not in kept or results[k].decision == "match"]
            key, result = matching.best_match(report, left)
    scored = [(k, results[k].score, results[k].reasons) for k, _ in pairs if results[k].decision != "no_match"]
    scored.sort(key=lambda t: -t[1])
    if result.decision == "match" and key is not None:
        return key, "match", scored
    if result.decision == "review" and scored:
        return None, "review", scored
    return None, "new", []


def kept_apart(child_pk: int, others: list[int]) -> set[int]:
    """Those of `others` that a person has judged a different child from
    `child_pk` (a rejected MatchReview, either way round, also through a
    record since merged into one of them)."""
    from django.db.models import Q

    from .models import MatchReview

    ids = {child_pk, *others}
    rows = MatchReview.objects.filter(state=MatchReview.State.REJECTED).filter(
        Q(reported_child_id__in=ids) | Q(candidate_id__in=ids)
        | Q(reported_child__merged_into_id__in=ids) | Q(candidate__merged_into_id__in=ids)
    ).values_list("reported_child_id", "reported_child__merged_into_id", "candidate_id", "candidate__merged_into_id")
    apart = set()
    for reported, reported_into, candidate, candidate_into in rows:
        a, b = reported_into or reported, candidate_into or candidate
        if a == child_pk and b != child_pk:
            apart.add(b)
        elif b == child_pk and a != child_pk:
            apart.add(a)
    return apart & set(others)


def candidate_children(dob):
    """Children who could be this report: same date of birth, or one with
    day and month swapped or a single digit wrong (blocking)."""
    from . import matching

    dobs = matching.dob_variants(dob) if hasattr(matching, "dob_variants") else {dob}
    return (
        Child.objects.filter(dob__in=list(dobs), merged_into__isnull=True)
        .prefetch_related("aliases", "placements__provider")
        .order_by("pk")[:200]
    )


def person_record(child: Child):
    from . import matching

    placements = list(child.placements.all())
    current = placements[-1] if placements else None
    return matching.PersonRecord(
        first_name=child.first_name,
        last_name=child.last_name,
        dob=child.dob,
        sex=child.sex or None,
        postcode=(current.placement_postcode if current else child.home_postcode) or None,
        provider_urn=(current.provider.urn if current and current.provider else None),
        aliases=tuple((a.first_name, a.last_name) for a in child.aliases.all()),
    )
