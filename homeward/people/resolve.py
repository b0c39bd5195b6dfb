"""Which child a report is about.

Order of evidence: the responsible authority's own child identifier when the
reporter gives it; then date of birth and names through the matching rules
(homeward/people/matching.py). A certain match links the report; an
uncertain one creates a new record and puts the pair in the review queue, so
that two different children are never merged silently.
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
    from . import matching

    report = matching.PersonRecord(
        first_name=parsed.first_name,
        last_name=parsed.last_name,
        dob=parsed.dob,
        sex=parsed.sex or None,
        postcode=parsed.postcode or None,
        provider_urn=parsed.provider_urn or None,
    )
    candidates = list(candidate_children(parsed.dob))
    if not candidates:
        return Resolution(None, "new")
    records = [(c, person_record(c)) for c in candidates]
    key, result = matching.best_match(report, [(c.pk, rec) for c, rec in records])
    by_pk = {c.pk: c for c in candidates}
    scored = []
    for c, rec in records:
        r = matching.compare(report, rec)
        if r.decision != "no_match":
            scored.append((c, r.score, r.reasons))
    scored.sort(key=lambda t: -t[1])
    if result.decision == "match" and key is not None:
        return Resolution(by_pk[key], "match", scored)
    if result.decision == "review" and scored:
        return Resolution(None, "review", scored)
    return Resolution(None, "new")


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
