"""The rules of return home interviews, as pure functions (definitions.md,
"Return home interviews (RHI)"; protocol.md `return_interview`).

Nothing here touches the database or HTTP: the services pass plain values in
and store what comes out, and the tests exercise every rule at its edges (the
72nd hour, the clock changes, bank holidays, a child who goes missing again
before the interview is due, a child who turns 18).

- **Due time.** The protocol's timescale counts from the return: either real
  elapsed hours (``{"hours": 72}``, the default: 72 real hours, so across the
  March clock change the wall clock shows 73 hours and in October 71), or
  working days (``{"working_days": 3}``): the same UK clock time on the third
  working day after the day of the return (a Friday 15:00 return is due by
  the Wednesday at 15:00). Saturdays, Sundays and the England and Wales bank
  holidays (the ``holidays`` package's calendar, computed offline) are not
  working days. This is the protocol engine's reading too
  (homeward/protocol/rules.py `due_after`), so an interview and its
  `return_interview` task fall due at the same moment.
- **Exclusions** (the only ones): a new episode that started before the
  interview was due and before it was offered (the next interview covers
  both); the child died, or turned 18, before the interview was due and before
  it was offered; a child placed in the area by another authority, whose
  responsibility the interview is (an exclusion for the *area* authority: the
  placing authority still counts it as its own).
- **Timeliness.** Offered in time: offered at or before the due time.
  Completed in time: the interview took place at or before the due time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Mapping
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc

DEFAULT_TIMESCALE = {"hours": 72}
MAX_HOURS = 24 * 28
MAX_WORKING_DAYS = 20

# Exclusion reasons (definitions.md), as stored.
NEW_EPISODE = "new_episode"
PLACED_BY_OTHER_AUTHORITY = "placed_by_other_authority"
DIED = "died"
TURNED_18 = "turned_18"

# How far an interview has got, as stored. The last four are outcomes.
NOT_OFFERED = ""
OFFERED = "offered"
ACCEPTED = "accepted"
COMPLETED = "completed"
DECLINED_BY_CHILD = "declined_by_child"
DECLINED_BY_PARENT_OR_CARER = "declined_by_parent_or_carer"
UNABLE_TO_CONTACT = "unable_to_contact"
NOT_REQUIRED = "not_required"
OUTCOMES = (COMPLETED, DECLINED_BY_CHILD, DECLINED_BY_PARENT_OR_CARER, UNABLE_TO_CONTACT)
OPEN_PROGRESS = (NOT_OFFERED, OFFERED, ACCEPTED)


# --- timescales and due times ------------------------------------------------------------


@dataclass(frozen=True)
class Timescale:
    hours: int | None = None
    working_days: int | None = None

    @classmethod
    def of(cls, value: "Timescale | Mapping | None") -> "Timescale":
        """A timescale from the protocol's configuration, checked."""
        if value is None:
            value = DEFAULT_TIMESCALE
        if isinstance(value, Timescale):
            return value
        keys = set(value)
        if keys == {"hours"}:
            hours = value["hours"]
            if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= MAX_HOURS:
                raise ValueError(f"hours must be a whole number from 1 to {MAX_HOURS}")
            return cls(hours=hours)
        if keys == {"working_days"}:
            days = value["working_days"]
            if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_WORKING_DAYS:
                raise ValueError(f"working_days must be a whole number from 1 to {MAX_WORKING_DAYS}")
            return cls(working_days=days)
        raise ValueError('a timescale is {"hours": N} or {"working_days": N}')

    def as_dict(self) -> dict:
        return {"hours": self.hours} if self.hours is not None else {"working_days": self.working_days}

    def describe(self) -> str:
        if self.hours is not None:
            return f"{self.hours} hours" if self.hours != 1 else "1 hour"
        return f"{self.working_days} working days" if self.working_days != 1 else "1 working day"


@lru_cache(maxsize=64)
def _bank_holidays_of_year(year: int) -> frozenset[date]:
    import holidays

    # England and Wales share one list of bank holidays; the package computes
    # it (substitute days included) without any network access.
    return frozenset(holidays.UK(subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays_of_year(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(day: date, n: int) -> date:
    """The nth working day after `day` (`day` itself is never counted)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    current = day
    counted = 0
    while counted < n:
        current += timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def due_at(returned_at: datetime, timescale: "Timescale | Mapping | None" = None) -> datetime:
    """When the interview must be offered (and completed) by, in UTC."""
    if returned_at.tzinfo is None:
        raise ValueError("returned_at must be timezone-aware")
    scale = Timescale.of(timescale)
    if scale.hours is not None:
        # Arithmetic on UTC: real elapsed hours, whatever the clocks do.
        return returned_at.astimezone(UTC) + timedelta(hours=scale.hours)
    local = returned_at.astimezone(LONDON)
    day = add_working_days(local.date(), scale.working_days)
    # Clocks change on Sundays, never a working day, so this time exists.
    clock = time(local.hour, local.minute, local.second, local.microsecond)
    return datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC)


def in_time(moment: datetime | None, due: datetime) -> bool:
    """At or before the due time (definitions.md: offered or completed in time)."""
    return moment is not None and moment <= due


# --- who is responsible ---------------------------------------------------------------------


def lead_authority(*, missing_from: str, area_authority_id: int, responsible_authority_id: int | None,
                   child_responsible_authority_id: int | None = None,
                   child_home_authority_id: int | None = None) -> int:
    """The authority responsible for the interview: the placing authority for
    a looked-after child (wherever placed; the guidance's "the responsible
    authority should ensure the interview takes place"), otherwise the
    child's home authority, or failing that the authority in whose area the
    child went missing."""
    if missing_from == "care":
        return responsible_authority_id or child_responsible_authority_id or area_authority_id
    return child_home_authority_id or area_authority_id


def placed_by_other_authority(*, missing_from: str, area_authority_id: int, lead_authority_id: int) -> bool:
    """Exclusion (b), for the area authority: a looked-after child placed in
    its area by another authority."""
    return missing_from == "care" and lead_authority_id != area_authority_id


# --- exclusions ---------------------------------------------------------------------------


def eighteenth_birthday(dob: date) -> date:
    """The day a child turns 18 (a 29 February birthday: 1 March in other years)."""
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:
        return date(dob.year + 18, 3, 1)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


@dataclass(frozen=True)
class Requirement:
    required: bool
    exclusion: str = ""  # "" | new_episode | died | turned_18
    detail: str = ""
    covered_by_episode_id: int | None = None


def _before_offer(event: datetime, offered_at: datetime | None) -> bool:
    # An offer made before the event still counts: the requirement was met.
    return offered_at is None or offered_at > event


def requirement(
    *,
    returned_at: datetime,
    due: datetime,
    dob: date,
    date_of_death: date | None = None,
    next_episode_start: datetime | None = None,
    next_episode_id: int | None = None,
    offered_at: datetime | None = None,
) -> Requirement:
    """Whether an ended episode requires an interview, and if not, why.

    Each exclusion applies when its event happened before the interview was
    due and before any offer was made: an offer made in time has met the
    requirement whatever happens next.
    """
    if date_of_death is not None:
        died = start_of_day(date_of_death)
        if died < due and _before_offer(died, offered_at):
            return Requirement(False, DIED, f"The child died on {date_of_death:%-d %B %Y}")
    adult = start_of_day(eighteenth_birthday(dob))
    if adult <= returned_at:
        return Requirement(False, TURNED_18, "The child was 18 or over when they returned")
    if adult < due and _before_offer(adult, offered_at):
        return Requirement(False, TURNED_18,
                           f"The child turned 18 on {eighteenth_birthday(dob):%-d %B %Y}, before the interview was due")
    if next_episode_start is not None and returned_at <= next_episode_start < due \
            and _before_offer(next_episode_start, offered_at):
        local = next_episode_start.astimezone(LONDON)
        return Requirement(
            False, NEW_EPISODE,
            f"The child went missing again on {local:%-d %B %Y at %H:%M}, before the interview was due: "
            "the interview after that episode covers both",
            covered_by_episode_id=next_episode_id,
        )
    return Requirement(True)


# --- timeliness and outcomes, for one authority's figures ----------------------------------

MEASURES = (
    "ended", "not_required", "not_required_new_episode", "not_required_placed_by_other_authority",
    "not_required_turned_18", "not_required_died", "required", "offered_in_time", "completed_in_time",
    "completed", "declined", "declined_by_child", "declined_by_parent_or_carer", "unable_to_contact",
    "open", "overdue",
)


def measures(
    *,
    for_lead: bool,
    for_area: bool,
    required: bool,
    exclusion: str,
    placed_by_other: bool,
    due: datetime,
    offered_at: datetime | None,
    completed_at: datetime | None,
    progress: str,
    now: datetime,
) -> frozenset[str]:
    """The figures (MEASURES) one ended episode's interview counts in, for
    one authority: `for_lead` if the authority is responsible for the
    interview, `for_area` if the episode happened in its area.

    The authority responsible counts it as its own (required, unless a
    record-level exclusion applies); an area authority counts a child placed
    in its area by another authority as not required (exclusion b).
    """
    if for_lead:
        found = {"ended"}
        if not required:
            found |= {"not_required", f"not_required_{exclusion}"}
            return frozenset(found)
        found.add("required")
        if in_time(offered_at, due):
            found.add("offered_in_time")
        if progress == COMPLETED:
            found.add("completed")
            if in_time(completed_at, due):
                found.add("completed_in_time")
        elif progress in (DECLINED_BY_CHILD, DECLINED_BY_PARENT_OR_CARER):
            found |= {"declined", progress}
        elif progress == UNABLE_TO_CONTACT:
            found.add(UNABLE_TO_CONTACT)
        else:
            found.add("open")
            if now > due:
                found.add("overdue")
        return frozenset(found)
    if for_area and placed_by_other:
        return frozenset({"ended", "not_required", "not_required_placed_by_other_authority"})
    return frozenset()


def percentage(part: int, whole: int) -> str:
    if not whole:
        return "–"
    return f"{100 * part / whole:.0f}%"


def describe_time_left(due: datetime, now: datetime) -> tuple[str, bool]:
    """("2 days 3 hours left", False) or ("Overdue by 5 hours", True)."""
    seconds = int((due - now).total_seconds())
    overdue = seconds < 0
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)

    def plural(n, word):
        return f"{n} {word}" if n == 1 else f"{n} {word}s"

    if days:
        text = f"{plural(days, 'day')} {plural(hours, 'hour')}"
    elif hours:
        text = f"{plural(hours, 'hour')} {plural(mins, 'minute')}"
    else:
        text = plural(mins, "minute")
    return (f"Overdue by {text}", True) if overdue else (f"{text} left", False)
