"""The link rules: when two children are linked by their episodes, and when a
person or a place links children. Pure functions over plain facts, tested at
their edges (tests/intelligence/test_rules.py); nothing here reads the
database.

Two episodes of different children are linked when:

- **went missing together**: they went missing from the same origin (the
  same placement provider, or the same full postcode where no provider is
  recorded on either) and their start times are at most
  ``MISSING_TOGETHER_HOURS`` apart (inclusive: exactly 2 hours apart is
  together, a second more is not);
- **missing at the same time**: from the same origin, starts further apart
  than that, but the periods overlap (share a moment; an episode still open
  runs to now; periods that only touch do not overlap);
- **found together**: both returned, at the same found place (the same full
  found postcode) and their return times are at most
  ``FOUND_TOGETHER_HOURS`` apart (inclusive). A description without a
  postcode ("Railway station", "a friend's house") names a kind of place,
  not a place: two children found at "the station" in two towns are not
  found together, so words alone never make the same place.

A person of concern or a place links children when it is linked to at least
``SHARED_MIN_CHILDREN`` different children. For places only the roles in
``SHARED_PLACE_ROLES`` count: where a child went missing from is their home
or placement, which children share without it meaning anything; children
who went missing from it at the same time are caught by the rules above.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Hashable, Iterable

# Starts at most this many hours apart, from the same origin: went missing together.
MISSING_TOGETHER_HOURS = 2
# Returns at most this many hours apart, at the same found place: found together.
FOUND_TOGETHER_HOURS = 2
# A person of concern or place linked to at least this many children links them.
SHARED_MIN_CHILDREN = 2
# Place roles (homeward.places ChildPlace.role) that make a place shared.
SHARED_PLACE_ROLES = frozenset({"found", "stayed", "taken_to", "frequented"})

MISSING_TOGETHER = "missing_together"
MISSING_SAME_TIME = "missing_same_time"
FOUND_TOGETHER = "found_together"
KIND_TEXT = {
    MISSING_TOGETHER: "Went missing together",
    MISSING_SAME_TIME: "Missing at the same time",
    FOUND_TOGETHER: "Found together",
}
# What the two episodes had in common.
BASIS_PROVIDER = "provider"
BASIS_ADDRESS = "address"
BASIS_FOUND_POSTCODE = "found_postcode"

FULL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$")


def unit_postcode(text: str) -> str:
    """The full (unit) postcode in canonical form, or "" for anything less (a
    district such as CT1 covers thousands of addresses, so it never makes two
    episodes the same origin)."""
    compact = re.sub(r"\s+", "", (text or "").strip().upper())
    if len(compact) < 5:
        return ""
    value = f"{compact[:-3]} {compact[-3:]}"
    return value if FULL_POSTCODE.match(value) else ""


@dataclass(frozen=True)
class EpisodeFacts:
    """What the rules need of one episode."""

    episode_id: int
    child_id: int
    started_at: datetime
    returned_at: datetime | None = None
    provider_id: int | None = None
    postcode: str = ""  # where the child went missing from
    found_postcode: str = ""
    found_where: str = ""


@dataclass(frozen=True)
class EpisodeLink:
    """Two episodes of different children that the rules link, `a` the earlier."""

    kind: str
    basis: str
    a: EpisodeFacts
    b: EpisodeFacts
    hours_apart: float  # between the starts (missing) or the returns (found)
    overlap_hours: float | None = None  # missing at the same time: how long both were missing

    @property
    def key(self) -> tuple:
        return (self.kind, *sorted((self.a.episode_id, self.b.episode_id)))

    @property
    def child_ids(self) -> tuple[int, int]:
        return self.a.child_id, self.b.child_id

    def other(self, child_id: int) -> EpisodeFacts:
        return self.b if self.a.child_id == child_id else self.a

    def own(self, child_id: int) -> EpisodeFacts:
        return self.a if self.a.child_id == child_id else self.b

    @property
    def text(self) -> str:
        return KIND_TEXT[self.kind]


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def hours_between(a: datetime, b: datetime) -> float:
    """Real elapsed hours between two moments, whichever is first."""
    return abs((_utc(b) - _utc(a)).total_seconds()) / 3600.0


def overlap_hours(a: EpisodeFacts, b: EpisodeFacts, now: datetime) -> float:
    """How long two episodes were both under way (0 when they only touch or
    are apart). An open episode runs to `now`."""
    start = max(_utc(a.started_at), _utc(b.started_at))
    end = min(_utc(a.returned_at or now), _utc(b.returned_at or now))
    return max(0.0, (end - start).total_seconds() / 3600.0)


def same_origin(a: EpisodeFacts, b: EpisodeFacts) -> str | None:
    """The same provider (when both have one), else the same full postcode."""
    if a.provider_id is not None and b.provider_id is not None:
        return BASIS_PROVIDER if a.provider_id == b.provider_id else None
    pa, pb = unit_postcode(a.postcode), unit_postcode(b.postcode)
    if pa and pa == pb:
        return BASIS_ADDRESS
    return None


def same_found_place(a: EpisodeFacts, b: EpisodeFacts) -> str | None:
    """The same full found postcode (the words describing the place are
    shown, never compared: see the module's docstring)."""
    pa, pb = unit_postcode(a.found_postcode), unit_postcode(b.found_postcode)
    if pa and pa == pb:
        return BASIS_FOUND_POSTCODE
    return None


def _ordered(a: EpisodeFacts, b: EpisodeFacts, by) -> tuple[EpisodeFacts, EpisodeFacts]:
    ka, kb = (_utc(by(a)), a.episode_id), (_utc(by(b)), b.episode_id)
    return (a, b) if ka <= kb else (b, a)


def missing_link(a: EpisodeFacts, b: EpisodeFacts, *, now: datetime) -> EpisodeLink | None:
    """Went missing together, or missing at the same time, or None."""
    if a.child_id == b.child_id:
        return None
    basis = same_origin(a, b)
    if basis is None:
        return None
    first, second = _ordered(a, b, lambda e: e.started_at)
    apart = hours_between(first.started_at, second.started_at)
    if apart <= MISSING_TOGETHER_HOURS:
        return EpisodeLink(MISSING_TOGETHER, basis, first, second, apart)
    both = overlap_hours(first, second, now)
    if both > 0:
        return EpisodeLink(MISSING_SAME_TIME, basis, first, second, apart, both)
    return None


def found_link(a: EpisodeFacts, b: EpisodeFacts) -> EpisodeLink | None:
    """Found together, or None."""
    if a.child_id == b.child_id or a.returned_at is None or b.returned_at is None:
        return None
    basis = same_found_place(a, b)
    if basis is None:
        return None
    first, second = _ordered(a, b, lambda e: e.returned_at)
    apart = hours_between(first.returned_at, second.returned_at)
    if apart <= FOUND_TOGETHER_HOURS:
        return EpisodeLink(FOUND_TOGETHER, basis, first, second, apart)
    return None


def _origin_keys(e: EpisodeFacts) -> list[Hashable]:
    # In both groups: an episode with a provider may share its postcode with
    # one recorded without (missing_link decides).
    keys: list[Hashable] = []
    if e.provider_id is not None:
        keys.append(("provider", e.provider_id))
    postcode = unit_postcode(e.postcode)
    if postcode:
        keys.append(("address", postcode))
    return keys


def _found_keys(e: EpisodeFacts) -> list[Hashable]:
    postcode = unit_postcode(e.found_postcode)
    return [("postcode", postcode)] if postcode else []


def episode_links(episodes: Iterable[EpisodeFacts], *, now: datetime,
                  involving: set[int] | None = None) -> list[EpisodeLink]:
    """Every link between the episodes given (only those involving one of the
    children in `involving`, when given), each pair once, in a stable order.

    Episodes are grouped by origin (and by found place), sorted by time and
    swept, so the work grows with the episodes that are close in time, not
    with the square of all of them.
    """
    items = list({e.episode_id: e for e in episodes}.values())
    found: dict[tuple, EpisodeLink] = {}
    window = timedelta(hours=MISSING_TOGETHER_HOURS)
    far = datetime.max.replace(tzinfo=timezone.utc)

    def keep(link: EpisodeLink | None) -> None:
        if link is None:
            return
        if involving is not None and not (set(link.child_ids) & involving):
            return
        found.setdefault(link.key, link)

    # Missing: an earlier episode can still link to a later one while the
    # later one starts within the window or before the earlier one ended.
    groups: dict[Hashable, list[EpisodeFacts]] = defaultdict(list)
    for e in items:
        for key in _origin_keys(e):
            groups[key].append(e)
    for group in groups.values():
        group.sort(key=lambda e: (_utc(e.started_at), e.episode_id))
        active: list[tuple[datetime, EpisodeFacts]] = []
        for current in group:
            start = _utc(current.started_at)
            active = [(reach, e) for reach, e in active if reach >= start]
            for _, earlier in active:
                keep(missing_link(earlier, current, now=now))
            end = _utc(current.returned_at) if current.returned_at is not None else far
            active.append((max(end, start + window), current))

    # Found: returns within the window, at the same place.
    found_window = timedelta(hours=FOUND_TOGETHER_HOURS)
    groups = defaultdict(list)
    for e in items:
        if e.returned_at is None:
            continue
        for key in _found_keys(e):
            groups[key].append(e)
    for group in groups.values():
        group.sort(key=lambda e: (_utc(e.returned_at), e.episode_id))
        active_found: list[EpisodeFacts] = []
        for current in group:
            back = _utc(current.returned_at)
            active_found = [e for e in active_found if _utc(e.returned_at) + found_window >= back]
            for earlier in active_found:
                keep(found_link(earlier, current))
            active_found.append(current)

    return sorted(found.values(), key=_link_order)


def _link_order(link: EpisodeLink) -> tuple:
    """Earliest first: by the first episode's moment (start, or return for
    found together), then the second's, then the kind and the episodes."""
    moment = (lambda e: e.returned_at) if link.kind == FOUND_TOGETHER else (lambda e: e.started_at)
    return (_utc(moment(link.a)), _utc(moment(link.b)), link.kind, link.a.episode_id, link.b.episode_id)


# --- people and places linking children -------------------------------------------------------------


def shared(pairs: Iterable[tuple[Hashable, int]], *, min_children: int = SHARED_MIN_CHILDREN) -> dict[Hashable, set[int]]:
    """From (person or place, child) pairs: those linked to at least
    `min_children` different children, with the children."""
    children: dict[Hashable, set[int]] = defaultdict(set)
    for thing, child_id in pairs:
        children[thing].add(child_id)
    return {thing: ids for thing, ids in children.items() if len(ids) >= min_children}


def place_counts_for_sharing(role: str) -> bool:
    return role in SHARED_PLACE_ROLES


# --- the shortlist ---------------------------------------------------------------------------------

SHORTLIST_SIZE = 10


@dataclass
class Ranked:
    """One entry of a shortlist: what, how many, and the links that put it there."""

    key: Hashable
    count: int
    label: str = ""
    why: list = field(default_factory=list)


def rank(counts: dict[Hashable, int], *, labels: dict[Hashable, str] | None = None,
         size: int = SHORTLIST_SIZE, minimum: int = 1) -> list[Ranked]:
    """The `size` largest counts, at least `minimum`, ties broken by label
    then key so that the same data always gives the same list."""
    labels = labels or {}
    entries = [Ranked(key, n, labels.get(key, "")) for key, n in counts.items() if n >= minimum]
    entries.sort(key=lambda r: (-r.count, r.label.casefold(), str(r.key)))
    return entries[:size]


def describe_hours(hours: float) -> str:
    """'45 minutes', '2 hours 5 minutes', '3 days 4 hours' (to the minute; days from 48 hours)."""
    minutes = int(math.floor(hours * 60 + 0.5))
    if minutes < 60:
        return _plural(minutes, "minute")
    h, m = divmod(minutes, 60)
    if h < 48:
        return " ".join([_plural(h, "hour")] + ([_plural(m, "minute")] if m else []))
    d, h = divmod(h, 24)
    return " ".join([_plural(d, "day")] + ([_plural(h, "hour")] if h else []))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
