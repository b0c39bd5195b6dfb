"""The rules of an episode, as pure functions (definitions.md, "Episode").

Nothing here touches the database or HTTP; services call these and store the
result, and the tests exercise them at their edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from homeward.problems import Problem

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Account:
    """One reporter's current account of an episode (its latest row)."""

    source: str
    source_ref: str
    last_seen_at: datetime | None
    reported_at: datetime | None
    returned_at: datetime | None
    risk_level: str = ""
    order: int = 0  # arrival order, for the latest risk level

    @property
    def start(self) -> datetime:
        start = self.last_seen_at or self.reported_at
        if start is None:
            raise ValueError("an account needs a last-seen or a reported time")
        return start


@dataclass(frozen=True)
class EpisodeTimes:
    started_at: datetime
    last_seen_at: datetime | None
    reported_at: datetime | None
    returned_at: datetime | None
    risk_level: str


def current_accounts(rows: Iterable[Account]) -> list[Account]:
    """The latest account of each reporter: a later row with the same source
    and source_ref replaces the earlier one."""
    latest: dict[tuple[str, str], Account] = {}
    for row in sorted(rows, key=lambda a: a.order):
        latest[(row.source, row.source_ref)] = row
    return list(latest.values())


def derive_times(accounts: Sequence[Account]) -> EpisodeTimes:
    """Several reports of one episode: it starts at the earliest last-seen
    time (or report time, when nobody gave a last-seen time) and ends at the
    earliest return reported, the first moment the child was known safe."""
    if not accounts:
        raise ValueError("an episode needs at least one account")
    started_at = min(a.start for a in accounts)
    last_seen = [a.last_seen_at for a in accounts if a.last_seen_at is not None]
    reported = [a.reported_at for a in accounts if a.reported_at is not None]
    returned = [a.returned_at for a in accounts if a.returned_at is not None]
    with_risk = [a for a in accounts if a.risk_level]
    risk = max(with_risk, key=lambda a: a.order).risk_level if with_risk else ""
    return EpisodeTimes(
        started_at=started_at,
        last_seen_at=min(last_seen) if last_seen else None,
        reported_at=min(reported) if reported else None,
        returned_at=min(returned) if returned else None,
        risk_level=risk,
    )


def elapsed_hours(start: datetime, end: datetime) -> float:
    """Real elapsed hours between two moments. Python subtracts two times of
    the same zone by their wall clocks, so both are taken to UTC first: an
    episode across the March clock change is an hour shorter than its
    wall-clock times suggest (definitions.md, "Duration")."""
    return (end.astimezone(timezone.utc) - start.astimezone(timezone.utc)).total_seconds() / 3600.0


def overlaps(a_start: datetime, a_end: datetime | None, b_start: datetime, b_end: datetime | None) -> bool:
    """Do two periods share any moment? An end of None means still open.
    Periods that only touch (one ends when the next starts) do not overlap."""
    a_before_b_ends = b_end is None or a_start < b_end
    b_before_a_ends = a_end is None or b_start < a_end
    return a_before_b_ends and b_before_a_ends


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def check_times(
    *,
    last_seen_at: datetime | None,
    reported_at: datetime | None,
    returned_at: datetime | None,
    dob: date | None,
    now: datetime,
) -> list[Problem]:
    """The integrity rules for an episode's times, each with its reason."""
    problems: list[Problem] = []
    start = last_seen_at or reported_at
    if start is None:
        problems.append(Problem("last_seen_at", "Enter when the child was last seen"))
        return problems
    start_field = "last_seen_at" if last_seen_at is not None else "reported_at"
    if start > now:
        problems.append(Problem(start_field, "The time the child was last seen cannot be in the future"))
    if reported_at is not None and last_seen_at is not None and reported_at < last_seen_at:
        problems.append(Problem("reported_at", "The time reported cannot be before the time last seen"))
    if dob is not None and start < start_of_day(dob):
        problems.append(Problem(start_field, "The episode cannot start before the child's date of birth"))
    if returned_at is not None:
        if returned_at < start:
            problems.append(Problem("returned_at", "The return cannot be before the time the child was last seen"))
        if returned_at > now:
            problems.append(Problem("returned_at", "The return time cannot be in the future"))
    return problems


def missing_from(*, placement_open: bool, has_any_placement: bool, reported: str | None) -> str:
    """Missing from care when Homeward holds a placement open at the start;
    for a child it holds no placements for, what the reporter said; otherwise
    home (definitions.md)."""
    if placement_open:
        return "care"
    if not has_any_placement and reported == "care":
        return "care"
    return "home"


def status_for(returned_at: datetime | None, closed: bool = False) -> str:
    if returned_at is None:
        return "open"
    return "closed" if closed else "returned"
