"""Ofsted Annex A (ILACS) list 8 of missing and absent episodes, one row per
episode (`homeward export annex-a-missing`; docs/exports.md).

Which episodes: those of the authority (definitions.md, "Whose episode": in
its area, of its own looked-after children wherever placed, of its children
living at home) whose start falls in the period [from, to), Europe/London
days, `to` exclusive: exactly the episodes `report kpis` counts for the same
authority and period, so the rows reconcile with its figures (episodes.total
is the number of rows; children.total the number of different child
identifiers; episodes.absent, from_care, open_at_end, the duration buckets
and the return home interview figures likewise: docs/exports.md).

How it is built, in three layers:

1. `load_sources` fetches plain values (no model objects) for the period:
   the episodes, the children they are about (the record that merged
   duplicates survive as), the authority's own identifiers, child protection
   plan flags, the recorded interviews, and each child's later episode starts;
2. `build_facts`, a pure function, turns them into one `EpisodeFacts` per
   episode: the child as the surviving record (so merged duplicates count
   once), the identifier to print, and whether a return home interview was
   required by the rules of `report kpis` (reporting/rules.py `rhi_exclusion`);
3. `annex_a_rows` (here) and `ssd.ssd_rows` format the facts as the list's
   columns. Every cell goes through `csv_cell`, so that a spreadsheet never
   runs a value as a formula.

The SSD `ssd_missing` table (ssd.py) is built from the same facts.
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime

from . import rules

# --- plain values fetched from the database ----------------------------------------------


@dataclass(frozen=True)
class EpisodeRecord:
    """One stored episode of the authority, as fetched."""

    id: int
    child_id: int  # the child record the episode is on (maybe a merged duplicate)
    started_at: datetime
    returned_at: datetime | None
    category: str  # missing | absent
    missing_from: str  # home | care
    placed_in: bool  # placed in the authority's area by another authority


@dataclass(frozen=True)
class ChildRecord:
    sex: str
    ethnicity: str
    dob: date | None
    date_of_death: date | None = None


@dataclass(frozen=True)
class InterviewRecord:
    """The recorded return home interview of an episode (not cancelled)."""

    offered_at: datetime | None
    progress: str
    completed_at: datetime | None


@dataclass
class Sources:
    episodes: list[EpisodeRecord]
    children: dict[int, ChildRecord]  # by child record id (the surviving records at least)
    merged: dict[int, int] = field(default_factory=dict)  # merged duplicate -> surviving record
    identifiers: dict[int, list[str]] = field(default_factory=dict)  # record -> the authority's ids, oldest first
    protection_plans: dict[int, list[tuple[date, date | None]]] = field(default_factory=dict)  # record -> periods
    interviews: dict[int, InterviewRecord] = field(default_factory=dict)  # by episode id
    later_starts: dict[int, list[datetime]] = field(default_factory=dict)  # record -> its episode starts, sorted


# --- the facts of one row -----------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeFacts:
    episode_id: int
    child_key: int  # the surviving child record: one child, one key
    child_ref: str  # the authority's identifier for the child, or Homeward's
    sex: str
    ethnicity: str
    dob: date | None
    started_at: datetime
    returned_at: datetime | None
    category: str
    missing_from: str
    placed_in: bool
    on_protection_plan: bool  # a child protection plan flag covered the day the episode started
    interview: InterviewRecord | None
    not_required: str | None  # why no interview was required (rules.Exclusion), None when required or open
    open_at_end: bool  # no return, or a return on or after the period's end


def homeward_ref(child_key: int) -> str:
    """The identifier printed for a child the authority holds no identifier of."""
    return f"HW{child_key}"


def surviving(child_id: int, merged: dict[int, int]) -> int:
    """The record a (possibly merged) child record survives as."""
    return merged.get(child_id, child_id)


def child_reference(child_key: int, record_ids: set[int], identifiers: dict[int, list[str]]) -> str:
    """The authority's own identifier (SSDA903 CHILD) for the child: the
    surviving record's oldest, else the oldest of a merged duplicate's (the
    lowest record id first); Homeward's reference when it holds none."""
    own = identifiers.get(child_key)
    if own:
        return own[0]
    for record in sorted(record_ids - {child_key}):
        if identifiers.get(record):
            return identifiers[record][0]
    return homeward_ref(child_key)


def in_period(started_at: datetime, start: date, end: date) -> bool:
    """definitions.md, "Periods": the start falls in [start, end), Europe/London days."""
    t0, t1 = rules.period_bounds(start, end)
    return t0 <= started_at < t1


def on_plan(periods: list[tuple[date, date | None]], day: date) -> bool:
    return any(first <= day and (last is None or day < last) for first, last in periods)


def build_facts(sources: Sources, *, start: date, end: date, rhi_hours: float | None = 72,
                rhi_working_days: int | None = None) -> list[EpisodeFacts]:
    """One EpisodeFacts per episode of `sources` that starts in [start, end),
    in order of start (then episode number). Pure: no database.

    A return home interview is required of the authority for an ended
    episode unless rules.rhi_exclusion says otherwise (the rule `report
    kpis` applies, with the same timescale): the child went missing again
    before the offer was due (the next start among the child record's own
    episodes), was placed in the area by another authority, was 18 or over,
    or had died."""
    t0, t1 = rules.period_bounds(start, end)
    groups: dict[int, set[int]] = {}
    for record, root in sources.merged.items():
        groups.setdefault(root, {root}).add(record)
    out: list[EpisodeFacts] = []
    for e in sorted(sources.episodes, key=lambda e: (e.started_at, e.id)):
        if not t0 <= e.started_at < t1:
            continue
        key = surviving(e.child_id, sources.merged)
        records = groups.get(key, {key}) | {e.child_id}
        child = sources.children.get(key) or sources.children.get(e.child_id) or ChildRecord("", "", None)
        day = rules.local_date(e.started_at)
        plans = [p for record in records for p in sources.protection_plans.get(record, [])]
        not_required = None
        if e.returned_at is not None:
            starts = sources.later_starts.get(e.child_id, [])
            i = bisect_right(starts, e.started_at)
            next_start = starts[i] if i < len(starts) else None
            not_required = rules.rhi_exclusion(
                returned_at=e.returned_at,
                due_at=rules.rhi_due(e.returned_at, hours=rhi_hours, working_days=rhi_working_days),
                next_started_at=next_start,
                placed_by_other_authority=e.placed_in,
                dob=child.dob,
                date_of_death=child.date_of_death,
            )
        out.append(EpisodeFacts(
            episode_id=e.id,
            child_key=key,
            child_ref=child_reference(key, records, sources.identifiers),
            sex=child.sex,
            ethnicity=child.ethnicity,
            dob=child.dob,
            started_at=e.started_at,
            returned_at=e.returned_at,
            category=e.category,
            missing_from=e.missing_from,
            placed_in=e.placed_in,
            on_protection_plan=on_plan(plans, day),
            interview=sources.interviews.get(e.id),
            not_required=not_required,
            open_at_end=e.returned_at is None or e.returned_at >= t1,
        ))
    return out


# --- formatting -------------------------------------------------------------------------------


def csv_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula: text starting
    with =, +, -, @, a tab or a carriage return gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(header: tuple[str, ...], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def local_text(moment: datetime | None, fmt: str) -> str:
    return moment.astimezone(rules.LONDON).strftime(fmt) if moment is not None else ""


# Annex A's coded answers.
YES, NO = "a) Yes", "b) No"
GENDER = {"M": "a) Male", "F": "b) Female"}
GENDER_NOT_RECORDED = "c) Not stated/recorded"
# The DfE ethnicity codes in the order of Annex A's list (a) to t)).
ETHNICITY_CODES = ("WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
                   "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT")
ETHNICITY = {code: f"{chr(ord('a') + i)}) {code}" for i, code in enumerate(ETHNICITY_CODES)}
CATEGORY = {"missing": "a) Missing", "absent": "b) Absent"}
NOT_REQUIRED = {
    rules.Exclusion.NEW_EPISODE: "Missing again before the offer was due (the next interview covers both)",
    rules.Exclusion.PLACED_BY_OTHER_AUTHORITY: "Placed in the area by another authority, whose interview it is",
    rules.Exclusion.AGED_18: "18 by the time the interview was due",
    rules.Exclusion.DIED: "The child has died",
}
COMPLETED = "completed"

HEADER = (
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Looked after child",
    "Child protection plan",
    "Child in need",
    "Date and time missing started",
    "Date and time returned",
    "Duration (hours)",
    "Return interview offered",
    "Date return interview offered",
    "Return interview completed",
    "Date return interview completed",
    "Missing or absent",
    "Return interview not required: reason",
    "Homeward episode",
)
DATE, DATE_TIME = "%d/%m/%Y", "%d/%m/%Y %H:%M"


def ethnicity_label(code: str) -> str:
    code = (code or "").strip().upper()
    return ETHNICITY.get(code, code)


def annex_a_row(f: EpisodeFacts) -> list[str]:
    """The list's columns for one episode (docs/exports.md says what each holds)."""
    start_day = rules.local_date(f.started_at)
    ended = f.returned_at is not None
    interview = f.interview
    offered = interview is not None and interview.offered_at is not None
    completed = interview is not None and interview.progress == COMPLETED
    duration = rules.elapsed_hours(f.started_at, f.returned_at) if ended else None
    return [
        f.child_ref,
        GENDER.get((f.sex or "").upper(), GENDER_NOT_RECORDED),
        ethnicity_label(f.ethnicity),
        f.dob.strftime(DATE) if f.dob else "",
        str(rules.age_on(f.dob, start_day)) if f.dob else "",
        YES if f.missing_from == "care" else NO,
        YES if f.on_protection_plan else "",
        "",  # child in need: not held by Homeward
        local_text(f.started_at, DATE_TIME),
        local_text(f.returned_at, DATE_TIME),
        f"{duration:.1f}" if duration is not None else "",
        (YES if offered else NO) if ended else "",
        local_text(interview.offered_at, DATE) if offered else "",
        (YES if completed else NO) if ended else "",
        local_text(interview.completed_at, DATE) if completed else "",
        CATEGORY.get(f.category, f.category),
        NOT_REQUIRED.get(f.not_required, f.not_required or ""),
        str(f.episode_id),
    ]


def annex_a_rows(facts: list[EpisodeFacts]) -> list[list[str]]:
    return [annex_a_row(f) for f in facts]


# --- reading the database ------------------------------------------------------------------

CHUNK = 2000


def _chunks(values: list, size: int = CHUNK):
    for i in range(0, len(values), size):
        yield values[i:i + size]


def authority_episodes(authority_id: int, t0: datetime, t1: datetime) -> list[EpisodeRecord]:
    """The authority's episodes starting in [t0, t1), each once: in its area;
    its own looked-after children's elsewhere; its children at home's
    elsewhere (three disjoint ways in, on the indexes `report kpis` uses)."""
    from homeward.episodes.models import Episode

    a = authority_id
    base = Episode.objects.filter(started_at__gte=t0, started_at__lt=t1).order_by()
    branches = (
        base.filter(area_authority_id=a),
        base.filter(responsible_authority_id=a).exclude(area_authority_id=a),
        base.filter(missing_from="home", child__home_authority_id=a).exclude(area_authority_id=a)
        .exclude(responsible_authority_id=a),
    )
    cols = ("id", "child_id", "started_at", "returned_at", "category", "missing_from", "area_authority_id",
            "responsible_authority_id")
    seen: set[int] = set()
    out: list[EpisodeRecord] = []
    for qs in branches:
        for pk, child, started, returned, category, missing_from, area, responsible in qs.values_list(*cols):
            if pk in seen:
                continue
            seen.add(pk)
            placed_in = area == a and responsible is not None and responsible != a
            out.append(EpisodeRecord(pk, child, started, returned, category, missing_from, placed_in))
    return out


def load_sources(authority, start: date, end: date) -> Sources:
    """Everything build_facts needs about the authority's episodes of [start, end)."""
    from homeward.episodes.models import Episode
    from homeward.interviews.models import Interview
    from homeward.people.models import Child, ChildFlag, ChildIdentifier, Flag

    from .kpis import merged_children

    t0, t1 = rules.period_bounds(start, end)
    episodes = authority_episodes(authority.pk, t0, t1)
    merged = merged_children()
    records = {e.child_id for e in episodes}
    roots = {surviving(c, merged) for c in records}
    wanted = sorted(records | roots | {d for d, r in merged.items() if r in roots})

    children: dict[int, ChildRecord] = {}
    identifiers: dict[int, list[str]] = {}
    plans: dict[int, list[tuple[date, date | None]]] = {}
    for ids in _chunks(wanted):
        for pk, sex, ethnicity, dob, died in Child.objects.filter(pk__in=ids).order_by().values_list(
                "pk", "sex", "ethnicity", "dob", "date_of_death"):
            children[pk] = ChildRecord(sex, ethnicity, dob, died)
        for child, value in ChildIdentifier.objects.filter(
                child_id__in=ids, kind=ChildIdentifier.Kind.LA_CHILD, authority=authority).order_by(
                "pk").values_list("child_id", "value"):
            identifiers.setdefault(child, []).append(value)
        for child, first, last in ChildFlag.objects.filter(
                child_id__in=ids, flag=Flag.CHILD_PROTECTION_PLAN).order_by().values_list(
                "child_id", "start_date", "end_date"):
            plans.setdefault(child, []).append((first, last))

    interviews: dict[int, InterviewRecord] = {}
    ended = sorted(e.id for e in episodes if e.returned_at is not None)
    for ids in _chunks(ended):
        for episode, offered, progress, completed in Interview.objects.filter(
                episode_id__in=ids, cancelled_reason="").order_by().values_list(
                "episode_id", "offered_at", "progress", "completed_at"):
            interviews[episode] = InterviewRecord(offered, progress, completed)

    # each child record's episode starts from the period's first (any authority's):
    # the next start after an ended episode decides exclusion (a)
    later: dict[int, list[datetime]] = {}
    ended_children = sorted({e.child_id for e in episodes if e.returned_at is not None})
    for ids in _chunks(ended_children):
        for child, started in Episode.objects.filter(child_id__in=ids, started_at__gte=t0).order_by().values_list(
                "child_id", "started_at"):
            later.setdefault(child, []).append(started)
    for starts in later.values():
        starts.sort()
    return Sources(episodes=episodes, children=children, merged=merged, identifiers=identifiers,
                   protection_plans=plans, interviews=interviews, later_starts=later)


def period_facts(authority, start: date, end: date, protocol: dict | None = None) -> list[EpisodeFacts]:
    """The facts of the authority's episodes of [start, end), with the
    protocol's interview timescale (definitions.DEFAULT_PROTOCOL where it
    says nothing, as `report kpis`)."""
    from .definitions import resolve_protocol

    rhi = resolve_protocol(protocol)["return_interview"]
    return build_facts(load_sources(authority, start, end), start=start, end=end,
                       rhi_hours=rhi.get("hours"), rhi_working_days=rhi.get("working_days"))


# --- the export -------------------------------------------------------------------------------


def audit_export(*, actor, object_type: str, title: str, authority, start: date, end: date, rows: int,
                 out: str = "") -> None:
    from homeward.access.audit import audit_record
    from homeward.access.models import AuditEvent

    audit_record(
        actor=actor, action=AuditEvent.Action.EXPORT, object_type=object_type,
        object_id=f"{authority.code}/{start.isoformat()}/{end.isoformat()}",
        summary=f"{title} {authority.code}, {start.isoformat()} to {end.isoformat()} (exclusive): {rows} rows",
        payload={"authority": authority.code, "from": start.isoformat(), "to": end.isoformat(), "rows": rows,
                 **({"out": out} if out else {})},
    )


def export(*, actor, authority, start: date, end: date, protocol: dict | None = None, out: str = "") -> tuple[str, int]:
    """The list as CSV text, and its number of rows. Audited."""
    facts = period_facts(authority, start, end, protocol)
    text = write_csv(HEADER, annex_a_rows(facts))
    audit_export(actor=actor, object_type="annex_a_missing", title="Annex A list 8 (missing and absent episodes)",
                 authority=authority, start=start, end=end, rows=len(facts), out=out)
    return text, len(facts)
