"""Reads of return home interviews, scoped to the person asking and audited.

Every read starts from `children_visible_to(actor)` (homeward/access/scope.py):
an interview of a child outside a person's scope answers 404, exactly like
one that does not exist. Within the scope, `access.interview_access` decides
how much of the interview a person sees, and the selectors hand the pages
only that: `InterviewRead` holds the text a person may see and nothing else
(the police get only the sections, places and people marked as shared).
Every read, list and figure is audited, with the level of access given.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.roles import COUNCIL_CASE_ROLES, Role
from homeward.access.scope import authority_ids_for, children_visible_to

from . import access, rules
from .models import Finding, FindingCode, FindingKind, Interview, NamedPerson, NamedPlace, QualityAudit

RECENT_DAYS = 28
# The worklist shows interviews of returns this recent; older ones still
# without an outcome are counted, not listed (they show in the figures).
WORKLIST_DAYS = 90
WORKLIST_LIMIT = 200


def _scoped(actor) -> QuerySet[Interview]:
    return Interview.objects.filter(child__in=children_visible_to(actor).values("pk"))


def _related(qs: QuerySet[Interview]) -> QuerySet[Interview]:
    return qs.select_related("child", "episode", "provider", "worker", "lead_authority", "area_authority",
                             "covered_by_episode")


# --- one interview ------------------------------------------------------------------------------


@dataclass
class InterviewRead:
    """An interview as one person may see it."""

    interview: Interview
    access: str
    words: Finding | None = None
    findings: list[Finding] = field(default_factory=list)  # the sections other than the words
    places: list[NamedPlace] = field(default_factory=list)
    people: list[NamedPerson] = field(default_factory=list)
    covers: list[Interview] = field(default_factory=list)  # earlier interviews this one covers
    covering: Interview | None = None  # the interview that covers this one
    quality_audits: list[QualityAudit] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return self.access == access.FULL

    @property
    def shared_only(self) -> bool:
        return self.access == access.SHARED

    @property
    def sees_text(self) -> bool:
        return self.access in (access.FULL, access.SHARED)

    @property
    def pk(self) -> int:
        return self.interview.pk

    @property
    def child(self):
        return self.interview.child


def _visible(items, level: str) -> list:
    if level == access.FULL:
        return list(items)
    if level == access.SHARED:
        return [i for i in items if i.shared]
    return []


def _covering(interview: Interview) -> Interview | None:
    """The interview that in the end covers an excluded one (following the
    chain when the child went missing again, and again)."""
    seen = set()
    current = interview
    while current.exclusion == rules.NEW_EPISODE and current.covered_by_episode_id and current.pk not in seen:
        seen.add(current.pk)
        following = Interview.objects.filter(episode_id=current.covered_by_episode_id, cancelled_reason="").first()
        if following is None:
            return None
        current = following
    return current if current.pk != interview.pk else None


def _covered(interview: Interview) -> list[Interview]:
    """The earlier interviews this one covers, transitively."""
    found, frontier = [], [interview.episode_id] if interview.episode_id else []
    seen = set()
    while frontier:
        earlier = list(Interview.objects.filter(covered_by_episode_id__in=frontier, exclusion=rules.NEW_EPISODE,
                                                cancelled_reason="").exclude(pk__in=seen))
        seen |= {i.pk for i in earlier}
        found += earlier
        frontier = [i.episode_id for i in earlier if i.episode_id]
    return sorted(found, key=lambda i: i.episode_started_at)


def read_interview(actor, interview: Interview, *, with_links: bool = True) -> InterviewRead:
    """An interview cut down to what the person may see (not audited: the
    selectors that call this audit)."""
    level = access.interview_access(actor, interview)
    read = InterviewRead(interview=interview, access=level)
    if level in (access.FULL, access.SHARED):
        findings = _visible(
            interview.findings.prefetch_related(Prefetch("codes", queryset=FindingCode.objects.select_related("flag")))
            .order_by("pk"), level)
        order = {k: n for n, k in enumerate(FindingKind.values)}
        findings.sort(key=lambda f: order.get(f.kind, 99))
        read.words = next((f for f in findings if f.kind == FindingKind.WORDS), None)
        read.findings = [f for f in findings if f.kind != FindingKind.WORDS]
        read.places = _visible(interview.places.order_by("pk"), level)
        read.people = _visible(interview.people.order_by("pk"), level)
    if with_links:
        read.covering = _covering(interview)
        read.covers = _covered(interview)
    if level == access.FULL and access.can_audit_quality(actor, interview):
        read.quality_audits = list(interview.quality_audits.select_related("audited_by", "checklist"))
    return read


def interview_get(*, actor, pk) -> InterviewRead:
    """The interview with this id as the person may see it, else 404. Audited."""
    try:
        interview = _related(_scoped(actor)).get(pk=pk)
    except (Interview.DoesNotExist, ValueError, TypeError):
        audit_record(actor=actor, action=AuditEvent.Action.DENIED, object_type="interview", object_id=str(pk)[:64],
                     summary="Record not found or outside scope")
        raise Http404("No such interview")
    read = read_interview(actor, interview)
    audit_record(actor=actor, action=AuditEvent.Action.READ, obj=interview, child_id=interview.child_id,
                 summary="Viewed a return interview", payload={"access": read.access})
    return read


def interview_for_episode(*, actor, episode_pk) -> Interview:
    """The interview of an episode, for a link from the episode's page (the
    page it leads to audits the read)."""
    interview = _scoped(actor).filter(episode_id=episode_pk).first()
    if interview is None:
        audit_record(actor=actor, action=AuditEvent.Action.DENIED, object_type="interview",
                     object_id=f"episode:{episode_pk}"[:64], summary="Record not found or outside scope")
        raise Http404("No such interview")
    return interview


def interviews_for_child(*, actor, child) -> list[InterviewRead]:
    """A child's interviews, newest first, for the child's page. Audited."""
    interviews = list(_related(_scoped(actor).filter(child=child, cancelled_reason=""))
                      .order_by("-returned_at", "-pk"))
    reads = [read_interview(actor, i, with_links=False) for i in interviews]
    if reads:
        audit_record(actor=actor, action=AuditEvent.Action.READ, object_type="interview", child_id=child.pk,
                     summary=f"Viewed {len(reads)} return interviews on a child's record",
                     payload={"interviews": [r.pk for r in reads], "access": sorted({r.access for r in reads})})
    return reads


# --- the worklist ------------------------------------------------------------------------------


@dataclass
class WorkItem:
    interview: Interview
    time_left: str
    overdue: bool


@dataclass
class Worklist:
    show: str  # mine | all
    choices: list[tuple[str, str]]
    items: list[WorkItem]
    recent: list[Interview]
    heading: str
    older: int = 0  # open interviews of returns before WORKLIST_DAYS, not listed
    more: int = 0  # open interviews beyond WORKLIST_LIMIT, not listed


def interview_worklist(*, actor, show: str = "", now: dt.datetime | None = None) -> Worklist:
    """Interviews waiting to be done that are the person's to do (a
    return-interview worker: theirs or their organisation's; a council:
    its authority's), overdue first, with the time left. Audited."""
    now = now or timezone.now()
    role = getattr(actor, "role", None) or ""
    org = getattr(actor, "organisation", None)
    base = _related(_scoped(actor).filter(cancelled_reason=""))
    if role == Role.RHI_WORKER and org is not None:
        choices = [("all", f"All of {org.name}’s interviews"), ("mine", "Only those allocated to me")]
        show = show if show in ("all", "mine") else "all"
        mine = base.filter(provider=org)
        if show == "mine":
            mine = mine.filter(worker=actor)
        heading = "Allocated to you" if show == "mine" else f"Allocated to {org.name}"
    elif role in COUNCIL_CASE_ROLES:
        choices = [("all", "All of the authority’s interviews"), ("mine", "Only those allocated to me")]
        show = show if show in ("all", "mine") else "all"
        mine = base.filter(lead_authority_id__in=authority_ids_for(actor))
        if show == "mine":
            mine = mine.filter(worker=actor)
        heading = "Your authority’s interviews" if show == "all" else "Allocated to you"
    else:
        return Worklist(show="", choices=[], items=[], recent=[], heading="")
    open_ = mine.filter(required=True, progress__in=rules.OPEN_PROGRESS)
    since = now - dt.timedelta(days=WORKLIST_DAYS)
    older = open_.filter(returned_at__lt=since).count()
    waiting = list(open_.filter(returned_at__gte=since))
    waiting.sort(key=lambda i: (not (now > i.due_at), i.due_at, i.pk))
    more = max(0, len(waiting) - WORKLIST_LIMIT)
    waiting = waiting[:WORKLIST_LIMIT]
    items = []
    for interview in waiting:
        text, overdue = rules.describe_time_left(interview.due_at, now)
        items.append(WorkItem(interview, text, overdue))
    recent = list(mine.filter(required=True, progress=rules.COMPLETED,
                              recorded_at__gte=now - dt.timedelta(days=RECENT_DAYS)).order_by("-completed_at")[:100])
    shown = [i.interview for i in items] + recent
    audit_record(actor=actor, action=AuditEvent.Action.LIST, object_type="interview",
                 summary=f"Listed {len(shown)} return interviews (worklist)",
                 payload={"interviews": [i.pk for i in shown][:500], "child_ids": [i.child_id for i in shown][:500]})
    return Worklist(show=show, choices=choices, items=items, recent=recent, heading=heading, older=older, more=more)


# --- timeliness and outcomes -----------------------------------------------------------------------


@dataclass
class FigureRow:
    key: str  # a month "2026-10", a provider id, "none", or "total"
    label: str
    counts: dict[str, int]

    def pct(self, measure: str) -> str:
        return rules.percentage(self.counts.get(measure, 0), self.counts.get("required", 0))


@dataclass
class Figures:
    authority: object
    start: dt.date
    end: dt.date  # exclusive
    months: list[FigureRow]
    providers: list[FigureRow]
    total: FigureRow
    reasons: list[tuple[str, int]]  # reasons for going missing, from completed interviews


def _month_key(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m")


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, current = [], start.replace(day=1)
    while current < end:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def _period_interviews(authority_id: int, start: dt.date, end: dt.date) -> QuerySet[Interview]:
    start_at = rules.start_of_day(start)
    end_at = rules.start_of_day(end)
    return (Interview.objects.filter(cancelled_reason="", episode_started_at__gte=start_at,
                                     episode_started_at__lt=end_at)
            .filter(Q(lead_authority_id=authority_id) | Q(area_authority_id=authority_id))
            .select_related("provider"))


def _measures_of(interview: Interview, authority_id: int, now: dt.datetime) -> frozenset[str]:
    return rules.measures(
        for_lead=interview.lead_authority_id == authority_id, for_area=interview.area_authority_id == authority_id,
        required=interview.required, exclusion=interview.exclusion,
        placed_by_other=interview.placed_by_other_authority, due=interview.due_at, offered_at=interview.offered_at,
        completed_at=interview.completed_at, progress=interview.progress, now=now,
    )


def interview_figures(*, actor, start: dt.date, end: dt.date, now: dt.datetime | None = None) -> Figures:
    """Timeliness and outcomes for the person's authority, by month of the
    episode's start (definitions.md, "Periods") and by provider. Figures
    only, no names; audited."""
    if not access.can_see_figures(actor):
        raise Http404("No such page")
    now = now or timezone.now()
    authority = actor.organisation.authority
    months = {m.strftime("%Y-%m"): FigureRow(m.strftime("%Y-%m"), m.strftime("%B %Y"), defaultdict(int))
              for m in _months(start, end)}
    providers: dict[str, FigureRow] = {}
    total = FigureRow("total", "Total", defaultdict(int))
    completed_ids = []
    for interview in _period_interviews(authority.pk, start, end):
        found = _measures_of(interview, authority.pk, now)
        if not found:
            continue
        key = str(interview.provider_id) if interview.provider_id else "none"
        if key not in providers:
            providers[key] = FigureRow(key, interview.provider.name if interview.provider_id else "Not allocated",
                                       defaultdict(int))
        month = months.get(_month_key(interview.episode_started_at))
        for measure in found:
            total.counts[measure] += 1
            providers[key].counts[measure] += 1
            if month is not None:
                month.counts[measure] += 1
        if "completed" in found:
            completed_ids.append(interview.pk)
    from .models import Reason

    reason_counts = defaultdict(int)
    for code in FindingCode.objects.filter(finding__interview_id__in=completed_ids, finding__kind=FindingKind.REASONS):
        reason_counts[code.code] += 1
    reasons = sorted(((Reason(c).label if c in Reason.values else c, n) for c, n in reason_counts.items()),
                     key=lambda r: (-r[1], r[0]))
    audit_record(actor=actor, action=AuditEvent.Action.LIST, object_type="interview_figures",
                 summary=f"Viewed return interview figures for {authority.code}",
                 payload={"start": start.isoformat(), "end": end.isoformat()})
    return Figures(
        authority=authority, start=start, end=end, months=list(months.values()),
        providers=sorted(providers.values(), key=lambda r: (r.key == "none", r.label)), total=total,
        reasons=reasons,
    )


def interview_figures_children(*, actor, start: dt.date, end: dt.date, measure: str, month: str = "",
                               provider: str = "", now: dt.datetime | None = None) -> tuple[list[Interview], int]:
    """The interviews (and children) behind one figure, for a person who may
    see names: those in their scope, and how many of the figure are not.
    Audited."""
    if not access.can_see_figures(actor) or not getattr(actor, "role", None) in COUNCIL_CASE_ROLES:
        raise Http404("No such page")
    if measure not in rules.MEASURES:
        raise Http404("No such figure")
    now = now or timezone.now()
    authority_id = actor.organisation.authority_id
    ids = []
    for interview in _period_interviews(authority_id, start, end):
        if month and _month_key(interview.episode_started_at) != month:
            continue
        if provider and (str(interview.provider_id) if interview.provider_id else "none") != provider:
            continue
        if measure in _measures_of(interview, authority_id, now):
            ids.append(interview.pk)
    shown = list(_related(_scoped(actor).filter(pk__in=ids)).order_by("episode_started_at", "pk"))
    audit_record(actor=actor, action=AuditEvent.Action.LIST, object_type="interview",
                 summary=f"Listed {len(shown)} children behind a return interview figure ({measure})",
                 payload={"measure": measure, "month": month, "provider": provider,
                          "child_ids": [i.child_id for i in shown][:500]})
    return shown, len(ids) - len(shown)


# --- quality ----------------------------------------------------------------------------------------


@dataclass
class QualityOverview:
    months: list[str]  # labels
    rows: list[tuple[str, list[str]]]  # provider, average score per month ("" when none)
    counts: list[tuple[str, list[int]]]
    recent: list[QualityAudit]
    to_audit: list[Interview]


def quality_overview(*, actor, start: dt.date, end: dt.date) -> QualityOverview:
    """Quality audit scores of the manager's authority by provider and month
    of the audit, the latest audits, and completed interviews not audited yet.
    Audited."""
    if not access.can_audit_quality(actor):
        raise Http404("No such page")
    authority_ids = authority_ids_for(actor)
    months = _months(start, end)
    keys = [m.strftime("%Y-%m") for m in months]
    audits = list(QualityAudit.objects.filter(
        interview__lead_authority_id__in=authority_ids, audited_at__gte=rules.start_of_day(start),
        audited_at__lt=rules.start_of_day(end)).select_related("provider", "interview", "audited_by"))
    sums: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for audit in audits:
        provider = audit.provider.name if audit.provider_id else "Not allocated"
        cell = sums[provider][_month_key(audit.audited_at)]
        cell[0] += audit.score
        cell[1] += audit.max_score
        cell[2] += 1
    rows, counts = [], []
    for provider in sorted(sums):
        rows.append((provider, [rules.percentage(sums[provider][k][0], sums[provider][k][1])
                                if sums[provider][k][2] else "" for k in keys]))
        counts.append((provider, [sums[provider][k][2] for k in keys]))
    scoped = _related(_scoped(actor).filter(lead_authority_id__in=authority_ids, cancelled_reason=""))
    recent = [a for a in sorted(audits, key=lambda a: a.audited_at, reverse=True)][:20]
    recent_ids = {a.interview_id for a in recent}
    visible = set(scoped.filter(pk__in=recent_ids).values_list("pk", flat=True))
    recent = [a for a in recent if a.interview_id in visible]
    to_audit = list(scoped.filter(progress=rules.COMPLETED, quality_audits__isnull=True)
                    .order_by("-completed_at")[:50])
    audit_record(actor=actor, action=AuditEvent.Action.LIST, object_type="interview",
                 summary="Viewed return interview quality scores",
                 payload={"child_ids": sorted({i.child_id for i in to_audit}
                                              | {a.interview.child_id for a in recent})[:500]})
    return QualityOverview(months=[m.strftime("%b %Y") for m in months], rows=rows, counts=counts,
                           recent=recent, to_audit=to_audit)


# --- for the protocol engine ---------------------------------------------------------------------


def completed_interview_times(episode_ids) -> dict[int, dt.datetime]:
    """When each episode's return interview was completed, for the protocol
    engine (homeward/protocol/hooks.py): it closes the `return_interview` task
    and holds back `return_interview_overdue`. Episode ids and times only, no
    personal data, so a system reader, not scoped or audited."""
    ids = [int(i) for i in episode_ids if i is not None]
    if not ids:
        return {}
    return dict(Interview.objects.filter(episode_id__in=ids, progress=rules.COMPLETED, cancelled_reason="",
                                         completed_at__isnull=False).values_list("episode_id", "completed_at"))
