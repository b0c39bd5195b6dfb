"""The figures of the quarterly and annual report on children missing from
home and care, for the safeguarding partnership and the corporate parenting
panel (docs/reports.md).

Where the key figures (`kpis.key_figures`) give a figure, it is taken from
them, for the period and for the same period a year earlier: episodes,
children, home and care, children by number of episodes, durations,
looked-after children, placed in and placed out, return home interviews,
the repeat threshold and the monthly review. Nothing here counts those again.

What the key figures do not give is computed here, by the pure functions
below (tested at their edges in tests/reporting/test_periodic_rules.py) over
compact rows of the same episodes, chosen by the same rule (definitions.md,
"Whose episode"), with merged duplicate records counted once
(`kpis.merged_children`):

- children by month, and looked-after children who went missing by month;
- children listed for the monthly review, month by month
  (`rules.monthly_multiple`, the rule the key figures use);
- children placed in the area by other authorities and the authority's own
  children placed out of area, by authority, placement type (SSDA903
  PLACE) and distance from home, with unaccompanied asylum-seeking children
  (a `uasc` flag in force when the episode started);
- the outcomes of return home interviews (by the interviews part's own rule,
  `interviews.rules.measures`) and the reasons children gave.

Every count goes through the published-output suppression of render.py
(`apply_suppression`) when a threshold is given.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Hashable, Iterable, Mapping, Sequence

from . import rules

# --- periods ----------------------------------------------------------------------------------

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
FIRST_YEAR, LAST_YEAR = 2000, 2100
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
PERIOD_HELP = ("give a quarter as YYYY-Qn (2025-Q1 is January to March 2025) or a financial year as YYYY-YY "
               "(2025-26 is 1 April 2025 to 31 March 2026)")


class PeriodError(ValueError):
    """Text that is not a period of the report."""


@dataclass(frozen=True)
class Period:
    """A calendar quarter or a financial (statutory) year; `end` exclusive."""

    code: str  # "2025-Q1" or "2025-26"
    kind: str  # "quarter" or "year"
    start: date
    end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        """"January to March 2025"; "1 April 2025 to 31 March 2026"."""
        if self.kind == "quarter":
            return f"{MONTH_NAMES[self.start.month - 1]} to {MONTH_NAMES[self.last_day.month - 1]} {self.start.year}"
        return f"1 April {self.start.year} to 31 March {self.end.year}"

    @property
    def financial_year(self) -> str:
        """The financial year the period is in (or is), as "2025-26"."""
        first = self.start.year if self.start.month >= 4 else self.start.year - 1
        return f"{first}-{(first + 1) % 100:02d}"

    @property
    def financial_quarter(self) -> int | None:
        """1 for April to June ... 4 for January to March; None for a year."""
        if self.kind != "quarter":
            return None
        return (self.start.month - 4) % 12 // 3 + 1

    @property
    def title(self) -> str:
        if self.kind == "quarter":
            return f"{self.label} (quarter {self.financial_quarter} of {self.financial_year})"
        return f"Financial year {self.financial_year} ({self.label})"

    @property
    def phrase(self) -> str:
        """The title inside a sentence: "the financial year 2025-26 (...)"."""
        return self.title if self.kind == "quarter" else "the f" + self.title[1:]

    @property
    def short(self) -> str:
        """For chart legends and table headings: "Jan to Mar 2025", "2025-26"."""
        if self.kind == "quarter":
            return (f"{MONTH_NAMES[self.start.month - 1][:3]} to {MONTH_NAMES[self.last_day.month - 1][:3]} "
                    f"{self.start.year}")
        return self.financial_year

    def a_year_earlier(self) -> "Period":
        if self.kind == "quarter":
            return quarter(self.start.year - 1, (self.start.month - 1) // 3 + 1)
        return financial_year(self.start.year - 1)

    def as_dict(self) -> dict:
        return {"code": self.code, "kind": self.kind, "from": self.start.isoformat(), "to": self.end.isoformat(),
                "label": self.label, "title": self.title, "financial_year": self.financial_year}


def quarter(year: int, number: int) -> Period:
    """Calendar quarter `number` (1: January to March) of `year`."""
    if not 1 <= number <= 4:
        raise PeriodError(f"there is no quarter {number}: quarters are 1 to 4")
    start = date(year, 3 * number - 2, 1)
    end = date(year + (number == 4), (3 * number) % 12 + 1, 1)
    return Period(f"{year}-Q{number}", "quarter", start, end)


def financial_year(first: int) -> Period:
    """1 April `first` to 31 March `first + 1`."""
    return Period(f"{first}-{(first + 1) % 100:02d}", "year", date(first, 4, 1), date(first + 1, 4, 1))


def parse_period(text: str | None) -> Period:
    """A period from "2025-Q1" (a calendar quarter: January to March 2025)
    or "2025-26" (a financial year: 1 April 2025 to 31 March 2026)."""
    value = (text or "").strip()
    m = _QUARTER.match(value)
    if m:
        year = int(m.group(1))
        _check_year(year, value)
        return quarter(year, int(m.group(2)))
    m = _YEAR.match(value)
    if m:
        first = int(m.group(1))
        _check_year(first, value)
        if int(m.group(2)) != (first + 1) % 100:
            raise PeriodError(f"'{value}' is not a financial year: the year after {first} is "
                              f"{first}-{(first + 1) % 100:02d}")
        return financial_year(first)
    raise PeriodError(f"'{value}' is not a period: {PERIOD_HELP}")


def _check_year(year: int, value: str) -> None:
    if not FIRST_YEAR <= year < LAST_YEAR:
        raise PeriodError(f"'{value}': give a year from {FIRST_YEAR} to {LAST_YEAR - 1}")


def recent_periods(today: date, *, quarters: int = 8, years: int = 3) -> tuple[list[Period], list[Period]]:
    """The last `quarters` calendar quarters and `years` financial years that
    have begun by `today` (the current one first, though not over yet)."""
    q = quarter(today.year, (today.month - 1) // 3 + 1)
    qs = []
    for _ in range(quarters):
        qs.append(q)
        q = _previous_quarter(q)
    first = today.year if today.month >= 4 else today.year - 1
    return qs, [financial_year(first - i) for i in range(years)]


def default_period(today: date) -> Period:
    """The last quarter that has ended by `today`."""
    return _previous_quarter(quarter(today.year, (today.month - 1) // 3 + 1))


def _previous_quarter(q: Period) -> Period:
    number = (q.start.month - 1) // 3 + 1
    return quarter(q.start.year - 1, 4) if number == 1 else quarter(q.start.year, number - 1)


# --- counting by month ------------------------------------------------------------------------


def by_month(starts: Iterable[tuple[Hashable, date]], months: Sequence[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Episodes and distinct children by the calendar month of the start.

    `starts`: one (child, Europe/London start day) per episode. Every month
    of `months` ("YYYY-MM") is listed, zeros included; a start outside them
    is not counted. A child with episodes in two months counts in both."""
    episodes = {m: 0 for m in months}
    children: dict[str, set] = {m: set() for m in months}
    for child, day in starts:
        key = rules.month_key(day)
        if key in episodes:
            episodes[key] += 1
            children[key].add(child)
    return episodes, {m: len(c) for m, c in children.items()}


def monthly_review_by_month(starts_by_child: Mapping[Hashable, Iterable[date | datetime | int]], start: date,
                            end: date, months: Sequence[str], *, n: int) -> dict[str, int]:
    """Children listed for each month's Multiple Missing and Hotspots review
    (at least `n` episodes starting in that month: rules.monthly_multiple),
    every month listed."""
    listed = rules.monthly_multiple(starts_by_child, start, end, n=n)
    return {m: len(listed.get(m, ())) for m in months}


# Children by their number of episodes in the period, in the groups shown
# (key, fewest, most).
EPISODE_COUNT_GROUPS: tuple[tuple[str, int, float], ...] = (
    ("1", 1, 1), ("2", 2, 2), ("3", 3, 3), ("4", 4, 4), ("5_to_9", 5, 9), ("10_or_more", 10, math.inf),
)
EPISODE_COUNT_LABELS = {"1": "1 episode", "2": "2 episodes", "3": "3 episodes", "4": "4 episodes",
                        "5_to_9": "5 to 9 episodes", "10_or_more": "10 or more episodes"}


def group_episode_counts(by_count: Mapping[str, int]) -> dict[str, int]:
    """The key figures' children_by_episode_count ({"1": n, "2": n, ...})
    summed into EPISODE_COUNT_GROUPS."""
    out = {key: 0 for key, _, _ in EPISODE_COUNT_GROUPS}
    for count, children in by_count.items():
        k = int(count)
        if k < 1:
            raise ValueError(f"a child in the period has at least one episode, not {k}")
        for key, low, high in EPISODE_COUNT_GROUPS:
            if low <= k <= high:
                out[key] += int(children)
                break
    return out


# --- distances --------------------------------------------------------------------------------

EARTH_RADIUS_MILES = 3958.8


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in miles between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


# Distance from home, half-open bands [lower, upper) miles.
DISTANCE_BANDS: tuple[tuple[str, str, float, float], ...] = (
    ("under_10", "Under 10 miles", 0.0, 10.0),
    ("10_to_20", "10 to 20 miles", 10.0, 20.0),
    ("20_to_50", "20 to 50 miles", 20.0, 50.0),
    ("50_or_more", "50 miles or more", 50.0, math.inf),
)
UNKNOWN_DISTANCE = "unknown"
DISTANCE_LABELS = {key: label for key, label, _, _ in DISTANCE_BANDS} | {UNKNOWN_DISTANCE: "Distance not known"}


def distance_band(miles: float | None) -> str:
    """The band of a distance in miles, or "unknown" for None."""
    if miles is None:
        return UNKNOWN_DISTANCE
    if miles < 0 or math.isnan(miles):
        raise ValueError("a distance cannot be negative")
    for key, _, lower, upper in DISTANCE_BANDS:
        if lower <= miles < upper:
            return key
    raise ValueError(f"no band for {miles} miles")  # pragma: no cover (inf)


def distance_from_home(home: tuple[float, float] | None, placement: tuple[float, float] | None) -> float | None:
    """Miles from the child's home to the placement, each a (latitude,
    longitude) or None when its postcode is missing or not located."""
    if home is None or placement is None:
        return None
    return miles_between(home, placement)


# --- placement types --------------------------------------------------------------------------

# SSDA903 PLACE codes, grouped (ssda903.md); a provider's kind when no code.
PLACEMENT_TYPES: tuple[tuple[str, str], ...] = (
    ("foster", "Foster care"),
    ("childrens_home", "Children’s home"),
    ("secure", "Secure children’s home"),
    ("semi_independent", "Semi-independent or supported accommodation"),
    ("residential_other", "Other residential care (care home, school, health, custody)"),
    ("parents", "Placed with parents"),
    ("independent", "Independent living"),
    ("adoption", "Placed for adoption"),
    ("other", "Other placement"),
    ("not_recorded", "Placement type not recorded"),
)
PLACEMENT_TYPE_LABELS = dict(PLACEMENT_TYPES)
_PLACE_CODES = {
    "K2": "childrens_home", "K1": "secure", "H5": "semi_independent", "R1": "residential_other",
    "R2": "residential_other", "R3": "residential_other", "R5": "residential_other", "S1": "residential_other",
    "P1": "parents", "P2": "independent", "P3": "independent", "Z1": "other",
}
_PROVIDER_KINDS = {
    "children_home": "childrens_home", "secure": "secure", "semi_independent": "semi_independent",
    "fostering_agency": "foster", "foster_carer": "foster", "residential_school": "residential_other",
    "other": "other",
}


def placement_type(place_code: str | None, provider_kind: str | None = None) -> str:
    """The placement type (PLACEMENT_TYPES key) of an SSDA903 PLACE code
    (U1 to U6 foster care, K2 children's home, H5 semi-independent, ...),
    else of the provider's kind, else "not_recorded"."""
    code = (place_code or "").strip().upper()
    if code:
        if code[0] == "U":
            return "foster"
        if code[0] == "A":
            return "adoption"
        if code[0] == "T":
            return "other"
        if code in _PLACE_CODES:
            return _PLACE_CODES[code]
        return "other"
    if provider_kind:
        return _PROVIDER_KINDS.get(provider_kind, "other")
    return "not_recorded"


# --- flags ------------------------------------------------------------------------------------


def flag_in_force(spans: Iterable[tuple[date, date | None]], day: date) -> bool:
    """Is a flag with these (start, end) spans in force on `day`? From its
    start date up to, not on, its end date (as ChildFlag.active)."""
    return any(start <= day and (end is None or end > day) for start, end in spans)


# --- return home interviews -------------------------------------------------------------------

OUTCOMES: tuple[tuple[str, str], ...] = (
    ("completed", "Completed"),
    ("declined_by_child", "Declined by the child"),
    ("declined_by_parent_or_carer", "Declined by a parent or carer"),
    ("unable_to_contact", "Unable to contact"),
    ("no_outcome_yet", "No outcome recorded yet"),
)
OUTCOME_LABELS = dict(OUTCOMES)


def interview_outcomes(measure_sets: Iterable[frozenset[str]]) -> dict[str, int]:
    """The outcomes of the interviews that were required, from each
    interview's measures (interviews.rules.measures, for the authority):
    every required interview in exactly one of OUTCOMES, and "overdue" (of
    those with no outcome, the ones past their due time)."""
    out = {"required": 0, **{key: 0 for key, _ in OUTCOMES}, "overdue": 0}
    for found in measure_sets:
        if "required" not in found:
            continue
        out["required"] += 1
        for key in ("completed", "declined_by_child", "declined_by_parent_or_carer", "unable_to_contact"):
            if key in found:
                out[key] += 1
                break
        else:
            out["no_outcome_yet"] += 1
            out["overdue"] += "overdue" in found
    return out


def reason_counts(given: Iterable[tuple[str, str]], known: Sequence[str]) -> dict[str, dict[str, int]]:
    """How many interviews gave each reason, from home, from care and in all:
    one (reason code, "home" | "care") per reason given in an interview.
    Every known code is listed; an unknown code is counted under "other"."""
    out = {group: {code: 0 for code in known} for group in ("home", "care", "total")}
    for code, missing_from in given:
        code = code if code in out["total"] else "other"
        if code not in out["total"]:
            continue
        out["total"][code] += 1
        if missing_from in ("home", "care"):
            out[missing_from][code] += 1
    return out


def top_reasons(totals: Mapping[str, int], labels: Mapping[str, str], top: int = 10) -> list[str]:
    """The codes of the `top` reasons given most often (ties in the order of
    their labels), leaving out those never given."""
    given = [code for code, n in totals.items() if n > 0]
    return sorted(given, key=lambda code: (-totals[code], labels.get(code, code)))[:top]


def percent(part: int | str | None, whole: int | str | None) -> float | None:
    """part / whole as a whole-number percentage; None when the whole is 0 or
    when either was withheld (a string marker) or is unknown."""
    if not isinstance(part, int) or not isinstance(whole, int) or isinstance(part, bool):
        return None
    return rules.rate(part, whole, per=100, places=0)


# --- the protocol -----------------------------------------------------------------------------


def figures_protocol(protocol_rules: Mapping | None) -> dict:
    """The parameters of the figures (definitions.DEFAULT_PROTOCOL's shape)
    from a stored protocol version's rules (homeward/protocol: count and
    window_days of repeat_missing_meeting, count of monthly_multiple_missing,
    due_in of return_interview); what it does not give keeps the default."""
    out: dict = {}
    doc = protocol_rules or {}
    repeat = doc.get("repeat_missing_meeting") or {}
    if isinstance(repeat.get("count"), int) and isinstance(repeat.get("window_days"), int):
        out["repeat_missing_meeting"] = {"episodes": repeat["count"], "days": repeat["window_days"]}
    monthly = doc.get("monthly_multiple_missing") or {}
    if isinstance(monthly.get("count"), int):
        out["monthly_multiple_missing"] = {"episodes": monthly["count"]}
    due = (doc.get("return_interview") or {}).get("due_in") or {}
    if isinstance(due.get("working_days"), int) and due["working_days"] > 0:
        out["return_interview"] = {"hours": None, "working_days": due["working_days"]}
    elif isinstance(due.get("hours"), int) and due["hours"] > 0:
        out["return_interview"] = {"hours": due["hours"], "working_days": None}
    return out


# === the report's figures, from the database ======================================================

# What the figures computed here mean (the key figures' own are in
# definitions.py and printed from there).
DEFINITIONS = {
    "children_by_month": (
        "Distinct children with at least one episode starting in the calendar month (Europe/London); a child "
        "with episodes in several months counts in each of them, and once in the period's total."
    ),
    "looked_after_by_month": (
        "Distinct children of the authority's own with at least one episode from care starting in the month "
        "(children placed by other authorities excluded)."
    ),
    "monthly_review_by_month": (
        "Children with at least {monthly} episodes starting in the calendar month, listed for that month's "
        "Multiple Missing and Hotspots review; a child listed in several months counts in each."
    ),
    "uasc": (
        "Unaccompanied asylum-seeking children: children with a 'uasc' flag in force on the day one of their "
        "episodes of the group started."
    ),
    "placed_in": (
        "Episodes in the authority's area of children another authority is responsible for, and their distinct "
        "children, by the placing authority, the placement type and the distance from the child's home."
    ),
    "placed_out": (
        "Episodes of the authority's own looked-after children whose placement is in another authority's area, "
        "and their distinct children, by the authority hosting the placement, the placement type and the "
        "distance from the child's home."
    ),
    "placement_type": (
        "The SSDA903 placement type (PLACE) of the placement the child went missing from, grouped (U1 to U6 "
        "foster care, K2 children's home, H5 semi-independent or supported accommodation, ...); where no "
        "placement is held, the kind of provider reported; otherwise 'not recorded'. A child with episodes "
        "from placements of different types counts in each."
    ),
    "distance": (
        "Straight-line distance from the child's home postcode (SSDA903 HOME_POST of the placement, else the "
        "home postcode on the child's record) to the placement's postcode (SSDA903 PL_POST, else the "
        "provider's), from the coordinates of each postcode in Homeward's postcode directory, or of its postcode "
        "district's centre when the postcode is not in it or only the district is recorded (then accurate to a few "
        "miles). 'Distance not known': "
        "a postcode is missing, or is not in the directory. A child with episodes in two bands counts in each."
    ),
    "interview_outcomes": (
        "Of the return home interviews the authority was responsible for, for the period's episodes (by the "
        "start of the episode) that required one: the outcome recorded. Every required interview has one "
        "outcome; 'no outcome recorded yet' includes those overdue (past the due time with no outcome)."
    ),
    "reasons": (
        "Reasons for going missing recorded in the findings of completed return home interviews of the period's "
        "episodes: the number of interviews giving each reason (an interview may give several, so the reasons "
        "add up to more than the interviews). The most frequent are shown."
    ),
}


def definitions(protocol: Mapping) -> dict[str, str]:
    """DEFINITIONS, with the protocol's numbers written in."""
    monthly = int(protocol["monthly_multiple_missing"]["episodes"])
    return {key: text.format(monthly=monthly) for key, text in DEFINITIONS.items()}


def protocol_in_force(authority, at: datetime | None) -> dict:
    """The figures' parameters from the authority's protocol version in force
    at `at` (its own, else its region's), or {} (the defaults) if none is
    stored. Reads only: never creates a version."""
    try:
        from homeward.protocol.versions import version_in_force
    except ImportError:  # pragma: no cover - the protocol part is always installed
        return {}
    version = version_in_force(authority, at, create=False)
    return figures_protocol(version.rules) if version is not None else {}


def protocol_for_period(authority, end: date, now: datetime | None = None) -> tuple[dict, str]:
    """The figures' parameters for a period ending (exclusive) on `end`: the
    authority's protocol in force at the period's end, or at `now` for a
    period not yet over (definitions.md: the numbers come from the protocol,
    not from the code); for all authorities together (None), Homeward's
    defaults. Returns (parameters, where they came from, in words)."""
    from django.utils import timezone

    if authority is None:
        return {}, "Homeward's defaults (all authorities together: each authority may set its own)"
    now = now or timezone.now()
    protocol = protocol_in_force(authority, min(rules.start_of_day(end), now))
    if protocol:
        return protocol, "the authority's protocol in force at the end of the period"
    return {}, "Homeward's defaults (the authority has no protocol stored)"


def postcode_points(postcodes: Iterable[str]) -> dict[str, tuple[float, float, str]]:
    """Where each postcode (as written) is: (latitude, longitude, precision
    "unit" or "district"), from the places part's postcode directory
    (`homeward postcodes load`: the unit postcode's own coordinates, else its
    district's centre); postcodes it cannot locate are left out."""
    texts = sorted({t for t in postcodes if t and t.strip()})
    if not texts:
        return {}
    try:
        from homeward.places.directory import geocode_many
        from homeward.places.rules import parse_postcode
    except ImportError:  # pragma: no cover - the places part is installed with Homeward
        return {}
    out = {}
    for text, found in zip(texts, geocode_many([parse_postcode(t) for t in texts])):
        if found.latitude is not None and found.longitude is not None:
            out[text] = (found.latitude, found.longitude, found.precision)
    return out


@dataclass
class _Row:
    """One episode of the authority's, as the report needs it."""

    id: int
    record: int  # the child record the episode is on
    child: int  # the record it survives as (merges followed)
    started_at: datetime
    day: date  # Europe/London day of the start
    missing_from: str
    area: int
    responsible: int | None
    placement: int | None
    provider: int | None


def _episode_rows(authority, start: date, end: date, merged: Mapping[int, int]) -> list[_Row]:
    """The authority's episodes starting in [start, end) (definitions.md,
    "Whose episode": in its area, of its own looked-after children, of its
    children at home), each once: the key figures' set, found the same way
    (three disjoint branches)."""
    from homeward.episodes.models import Episode

    t0, t1 = rules.period_bounds(start, end)
    a = authority.pk
    base = Episode.objects.filter(started_at__gte=t0, started_at__lt=t1).order_by()
    cols = ("id", "child_id", "started_at", "missing_from", "area_authority_id", "responsible_authority_id",
            "placement_id", "provider_id")
    branches = (
        base.filter(area_authority_id=a),
        base.filter(responsible_authority_id=a).exclude(area_authority_id=a),
        base.filter(missing_from="home", child__home_authority_id=a).exclude(area_authority_id=a)
        .exclude(responsible_authority_id=a),
    )
    rows, seen = [], set()
    for qs in branches:
        for pk, record, started_at, missing_from, area, responsible, placement, provider in qs.values_list(*cols):
            if pk in seen:
                continue
            seen.add(pk)
            rows.append(_Row(pk, record, merged.get(record, record), started_at, rules.local_date(started_at),
                             missing_from, area, responsible, placement, provider))
    rows.sort(key=lambda r: (r.started_at, r.id))
    return rows


def _group_counts(pairs: Iterable[tuple[str, Hashable, Hashable]], keys: Sequence[str] = ()) -> tuple[dict, dict]:
    """(episodes by key, distinct children by key) from (key, episode, child) triples."""
    episodes: dict[str, int] = {k: 0 for k in keys}
    children: dict[str, set] = {k: set() for k in keys}
    for key, episode, child in pairs:
        episodes[key] = episodes.get(key, 0) + 1
        children.setdefault(key, set()).add(child)
    return episodes, {k: len(v) for k, v in children.items()}


def _placement_breakdown(rows: list[_Row], authority_of, placements: dict, providers: dict, children: dict,
                         directory, uasc) -> dict:
    """By authority, placement type and distance band: episodes and children;
    and the UASC children among them."""
    by_authority, by_type, by_distance, uasc_children = [], [], [], set()
    for r in rows:
        p = placements.get(r.placement)
        provider = providers.get(r.provider) or (providers.get(p["provider_id"]) if p else None)
        by_authority.append((str(authority_of(r, p) or "unknown"), r.id, r.child))
        by_type.append((placement_type(p["place_code"] if p else "", provider["kind"] if provider else None),
                        r.id, r.child))
        home = (p["home_postcode"] if p else "") or children.get(r.record, "") or children.get(r.child, "")
        where = (p["placement_postcode"] if p else "") or (provider["postcode"] if provider else "")
        a, b = directory.get(home), directory.get(where)
        miles = distance_from_home(a[:2] if a else None, b[:2] if b else None)
        by_distance.append((distance_band(miles), r.id, r.child))
        if uasc(r):
            uasc_children.add(r.child)
    a_eps, a_ch = _group_counts(by_authority)
    t_eps, t_ch = _group_counts(by_type, [k for k, _ in PLACEMENT_TYPES])
    d_eps, d_ch = _group_counts(by_distance, [k for k, _, _, _ in DISTANCE_BANDS] + [UNKNOWN_DISTANCE])
    return {"authority_episodes": a_eps, "authority_children": a_ch, "type_episodes": t_eps, "type_children": t_ch,
            "distance_episodes": d_eps, "distance_children": d_ch, "uasc_children": len(uasc_children)}


def _interviews(authority, start: date, end: date, now: datetime) -> tuple[dict, dict]:
    """(outcomes, reasons) of the interviews of the period's episodes."""
    from django.db.models import Q

    from homeward.interviews import rules as interview_rules
    from homeward.interviews.models import FindingCode, FindingKind, Interview, Reason

    t0, t1 = rules.period_bounds(start, end)
    a = authority.pk
    interviews = (Interview.objects.filter(cancelled_reason="", episode_started_at__gte=t0, episode_started_at__lt=t1)
                  .filter(Q(lead_authority_id=a) | Q(area_authority_id=a)).order_by())
    found_sets, completed = [], {}
    # (the offer and completion times decide only whether they were in time, which the key figures count:
    # not read here, so the outcomes cost a third of the date conversions)
    for (pk, lead, area, required, exclusion, placed_by_other, due, progress, missing_from) in interviews.values_list(
            "id", "lead_authority_id", "area_authority_id", "required", "exclusion", "placed_by_other_authority",
            "due_at", "progress", "missing_from"):
        found = interview_rules.measures(
            for_lead=lead == a, for_area=area == a, required=required, exclusion=exclusion,
            placed_by_other=placed_by_other, due=due, offered_at=None, completed_at=None, progress=progress,
            now=now)
        found_sets.append(found)
        if "completed" in found:
            completed[pk] = missing_from
    given = [(code, completed[interview_id]) for interview_id, code in
             FindingCode.objects.filter(finding__kind=FindingKind.REASONS, finding__interview__in=interviews.values("pk"))
             .order_by().values_list("finding__interview_id", "code") if interview_id in completed]
    return interview_outcomes(found_sets), reason_counts(given, Reason.values)


def _collect(authority, period: Period, protocol: dict, now: datetime, merged: Mapping[int, int]) -> dict:
    """One period's figures: the key figures, and the extra ones (plain counts)."""
    from homeward.people.models import Child, ChildFlag
    from homeward.placements.models import Authority, Placement, Provider

    from .kpis import key_figures

    proto = protocol
    key = key_figures(authority=authority, start=period.start, end=period.end, protocol=proto)
    a = authority.pk
    months = rules.months_of_period(period.start, period.end)
    rows = _episode_rows(authority, period.start, period.end, merged)

    episodes_m, children_m = by_month(((r.child, r.day) for r in rows), months)
    own_care = [r for r in rows if r.responsible == a and r.missing_from == "care"]
    _, looked_after_m = by_month(((r.child, r.day) for r in own_care), months)
    starts: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        starts[r.child].append(r.day.toordinal())
    from .definitions import resolve_protocol

    monthly_n = int(resolve_protocol(proto)["monthly_multiple_missing"]["episodes"])
    review_m = monthly_review_by_month(starts, period.start, period.end, months, n=monthly_n)

    # placements, providers, children's postcodes and flags of the rows that need them
    placement_ids = {r.placement for r in rows if r.placement is not None}
    placements = {p["id"]: p for p in Placement.objects.filter(pk__in=placement_ids).values(
        "id", "host_authority_id", "provider_id", "place_code", "home_postcode", "placement_postcode")}
    placed_in = [r for r in rows if r.area == a and r.responsible is not None and r.responsible != a]
    placed_out = [r for r in rows if r.responsible == a and r.placement in placements
                  and placements[r.placement]["host_authority_id"] is not None
                  and placements[r.placement]["host_authority_id"] != a]
    wanted = placed_in + placed_out
    provider_ids = {r.provider for r in wanted if r.provider} | {
        placements[r.placement]["provider_id"] for r in wanted if r.placement in placements
        and placements[r.placement]["provider_id"]}
    providers = {p["id"]: p for p in Provider.objects.filter(pk__in=provider_ids).values("id", "kind", "postcode")}
    child_ids = {r.record for r in wanted} | {r.child for r in wanted}
    home_postcodes = dict(Child.objects.filter(pk__in=child_ids).values_list("id", "home_postcode"))
    flag_ids = child_ids | {r.record for r in own_care} | {r.child for r in own_care}
    spans: dict[int, list] = defaultdict(list)
    for child_id, s, e in ChildFlag.objects.filter(child_id__in=flag_ids, flag="uasc").values_list(
            "child_id", "start_date", "end_date"):
        spans[child_id].append((s, e))

    def is_uasc(r: _Row) -> bool:
        return flag_in_force(spans.get(r.record, []) + (spans.get(r.child, []) if r.child != r.record else []), r.day)

    postcodes = set(home_postcodes.values())
    for p in placements.values():
        postcodes |= {p["home_postcode"], p["placement_postcode"]}
    postcodes |= {p["postcode"] for p in providers.values()}
    directory = postcode_points(pc for pc in postcodes if pc)

    placed_in_figures = _placement_breakdown(
        placed_in, lambda r, p: r.responsible, placements, providers, home_postcodes, directory, is_uasc)
    placed_out_figures = _placement_breakdown(
        placed_out, lambda r, p: p["host_authority_id"], placements, providers, home_postcodes, directory, is_uasc)
    outcomes, reasons = _interviews(authority, period.start, period.end, now)

    # the placing / hosting authorities by their codes
    ids = {k for f in (placed_in_figures, placed_out_figures) for k in f["authority_episodes"] if k != "unknown"}
    codes = {str(pk): code for pk, code in Authority.objects.filter(pk__in=[int(i) for i in ids])
             .values_list("pk", "code")}
    for f in (placed_in_figures, placed_out_figures):
        for name in ("authority_episodes", "authority_children"):
            f[name] = {codes.get(k, k): v for k, v in f[name].items()}

    extra = {
        "episodes_by_month": episodes_m,  # the key figures' own, again, to check they agree
        # the key figures' children by number of episodes and duration bands, summed before suppression
        "children_by_episodes": group_episode_counts(key["children_by_episode_count"]),
        "durations": {"ended": sum(v for k, v in key["duration_hours"].items() if k != "median")},
        "children_by_month": children_m,
        "looked_after_by_month": looked_after_m,
        "monthly_review_by_month": review_m,
        "uasc": {"looked_after_went_missing": len({r.child for r in own_care if is_uasc(r)}),
                 "placed_in_children": placed_in_figures.pop("uasc_children"),
                 "placed_out_children": placed_out_figures.pop("uasc_children")},
        **{f"placed_in_{k}": v for k, v in placed_in_figures.items()},
        **{f"placed_out_{k}": v for k, v in placed_out_figures.items()},
        "interview_outcomes": outcomes,
        "reasons_home": reasons["home"],
        "reasons_care": reasons["care"],
        "reasons_total": reasons["total"],
    }
    # how many of the postcodes the distances needed the directory located (not counts of children)
    precisions = Counter(p[2] for p in directory.values())
    located = {"postcodes": len({pc for pc in postcodes if pc and pc.strip()}), "units": precisions["unit"],
               "districts": precisions["district"]}
    return {"key": key, "extra": extra, "located": located}


def _suppressed(groups: dict, threshold: int | None) -> dict:
    """Every count of the groups through render.apply_suppression (counts 1
    to threshold-1 become "<threshold"); unchanged with no threshold."""
    if not threshold:
        return groups
    from .render import apply_suppression

    out = apply_suppression(groups, threshold)
    out.pop("suppression", None)
    return out


def partnership_figures(*, authority, period: Period, suppress: int | None = 5, protocol: dict | None = None,
                        now: datetime | None = None) -> dict:
    """The report's figures for `authority` and `period`, with the same period
    a year earlier: {"this": ..., "last": ...} each with "key" (the key
    figures) and "extra" (the figures computed here), suppressed with the
    threshold `suppress` (None or 0: every count shown, for internal use).
    JSON-serialisable."""
    from django.utils import timezone

    from .definitions import definitions_for, resolve_protocol
    from .kpis import merged_children
    from .render import suppression_rule

    if suppress is not None and suppress != 0 and int(suppress) < 2:
        raise ValueError("the suppression threshold must be 2 or more (or none)")
    now = now or timezone.now()
    source = "given"
    if protocol is None:
        protocol, source = protocol_for_period(authority, period.end, now)
    proto = resolve_protocol(protocol)
    merged = merged_children()
    earlier = period.a_year_earlier()
    this = _collect(authority, period, proto, now, merged)
    last = _collect(authority, earlier, proto, now, merged)
    notes = list(dict.fromkeys(this["key"].get("notes", []) + last["key"].get("notes", [])))
    for part in (this, last):
        part["key"].pop("definitions", None)
        part["key"].pop("notes", None)
        if suppress:
            part["key"] = _suppressed(part["key"], suppress)
            notes += [n for n in part["key"].pop("notes", []) if n not in notes]
            part["extra"] = _suppressed(part["extra"], suppress)
    return {
        "report": "partnership",
        "authority": {"code": authority.code, "name": authority.name},
        "period": period.as_dict(),
        "comparison": earlier.as_dict(),
        "protocol": proto,
        "protocol_source": source,
        "suppression": {"threshold": int(suppress), "rule": suppression_rule(int(suppress))} if suppress else None,
        "this": this,
        "last": last,
        "notes": notes,
        "definitions": {**definitions_for(proto), **definitions(proto)},
        "made_at": now.isoformat(timespec="seconds"),
    }
