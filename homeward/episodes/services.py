"""Writes to episodes: taking in a notification, reporting a child missing,
recording a return, changing the risk level.

Every reporter's row, whether from a police feed, an upload, the API or a
form in Homeward, becomes a `Notification` kept unchanged, and the episode is
derived from the current accounts (rules.derive_times). Rows are taken in by
the intake engine (homeward/episodes/intake.py), a file a few thousand rows at
a time and a form or API call as a chunk of one, so there is one
implementation of the rules (docs/decisions/0006-batched-intake.md). Each
service runs in one transaction, audits what it did, and changes nothing when
it refuses.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.roles import can_record_episodes
from homeward.people.models import Child
from homeward.placements.models import Authority, Placement, Provider
from homeward.problems import Problem, Refused

from . import intake, rules
from .intake import (
    ChildIndex, Intake, Item, Note, content_hash, derive_episode, merge_stored_episodes, placements_of, risk_change,
)
from .models import Episode, RiskChange

__all__ = [
    "Outcome", "actor_source", "content_hash", "episode_change_risk", "episode_record_return",
    "episode_report_missing", "notification_apply", "placement_at", "recompute",
]


@dataclass
class Outcome:
    kind: str  # created | updated | merged | unchanged
    episode: Episode
    child: Child
    review: bool = False


def actor_source(actor) -> str:
    """The `source` Homeward writes for rows entered by a person."""
    org = getattr(actor, "organisation", None)
    if org is None:
        return f"user:{getattr(actor, 'username', 'system')}"
    if org.kind == "police" and org.police_force:
        return f"police:{org.police_force}"
    if org.kind == "council" and org.authority_id:
        return f"la:{org.authority.code}"
    if org.kind == "care_provider":
        urn = org.providers.exclude(urn__isnull=True).values_list("urn", flat=True).first()
        if urn:
            return f"provider:{urn}"
    return f"org:{org.pk}"


def _authority_by_code(code: str, field: str) -> Authority:
    authority = Authority.objects.filter(code=code).first()
    if authority is None:
        raise Refused(Problem(field, f"'{code}' is not a known local authority code"))
    return authority


# --- deriving an episode from its notifications ----------------------------------


def _accounts(episode: Episode) -> list[rules.Account]:
    rows = [
        rules.Account(
            source=n.source,
            source_ref=n.source_ref,
            last_seen_at=n.last_seen_at,
            reported_at=n.reported_at,
            returned_at=n.returned_at,
            risk_level=n.risk_level,
            order=n.pk,
        )
        for n in episode.notifications.all().order_by("pk")
    ]
    return rules.current_accounts(rows)


def placement_at(child: Child, moment: datetime) -> Placement | None:
    day = timezone.localtime(moment).date()
    return (
        Placement.objects.select_related("provider", "responsible_authority", "host_authority")
        .filter(child=child, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .order_by("-start_date")
        .first()
    )


def recompute(episode: Episode, *, actor=None, source: str = "") -> None:
    """Set the episode's times, risk, placement and origin from its
    notifications (intake.derive_episode, as the intake does), and save it."""
    notes = [Note.of(n) for n in episode.notifications.all().order_by("pk")]
    change = derive_episode(
        episode, notes,
        placements=placements_of([episode.child_id]).get(episode.child_id, []),
        child_responsible_id=episode.child.responsible_authority_id,
        provider_id_for_urn=lambda urn: Provider.objects.filter(urn=urn).values_list("pk", flat=True).first(),
    )
    if change is not None:
        risk_change(episode.pk, change[0], change[1], actor=actor, source=source).save()
    episode.save()


def _overlapping(child: Child, start: datetime, end: datetime | None, exclude: list[int]) -> list[Episode]:
    qs = Episode.objects.filter(child=child).exclude(pk__in=exclude)
    qs = qs.filter(Q(returned_at__isnull=True) | Q(returned_at__gt=start))
    if end is not None:
        qs = qs.filter(started_at__lt=end)
    return list(qs.order_by("started_at", "pk"))


def _merge_episodes(target: Episode, others: list[Episode]) -> None:
    merge_stored_episodes(target, others)


# --- taking in a notification ------------------------------------------------------


def notification_apply(
    *,
    actor,
    area_authority: Authority,
    row: dict,
    batch=None,
    line: int | None = None,
    child: Child | None = None,
    strict: bool = False,
    extra: dict | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Take one notification row (contract.md) for the area authority's feed.

    Returns what happened. Raises Refused (and stores nothing) for a row that
    cannot be taken. `strict` refuses, rather than merges, a report that
    overlaps an existing episode of a different reporter (used by the
    "report a child missing" form, where the person should see the open
    episode instead). `child` says which child the row is about (a form on the
    child's page); `extra` is kept with the row but not part of its content.

    A chunk of one through the intake engine (homeward/episodes/intake.py),
    audited row by row.
    """
    engine = Intake(actor=actor, area_authority=area_authority, batch=batch, audit_rows=True, now=now,
                    index=ChildIndex())
    result = engine.apply([Item(row=row, line=line, extra=extra, child=child, strict=strict)])[0]
    if result.kind is None:
        raise Refused(result.problems)
    episode = Episode.objects.select_related("child").get(pk=result.episode_id)
    return Outcome(result.kind, episode, episode.child, review=result.review)


# --- what people do on the pages and the API -------------------------------------


def _require_recorder(actor) -> None:
    if actor is None or not can_record_episodes(getattr(actor, "role", None) or ""):
        raise Refused(Problem("__all__", "Your role cannot record missing episodes"))


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def episode_report_missing(
    *,
    actor,
    child: Child,
    area_authority: Authority,
    last_seen_at: datetime | None,
    reported_at: datetime | None = None,
    category: str = "missing",
    risk_level: str = "",
    postcode: str = "",
    missing_from: str = "",
    notes: str = "",
) -> Episode:
    """A person reports a child missing. Refuses a report that overlaps an
    episode the child already has."""
    _require_recorder(actor)
    if last_seen_at is None:
        raise Refused(Problem("last_seen_at", "Enter when the child was last seen"))
    row = {
        "source": actor_source(actor),
        "source_ref": "HW-" + secrets.token_hex(6).upper(),
        "child_ref": "",
        "first_name": child.first_name,
        "last_name": child.last_name,
        "dob": child.dob.isoformat(),
        "sex": child.sex if child.sex in ("M", "F") else "",
        "missing_from": missing_from,
        "category": category,
        "last_seen_at": _iso(last_seen_at),
        "reported_at": _iso(reported_at or timezone.now()),
        "risk_level": risk_level,
        "postcode": postcode,
        "notes": notes,
    }
    if reported_at is None and last_seen_at > timezone.now():
        row["reported_at"] = ""
    outcome = notification_apply(actor=actor, area_authority=area_authority, row=row, child=child, strict=True,
                                 extra={"entered_in": "homeward"})
    return outcome.episode


def episode_record_return(
    *,
    actor,
    episode: Episode,
    returned_at: datetime | None,
    found_postcode: str = "",
    found_where: str = "",
    found_by: str = "",
) -> Episode:
    """A person records that the child returned or was found."""
    _require_recorder(actor)
    if returned_at is None:
        raise Refused(Problem("returned_at", "Enter when the child returned or was found"))
    if episode.returned_at is not None:
        raise Refused(Problem("returned_at", "A return is already recorded for this episode"))
    child = episode.child
    problems = rules.check_times(
        last_seen_at=episode.started_at, reported_at=None, returned_at=returned_at, dob=child.dob, now=timezone.now()
    )
    if problems:
        raise Refused(problems)
    later = _overlapping(child, episode.started_at, returned_at, exclude=[episode.pk])
    if later:
        raise Refused(Problem("returned_at", "The return is after the start of the child's next episode"))
    row = {
        "source": actor_source(actor),
        "source_ref": f"HW-RETURN-{episode.pk}",
        "first_name": child.first_name,
        "last_name": child.last_name,
        "dob": child.dob.isoformat(),
        "last_seen_at": _iso(episode.started_at),
        "returned_at": _iso(returned_at),
        "found_postcode": found_postcode,
        "category": episode.category,
    }
    with transaction.atomic():
        notification_apply(
            actor=actor, area_authority=episode.area_authority, row=row, child=child,
            extra={"entered_in": "homeward", "found_where": found_where, "found_by": found_by, "episode": episode.pk},
        )
        episode.refresh_from_db()
        if found_where or found_by:
            episode.found_where = found_where[:300]
            episode.found_by = found_by[:200]
            episode.save(update_fields=["found_where", "found_by", "updated_at"])
    return episode


@transaction.atomic
def episode_change_risk(*, actor, episode: Episode, risk_level: str, reason: str) -> Episode:
    _require_recorder(actor)
    from .models import RiskLevel

    if risk_level not in RiskLevel.values:
        raise Refused(Problem("risk_level", "Choose a risk level"))
    if not reason.strip():
        raise Refused(Problem("reason", "Say why the risk level changed"))
    if risk_level == episode.risk_level:
        raise Refused(Problem("risk_level", "The risk level is already " + episode.get_risk_level_display()))
    RiskChange.objects.create(
        episode=episode, risk_level=risk_level, previous_level=episode.risk_level,
        changed_by=actor, source=actor_source(actor), reason=reason.strip()[:500],
    )
    previous = episode.risk_level
    episode.risk_level = risk_level
    episode.save(update_fields=["risk_level", "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=episode, child_id=episode.child_id,
                 summary="Changed the risk level", payload={"from": previous, "to": risk_level})
    if intake.PUBLISH_EVENTS:
        from homeward import events

        events.publish("episode.risk_changed", episode_ids=[episode.pk], actor=actor)
    return episode
