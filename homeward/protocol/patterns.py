"""The lists the meetings work from: the monthly Multiple Missing and Hotspots
review, episodes around a family group conference, and children's homes
against the number of children placed there.

These read episodes for one authority: its *own* (it is responsible) and
those *in its area* (definitions.md, "Whose episode"). Names are not chosen
here: pages show them only where the person's scope allows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Q

from homeward.episodes.models import Episode
from homeward.placements.models import Placement, Provider

from .rules import LONDON, UTC


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), on the month's last day when it has fewer days."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(d, day.day))
        except ValueError:
            continue
    raise ValueError(day)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


def authority_episodes(authority_id: int):
    return Episode.objects.filter(Q(area_authority_id=authority_id) | Q(responsible_authority_id=authority_id))


def district(postcode: str) -> str | None:
    postcode = (postcode or "").strip().upper()
    if not postcode:
        return None
    return postcode.split()[0] if " " in postcode else postcode[:-3] or postcode


# --- the monthly Multiple Missing and Hotspots review ------------------------------------------


@dataclass
class ReviewChild:
    child_id: int
    episodes: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.episodes)


@dataclass
class MonthlyReview:
    month: date
    threshold: int
    children: list[ReviewChild]
    hotspots: list[tuple[str, int, int]]  # (district, episodes, children), most episodes first
    homes: list[tuple[str, int, int]]  # (home, episodes, children)


def monthly_review(authority_id: int, month: date, threshold: int) -> MonthlyReview:
    """Children with at least `threshold` of the authority's episodes starting
    in that calendar month (UK time), with those episodes; and where they went
    missing from and were found (postcode districts), and the homes."""
    month = month_start(month)
    start, end = local_midnight(month), local_midnight(add_months(month, 1))
    rows = list(authority_episodes(authority_id).filter(started_at__gte=start, started_at__lt=end)
                .select_related("provider").order_by("started_at", "pk"))
    by_child: dict[int, list[Episode]] = defaultdict(list)
    for e in rows:
        by_child[e.child_id].append(e)
    children = [ReviewChild(child_id, eps) for child_id, eps in by_child.items() if len(eps) >= threshold]
    children.sort(key=lambda c: (-c.count, c.episodes[0].started_at))
    spots: dict[str, list] = defaultdict(lambda: [0, set()])
    homes: dict[str, list] = defaultdict(lambda: [0, set()])
    for c in children:
        for e in c.episodes:
            for code in {district(e.postcode), district(e.found_postcode)} - {None}:
                spots[code][0] += 1
                spots[code][1].add(c.child_id)
            if e.provider_id:
                homes[str(e.provider)][0] += 1
                homes[str(e.provider)][1].add(c.child_id)
    order = lambda d: sorted(((k, v[0], len(v[1])) for k, v in d.items()), key=lambda r: (-r[1], r[0]))  # noqa: E731
    return MonthlyReview(month, threshold, children, order(spots), order(homes))


# --- family group conferences: episodes before and after ---------------------------------------


@dataclass
class BeforeAfter:
    before: list
    after: list
    complete: bool  # the three months after have passed

    @property
    def counts(self) -> tuple[int, int]:
        return len(self.before), len(self.after)


def around(child_id: int, held_at: datetime, *, months: int = 3, now: datetime | None = None) -> BeforeAfter:
    """The child's episodes that started in the `months` calendar months
    before the conference and in those after it (seed 004: "6.1 missing
    episodes in the 3 months prior to their FGC and 1.8 in the 3 months
    after"). All the child's episodes count, whichever authority holds them."""
    day = held_at.astimezone(LONDON).date()
    lower = local_midnight(add_months(day, -months))
    upper = local_midnight(add_months(day, months))
    episodes = list(Episode.objects.filter(child_id=child_id, started_at__gte=lower, started_at__lt=upper)
                    .select_related("provider").order_by("started_at", "pk"))
    before = [e for e in episodes if e.started_at < held_at]
    after = [e for e in episodes if e.started_at >= held_at]
    return BeforeAfter(before, after, complete=(now or datetime.now(UTC)) >= upper)


def fgc_averages(outcomes: list[BeforeAfter]) -> dict:
    """Average episodes before and after, over conferences whose three months after have passed."""
    complete = [o for o in outcomes if o.complete]
    if not complete:
        return {"conferences": 0, "before": None, "after": None, "pending": len(outcomes)}
    return {
        "conferences": len(complete),
        "before": round(sum(len(o.before) for o in complete) / len(complete), 1),
        "after": round(sum(len(o.after) for o in complete) / len(complete), 1),
        "pending": len(outcomes) - len(complete),
    }


# --- children's homes ------------------------------------------------------------------------------


@dataclass
class HomeRow:
    provider: Provider
    placed: int  # children placed there at any time in the period
    episodes: int  # episodes from there starting in the period
    children_missing: int
    stands_out: bool = False

    @property
    def per_child(self) -> float | None:
        return round(self.episodes / self.placed, 1) if self.placed else None


@dataclass
class HomesReport:
    start: date
    end: date
    groups: list[tuple[str, list[HomeRow]]]  # by provider organisation
    rate: float | None  # episodes per child placed, all homes together
    unplaced_episodes: int  # episodes from a home with no placement held in Homeward


STAND_OUT_FACTOR = 2.0
STAND_OUT_MIN_EPISODES = 5


def homes(authority_id: int, start: date, end: date) -> HomesReport:
    """Homes in the authority's area: episodes from each (started in
    [start, end)) against the children placed there in that period. A home
    stands out with at least 5 episodes and twice the area's episodes per
    child placed (or episodes with no placement known)."""
    lower, upper = local_midnight(start), local_midnight(end)
    providers = {p.pk: p for p in Provider.objects.filter(host_authority_id=authority_id)
                 .select_related("organisation")}
    placed = dict(Placement.objects.filter(provider_id__in=list(providers), start_date__lt=end)
                  .filter(Q(end_date__isnull=True) | Q(end_date__gt=start))
                  .values("provider_id").annotate(n=Count("child_id", distinct=True)).values_list("provider_id", "n"))
    episodes = {r["provider_id"]: r for r in Episode.objects.filter(provider_id__in=list(providers),
                                                                    started_at__gte=lower, started_at__lt=upper)
                .values("provider_id").annotate(n=Count("pk"), children=Count("child_id", distinct=True))}
    rows = []
    for pk, provider in providers.items():
        ep = episodes.get(pk, {"n": 0, "children": 0})
        if not placed.get(pk) and not ep["n"]:
            continue
        rows.append(HomeRow(provider, placed.get(pk, 0), ep["n"], ep["children"]))
    total_placed = sum(r.placed for r in rows)
    total_episodes = sum(r.episodes for r in rows if r.placed)
    rate = total_episodes / total_placed if total_placed else None
    for r in rows:
        if r.episodes >= STAND_OUT_MIN_EPISODES and (
                not r.placed or (rate and r.episodes / r.placed >= STAND_OUT_FACTOR * rate)):
            r.stands_out = True
    groups: dict[str, list[HomeRow]] = defaultdict(list)
    for r in rows:
        groups[r.provider.organisation.name if r.provider.organisation_id else "Provider not known"].append(r)
    ordered = []
    for name, members in groups.items():
        members.sort(key=lambda r: (-r.episodes, r.provider.name))
        ordered.append((name, members))
    ordered.sort(key=lambda g: (-sum(r.episodes for r in g[1]), g[0]))
    return HomesReport(start, end, ordered, round(rate, 2) if rate is not None else None,
                       sum(r.episodes for r in rows if not r.placed))


def hotspot_counter(episodes) -> Counter:
    return Counter(d for e in episodes for d in {district(e.found_postcode)} if d)
