"""The protocol's rules as pure functions (protocol.md, definitions.md).

`evaluate_child` takes plain values (a child, its episodes, the protocol of
each authority involved, what was raised before, and `now`) and says what
should exist: task *intents*, each with a cause key that names its cause
once and for all, and *closures* for tasks that events have made pointless
or done. It also says when the answer will next change on its own (`wake_at`:
the next escalation step, an interview's due time), which the engine stores
so that the scheduler looks only at what is due.

Nothing here touches the database, HTTP or the clock: `now` is an argument,
so every rule can be tested at its edges and re-run on the same facts with
the same result (the engine never raises a cause key twice).

Whose protocol applies (the authority a task is raised for):

* notify_responsible_authority: the area authority (it tells the placing one);
* notify_host_authority: the responsible authority (it tells the host);
* monthly_multiple_missing: the area authority of the episode that reached
  the count (the Multiple Missing and Hotspots review is an area meeting);
* everything else: the *lead* authority, the one responsible for the child:
  the responsible (placing) authority for a looked-after child, else the
  authority the child lives in, else the area authority; an authority not
  using Homeward is skipped for the next one.

An authority with no protocol in `protocols` (no council using Homeward) has
no tasks raised for it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

import holidays as holidays_lib

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc

OPEN, DONE, CANCELLED = "open", "done", "cancelled"


# --- time ------------------------------------------------------------------------------


def local_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays of that year."""
    return frozenset(holidays_lib.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(moment: datetime, days: int) -> datetime:
    """The same Europe/London clock time on the `days`-th working day after
    the moment's date (weekends and England and Wales bank holidays do not
    count). A Friday 15:00 plus 3 working days is the Wednesday at 15:00.
    Clocks change on Sundays, never a working day, so the time always exists."""
    local = moment.astimezone(LONDON)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    clock = time(local.hour, local.minute, local.second, local.microsecond)
    return datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC)


def due_after(moment: datetime, due_in: Mapping[str, int]) -> datetime:
    """`moment` plus a protocol timescale: real elapsed hours (an episode
    across the March clock change is an hour shorter on the wall clock), or
    working days."""
    if "hours" in due_in:
        return moment.astimezone(UTC) + timedelta(hours=due_in["hours"])
    return add_working_days(moment, due_in["working_days"])


def when(moment: datetime | None) -> str:
    """'5 Mar 2025, 21:10' in UK time."""
    if moment is None:
        return ""
    return moment.astimezone(LONDON).strftime("%-d %b %Y, %H:%M")


def age_on(dob: date, day: date) -> int:
    years = day.year - dob.year
    if (day.month, day.day) < (dob.month, dob.day):
        years -= 1
    return years


# --- facts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagFact:
    flag: str
    start_date: date
    end_date: date | None = None
    recorded_at: datetime | None = None

    def active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date > day)


@dataclass(frozen=True)
class ChildFact:
    id: int
    dob: date
    date_of_death: date | None = None
    home_authority_id: int | None = None
    responsible_authority_id: int | None = None
    flags: tuple[FlagFact, ...] = ()


@dataclass(frozen=True)
class EpisodeFact:
    id: int
    started_at: datetime
    returned_at: datetime | None = None
    reported_at: datetime | None = None
    risk_level: str = ""
    # When a later change (not the first report) set the current risk level;
    # None when the episode has had this level since it was reported.
    risk_changed_at: datetime | None = None
    area_authority_id: int = 0
    responsible_authority_id: int | None = None
    host_authority_id: int | None = None  # of the placement the child went missing from
    missing_from: str = "home"

    @property
    def reported(self) -> datetime:
        """When the episode became known: reported, else last seen."""
        return self.reported_at or self.started_at

    def returned_by(self, now: datetime) -> bool:
        return self.returned_at is not None and self.returned_at <= now

    def open_at(self, now: datetime) -> bool:
        return self.started_at <= now and not self.returned_by(now)


@dataclass(frozen=True)
class Protocol:
    """One authority's protocol version in force: its id and number, and its
    validated document (defaults.validate)."""

    version_id: int
    number: int
    rules: Mapping[str, Mapping]
    look_back_days: int = 30
    label: str = ""

    def rule(self, name: str) -> Mapping | None:
        params = self.rules.get(name)
        return params if params and params.get("enabled") else None


@dataclass(frozen=True)
class Prior:
    """A task raised before for this child (any state)."""

    rule: str
    cause_key: str
    cause_at: datetime
    state: str = OPEN


@dataclass(frozen=True)
class Intent:
    rule: str
    cause_key: str
    authority_id: int
    protocol_version_id: int
    child_id: int
    episode_id: int | None
    cause_at: datetime
    due_at: datetime
    owner_role: str
    title: str
    reason: str
    # For the notification rules: the authority to tell.
    notify_authority_id: int | None = None
    notify_kind: str = ""  # start | return
    area_authority_id: int | None = None
    details: tuple = ()


@dataclass(frozen=True)
class Closure:
    """Close the open task with this cause key: `done` (what it asked for
    happened) or `cancelled` (a later event made it pointless)."""

    cause_key: str
    state: str
    reason: str


@dataclass
class Evaluation:
    intents: list[Intent] = field(default_factory=list)
    closures: list[Closure] = field(default_factory=list)
    wake_at: datetime | None = None

    def wake(self, moment: datetime) -> None:
        if self.wake_at is None or moment < self.wake_at:
            self.wake_at = moment


# --- cause keys ------------------------------------------------------------------------


def key_episode(rule: str, episode_id: int, suffix: str = "") -> str:
    return f"{rule}:e{episode_id}{':' + suffix if suffix else ''}"


def key_child(rule: str, child_id: int, suffix: str) -> str:
    return f"{rule}:c{child_id}:{suffix}"


# --- the evaluation ----------------------------------------------------------------------


class _Context:
    def __init__(self, child, episodes, now, protocols, prior, completed, names):
        self.child = child
        # The facts as of `now`: episodes not reported yet are not there, and a
        # return after `now` has not happened yet.
        self.episodes = sorted(
            (e if e.returned_at is None or e.returned_at <= now else _unreturned(e)
             for e in episodes if e.reported <= now),
            key=lambda e: (e.started_at, e.id),
        )
        self.now = now
        self.protocols = protocols
        self.prior = list(prior)
        self.prior_keys = {p.cause_key for p in self.prior}
        self.completed = completed
        self.names = names
        self.out = Evaluation()
        self.firings = None
        self._leads: dict[int, int | None] = {}
        self._days: dict[int, date] = {}

    def rule(self, authority_id: int | None, name: str) -> tuple[Protocol, Mapping] | None:
        if authority_id is None:
            return None
        protocol = self.protocols.get(authority_id)
        if protocol is None:
            return None
        params = protocol.rule(name)
        return (protocol, params) if params else None

    def lead(self, episode: EpisodeFact) -> int | None:
        found = self._leads.get(episode.id, False)
        if found is False:
            found = self._leads[episode.id] = self._lead(episode)
        return found

    def start_day(self, episode: EpisodeFact) -> date:
        day = self._days.get(episode.id)
        if day is None:
            day = self._days[episode.id] = local_date(episode.started_at)
        return day

    def _lead(self, episode: EpisodeFact) -> int | None:
        candidates = [episode.responsible_authority_id]
        if episode.responsible_authority_id is None:
            candidates.append(self.child.home_authority_id)
        candidates.append(episode.area_authority_id)
        for authority_id in candidates:
            if authority_id is not None and authority_id in self.protocols:
                return authority_id
        return None

    def recent(self, moment: datetime, protocol: Protocol) -> bool:
        """Is this past event within the protocol's look-back (so it still raises tasks)?"""
        return moment >= self.now - timedelta(days=protocol.look_back_days)

    def name(self, authority_id: int | None) -> str:
        if authority_id is None:
            return "the authority"
        return self.names.get(authority_id) or f"authority {authority_id}"

    def intent(self, rule, key, protocol, authority_id, *, episode, cause_at, due_at, owner_role, title, reason,
               **extra) -> None:
        if key in self.prior_keys:
            # Raised before: still wanted, but nothing new to say (the texts are not made again).
            title = reason = ""
        else:
            title = title() if callable(title) else title
            reason = reason() if callable(reason) else reason
        self.out.intents.append(Intent(
            rule=rule, cause_key=key, authority_id=authority_id, protocol_version_id=protocol.version_id,
            child_id=self.child.id, episode_id=episode.id if episode is not None else None, cause_at=cause_at,
            due_at=due_at, owner_role=owner_role, title=title,
            reason=f"{reason} ({protocol.label or 'protocol'} version {protocol.number}, rule {rule}.)" if reason else "",
            area_authority_id=episode.area_authority_id if episode is not None else None, **extra,
        ))

    def close(self, key: str, state: str, reason: str) -> None:
        self.out.closures.append(Closure(key, state, reason))


def _unreturned(e: EpisodeFact) -> EpisodeFact:
    from dataclasses import replace

    return replace(e, returned_at=None)


def evaluate_child(
    child: ChildFact,
    episodes: Iterable[EpisodeFact],
    *,
    now: datetime,
    protocols: Mapping[int, Protocol],
    prior: Sequence[Prior] = (),
    interviews_completed: Mapping[int, datetime] | None = None,
    names: Mapping[int, str] | None = None,
) -> Evaluation:
    """Every rule, for one child, as of `now`.

    `episodes` are the child's episodes (any order); `protocols` the protocol
    in force for each authority that uses Homeward; `prior` the tasks raised
    for the child before (the repeat and conference rules fire again only
    outside their windows); `interviews_completed` maps an episode id to when
    its return interview was completed, when known.
    """
    ctx = _Context(child, episodes, now, protocols, prior, interviews_completed or {}, names or {})
    for rule in RULE_FUNCTIONS:
        rule(ctx)
    return ctx.out


# --- while missing ----------------------------------------------------------------------


def notify_responsible_authority(ctx: _Context) -> None:
    name = "notify_responsible_authority"
    for e in ctx.episodes:
        to = e.responsible_authority_id
        if to is None or to == e.area_authority_id:
            continue
        found = ctx.rule(e.area_authority_id, name)
        if found is None:
            continue
        protocol, p = found
        if e.open_at(ctx.now):
            ctx.intent(name, key_episode(name, e.id, "start"), protocol, e.area_authority_id, episode=e,
                       cause_at=e.reported, due_at=due_after(e.reported, p["due_in"]), owner_role=p["owner_role"],
                       title=lambda: f"Tell {ctx.name(to)} the child they placed is missing",
                       reason=lambda: f"A child placed by {ctx.name(to)} went missing in your area on {when(e.started_at)}; "
                              f"the placing authority's named contact is told within {_due(p)}",
                       notify_authority_id=to, notify_kind="start")
        elif e.returned_by(ctx.now) and ctx.recent(e.returned_at, protocol):
            ctx.intent(name, key_episode(name, e.id, "return"), protocol, e.area_authority_id, episode=e,
                       cause_at=e.returned_at, due_at=due_after(e.returned_at, p["due_in"]),
                       owner_role=p["owner_role"],
                       title=lambda: f"Tell {ctx.name(to)} the child they placed has returned",
                       reason=lambda: f"A child placed by {ctx.name(to)}, missing in your area from {when(e.started_at)}, "
                              f"returned on {when(e.returned_at)}; the placing authority is told within {_due(p)}, "
                              "and the return interview is theirs to arrange",
                       notify_authority_id=to, notify_kind="return")


def notify_host_authority(ctx: _Context) -> None:
    name = "notify_host_authority"
    for e in ctx.episodes:
        own, host = e.responsible_authority_id, e.host_authority_id
        # Placed out of area; when the host's own feed reported it, the host holds the record already.
        if own is None or host is None or host == own or host == e.area_authority_id:
            continue
        found = ctx.rule(own, name)
        if found is None or not e.open_at(ctx.now):
            continue
        protocol, p = found
        ctx.intent(name, key_episode(name, e.id, "start"), protocol, own, episode=e,
                   cause_at=e.reported, due_at=due_after(e.reported, p["due_in"]), owner_role=p["owner_role"],
                   title=lambda: f"Tell {ctx.name(host)}, where your child is placed, that the child is missing",
                   reason=lambda: f"Your looked-after child, placed in {ctx.name(host)}'s area, went missing on "
                          f"{when(e.started_at)}; the host authority is told within {_due(p)}",
                   notify_authority_id=host, notify_kind="start")


def _active_flags(ctx: _Context, e: EpisodeFact, wanted: Sequence[str]) -> list[FlagFact]:
    """The child's flags among `wanted` that applied while the episode was open (as of now)."""
    first = local_date(e.started_at)
    last = local_date(e.returned_at if e.returned_at is not None else ctx.now)
    return [f for f in ctx.child.flags
            if f.flag in wanted and f.start_date <= last and (f.end_date is None or f.end_date > first)]


def _flag_since(e: EpisodeFact, f: FlagFact) -> datetime:
    """When a flag became part of the episode: at its report if the flag was
    already held when the episode started, else when it was recorded."""
    if f.start_date <= local_date(e.started_at) or f.recorded_at is None:
        return e.reported
    return max(e.reported, f.recorded_at)


def strategy_discussion(ctx: _Context) -> None:
    name = "strategy_discussion"
    for e in ctx.episodes:
        lead = ctx.lead(e)
        found = ctx.rule(lead, name)
        if found is None:
            continue
        protocol, p = found
        triggers: list[tuple[datetime, str]] = []
        if e.risk_level and e.risk_level in p["risk_levels"]:
            since = max(e.reported, e.risk_changed_at) if e.risk_changed_at else e.reported
            triggers.append((since, f"risk level {e.risk_level.replace('_', ' ')}"))
        for f in _active_flags(ctx, e, p["flags"]):
            triggers.append((_flag_since(e, f), f"the child's {f.flag.replace('_', ' ')} flag"))
        # Only what was known while the child was missing (a change after the
        # return does not reopen the question) and not after `now`.
        end = e.returned_at if e.returned_at is not None else ctx.now
        triggers = [(t, what) for t, what in triggers if t <= end and t <= ctx.now]
        if not triggers:
            continue
        cause_at = min(t for t, _ in triggers)
        if not e.open_at(ctx.now) and not ctx.recent(cause_at, protocol):
            continue
        whats = sorted({what for _, what in triggers})
        ctx.intent(name, key_episode(name, e.id), protocol, lead, episode=e, cause_at=cause_at,
                   due_at=due_after(cause_at, p["due_in"]), owner_role=p["owner_role"],
                   title="Hold a strategy discussion",
                   reason=lambda: f"The episode that started on {when(e.started_at)} has {' and '.join(whats)} "
                          f"(known from {when(cause_at)}); the protocol asks for a strategy discussion within "
                          f"{_due(p)}")


def duration_escalation(ctx: _Context) -> None:
    name = "duration_escalation"
    for e in ctx.episodes:
        lead = ctx.lead(e)
        found = ctx.rule(lead, name)
        if found is None:
            continue
        protocol, p = found
        steps = sorted(p["steps"], key=lambda s: s["after_hours"])
        start = e.started_at.astimezone(UTC)
        if e.returned_by(ctx.now):
            for step in steps:
                ctx.close(key_episode(name, e.id, f"{step['after_hours']}h"), CANCELLED,
                          f"The child returned on {when(e.returned_at)}, so this escalation is no longer needed")
            continue
        reached = [s for s in steps if start + timedelta(hours=s["after_hours"]) <= ctx.now]
        following = [s for s in steps if start + timedelta(hours=s["after_hours"]) > ctx.now]
        if following:
            ctx.out.wake(start + timedelta(hours=following[0]["after_hours"]))
        if not reached:
            continue
        # Only the highest step reached: a child first seen after 80 hours
        # goes to the senior manager, not to three people at once.
        step = reached[-1]
        cause_at = start + timedelta(hours=step["after_hours"])
        ctx.intent(name, key_episode(name, e.id, f"{step['after_hours']}h"), protocol, lead, episode=e,
                   cause_at=cause_at, due_at=due_after(cause_at, step["due_in"]), owner_role=step["owner_role"],
                   title=lambda: f"Missing for {_hours(step['after_hours'])}: escalated to {step['level'].lower()}",
                   reason=lambda: f"The child, missing since {when(e.started_at)}, had been missing "
                          f"{_hours(step['after_hours'])} at {when(cause_at)}; the protocol escalates to "
                          f"{step['level'].lower()} at that point",
                   details=(("level", step["level"]), ("after_hours", step["after_hours"])))


def police_national_circulation(ctx: _Context) -> None:
    name = "police_national_circulation"
    for e in ctx.episodes:
        lead = ctx.lead(e)
        found = ctx.rule(lead, name)
        if found is None:
            continue
        protocol, p = found
        key = key_episode(name, e.id)
        if e.returned_by(ctx.now):
            ctx.close(key, CANCELLED, f"The child returned on {when(e.returned_at)}")
            continue
        today = local_date(ctx.now)
        flags = [f for f in ctx.child.flags if f.flag in p["flags"] and f.active_on(today)]
        if not flags:
            if key in ctx.prior_keys:
                ctx.close(key, CANCELLED, "The child no longer has a flag that calls for national circulation")
            continue
        cause_at = min(_flag_since(e, f) for f in flags)
        ctx.intent(name, key, protocol, lead, episode=e, cause_at=cause_at,
                   due_at=due_after(cause_at, p["due_in"]), owner_role=p["owner_role"],
                   title="Confirm the child is circulated on the police national database",
                   reason=lambda: f"The child, flagged {', '.join(sorted({f.flag for f in flags}))}, has been missing "
                          f"since {when(e.started_at)}; the protocol asks to confirm national circulation within "
                          f"{_due(p)}")


# --- on return ----------------------------------------------------------------------------


def placement_review(ctx: _Context) -> None:
    name = "placement_review"
    for e in ctx.episodes:
        if e.missing_from != "care" or e.responsible_authority_id is None or not e.returned_by(ctx.now):
            continue
        found = ctx.rule(e.responsible_authority_id, name)
        if found is None:
            continue
        protocol, p = found
        if not ctx.recent(e.returned_at, protocol):
            continue
        ctx.intent(name, key_episode(name, e.id), protocol, e.responsible_authority_id, episode=e,
                   cause_at=e.returned_at, due_at=due_after(e.returned_at, p["due_in"]), owner_role=p["owner_role"],
                   title="Review the placement",
                   reason=lambda: f"The looked-after child went missing from care on {when(e.started_at)} and returned on "
                          f"{when(e.returned_at)}; the protocol asks for a placement review within {_due(p)}")


# Why an ended episode needs no interview (definitions.md, the only exclusions).
NEW_EPISODE_BEFORE_DUE = "new_episode_before_due"
PLACED_BY_ANOTHER_AUTHORITY = "placed_by_another_authority"
DIED = "died"
AGED_18 = "aged_18_or_over"
EXCLUSION_TEXT = {
    NEW_EPISODE_BEFORE_DUE: "the child started a new episode before the offer was due; the next interview covers both",
    PLACED_BY_ANOTHER_AUTHORITY: "the child is placed in the area by another authority, whose responsibility the "
                                 "interview is (that authority is notified instead)",
    DIED: "the child has died",
    AGED_18: "the child was 18 or over by the time the interview was due",
}


def interview_due(returned_at: datetime, params: Mapping) -> datetime:
    return due_after(returned_at, params["due_in"])


def interview_exclusion(child: ChildFact, episode: EpisodeFact, next_start: datetime | None,
                        due_at: datetime) -> str | None:
    """Why an ended episode requires no return home interview, or None when
    it requires one (definitions.md, "Return home interviews").

    The exclusions for the child's death, turning 18 and a new episode are
    the interviews part's rule (`homeward.interviews.rules.requirement`), so
    the worklist, the tasks and the figures cannot disagree; the protocol adds
    the one the interviews part decides by lead authority: a child placed in
    the area by another authority.
    """
    from homeward.interviews import rules as interview_rules

    e = episode
    if e.responsible_authority_id is not None and e.responsible_authority_id != e.area_authority_id:
        return PLACED_BY_ANOTHER_AUTHORITY
    need = interview_rules.requirement(returned_at=e.returned_at, due=due_at, dob=child.dob,
                                       date_of_death=child.date_of_death, next_episode_start=next_start)
    if need.required:
        return None
    return {interview_rules.NEW_EPISODE: NEW_EPISODE_BEFORE_DUE, interview_rules.DIED: DIED,
            interview_rules.TURNED_18: AGED_18}[need.exclusion]


def return_interview(ctx: _Context) -> None:
    name, overdue_name = "return_interview", "return_interview_overdue"
    for i, e in enumerate(ctx.episodes):
        if not e.returned_by(ctx.now):
            continue
        lead = ctx.lead(e)
        found = ctx.rule(lead, name)
        if found is None:
            continue
        protocol, p = found
        key, overdue_key = key_episode(name, e.id), key_episode(overdue_name, e.id)
        due = interview_due(e.returned_at, p)
        later = [x.started_at for x in ctx.episodes[i + 1:] if x.started_at >= e.returned_at]
        exclusion = interview_exclusion(ctx.child, e, min(later) if later else None, due)
        if exclusion is not None:
            text = EXCLUSION_TEXT[exclusion]
            if exclusion == NEW_EPISODE_BEFORE_DUE:
                text = f"The child went missing again on {when(min(later))}, before the offer was due: the next " \
                       "interview covers both"
            ctx.close(key, CANCELLED, text[0].upper() + text[1:])
            ctx.close(overdue_key, CANCELLED, text[0].upper() + text[1:])
            continue
        completed = ctx.completed.get(e.id)
        if completed is not None and completed <= ctx.now:
            ctx.close(key, DONE, f"The interview was completed on {when(completed)}")
            ctx.close(overdue_key, DONE, f"The interview was completed on {when(completed)}")
            continue
        if ctx.recent(e.returned_at, protocol):
            ctx.intent(name, key, protocol, lead, episode=e, cause_at=e.returned_at, due_at=due,
                       owner_role=p["owner_role"], title="Offer a return home interview",
                       reason=lambda: f"The child returned on {when(e.returned_at)} from an episode that started on "
                              f"{when(e.started_at)}; an independent return home interview is offered within "
                              f"{_due(p)}, by {when(due)}")
        found = ctx.rule(lead, overdue_name)
        if found is None:
            continue
        overdue_protocol, op = found
        if ctx.now < due:
            ctx.out.wake(due)
            continue
        if ctx.recent(due, overdue_protocol):
            ctx.intent(overdue_name, overdue_key, overdue_protocol, lead, episode=e, cause_at=due,
                       due_at=due_after(due, op["due_in"]), owner_role=op["owner_role"],
                       title="Return home interview overdue",
                       reason=lambda: f"The return home interview for the episode that ended on {when(e.returned_at)} was "
                              f"due by {when(due)} and no completed interview is recorded")


# --- patterns -------------------------------------------------------------------------------


def _blocked(day: date, window: int, others: list[tuple[date, int]]) -> bool:
    """Is a firing on `day` (with its rule's `window`) too close to another?
    An earlier one blocks it within the earlier one's window ("fires again only
    at an episode that starts more than D days after the episode that fired
    it"); a later one (raised before, about an episode reported late) within
    its own. The same answer whatever order the firings were found in."""
    for other, other_window in others:
        if other <= day and (day - other).days <= other_window:
            return True
        if other > day and (other - day).days <= window:
            return True
    return False


def _prior_firings(ctx: _Context, rule: str, param: str) -> list[tuple[date, int]]:
    """(day, window) of the tasks of `rule` raised before; the window of the
    protocol now in force for the episode's lead authority (or of the rule's
    default when that episode is gone)."""
    from .defaults import RULES_BY_NAME

    by_id = {e.id: e for e in ctx.episodes}
    out = []
    for p in ctx.prior:
        if p.rule != rule:
            continue
        window = RULES_BY_NAME[rule].defaults[param]
        e = by_id.get(_episode_of_key(p.cause_key))
        if e is not None:
            found = ctx.rule(ctx.lead(e), rule)
            if found is not None:
                window = found[1][param]
        out.append((local_date(p.cause_at), window))
    return out


def repeat_firings(ctx: _Context) -> list[tuple[EpisodeFact, int, Protocol, Mapping]]:
    """Where the repeat threshold fires: at an episode whose start has at least
    `count` episode starts (itself included) within `window_days` consecutive
    calendar days (first and last at most window-1 days apart), unless another
    firing, raised before or found here, is too close (`_blocked`)."""
    if ctx.firings is not None:
        return ctx.firings
    name = "repeat_missing_meeting"
    fired = _prior_firings(ctx, name, "window_days")
    days = [ctx.start_day(e) for e in ctx.episodes]
    out = []
    for i, e in enumerate(ctx.episodes):
        lead = ctx.lead(e)
        found = ctx.rule(lead, name)
        if found is None:
            continue
        protocol, p = found
        window = p["window_days"]
        day = days[i]
        count = sum(1 for d in days[: i + 1] if (day - d).days <= window - 1)
        if count < p["count"]:
            continue
        if _blocked(day, window, fired):
            continue
        fired.append((day, window))
        out.append((e, lead, protocol, p))
    ctx.firings = out
    return out


def repeat_missing_meeting(ctx: _Context) -> None:
    name = "repeat_missing_meeting"
    for e, lead, protocol, p in repeat_firings(ctx):
        if not ctx.recent(e.started_at, protocol):
            continue
        ctx.intent(name, key_child(name, ctx.child.id, f"e{e.id}"), protocol, lead, episode=e,
                   cause_at=e.started_at, due_at=due_after(e.started_at, p["due_in"]), owner_role=p["owner_role"],
                   title="Hold a multi-agency meeting: repeat missing",
                   reason=lambda: f"The episode that started on {when(e.started_at)} is the child's {p['count']}th or more "
                          f"within {p['window_days']} days; the protocol asks for a multi-agency meeting within "
                          f"{_due(p)}")


def monthly_multiple_missing(ctx: _Context) -> None:
    name = "monthly_multiple_missing"
    months: dict[tuple[int, int], list[EpisodeFact]] = defaultdict(list)
    for e in ctx.episodes:
        d = ctx.start_day(e)
        months[(d.year, d.month)].append(e)
    for (year, month), episodes in sorted(months.items()):
        for k, e in enumerate(episodes, start=1):
            found = ctx.rule(e.area_authority_id, name)
            if found is None:
                continue
            protocol, p = found
            if k < p["count"]:
                continue
            if ctx.recent(e.started_at, protocol):
                label = date(year, month, 1).strftime("%B %Y")
                ctx.intent(name, key_child(name, ctx.child.id, f"{year:04d}-{month:02d}"), protocol,
                           e.area_authority_id, episode=None, cause_at=e.started_at,
                           due_at=due_after(e.started_at, p["due_in"]), owner_role=p["owner_role"],
                           title=lambda: f"List for the Multiple Missing and Hotspots review: {label}",
                           reason=lambda: f"The child's episode that started on {when(e.started_at)} is their {k}th starting in "
                                  f"{label}; children with {p['count']} or more in a month are reviewed at the monthly "
                                  "Multiple Missing and Hotspots meeting",
                           details=(("month", f"{year:04d}-{month:02d}"),))
            break


def family_group_conference(ctx: _Context) -> None:
    """At a repeat firing (raised before or new) that is the `times`-th within
    `window_days` (first and last at most window-1 days apart), unless a
    conference was suggested within `window_days` of it."""
    name = "family_group_conference"
    by_id = {e.id: e for e in ctx.episodes}
    firings: dict[date, EpisodeFact | None] = {}
    for p in ctx.prior:
        if p.rule == "repeat_missing_meeting":
            episode_id = _episode_of_key(p.cause_key)
            firings.setdefault(local_date(p.cause_at), by_id.get(episode_id) if episode_id else None)
    for e, *_ in repeat_firings(ctx):
        firings.setdefault(ctx.start_day(e), e)
    ordered = sorted(firings.items(), key=lambda f: f[0])
    suggested = _prior_firings(ctx, name, "window_days")
    for k, (day, e) in enumerate(ordered):
        if e is None:
            continue  # the episode was merged into another: it still counts, but cannot be the cause
        lead = ctx.lead(e)
        found = ctx.rule(lead, name)
        if found is None:
            continue
        protocol, p = found
        window = p["window_days"]
        within = [d for d, _ in ordered[: k + 1] if (day - d).days <= window - 1]
        if len(within) < p["times"]:
            continue
        if _blocked(day, window, suggested):
            continue
        suggested.append((day, window))
        if not ctx.recent(e.started_at, protocol):
            continue
        ctx.intent(name, key_child(name, ctx.child.id, f"e{e.id}"), protocol, lead, episode=e,
                   cause_at=e.started_at, due_at=due_after(e.started_at, p["due_in"]), owner_role=p["owner_role"],
                   title="Consider a missing family group conference",
                   reason=lambda: f"The child has reached the repeat-missing threshold {len(within)} times within "
                          f"{window} days, the latest at the episode that started on {when(e.started_at)}; "
                          "the protocol suggests a referral to a missing family group conference")


def _episode_of_key(cause_key: str) -> int | None:
    last = cause_key.rsplit(":", 1)[-1]
    return int(last[1:]) if last.startswith("e") and last[1:].isdigit() else None


def _due(p: Mapping) -> str:
    from .defaults import describe_due

    return describe_due(p["due_in"])


def _hours(hours: int) -> str:
    if hours % 24 == 0 and hours >= 48:
        return f"{hours // 24} days"
    return f"{hours} hours"


RULE_FUNCTIONS = (
    notify_responsible_authority,
    notify_host_authority,
    strategy_discussion,
    duration_escalation,
    police_national_circulation,
    placement_review,
    return_interview,
    repeat_missing_meeting,
    monthly_multiple_missing,
    family_group_conference,
)
