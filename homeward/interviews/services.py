"""Writes to return home interviews. Each takes `actor` as a keyword,
validates, saves and audits in one transaction, and raises `Refused` (field +
reason) before storing anything.

- `interviews_sync` derives the requirement of each ended episode (due time,
  exclusion with reason, the later interview covering an earlier one) from
  the episodes, idempotently; it is called on the episode events and by
  `homeward interviews sync`.
- `interview_allocate`, `interview_record_offer`,
  `interview_record_completed`, `interview_record_findings`,
  `interview_add_place`, `interview_add_person`, `interview_remove_named`,
  `interview_raise_flag` and `interview_quality_audit` are what people do.
- `checklist_set` versions the quality checklist. The timescale is the
  protocol's (homeward/protocol, rule `return_interview`), read at the return
  and kept on the interview.

Nothing here writes an interview's text into the audit trail: the trail says
what was done to which record, not what the child said.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent, Organisation
from homeward.access.roles import COUNCIL_CASE_ROLES, OrganisationKind, Role
from homeward.episodes.models import Episode
from homeward.episodes.parsing import POSTCODE, normalise_postcode
from homeward.people.models import Allocation, Child, ChildFlag, Flag
from homeward.people.services import child_add_flag
from homeward.placements.models import Placement
from homeward.problems import Problem, Refused

from . import access, rules
from .models import (
    CODES_FOR_KIND, Finding, FindingCode, FindingKind, Interview, NamedPerson, NamedPlace,
    Progress, QualityAudit, QualityChecklist,
)

log = logging.getLogger("homeward.interviews")

# Only interviews of returns this recent are allocated to a provider
# automatically: syncing years of history must not give a provider sight of
# every child who ever went missing (a manager can still allocate an old one).
AUTO_ALLOCATE_DAYS = 30
# A provider keeps sight of the child while an interview of theirs is open,
# and this long after the return or the outcome (follow-up of the actions);
# then interviews_sync ends its allocation.
AFTERCARE_DAYS = 28
MAX_TEXT = 10000

DEFAULT_CHECKLIST = [
    {"key": "voice", "text": "Was the child’s voice captured, in their own words?"},
    {"key": "reasons", "text": "Were the reasons for going missing explored?"},
    {"key": "risks", "text": "Were risks of harm and exploitation identified?"},
    {"key": "actions", "text": "Were actions agreed and followed up?"},
]

# Findings that can raise a flag on the child's record with one click.
FLAG_FOR_FINDING = {
    (FindingKind.EXPLOITATION, "cse"): Flag.CSE,
    (FindingKind.EXPLOITATION, "cce"): Flag.CCE,
    (FindingKind.EXPLOITATION, "county_lines"): Flag.COUNTY_LINES,
    (FindingKind.EXPLOITATION, "trafficking"): Flag.TRAFFICKING,
    (FindingKind.REASONS, "drugs_alcohol"): Flag.SUBSTANCE_MISUSE,
    (FindingKind.REASONS, "mental_health"): Flag.MENTAL_HEALTH,
}


def _audit(actor, interview: Interview, action: str, summary: str, payload: dict | None = None) -> None:
    audit_record(actor=actor, action=action, obj=interview, child_id=interview.child_id, summary=summary,
                 payload=payload or {})


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


# --- configuration: timescales and checklists ----------------------------------------------


@dataclass(frozen=True)
class TimescaleInForce:
    timescale: dict
    source: str
    protocol_version_id: int | None = None


DEFAULT_SOURCE = "Homeward's default (protocol.md: 72 hours)"


class _Timescales:
    """The `return_interview` rule's timescale (`due_in`) in each authority's
    protocol (homeward/protocol), remembered for one sync.

    The protocol part is read through a seam, as it reads this part: if it is
    not installed, or cannot answer, the default of protocol.md applies
    (72 hours) and the interview says so.
    """

    def __init__(self):
        self.authorities: dict[int, object] = {}

    def at(self, authority_id: int, moment: datetime) -> TimescaleInForce:
        if not apps.is_installed("homeward.protocol"):
            return TimescaleInForce(dict(rules.DEFAULT_TIMESCALE), DEFAULT_SOURCE)
        try:
            from homeward.placements.models import Authority
            from homeward.protocol import defaults as protocol_defaults
            from homeward.protocol.versions import version_in_force

            authority = self.authorities.get(authority_id)
            if authority is None:
                authority = self.authorities[authority_id] = Authority.objects.get(pk=authority_id)
            version = version_in_force(authority, moment, create=False)
            if version is None:
                due_in = protocol_defaults.default_document()["rules"]["return_interview"]["due_in"]
                return TimescaleInForce(rules.Timescale.of(due_in).as_dict(), "Homeward's default protocol")
            due_in = (version.rules.get("return_interview") or {}).get("due_in")
            return TimescaleInForce(rules.Timescale.of(due_in).as_dict(), str(version)[:200], version.pk)
        except Exception:  # the protocol part failing must not stop interviews
            log.exception("could not read the return_interview timescale for authority %s", authority_id)
            return TimescaleInForce(dict(rules.DEFAULT_TIMESCALE), DEFAULT_SOURCE)


def timescale_for(authority_id: int, moment: datetime) -> TimescaleInForce:
    """The interview timescale in force for an authority at a moment."""
    return _Timescales().at(authority_id, moment)


def checklist_for(authority_id: int | None) -> QualityChecklist:
    """The checklist in force for an authority (its own, else the default;
    the default is created the first time it is needed)."""
    now = timezone.now()
    for key in dict.fromkeys((authority_id, None)):
        found = QualityChecklist.objects.filter(authority_id=key, valid_from__lte=now).order_by("valid_from", "pk").last()
        if found is not None:
            return found
    return QualityChecklist.objects.create(authority=None, items=DEFAULT_CHECKLIST,
                                           valid_from=datetime(2000, 1, 1, tzinfo=rules.UTC))


@transaction.atomic
def checklist_set(*, actor, authority=None, items: list[dict]) -> QualityChecklist:
    """A new version of the quality checklist: [{"key": "voice", "text": "..."}, ...]."""
    problems = []
    if not items:
        problems.append(Problem("items", "Give at least one question"))
    keys = set()
    for index, item in enumerate(items):
        key = str(item.get("key", "")).strip()
        text = str(item.get("text", "")).strip()
        if not key or not key.replace("_", "").isalnum() or len(key) > 30:
            problems.append(Problem("items", f"Question {index + 1}: the key must be letters, digits or _"))
        elif key in keys:
            problems.append(Problem("items", f"Question {index + 1}: the key '{key}' is used twice"))
        keys.add(key)
        if not text or len(text) > 200:
            problems.append(Problem("items", f"Question {index + 1}: the question must be 1 to 200 characters"))
    if problems:
        raise Refused(problems)
    checklist = QualityChecklist.objects.create(
        authority=authority, items=[{"key": str(i["key"]).strip(), "text": str(i["text"]).strip()} for i in items],
        created_by_username=getattr(actor, "username", "") or "",
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=checklist,
                 summary=f"Set the interview quality checklist{' for ' + authority.code if authority else ''}",
                 payload={"keys": sorted(keys)})
    return checklist


# --- deriving the requirement from the episodes ----------------------------------------------


@dataclass
class SyncResult:
    created: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    allocated: list[int] = field(default_factory=list)
    unchanged: int = 0

    def add(self, other: "SyncResult") -> None:
        self.created += other.created
        self.changed += other.changed
        self.cancelled += other.cancelled
        self.allocated += other.allocated
        self.unchanged += other.unchanged

    def __str__(self) -> str:
        return (f"{len(self.created)} created, {len(self.changed)} changed, {len(self.cancelled)} cancelled, "
                f"{len(self.allocated)} allocated to a provider, {self.unchanged} unchanged")


def provider_for(authority_id: int) -> Organisation | None:
    """The return-interview provider commissioned for an authority."""
    return (Organisation.objects.filter(kind=OrganisationKind.RHI_PROVIDER, areas__id=authority_id)
            .order_by("pk").first())


def _ensure_allocation(child_id: int, organisation: Organisation) -> None:
    today = timezone.localdate()
    active = Allocation.objects.filter(child_id=child_id, kind=Allocation.Kind.RHI, organisation=organisation,
                                       start_date__lte=today).filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
    if not active.exists():
        Allocation.objects.create(child_id=child_id, kind=Allocation.Kind.RHI, organisation=organisation,
                                  start_date=today)


def _release_allocations(child_ids: Iterable[int], now: datetime) -> None:
    """End a provider's allocation to a child once none of its interviews of
    the child is open or recent (AFTERCARE_DAYS)."""
    today = timezone.localdate()
    recent = now - timedelta(days=AFTERCARE_DAYS)
    allocations = (Allocation.objects.filter(child_id__in=list(child_ids), kind=Allocation.Kind.RHI,
                                             organisation__isnull=False, start_date__lte=today)
                   .filter(Q(end_date__isnull=True) | Q(end_date__gt=today)))
    for allocation in allocations:
        ours = Interview.objects.filter(child_id=allocation.child_id, provider_id=allocation.organisation_id)
        if not ours.exists():
            continue  # not made by return interviews: leave it alone
        keep = ours.filter(Q(returned_at__gte=recent) | Q(recorded_at__gte=recent) | Q(allocated_at__gte=recent)
                           | Q(required=True, cancelled_reason="", progress__in=rules.OPEN_PROGRESS)).exists()
        if not keep:
            allocation.end_date = today
            allocation.save(update_fields=["end_date"])


def _orphan_for(orphans: list[Interview], episode: Episode) -> Interview | None:
    """An interview whose episode was merged away and that covers this
    episode's time: it moves to this episode, with everything recorded."""
    for orphan in orphans:
        if orphan.episode_started_at <= episode.returned_at and orphan.returned_at >= episode.started_at:
            orphans.remove(orphan)
            return orphan
    return None


def _sync_children(child_ids: set[int], *, actor, now: datetime, timescales: _Timescales,
                   providers: dict) -> SyncResult:
    result = SyncResult()
    children = {c.pk: c for c in Child.objects.filter(pk__in=child_ids)}
    episodes = defaultdict(list)
    for e in Episode.objects.filter(child_id__in=child_ids).order_by("child_id", "started_at", "pk"):
        episodes[e.child_id].append(e)
    interviews = list(Interview.objects.select_for_update(of=("self",)).filter(
        Q(child_id__in=child_ids) | Q(episode__child_id__in=child_ids)))
    by_episode = {i.episode_id: i for i in interviews if i.episode_id is not None}
    orphans = defaultdict(list)
    for i in interviews:
        if i.episode_id is None:
            orphans[i.child_id].append(i)
    touched: set[int] = set()

    for child_id, eps in episodes.items():
        child = children[child_id]
        spare = sorted(orphans.pop(child_id, []), key=lambda i: i.episode_started_at)
        for index, episode in enumerate(eps):
            interview = by_episode.get(episode.pk)
            if episode.returned_at is None:
                if interview is not None and not interview.cancelled:
                    interview.cancelled_reason = "The episode has no return recorded now"
                    interview.save()
                    _audit(actor, interview, AuditEvent.Action.UPDATE, "Return interview cancelled: no return now")
                    result.cancelled.append(interview.pk)
                continue
            relinked = False
            if interview is None:
                interview = _orphan_for(spare, episode)
                relinked = interview is not None
            following = next((e for e in eps[index + 1:] if e.started_at >= episode.returned_at), None)
            lead = rules.lead_authority(
                missing_from=episode.missing_from, area_authority_id=episode.area_authority_id,
                responsible_authority_id=episode.responsible_authority_id,
                child_responsible_authority_id=child.responsible_authority_id,
                child_home_authority_id=child.home_authority_id,
            )
            if interview is not None and interview.timescale:
                in_force = TimescaleInForce(interview.timescale, interview.timescale_source,
                                            interview.protocol_version_id)
            else:
                in_force = timescales.at(lead, episode.returned_at)
            timescale = in_force.timescale
            due = rules.due_at(episode.returned_at, timescale)
            decision = rules.requirement(
                returned_at=episode.returned_at, due=due, dob=child.dob, date_of_death=child.date_of_death,
                next_episode_start=following.started_at if following else None,
                next_episode_id=following.pk if following else None,
                offered_at=interview.offered_at if interview is not None else None,
            )
            values = {
                "episode_id": episode.pk,
                "episode_number": episode.pk,
                "child_id": child.pk,
                "area_authority_id": episode.area_authority_id,
                "lead_authority_id": lead,
                "missing_from": episode.missing_from,
                "episode_started_at": episode.started_at,
                "returned_at": episode.returned_at,
                "timescale": timescale,
                "timescale_source": in_force.source,
                "protocol_version_id": in_force.protocol_version_id,
                "due_at": due,
                "required": decision.required,
                "exclusion": decision.exclusion,
                "exclusion_detail": decision.detail[:300],
                "covered_by_episode_id": decision.covered_by_episode_id,
                "placed_by_other_authority": rules.placed_by_other_authority(
                    missing_from=episode.missing_from, area_authority_id=episode.area_authority_id,
                    lead_authority_id=lead),
                "cancelled_reason": "",
            }
            if interview is None:
                interview = Interview.objects.create(**values)
                summary = (f"Return interview required, due {timezone.localtime(due):%d/%m/%Y %H:%M}"
                           if decision.required else f"Return interview not required ({decision.exclusion})")
                _audit(actor, interview, AuditEvent.Action.CREATE, summary,
                       {"episode": episode.pk, "due_at": _iso(due), "exclusion": decision.exclusion,
                        "timescale": timescale})
                result.created.append(interview.pk)
            else:
                changed = sorted(k for k, v in values.items() if getattr(interview, k) != v)
                if changed:
                    for k in changed:
                        setattr(interview, k, values[k])
                    interview.save()
                    _audit(actor, interview, AuditEvent.Action.UPDATE,
                           "Return interview moved to the merged episode" if relinked
                           else "Return interview requirement recomputed",
                           {"changed": changed, "due_at": _iso(due), "required": decision.required,
                            "exclusion": decision.exclusion})
                    result.changed.append(interview.pk)
                else:
                    result.unchanged += 1
            if interview.is_open and interview.provider_id is None \
                    and episode.returned_at >= now - timedelta(days=AUTO_ALLOCATE_DAYS):
                provider = providers.get(lead, False)
                if provider is False:
                    provider = providers[lead] = provider_for(lead)
                if provider is not None:
                    interview.provider = provider
                    interview.allocated_at = now
                    interview.save(update_fields=["provider", "allocated_at", "updated_at"])
                    _ensure_allocation(child.pk, provider)
                    _audit(actor, interview, AuditEvent.Action.UPDATE, f"Allocated to {provider.name}",
                           {"provider": provider.pk})
                    result.allocated.append(interview.pk)
            touched.add(child.pk)
        orphans[child_id] = spare
    # Interviews whose episode is gone and that no episode now covers.
    for child_orphans in orphans.values():
        for orphan in child_orphans:
            if not orphan.cancelled:
                orphan.cancelled_reason = "The episode was merged into another, whose interview this is not"
                orphan.save()
                _audit(actor, orphan, AuditEvent.Action.UPDATE, "Return interview cancelled: episode merged")
                result.cancelled.append(orphan.pk)
    _release_allocations(child_ids, now)
    return result


@transaction.atomic
def interviews_sync(*, episode_ids: Iterable[int], actor=None, now: datetime | None = None) -> SyncResult:
    """Create or update the interview requirement of each ended episode named
    (and of the same children's other episodes, since a new episode can
    exclude an earlier one). Idempotent: running it again changes nothing."""
    ids = [int(i) for i in episode_ids]
    if not ids:
        return SyncResult()
    child_ids = set(Episode.objects.filter(pk__in=ids).values_list("child_id", flat=True))
    child_ids |= set(Interview.objects.filter(episode_number__in=ids).values_list("child_id", flat=True))
    if not child_ids:
        return SyncResult()
    return _sync_children(child_ids, actor=actor, now=now or timezone.now(), timescales=_Timescales(), providers={})


def interviews_sync_all(*, authority=None, actor=None, now: datetime | None = None, chunk: int = 500) -> SyncResult:
    """interviews_sync over every ended episode (of one authority: in its area
    or of its children), a chunk of children per transaction."""
    episodes = Episode.objects.all()
    interviews = Interview.objects.filter(cancelled_reason="")
    if authority is not None:
        episodes = episodes.filter(Q(area_authority=authority) | Q(responsible_authority=authority))
        interviews = interviews.filter(Q(area_authority=authority) | Q(lead_authority=authority))
    child_ids = set(episodes.filter(returned_at__isnull=False).values_list("child_id", flat=True))
    child_ids |= set(interviews.values_list("child_id", flat=True))
    ordered = sorted(child_ids)
    result = SyncResult()
    timescales, providers = _Timescales(), {}
    now = now or timezone.now()
    for start in range(0, len(ordered), chunk):
        with transaction.atomic():
            result.add(_sync_children(set(ordered[start:start + chunk]), actor=actor, now=now,
                                      timescales=timescales, providers=providers))
    return result


# --- allocating -------------------------------------------------------------------------------


def caring_organisation_ids(interview: Interview) -> set[int]:
    """Organisations caring for the child: the providers of its placements
    open today, and the provider it went missing from."""
    today = timezone.localdate()
    ids = set(
        Placement.objects.filter(child_id=interview.child_id, start_date__lte=today, provider__organisation__isnull=False)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .values_list("provider__organisation_id", flat=True)
    )
    episode = interview.episode
    if episode is not None and episode.provider_id and episode.provider.organisation_id:
        ids.add(episode.provider.organisation_id)
    return ids


def _independence_problems(person, interview: Interview, field: str) -> list[Problem]:
    """Someone caring for the child cannot do the child's interview."""
    membership = getattr(person, "membership", None)
    name = person.get_full_name() or person.username
    if membership is None:
        return [Problem(field, f"{name} has no active role in Homeward")]
    caring = caring_organisation_ids(interview)
    if membership.organisation_id in caring or membership.role == Role.CARE_STAFF:
        return [Problem(field, f"{name} works for a provider caring for the child: the interview must be done "
                               "by someone not involved in caring for the child")]
    today = timezone.localdate()
    if Allocation.objects.filter(child_id=interview.child_id, kind=Allocation.Kind.KEY_WORKER, user=person,
                                 start_date__lte=today).filter(Q(end_date__isnull=True) | Q(end_date__gt=today)).exists():
        return [Problem(field, f"{name} is the child's key worker: the interview must be done by someone not "
                               "involved in caring for the child")]
    return []


@transaction.atomic
def interview_allocate(*, actor, interview: Interview, provider: Organisation | None, worker=None) -> Interview:
    """Allocate the interview to a provider organisation and, optionally, to a
    worker in it. Refuses anyone caring for the child."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if not access.can_allocate(actor, interview):
        raise Refused(Problem("__all__", "Your role cannot allocate this interview"))
    if not interview.is_open:
        raise Refused(Problem("__all__", "This interview is not waiting to be done, so it cannot be allocated"))
    problems = []
    if provider is None:
        problems.append(Problem("provider", "Choose who will do the interview"))
    else:
        if provider.pk in caring_organisation_ids(interview):
            problems.append(Problem("provider", f"{provider.name} cares for the child: the interview must be done "
                                                "by someone not involved in caring for the child"))
        elif provider.kind not in (OrganisationKind.RHI_PROVIDER, OrganisationKind.COUNCIL):
            problems.append(Problem("provider", f"{provider.name} is not a return interview provider"))
        if getattr(actor, "role", None) == Role.RHI_WORKER and provider.pk != actor.organisation.pk:
            problems.append(Problem("provider", "You can allocate the interview only within your organisation"))
    if worker is not None and not problems:
        found = _independence_problems(worker, interview, "worker")
        membership = worker.membership
        if not found and membership.organisation_id != provider.pk:
            found.append(Problem("worker", f"{worker.get_full_name() or worker.username} does not work for "
                                           f"{provider.name}"))
        if not found and membership.role not in (COUNCIL_CASE_ROLES | {Role.RHI_WORKER}):
            found.append(Problem("worker", "That person's role cannot do return interviews"))
        problems += found
    if problems:
        raise Refused(problems)
    before = {"provider": interview.provider_id, "worker": interview.worker_id}
    interview.provider = provider
    interview.worker = worker
    interview.allocated_at = timezone.now()
    interview.save(update_fields=["provider", "worker", "allocated_at", "updated_at"])
    if provider.kind == OrganisationKind.RHI_PROVIDER:
        _ensure_allocation(interview.child_id, provider)
    who = provider.name + (f", {worker.get_full_name() or worker.username}" if worker is not None else "")
    _audit(actor, interview, AuditEvent.Action.UPDATE, f"Allocated the return interview to {who}",
           {"before": before, "provider": provider.pk, "worker": worker.pk if worker is not None else None})
    return interview


# --- recording the offer and the interview ------------------------------------------------------


def _require_recordable(actor, interview: Interview) -> None:
    if not access.can_record(actor, interview):
        raise Refused(Problem("__all__", "Your role cannot record this interview"))
    if interview.cancelled:
        raise Refused(Problem("__all__", f"This interview is cancelled: {interview.cancelled_reason}"))
    if not interview.required:
        raise Refused(Problem("__all__", f"This interview is not required: {interview.exclusion_detail}"))


def _check_moment(value: datetime | None, field: str, what: str, interview: Interview, now: datetime,
                  required: bool = True) -> list[Problem]:
    if value is None:
        return [Problem(field, f"Enter when {what}")] if required else []
    if value > now:
        return [Problem(field, f"The time {what} cannot be in the future")]
    if value < interview.returned_at:
        return [Problem(field, f"The time {what} cannot be before the child returned "
                               f"({timezone.localtime(interview.returned_at):%-d %B %Y, %H:%M})")]
    return []


OFFER_ANSWERS = (rules.OFFERED, rules.ACCEPTED, rules.DECLINED_BY_CHILD, rules.DECLINED_BY_PARENT_OR_CARER,
                 rules.UNABLE_TO_CONTACT)


@transaction.atomic
def interview_record_offer(*, actor, interview: Interview, answer: str, offered_at: datetime | None = None,
                           last_attempt_at: datetime | None = None, now: datetime | None = None) -> Interview:
    """The offer and the answer: waiting, accepted, declined by the child or
    by a parent or carer; or that the child could not be contacted (then
    `last_attempt_at`, the last try, and no offer needed)."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    _require_recordable(actor, interview)
    now = now or timezone.now()
    problems = []
    if answer not in OFFER_ANSWERS:
        problems.append(Problem("answer", "Choose what happened when the interview was offered"))
    elif answer == rules.UNABLE_TO_CONTACT:
        problems += _check_moment(last_attempt_at, "last_attempt_at", "you last tried to contact the child",
                                  interview, now)
        problems += _check_moment(offered_at, "offered_at", "the interview was offered", interview, now,
                                  required=False)
    else:
        problems += _check_moment(offered_at, "offered_at", "the interview was offered", interview, now)
    if interview.progress == rules.COMPLETED:
        problems.append(Problem("answer", "The interview is already recorded as completed"))
    if problems:
        raise Refused(problems)
    before = {"progress": interview.progress, "offered_at": _iso(interview.offered_at)}
    interview.progress = answer
    interview.offered_at = offered_at
    interview.last_attempt_at = last_attempt_at if answer == rules.UNABLE_TO_CONTACT else None
    interview.recorded_by = actor
    interview.recorded_at = now
    interview.save()
    _audit(actor, interview, AuditEvent.Action.UPDATE, f"Recorded the interview offer: {Progress(answer).label}",
           {"before": before, "progress": answer, "offered_at": _iso(offered_at),
            "offered_in_time": interview.offered_in_time})
    return interview


@transaction.atomic
def interview_record_completed(*, actor, interview: Interview, completed_at: datetime | None, venue: str,
                               interviewer=None, interviewer_name: str = "", interviewer_organisation: str = "",
                               told_by: str = "", now: datetime | None = None) -> Interview:
    """The interview took place: when, where, and who did it (a person in
    Homeward, or a name and organisation, with who told us, for an interview
    done elsewhere, say by a placing authority)."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    _require_recordable(actor, interview)
    now = now or timezone.now()
    venue = (venue or "").strip()
    interviewer_name = (interviewer_name or "").strip()
    interviewer_organisation = (interviewer_organisation or "").strip()
    told_by = (told_by or "").strip()
    problems = _check_moment(completed_at, "completed_at", "the interview took place", interview, now)
    if completed_at is not None and interview.offered_at is not None and completed_at < interview.offered_at:
        problems.append(Problem("completed_at", "The interview cannot have taken place before it was offered"))
    if not venue:
        problems.append(Problem("venue", "Enter where the interview took place"))
    elif len(venue) > 200:
        problems.append(Problem("venue", "Where the interview took place must be 200 characters or fewer"))
    if interviewer is None and not interviewer_name:
        problems.append(Problem("interviewer_name", "Enter the name of the person who did the interview"))
    for value, name, label in ((interviewer_name, "interviewer_name", "The interviewer's name"),
                               (interviewer_organisation, "interviewer_organisation", "The organisation"),
                               (told_by, "told_by", "Who told you")):
        if len(value) > 200:
            problems.append(Problem(name, f"{label} must be 200 characters or fewer"))
    if interviewer is not None:
        problems += _independence_problems(interviewer, interview, "interviewer")
    if problems:
        raise Refused(problems)
    if interviewer is not None:
        interviewer_name = interviewer.get_full_name() or interviewer.username
        org = interviewer.organisation
        interviewer_organisation = org.name if org is not None else interviewer_organisation
    before = {"progress": interview.progress, "completed_at": _iso(interview.completed_at)}
    interview.progress = rules.COMPLETED
    interview.offered_at = interview.offered_at or completed_at
    interview.completed_at = completed_at
    interview.venue = venue
    interview.interviewer = interviewer
    interview.interviewer_name = interviewer_name
    interview.interviewer_organisation = interviewer_organisation
    interview.told_by = told_by
    interview.recorded_by = actor
    interview.recorded_at = now
    interview.save()
    _audit(actor, interview, AuditEvent.Action.UPDATE, "Recorded the return interview as completed",
           {"before": before, "completed_at": _iso(completed_at), "completed_in_time": interview.completed_in_time,
            "interviewer": interviewer.pk if interviewer is not None else None})
    return interview


# --- findings ---------------------------------------------------------------------------------


@dataclass
class Section:
    """What the form gives for one section of the findings."""

    text: str = ""
    codes: list[str] = field(default_factory=list)
    shared: bool = False

    @property
    def empty(self) -> bool:
        return not self.text.strip() and not self.codes


@transaction.atomic
def interview_record_findings(*, actor, interview: Interview, sections: dict[str, Section]) -> Interview:
    """Record (or correct) the findings, section by section. A section left
    empty is removed; flags already raised from a code that stays are kept."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    _require_recordable(actor, interview)
    if interview.progress != rules.COMPLETED:
        raise Refused(Problem("__all__", "Record that the interview took place before its findings"))
    problems = []
    for kind, section in sections.items():
        if kind not in FindingKind.values:
            problems.append(Problem(kind, f"'{kind}' is not a section of the findings"))
            continue
        allowed = CODES_FOR_KIND.get(kind)
        bad = [c for c in section.codes if allowed is None or c not in allowed.values]
        if bad:
            problems.append(Problem(kind, f"{FindingKind(kind).label}: '{bad[0]}' is not one of the choices"))
        if len(section.text) > MAX_TEXT:
            problems.append(Problem(f"{kind}_text", f"{FindingKind(kind).label} must be {MAX_TEXT:,} characters "
                                                    "or fewer"))
    if problems:
        raise Refused(problems)
    now = timezone.now()
    existing = {f.kind: f for f in interview.findings.all()}
    recorded, shared = [], []
    for kind, section in sections.items():
        finding = existing.get(kind)
        if section.empty:
            if finding is not None:
                finding.delete()
            continue
        if finding is None:
            finding = Finding(interview=interview, kind=kind)
        finding.text = section.text.strip()
        finding.shared = bool(section.shared)
        finding.recorded_by = actor
        finding.recorded_at = now
        finding.save()
        codes = list(dict.fromkeys(section.codes))
        finding.codes.exclude(code__in=codes).delete()
        have = set(finding.codes.values_list("code", flat=True))
        FindingCode.objects.bulk_create([FindingCode(finding=finding, code=c) for c in codes if c not in have])
        recorded.append(kind)
        if finding.shared:
            shared.append(kind)
    _audit(actor, interview, AuditEvent.Action.UPDATE, "Recorded the findings of the return interview",
           {"sections": recorded, "shared_with_police": shared})
    return interview


def _noted_on(interview: Interview):
    return timezone.localtime(interview.completed_at).date() if interview.completed_at else timezone.localdate()


@transaction.atomic
def interview_add_place(*, actor, interview: Interview, text: str, postcode: str = "", kind: str = "other",
                        shared: bool = False) -> NamedPlace:
    _require_recordable(actor, interview)
    text = (text or "").strip()
    postcode = normalise_postcode(postcode or "")
    problems = []
    if not text:
        problems.append(Problem("place_text", "Enter the place the child named"))
    elif len(text) > 300:
        problems.append(Problem("place_text", "The place must be 300 characters or fewer"))
    if postcode and not POSTCODE.match(postcode):
        problems.append(Problem("place_postcode", "Enter a real postcode, like CT1 2AB, or leave it blank"))
    if kind not in NamedPlace.Kind.values:
        problems.append(Problem("place_kind", "Choose what kind of place it is"))
    if problems:
        raise Refused(problems)
    place = NamedPlace.objects.create(
        interview=interview, child_id=interview.child_id, text=text, postcode=postcode, kind=kind,
        source=f"rhi:{interview.pk}", noted_on=_noted_on(interview), shared=bool(shared), recorded_by=actor,
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=place, child_id=interview.child_id,
                 summary="Recorded a place named in a return interview",
                 payload={"interview": interview.pk, "shared_with_police": bool(shared)})
    return place


@transaction.atomic
def interview_add_person(*, actor, interview: Interview, name: str, approximate_age: int | None = None,
                         description: str = "", shared: bool = False) -> NamedPerson:
    _require_recordable(actor, interview)
    name = (name or "").strip()
    description = (description or "").strip()
    problems = []
    if not name:
        problems.append(Problem("person_name", "Enter the name (or nickname) the child used"))
    elif len(name) > 200:
        problems.append(Problem("person_name", "The name must be 200 characters or fewer"))
    if approximate_age is not None and not 0 <= approximate_age <= 120:
        problems.append(Problem("person_age", "The approximate age must be a number from 0 to 120"))
    if len(description) > 500:
        problems.append(Problem("person_description", "The description must be 500 characters or fewer"))
    if problems:
        raise Refused(problems)
    person = NamedPerson.objects.create(
        interview=interview, child_id=interview.child_id, name=name, approximate_age=approximate_age,
        description=description, source=f"rhi:{interview.pk}", noted_on=_noted_on(interview), shared=bool(shared),
        recorded_by=actor,
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=person, child_id=interview.child_id,
                 summary="Recorded a person named in a return interview",
                 payload={"interview": interview.pk, "shared_with_police": bool(shared)})
    return person


@transaction.atomic
def interview_remove_named(*, actor, record: NamedPlace | NamedPerson) -> None:
    """Remove a place or person recorded by mistake."""
    _require_recordable(actor, record.interview)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=record.interview, child_id=record.child_id,
                 summary=f"Removed a {'place' if isinstance(record, NamedPlace) else 'person'} named in a return "
                         "interview", payload={"record": record._meta.model_name, "id": record.pk})
    record.delete()


# --- flags ------------------------------------------------------------------------------------------


def flag_suggestions(interview: Interview) -> list[tuple[FindingCode, str]]:
    """The coded findings of an interview that can raise a flag, with the flag."""
    found = []
    for code in FindingCode.objects.filter(finding__interview=interview).select_related("finding", "flag"):
        flag = FLAG_FOR_FINDING.get((code.finding.kind, code.code))
        if flag is not None:
            found.append((code, flag))
    return found


@transaction.atomic
def interview_raise_flag(*, actor, interview: Interview, code_id: int) -> ChildFlag:
    """Raise on the child's record the flag a finding points to (once)."""
    if not access.can_raise_flag(actor, interview):
        raise Refused(Problem("__all__", "Your role cannot raise flags from this interview"))
    code = (FindingCode.objects.select_for_update().select_related("finding")
            .filter(pk=code_id, finding__interview=interview).first())
    flag = FLAG_FOR_FINDING.get((code.finding.kind, code.code)) if code is not None else None
    if flag is None:
        raise Refused(Problem("flag", "That finding does not raise a flag"))
    label = CODES_FOR_KIND[code.finding.kind](code.code).label
    record = child_add_flag(
        actor=actor, child=interview.child, flag=flag, source=f"rhi:{interview.pk}",
        start_date=_noted_on(interview), note=f"From a return interview: {label}"[:300],
    )
    code.flag = record
    code.save(update_fields=["flag"])
    _audit(actor, interview, AuditEvent.Action.UPDATE, f"Raised the {Flag(flag).label} flag from the interview",
           {"flag": flag, "child_flag": record.pk})
    return record


# --- quality audit -------------------------------------------------------------------------------------


@transaction.atomic
def interview_quality_audit(*, actor, interview: Interview, answers: dict[str, str], comment: str = "") -> QualityAudit:
    """A manager scores a completed interview against the checklist in force
    (yes 2, partly 1, no 0)."""
    if not access.can_audit_quality(actor, interview):
        raise Refused(Problem("__all__", "Only a manager of the authority responsible can audit this interview"))
    if interview.progress != rules.COMPLETED:
        raise Refused(Problem("__all__", "Only a completed interview can be audited"))
    checklist = checklist_for(interview.lead_authority_id)
    problems = []
    clean = {}
    for item in checklist.items:
        value = (answers.get(item["key"]) or "").strip()
        if value not in QualityAudit.POINTS:
            problems.append(Problem(f"item-{item['key']}", f"Answer: {item['text']}"))
        clean[item["key"]] = value
    comment = (comment or "").strip()
    if len(comment) > 4000:
        problems.append(Problem("comment", "The comment must be 4,000 characters or fewer"))
    if problems:
        raise Refused(problems)
    score = sum(QualityAudit.POINTS[v] for v in clean.values())
    audit = QualityAudit.objects.create(
        interview=interview, checklist=checklist, answers=clean, score=score, max_score=2 * len(clean),
        comment=comment, provider=interview.provider, audited_by=actor,
    )
    _audit(actor, interview, AuditEvent.Action.CREATE, f"Audited the quality of the interview: {audit.percent}%",
           {"quality_audit": audit.pk, "score": score, "max_score": audit.max_score})
    return audit
