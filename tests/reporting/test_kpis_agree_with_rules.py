"""The SQL of kpis.py gives the same figures as the counting rules of rules.py
applied one episode at a time, on random worlds crowded at the edges: clock
changes, month ends, period ends, the 72nd hour, 18th birthdays, merged
records, children placed across authorities.

The reference below is deliberately naive: it loads every episode and
applies definitions.md with the pure functions of rules.py.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import pytest

from homeward.episodes.models import Episode
from homeward.people.models import Child
from homeward.placements.models import Placement
from homeward.reporting import rules
from homeward.reporting.definitions import resolve_protocol
from homeward.reporting.kpis import key_figures

UTC = dt.timezone.utc
# moments that matter: clock changes, month and year ends (UTC)
ANCHORS = [
    dt.datetime(2024, 3, 31, 1, 0, tzinfo=UTC), dt.datetime(2024, 10, 27, 1, 0, tzinfo=UTC),
    dt.datetime(2024, 3, 31, 23, 0, tzinfo=UTC), dt.datetime(2024, 6, 30, 23, 0, tzinfo=UTC),
    dt.datetime(2024, 12, 31, 23, 59, tzinfo=UTC), dt.datetime(2025, 3, 31, 22, 30, tzinfo=UTC),
    dt.datetime(2024, 1, 1, 0, 0, tzinfo=UTC), dt.datetime(2024, 7, 31, 23, 0, tzinfo=UTC),
]
PERIODS = [("2024-04-01", "2025-04-01"), ("2024-07-01", "2024-08-01"), ("2024-03-15", "2024-11-02")]


def build_world(seed: int, la) -> None:
    rnd = random.Random(seed)
    authorities = [la.kent, la.southwark, la.notts]
    children = []
    for i in range(30):
        home = rnd.random() < 0.5
        owner = rnd.choice(authorities)
        dob = dt.date(2006, 1, 1) + dt.timedelta(days=rnd.randint(0, 3000))
        child = Child.objects.create(
            first_name=f"C{i}", last_name="R", dob=dob, sex="M",
            home_authority=owner if home else None, responsible_authority=None if home else owner,
            date_of_death=dt.date(2024, 7, 1) + dt.timedelta(days=rnd.randint(0, 300)) if rnd.random() < 0.05 else None,
        )
        placements = []
        if not home:
            start = dt.date(2023, 6, 1) + dt.timedelta(days=rnd.randint(0, 500))
            for _ in range(rnd.randint(1, 2)):
                end = start + dt.timedelta(days=rnd.randint(1, 400)) if rnd.random() < 0.6 else None
                placements.append(Placement.objects.create(
                    child=child, responsible_authority=owner, host_authority=rnd.choice(authorities + [None]),
                    start_date=start, end_date=end))
                if end is None:
                    break
                start = end
        moment = rnd.choice(ANCHORS) + dt.timedelta(minutes=rnd.randint(-3000, 3000))
        for k in range(rnd.randint(0, 9)):
            duration = rnd.choice([dt.timedelta(hours=h) for h in (0, 1, 23, 24, 72, 168, 400)]
                                  + [dt.timedelta(minutes=rnd.randint(1, 20000))])
            returned = moment + duration
            is_open = rnd.random() < 0.15
            placement = next((p for p in placements if p.start_date <= rules.local_date(moment)
                              and (p.end_date is None or p.end_date > rules.local_date(moment))), None)
            care = placement is not None or (not home and rnd.random() < 0.3)
            Episode.objects.create(
                child=child, area_authority=rnd.choice(authorities), placement=placement,
                responsible_authority=(placement.responsible_authority if placement else owner) if care else None,
                category=rnd.choice(["missing", "missing", "absent"]), missing_from="care" if care else "home",
                started_at=moment, returned_at=None if is_open else returned,
            )
            if is_open:
                break
            # the next start: soon after the return (near the 72nd hour), or weeks later
            gap = rnd.choice([dt.timedelta(hours=71, minutes=59), dt.timedelta(hours=72), dt.timedelta(minutes=5),
                              dt.timedelta(days=rnd.randint(1, 45)), dt.timedelta(days=rnd.randint(80, 95))])
            moment = returned + gap
        children.append(child)
    # merged duplicates, some in chains, keeping their episodes
    for duplicate, survivor in zip(children[:6:2], children[1:7:2]):
        duplicate.merged_into = survivor
        duplicate.save(update_fields=["merged_into"])
    children[1].merged_into = children[9]
    children[1].save(update_fields=["merged_into"])


def reference(authority, start: dt.date, end: dt.date, protocol=None) -> dict:
    p = resolve_protocol(protocol)
    n, days = p["repeat_missing_meeting"]["episodes"], p["repeat_missing_meeting"]["days"]
    monthly = p["monthly_multiple_missing"]["episodes"]
    rhi = p["return_interview"]
    t0, t1 = rules.period_bounds(start, end)
    tw = rules.start_of_day(start - dt.timedelta(days=days - 1))
    merged = dict(Child.objects.filter(merged_into__isnull=False).values_list("id", "merged_into_id"))

    def canon(child_id):
        seen = set()
        while child_id in merged and child_id not in seen:
            seen.add(child_id)
            child_id = merged[child_id]
        return child_id

    a = authority.pk if authority else None
    everything = list(Episode.objects.select_related("child", "placement"))

    def theirs(e):
        return a is None or a in (e.area_authority_id, e.responsible_authority_id) or (
            e.missing_from == "home" and e.child.home_authority_id == a)

    def placed_in(e):
        if a is None:
            return e.responsible_authority_id is not None and e.responsible_authority_id != e.area_authority_id
        return e.area_authority_id == a and e.responsible_authority_id not in (None, a)

    def placed_out(e):
        host = e.placement.host_authority_id if e.placement else None
        owner = e.responsible_authority_id if a is None else a
        return e.responsible_authority_id is not None and e.responsible_authority_id == owner and host not in (None, owner)

    def own_care(e):
        own = e.responsible_authority_id is not None if a is None else e.responsible_authority_id == a
        return own and e.missing_from == "care"

    period = [e for e in everything if theirs(e) and t0 <= e.started_at < t1]
    window = [e for e in everything if theirs(e) and tw <= e.started_at < t1]
    per_child = defaultdict(list)
    for e in period:
        per_child[canon(e.child_id)].append(e)
    counts = defaultdict(int)
    for eps in per_child.values():
        counts[str(len(eps))] += 1
    by_count = {"1": 0, "2": 0, "3": 0}
    by_count.update({k: counts[k] for k in sorted(counts, key=int)})

    starts = defaultdict(list)
    for e in window:
        starts[canon(e.child_id)].append(e.started_at)
    three = rules.three_in_ninety(starts, start, end, n=n, days=days)
    listed = rules.monthly_multiple({k: [e.started_at for e in v] for k, v in per_child.items()}, start, end, n=monthly)

    ended = [e for e in period if e.returned_at is not None]
    hours = [rules.elapsed_hours(e.started_at, e.returned_at) for e in ended]
    median = rules.median(hours)
    not_required = 0
    for e in ended:
        later = [x.started_at for x in everything if x.child_id == e.child_id and x.started_at > e.started_at]
        reason = rules.rhi_exclusion(
            returned_at=e.returned_at,
            due_at=rules.rhi_due(e.returned_at, hours=rhi["hours"], working_days=rhi["working_days"]),
            next_started_at=min(later) if later else None,
            placed_by_other_authority=a is not None and placed_in(e),
            dob=e.child.dob, date_of_death=e.child.date_of_death,
        )
        not_required += reason is not None

    lac = {canon(pl.child_id) for pl in Placement.objects.all()
           if (a is None or pl.responsible_authority_id == a) and pl.start_date < end
           and (pl.end_date is None or pl.end_date > start)}
    went_missing = {canon(e.child_id) for e in period if own_care(e)}
    own_care_episodes = sum(own_care(e) for e in period)
    months = {m: 0 for m in rules.months_of_period(start, end)}
    for e in period:
        months[rules.month_key(rules.local_date(e.started_at))] += 1

    def kids(pred):
        return len({canon(e.child_id) for e in period if pred(e)})

    return {
        "episodes": {"total": len(period), "from_home": sum(e.missing_from == "home" for e in period),
                     "from_care": sum(e.missing_from == "care" for e in period),
                     "absent": sum(e.category == "absent" for e in period),
                     "open_at_end": sum(e.returned_at is None or e.returned_at >= t1 for e in period)},
        "children": {"total": kids(lambda e: True), "from_home": kids(lambda e: e.missing_from == "home"),
                     "from_care": kids(lambda e: e.missing_from == "care")},
        "children_by_episode_count": by_count,
        "duration_hours": {"median": None if median is None else round(median, 1), **rules.duration_buckets(hours)},
        "episodes_by_month": months,
        "return_interviews": {"required": len(ended) - not_required, "offered": 0, "offered_in_time": 0,
                              "completed": 0, "completed_in_time": 0, "declined": 0, "not_required": not_required},
        "repeat": {"three_in_ninety_children": len(three),
                   "monthly_multiple_children": len(set().union(*listed.values())) if listed else 0},
        "placements": {"placed_in_episodes": sum(map(placed_in, period)), "placed_in_children": kids(placed_in),
                       "own_placed_out_episodes": sum(map(placed_out, period)),
                       "own_placed_out_children": kids(placed_out)},
        "looked_after": {"children": len(lac), "went_missing": len(went_missing),
                         "went_missing_percent": rules.rate(len(went_missing), len(lac), per=100, places=1),
                         "episodes": own_care_episodes,
                         "episodes_per_child": rules.rate(own_care_episodes, len(lac))},
    }


def without_text(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if k not in ("authority", "from", "to", "definitions", "notes")}


@pytest.mark.parametrize("seed", range(6))
def test_key_figures_agree_with_the_rules_applied_episode_by_episode(la, seed):
    build_world(seed, la)
    assert Episode.objects.count() > 20
    for authority in (la.kent, la.southwark, None):
        for start, end in PERIODS:
            start, end = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
            got = without_text(key_figures(authority=authority, start=start, end=end))
            assert got == reference(authority, start, end), (authority, start, end)


@pytest.mark.parametrize("protocol", [
    {"repeat_missing_meeting": {"episodes": 2, "days": 30}, "monthly_multiple_missing": {"episodes": 2}},
    {"repeat_missing_meeting": {"episodes": 4, "days": 120}, "return_interview": {"working_days": 3}},
    {"repeat_missing_meeting": {"episodes": 1, "days": 1}, "return_interview": {"hours": 24}},
])
def test_key_figures_agree_with_the_rules_under_other_protocols(la, protocol):
    build_world(11, la)
    for authority in (la.kent, None):
        start, end = dt.date(2024, 4, 1), dt.date(2025, 4, 1)
        got = without_text(key_figures(authority=authority, start=start, end=end, protocol=protocol))
        assert got == reference(authority, start, end, protocol), authority
