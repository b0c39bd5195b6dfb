"""Writes to episodes: taking in a notification, reporting a child missing,
recording a return, changing the risk level.

Every reporter's row, whether from a police feed, an upload, the API or a
form in Homeward, becomes a `Notification` kept unchanged, and the episode is
derived from the current accounts (rules.derive_times). Each service runs in
one transaction, audits what it did, and changes nothing when it refuses.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.roles import can_record_episodes
from homeward.people.models import Child, ChildIdentifier, MatchReview
from homeward.people.resolve import resolve_child
from homeward.people.services import child_add_flag, child_create, child_ensure_alias, child_ensure_identifier
from homeward.placements.models import Authority, Placement, Provider
from homeward.problems import Problem, Refused

from . import rules
from .models import Episode, Notification, RiskChange, Status
from .parsing import ParsedRow, parse_row


@dataclass
class Outcome:
    kind: str  # created | updated | merged | unchanged
    episode: Episode
    child: Child
    review: bool = False


def content_hash(row: dict) -> str:
    canonical = json.dumps({k: ("" if v is None else v) for k, v in row.items()}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
    """Set the episode's times, risk, placement and origin from its notifications."""
    accounts = _accounts(episode)
    times = rules.derive_times(accounts)
    notes = list(episode.notifications.all().order_by("pk"))
    latest_by_report = {}
    for n in notes:
        latest_by_report[(n.source, n.source_ref)] = n
    current = list(latest_by_report.values())

    episode.started_at = times.started_at
    episode.last_seen_at = times.last_seen_at
    episode.reported_at = times.reported_at
    episode.returned_at = times.returned_at
    if episode.status != Status.CLOSED or times.returned_at is None:
        episode.status = rules.status_for(times.returned_at)
    if times.returned_at is not None:
        first_return = min((n for n in current if n.returned_at is not None), key=lambda n: n.returned_at)
        episode.found_postcode = first_return.raw.get("found_postcode", "") or episode.found_postcode
    first = min(current, key=lambda n: (n.last_seen_at or n.reported_at, n.pk))
    episode.postcode = (first.raw.get("postcode") or episode.postcode or "").strip().upper()[:10]
    if any((n.raw.get("category") or "").strip().lower() == "absent" for n in current) and not any(
        (n.raw.get("category") or "").strip().lower() == "missing" for n in current
    ):
        episode.category = "absent"
    else:
        episode.category = "missing"

    placement = placement_at(episode.child, episode.started_at)
    has_any = Placement.objects.filter(child=episode.child).exists()
    reported_care = any((n.raw.get("missing_from") or "").strip().lower() == "care" for n in current)
    episode.missing_from = rules.missing_from(
        placement_open=placement is not None, has_any_placement=has_any, reported="care" if reported_care else None
    )
    episode.placement = placement
    if placement is not None:
        episode.responsible_authority = placement.responsible_authority
        episode.provider = placement.provider
    else:
        episode.responsible_authority = episode.child.responsible_authority if episode.missing_from == "care" else None
        urns = [(n.raw.get("provider_urn") or "").strip().upper() for n in current]
        urn = next((u for u in urns if u), "")
        episode.provider = Provider.objects.filter(urn=urn).first() if urn else None

    if times.risk_level and times.risk_level != episode.risk_level:
        RiskChange.objects.create(
            episode=episode,
            risk_level=times.risk_level,
            previous_level=episode.risk_level,
            changed_by=actor if getattr(actor, "pk", None) else None,
            source=source,
            reason="Reported by " + source if source else "",
        )
        episode.risk_level = times.risk_level
    episode.save()


def _overlapping(child: Child, start: datetime, end: datetime | None, exclude: list[int]) -> list[Episode]:
    qs = Episode.objects.filter(child=child).exclude(pk__in=exclude)
    qs = qs.filter(Q(returned_at__isnull=True) | Q(returned_at__gt=start))
    if end is not None:
        qs = qs.filter(started_at__lt=end)
    return list(qs.order_by("started_at", "pk"))


def _merge_episodes(target: Episode, others: list[Episode]) -> None:
    for other in others:
        other.notifications.update(episode=target)
        RiskChange.objects.filter(episode=other).update(episode=target)
        other.delete()


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
    episode instead).
    """
    now = now or timezone.now()
    parsed = parse_row(row)
    digest = content_hash(row)
    existing = Notification.objects.select_related("episode", "episode__child").filter(
        source=parsed.source, source_ref=parsed.source_ref, content_hash=digest
    ).first()
    if existing is not None and existing.episode is not None:
        return Outcome("unchanged", existing.episode, existing.episode.child)

    responsible = (
        _authority_by_code(parsed.responsible_authority, "responsible_authority") if parsed.responsible_authority else None
    )
    problems = rules.check_times(
        last_seen_at=parsed.last_seen_at,
        reported_at=parsed.reported_at,
        returned_at=parsed.returned_at,
        dob=parsed.dob,
        now=now,
    )
    if problems:
        raise Refused(problems)

    with transaction.atomic():
        previous = (
            Notification.objects.select_related("episode", "episode__child")
            .filter(source=parsed.source, source_ref=parsed.source_ref, episode__isnull=False)
            .order_by("-pk")
            .first()
        )
        review_candidates = []
        episode = previous.episode if previous else None
        if episode is not None:
            child = episode.child
        elif child is None:
            resolution = resolve_child(parsed=parsed, identifier_authority=responsible or area_authority)
            child = resolution.child
            if resolution.decision == "review":
                review_candidates = resolution.candidates
        new_child = child is None
        if child is None:
            is_care = parsed.missing_from == "care" or responsible is not None
            child = child_create(
                actor=actor,
                first_name=parsed.first_name,
                last_name=parsed.last_name,
                dob=parsed.dob,
                sex=parsed.sex,
                responsible_authority=responsible if is_care else None,
                home_authority=None if is_care else area_authority,
                home_postcode="" if is_care else parsed.postcode,
                audit=False,
            )
        if strict and episode is None:
            clash = _overlapping(child, parsed.last_seen_at, parsed.returned_at, exclude=[])
            if clash:
                since = timezone.localtime(clash[0].started_at).strftime("%d %B %Y %H:%M")
                raise Refused(
                    Problem(
                        "last_seen_at",
                        f"This child already has an episode from {since} that overlaps this one: "
                        "record the return on that episode, or correct the times",
                    )
                )

        notification = Notification.objects.create(
            area_authority=area_authority,
            source=parsed.source,
            source_ref=parsed.source_ref,
            content_hash=digest,
            raw={**row, **(extra or {})},
            line=line,
            batch=batch,
            last_seen_at=parsed.last_seen_at,
            reported_at=parsed.reported_at,
            returned_at=parsed.returned_at,
            risk_level=parsed.risk_level,
            entered_by=actor if getattr(actor, "pk", None) else None,
        )
        kind = "updated"
        if episode is None:
            clash = _overlapping(child, parsed.last_seen_at, parsed.returned_at, exclude=[])
            if clash:
                episode, rest = clash[0], clash[1:]
                _merge_episodes(episode, rest)
                kind = "merged"
            else:
                episode = Episode(
                    child=child,
                    area_authority=area_authority,
                    started_at=parsed.last_seen_at,
                    missing_from=parsed.missing_from or "home",
                )
                episode.save()
                kind = "created"
        notification.episode = episode
        notification.save(update_fields=["episode"])
        recompute(episode, actor=actor, source=parsed.source)
        # A changed account may now reach another episode of the child: one episode.
        clash = _overlapping(child, episode.started_at, episode.returned_at, exclude=[episode.pk])
        if clash:
            _merge_episodes(episode, clash)
            recompute(episode, actor=actor, source=parsed.source)

        _record_child_facts(actor=actor, child=child, parsed=parsed, area_authority=area_authority, responsible=responsible)
        for candidate, score, reasons in review_candidates:
            MatchReview.objects.get_or_create(
                reported_child=child,
                candidate=candidate,
                defaults={"notification": notification, "score": score, "reasons": list(reasons)},
            )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE if kind == "created" else AuditEvent.Action.UPDATE,
            obj=episode,
            child_id=child.pk,
            summary=f"Notification {kind} an episode",
            payload={"source": parsed.source, "source_ref": parsed.source_ref, "notification": notification.pk,
                     "new_child": new_child, "review": bool(review_candidates)},
        )
    return Outcome(kind, episode, child, review=bool(review_candidates))


def _record_child_facts(*, actor, child: Child, parsed: ParsedRow, area_authority, responsible) -> None:
    if parsed.child_ref:
        issuer = responsible or area_authority
        holder = ChildIdentifier.objects.filter(
            kind=ChildIdentifier.Kind.LA_CHILD, authority=issuer, value=parsed.child_ref
        ).first()
        if holder is None:
            child_ensure_identifier(child=child, kind=ChildIdentifier.Kind.LA_CHILD, authority=issuer, value=parsed.child_ref)
    child_ensure_alias(child=child, first_name=parsed.first_name, last_name=parsed.last_name, source=parsed.source)
    for flag in parsed.flags:
        child_add_flag(
            actor=actor, child=child, flag=flag, source=parsed.source,
            start_date=timezone.localtime(parsed.last_seen_at).date(), audit=False,
        )


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
    return episode
