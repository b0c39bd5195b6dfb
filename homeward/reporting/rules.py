"""The counting rules of the key figures, as pure functions over plain values
(definitions.md: "Periods", "Duration", "Return home interviews", "Repeat
missing", "Rates").

Nothing here touches the database: `kpis.py` fetches compact tuples and
aggregates, and hands them to these functions. Every rule is tested at its
edges in tests/reporting/test_rules.py.

Times are aware datetimes (stored in UTC); every calendar rule (which day,
which month, how many days apart) is decided in Europe/London local time.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Hashable, Iterable, Mapping
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc

# The duration buckets of the contract, half-open: [lower, upper) hours.
DURATION_BUCKETS: tuple[tuple[str, float, float], ...] = (
    ("under_24", 0.0, 24.0),
    ("24_to_72", 24.0, 72.0),
    ("72_to_168", 72.0, 168.0),
    ("over_168", 168.0, math.inf),
)


# --- periods ----------------------------------------------------------------------


def start_of_day(day: date) -> datetime:
    """The first moment of a Europe/London calendar day, as an aware datetime in UTC."""
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The Europe/London calendar day of a moment (an aware datetime)."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no calendar day: give an aware one")
    return moment.astimezone(LONDON).date()


def as_local_date(value: date | datetime) -> date:
    return local_date(value) if isinstance(value, datetime) else value


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The half-open period [start, end) as moments: local midnight of the first
    day and local midnight of the day after the last (`--to` is exclusive)."""
    if end <= start:
        raise ValueError(f"the period's end ({end}) must be after its start ({start})")
    return start_of_day(start), start_of_day(end)


def day_ordinal(value: date | datetime | int) -> int:
    """A calendar day as its proleptic Gregorian ordinal (date.toordinal): a
    date as it is, an aware datetime by its Europe/London day, an int as an
    ordinal already (as kpis.py gets them from the database)."""
    if isinstance(value, datetime):
        return local_date(value).toordinal()
    if isinstance(value, date):
        return value.toordinal()
    return int(value)


# date(1970, 1, 1).toordinal(): to turn days since the Unix epoch into ordinals
EPOCH_ORDINAL = 719163


def offset_spans(start: datetime, end: datetime, tz: ZoneInfo = LONDON) -> list[tuple[datetime, datetime, int]]:
    """The stretches of [start, end) (aware datetimes) with one UTC offset in
    `tz`, as (from, to, offset in seconds) in UTC, found from the time zone
    database itself (for databases that know no time zones: SQLite)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)

    def offset(moment: datetime) -> int:
        return int(moment.astimezone(tz).utcoffset().total_seconds())

    spans = []
    span_start, current = start, offset(start)
    probe, step = start, timedelta(hours=1)
    while probe < end:
        nxt = min(probe + step, end)
        if offset(nxt) != current:
            # the change lies in (probe, nxt]: find its first second
            lo, hi = probe, nxt
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if offset(mid) == current else (lo, mid)
            hi = hi.replace(microsecond=0)
            spans.append((span_start, hi, current))
            span_start, current = hi, offset(hi)
        probe = nxt
    spans.append((span_start, end, current))
    return [s for s in spans if s[0] < s[1]]


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def months_of_period(start: date, end: date) -> list[str]:
    """Every calendar month the period [start, end) touches, in order ("YYYY-MM")."""
    months = []
    day = date(start.year, start.month, 1)
    while day < end:
        months.append(month_key(day))
        day = _next_month(day)
    return months


def month_boundaries(start: date, end: date) -> list[date]:
    """The first days of the months that begin strictly inside (start, end): the
    points where the period passes from one month to the next."""
    out = []
    day = _next_month(date(start.year, start.month, 1))
    while day < end:
        out.append(day)
        day = _next_month(day)
    return out


def statutory_year(day: date) -> int:
    """The statutory year (1 April to 31 March) a day falls in, named by the
    year it ends (31 March 2025 is in 2025; 1 April 2025 in 2026), as the
    SSDA903 collection years are."""
    return day.year + 1 if (day.month, day.day) >= (4, 1) else day.year


# --- durations --------------------------------------------------------------------


def elapsed_hours(start: datetime, end: datetime) -> float:
    """Real elapsed hours (both moments taken to UTC: across the March clock
    change an episode is an hour shorter than its wall-clock times suggest)."""
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 3600.0


def duration_bucket(hours: float) -> str:
    if hours < 0:
        raise ValueError("a duration cannot be negative")
    for name, lower, upper in DURATION_BUCKETS:
        if lower <= hours < upper:
            return name
    raise ValueError(f"no bucket for {hours} hours")  # pragma: no cover (inf)


def duration_buckets(durations: Iterable[float]) -> dict[str, int]:
    """How many durations (hours) fall in each half-open bucket."""
    return duration_buckets_from_counts((hours, 1) for hours in durations)


def duration_buckets_from_counts(histogram: Iterable[tuple[float, int]]) -> dict[str, int]:
    counts = {name: 0 for name, _, _ in DURATION_BUCKETS}
    for hours, count in histogram:
        counts[duration_bucket(hours)] += count
    return counts


def duration_summary(durations: Iterable[float]) -> tuple[float | None, dict[str, int]]:
    """The median and the bucket counts of durations (hours), from one sort."""
    ordered = sorted(durations)
    counts, below = {}, 0
    for name, _, upper in DURATION_BUCKETS:
        up_to = len(ordered) if upper == math.inf else bisect_left(ordered, upper)
        counts[name], below = up_to - below, up_to
    if ordered and ordered[0] < 0:
        raise ValueError("a duration cannot be negative")
    return _median_of_sorted(ordered), counts


def _median_of_sorted(ordered: list) -> float | None:
    if not ordered:
        return None
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2.0


def median(values: Iterable[float]) -> float | None:
    """The median (mean of the two middle values for an even count), or None
    when there are no values."""
    return _median_of_sorted(sorted(values))


def weighted_median(histogram: Iterable[tuple[float, int]]) -> float | None:
    """The median of values given as (value, how many times) pairs."""
    pairs = sorted((float(v), int(c)) for v, c in histogram if c > 0)
    total = sum(c for _, c in pairs)
    if total == 0:
        return None
    # 1-based ranks of the middle value(s)
    low_rank, high_rank = (total + 1) // 2, total // 2 + 1
    low = high = None
    seen = 0
    for value, count in pairs:
        seen += count
        if low is None and seen >= low_rank:
            low = value
        if seen >= high_rank:
            high = value
            break
    return (low + high) / 2.0


# --- repeat missing ---------------------------------------------------------------


def repeat_window_met(first: date | int, last: date | int, days: int = 90) -> bool:
    """Do two episode start dates (or day ordinals) fall within `days`
    consecutive calendar days (at most days-1 days apart)? The n-in-days
    threshold holds at an episode when this holds for it and the episode n-1
    before it."""
    return 0 <= day_ordinal(last) - day_ordinal(first) <= days - 1


def monthly_multiple_met(starts_in_month: int, n: int = 5) -> bool:
    """Is a child with this many episodes starting in one calendar month
    listed for that month's review?"""
    return starts_in_month >= n


def _ordinals(starts: Iterable[date | datetime | int]) -> list[int]:
    """Sorted day ordinals (day ordinals already, as kpis.py gives them, pass as they are)."""
    ordered = sorted(starts)
    if ordered and type(ordered[0]) is not int:
        ordered = sorted(map(day_ordinal, ordered))
    return ordered


class Start(tuple):
    """An episode start that says whether it matches a filter:
    Start((day, moment, matches)), `day` a date, aware datetime or day
    ordinal, `moment` anything that orders starts within one day (kpis.py
    gives milliseconds since the epoch), `matches` a bool.

    With filtered figures (homeward/reporting/filters.py) every episode of
    the child still counts towards a threshold, but the child is counted only
    where the threshold is reached at (3 in 90), or in a month with (monthly
    multiple), an episode that matches."""

    __slots__ = ()


def _ordered(starts: Iterable) -> tuple[list[int], list[bool] | None]:
    """Day ordinals in order, and, for Start entries, whether each matches
    (None when the starts are plain days: every one matches)."""
    starts = list(starts)
    if not starts or not isinstance(starts[0], Start):
        return _ordinals(starts), None
    ordered = sorted((day_ordinal(s[0]), s[1], bool(s[2])) for s in starts)
    return [s[0] for s in ordered], [s[2] for s in ordered]


def three_in_ninety(
    starts_by_child: Mapping[Hashable, Iterable[date | datetime | int | Start]],
    start: date,
    end: date,
    n: int = 3,
    days: int = 90,
) -> set:
    """Children who meet the repeat threshold in the period [start, end):
    an episode starting in the period is at least the n-th of episode starts
    falling within `days` consecutive calendar days, i.e. its start date and
    the start date of the episode n-1 before it are at most days-1 days
    apart. The earlier episodes may be before the period. Several episodes
    starting on one day each count. Starts are local dates, aware datetimes
    (taken to their Europe/London day) or day ordinals; or `Start` entries,
    when only an episode that matches a filter may be the one that meets it
    (every episode still counts towards it)."""
    if n < 1 or days < 1:
        raise ValueError("the threshold needs at least one episode and one day")
    first, last = start.toordinal(), end.toordinal()
    met = set()
    for child, starts in starts_by_child.items():
        ordinals, matches = _ordered(starts)
        for i in range(n - 1, len(ordinals)):
            if matches is not None and not matches[i]:
                continue
            if first <= ordinals[i] < last and repeat_window_met(ordinals[i - n + 1], ordinals[i], days):
                met.add(child)
                break
    return met


def monthly_multiple(
    starts_by_child: Mapping[Hashable, Iterable[date | datetime | int | Start]],
    start: date,
    end: date,
    n: int = 5,
) -> dict[str, set]:
    """For each calendar month of the period, the children with at least n
    episodes starting in that month (only starts inside [start, end) count,
    so a month cut by the period's edge counts its part inside the period).
    Months with nobody listed are left out. Starts as for three_in_ninety;
    with `Start` entries a listed child is kept for a month only if at least
    one of their episodes that month matches."""
    if n < 1:
        raise ValueError("the threshold needs at least one episode")
    first, last = start.toordinal(), end.toordinal()
    listed: dict[str, set] = defaultdict(set)
    for child, starts in starts_by_child.items():
        per_month: dict[str, int] = defaultdict(int)
        matched: set[str] = set()
        ordinals, matches = _ordered(starts)
        for i, ordinal in enumerate(ordinals):
            if first <= ordinal < last:
                month = month_key(date.fromordinal(ordinal))
                per_month[month] += 1
                if matches is None or matches[i]:
                    matched.add(month)
        for month, count in per_month.items():
            if monthly_multiple_met(count, n) and month in matched:
                listed[month].add(child)
    return dict(listed)


# --- age bands ------------------------------------------------------------------------


def age_band_contains(band: tuple[int, int | None], age: int) -> bool:
    """Is an age (whole years) in a band [lower, upper) (upper None: no limit)?"""
    lower, upper = band
    return age >= lower and (upper is None or age < upper)


def age_band_met_between(band: tuple[int, int | None], dob: date, first: date, last: date) -> bool:
    """Was a child born on `dob` in the age band on at least one day from
    `first` to `last` inclusive? (Ages only grow, so the band is met when the
    age on the first day is below its upper end and the age on the last day
    at or above its lower end.)"""
    if last < first:
        return False
    lower, upper = band
    return (upper is None or age_on(dob, first) < upper) and age_on(dob, last) >= lower


# --- return home interviews -------------------------------------------------------


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def is_working_day(day: date) -> bool:
    """Monday to Friday, except England and Wales bank holidays."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after `day` (the day itself never counts)."""
    if n < 0:
        raise ValueError("a number of working days cannot be negative")
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def rhi_due(returned_at: datetime, *, hours: float | None = 72, working_days: int | None = None) -> datetime:
    """When the return home interview offer is due: `hours` real hours after
    the return (72 by default), or, where the protocol says so, the same
    Europe/London clock time on the `working_days`-th working day after the
    day of the return (weekends and England and Wales bank holidays skipped)."""
    if working_days:
        local = returned_at.astimezone(LONDON)
        due_day = add_working_days(local.date(), working_days)
        return datetime.combine(due_day, local.time().replace(tzinfo=None), tzinfo=LONDON).astimezone(UTC)
    if hours is None:
        raise ValueError("the protocol gives neither hours nor working days for the interview")
    return returned_at.astimezone(UTC) + timedelta(hours=hours)


def rhi_due_bound_days(*, hours: float | None = 72, working_days: int | None = None) -> int:
    """Whole days that are certain to cover the due time after any return
    (used to narrow the database's candidates before rhi_due decides exactly)."""
    if working_days:
        # at most 2 weekend days per 5 working days, plus a Christmas/Easter cluster
        return working_days + 2 * (working_days // 5 + 1) + 5
    return math.ceil((hours or 0) / 24) + 1


def age_on(dob: date, day: date) -> int:
    years = day.year - dob.year
    if (day.month, day.day) < (dob.month, dob.day):
        years -= 1
    return years


class Exclusion:
    """The reasons an ended episode needs no interview offer (definitions.md)."""

    NEW_EPISODE = "new_episode_before_due"
    PLACED_BY_OTHER_AUTHORITY = "placed_in_area_by_another_authority"
    AGED_18 = "aged_18_or_over"
    DIED = "died"


def rhi_exclusion(
    *,
    returned_at: datetime | None,
    due_at: datetime | None,
    next_started_at: datetime | None,
    placed_by_other_authority: bool,
    dob: date | None,
    date_of_death: date | None,
) -> str | None:
    """Why an ended episode needs no return home interview offer, or None when
    it needs one (definitions.md: only these exclusions):

    (a) the child started a new episode before the offer was due (strictly
        before the due time: the next interview covers both);
    (b) the child is placed in the area by another authority, whose
        responsibility the interview is;
    (c) the child died, or was 18, by the time the offer was due.

    (a) and (c) are the interviews part's rule
    (`homeward.interviews.rules.requirement`, with no offer made), so the
    figures, the interview worklist and the protocol's tasks agree.

    An episode with no return needs nothing yet, and is not an exclusion
    either: the caller only asks about ended episodes.
    """
    from homeward.interviews import rules as interview_rules

    if returned_at is None:
        raise ValueError("only an episode that ended can need an interview")
    if placed_by_other_authority:
        return Exclusion.PLACED_BY_OTHER_AUTHORITY
    need = interview_rules.requirement(
        returned_at=returned_at, due=due_at or returned_at,
        # an unknown date of birth cannot make the child 18: as if born that day
        dob=dob or local_date(returned_at), date_of_death=date_of_death, next_episode_start=next_started_at,
    )
    if need.required:
        return None
    return {interview_rules.NEW_EPISODE: Exclusion.NEW_EPISODE, interview_rules.TURNED_18: Exclusion.AGED_18,
            interview_rules.DIED: Exclusion.DIED}[need.exclusion]


# --- rates ------------------------------------------------------------------------


def rate(numerator: int, denominator: int, *, per: float = 1.0, places: int = 2) -> float | None:
    """numerator / denominator * per, rounded; None when the denominator is 0
    (a rate of nothing is not zero)."""
    if not denominator:
        return None
    return round(numerator * per / denominator, places)
