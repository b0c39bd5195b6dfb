"""The key figures of an authority (or of all authorities) for a period:
`report kpis` (contract.md, "Key figures"), computed by the rules of
definitions.md.

How it is computed, and why so
------------------------------
A year of one authority's episodes must come out in under a second, and of
every authority in under five, with millions of episodes stored, on SQLite
and PostgreSQL alike. So nothing here loads episode objects, and the
authority's episodes are looked up once: one SQL statement returns, for each
of its episodes that started in the period or in the repeat window before
it, a compact tuple of numbers (the child, the month of the period, the
Europe/London day as an ordinal, the flags as bits, start and return in
milliseconds), plus, for the few ended episodes whose child died or could be
18, the child's dates. The counting is then done in Python by the pure
functions of rules.py, the one statement of the rules. (Sorting and grouping
hundreds of thousands of rows costs SQLite more than this does, and the
authority's episodes, which take PostgreSQL three index scans to find, are
found once.)

Three small queries complete it: the merged duplicate children (so that a
child counts once, under the record that survived), the children looked
after in the period (placements), and, later, the recorded interviews.

"The authority's episodes" (definitions.md, "Whose episode"): those of its
own children, i.e. the episode's responsible authority is the authority, or,
for an episode from home, the child lives at home in its area
(`Child.home_authority`); and those in its area (`Episode.area_authority`).
Each episode counts once. With `authority=None`, every episode counts, once.
The three ways in are index range scans (Episode's indexes on
(area_authority, started_at), (responsible_authority, started_at) and
(child, started_at), with Child's index on home_authority), as three
disjoint branches of a UNION ALL.

Calendar rules use Europe/London local time: the month boundaries are passed
to the database as exact moments, and local days are computed from the UTC
offsets of the time zone database (rules.offset_spans) on both databases
(SQLite knows no time zones; PostgreSQL's AT TIME ZONE costs more per row).
"""

from __future__ import annotations

import gc
from bisect import bisect_right
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from homeward.episodes.models import Episode
from homeward.people.models import Child
from homeward.placements.models import Authority, Placement

from . import rules
from .definitions import definitions_for, resolve_protocol

INTERVIEW_KEYS = ("offered", "offered_in_time", "completed", "completed_in_time", "declined")
INTERVIEWS_NOT_RECORDED_NOTE = (
    "Return home interviews are recorded in a later part of Homeward: until then 'offered', 'offered_in_time', "
    "'completed', 'completed_in_time' and 'declined' are 0. 'required' and 'not_required' are computed from the "
    "episodes."
)
ALL_AUTHORITIES_NOTE = (
    "All authorities together: each episode and each child counts once. Placed in: episodes in an area other "
    "than the responsible authority's; placed out: episodes whose placement is in an area other than the "
    "responsible authority's. Every return home interview is required of someone, so the exclusion for "
    "children placed by another authority does not apply."
)

# The flags of an episode, bit i for FLAGS[i].
FLAGS = ("home", "care", "absent", "open_at_end", "placed_in", "placed_out", "own_care")
BIT = {name: 1 << i for i, name in enumerate(FLAGS)}

# PostgreSQL settings for the report's own transaction (restored after): the
# one large query gains nothing from JIT compilation (half a second of it)
# and sorts and hashes in memory rather than on disk.
POSTGRES_SETTINGS = {"jit": "off", "work_mem": "64MB"}


def _t(model) -> str:
    return model._meta.db_table


@dataclass
class _Sql:
    """SQL fragments over the authority's episodes (alias `e`), for one database."""

    connection: Any
    authority_id: int | None

    @property
    def sqlite(self) -> bool:
        return self.connection.vendor == "sqlite"

    @property
    def by_lookup(self) -> bool:
        """Look a placement's host and a child's facts up row by row (index
        lookups) rather than join: on PostgreSQL for one authority's rows,
        where its planner would hash the whole child and placement tables.
        (SQLite joins by index lookups anyway; for all authorities the hash
        joins are the better plan.)"""
        return not self.sqlite and self.authority_id is not None

    def dt(self, value: datetime):
        return self.connection.ops.adapt_datetimefield_value(value)

    def d(self, value: date):
        return self.connection.ops.adapt_datefield_value(value)

    # --- whose episodes
    COLUMNS = ("id", "child_id", "area_authority_id", "responsible_authority_id", "placement_id", "category",
               "missing_from", "started_at", "returned_at")

    def episodes(self, lo: str, hi: str) -> str:
        """A subquery (to alias `e`): the authority's episodes starting in
        [lo, hi) (names of parameters), each once, with Episode's own columns.

        For an authority, three disjoint ways in, each on an index: in its
        area (area_authority, started_at); its own looked-after children
        elsewhere (responsible_authority, started_at); its children at home,
        elsewhere (Child.home_authority, then child, started_at; on
        PostgreSQL as a LATERAL nested loop, which its planner would
        otherwise trade for a scan of the whole period).
        """
        E, C = _t(Episode), _t(Child)
        cols = ", ".join(f"x.{c}" for c in self.COLUMNS)
        rng = f"x.started_at >= %({lo})s AND x.started_at < %({hi})s"
        if self.authority_id is None:
            return f"SELECT {cols} FROM {E} x WHERE {rng}"
        elsewhere = "x.area_authority_id <> %(a)s"
        not_own = "(x.responsible_authority_id IS NULL OR x.responsible_authority_id <> %(a)s)"
        in_area = f"SELECT {cols} FROM {E} x WHERE x.area_authority_id = %(a)s AND {rng}"
        own = f"SELECT {cols} FROM {E} x WHERE x.responsible_authority_id = %(a)s AND {elsewhere} AND {rng}"
        home_cond = f"x.missing_from = 'home' AND {elsewhere} AND {not_own} AND {rng}"
        if self.sqlite:
            at_home = (f"SELECT {cols} FROM {C} y JOIN {E} x ON x.child_id = y.id"
                       f" WHERE y.home_authority_id = %(a)s AND {home_cond}")
        else:
            at_home = (f"SELECT z.* FROM {C} y CROSS JOIN LATERAL (SELECT {cols} FROM {E} x"
                       f" WHERE x.child_id = y.id AND {home_cond} OFFSET 0) z WHERE y.home_authority_id = %(a)s")
        return f"{in_area} UNION ALL {own} UNION ALL {at_home}"

    # --- flags of an episode (SQL booleans)
    def placed_in(self) -> str:
        """Placed in the area by another authority."""
        if self.authority_id is None:
            return "e.responsible_authority_id IS NOT NULL AND e.responsible_authority_id <> e.area_authority_id"
        return ("e.area_authority_id = %(a)s AND e.responsible_authority_id IS NOT NULL"
                " AND e.responsible_authority_id <> %(a)s")

    def placed_out(self) -> str:
        """An own looked-after child placed in another authority's area."""
        host = "p.host_authority_id"  # the placement, joined (placement_join)
        if self.by_lookup:
            host = f"(SELECT p.host_authority_id FROM {_t(Placement)} p WHERE p.id = e.placement_id)"
        if self.authority_id is None:
            return f"e.responsible_authority_id IS NOT NULL AND {host} <> e.responsible_authority_id"
        return f"e.responsible_authority_id = %(a)s AND {host} <> %(a)s"

    def placement_join(self) -> str:
        return "" if self.by_lookup else f" LEFT JOIN {_t(Placement)} p ON p.id = e.placement_id"

    def own_care(self) -> str:
        own = "e.responsible_authority_id IS NOT NULL" if self.authority_id is None else "e.responsible_authority_id = %(a)s"
        return f"{own} AND e.missing_from = 'care'"

    # --- time
    def epoch_ms(self, column: str) -> str:
        """A datetime column as whole milliseconds since the Unix epoch (UTC)."""
        if self.sqlite:  # julianday, exact to the millisecond, less the epoch's
            return f"(CAST(ROUND(julianday({column}) * 86400000) AS INTEGER) - 210866760000000)"
        return f"CAST(ROUND(CAST(date_part('epoch', {column}) AS double precision) * 1000) AS bigint)"

    def local_day(self, column: str, lo: datetime, hi: datetime, params: dict) -> str:
        """The Europe/London day of a datetime column as an ordinal
        (date.toordinal), for values in [lo, hi)."""
        whens = []
        for i, (frm, to, offset) in enumerate(rules.offset_spans(lo, hi)):
            if offset:
                params[f"z{i}a"], params[f"z{i}b"] = self.dt(frm), self.dt(to)
                whens.append(f"WHEN {column} >= %(z{i}a)s AND {column} < %(z{i}b)s THEN {int(offset)}")
        offset = f"(CASE {' '.join(whens)} ELSE 0 END)" if whens else "0"
        if self.sqlite:  # milliseconds, shifted, then whole days (integer division)
            return f"(({self.epoch_ms(column)} + {offset} * 1000) / 86400000 + {rules.EPOCH_ORDINAL})"
        return (f"CAST(FLOOR((CAST(date_part('epoch', {column}) AS double precision) + {offset}) / 86400)"
                f" AS integer) + {rules.EPOCH_ORDINAL}")

    def month_index(self, start: date, end: date, params: dict) -> str:
        """Which month of the period (0, 1, ...) an episode started in, cut at
        the Europe/London midnights that begin the months."""
        whens = []
        for i, day in enumerate(rules.month_boundaries(start, end)):
            params[f"b{i}"] = self.dt(rules.start_of_day(day))
            whens.append(f"WHEN e.started_at < %(b{i})s THEN {i}")
        return f"CASE {' '.join(whens)} ELSE {len(whens)} END" if whens else "0"

    def years_before_next_day(self, column: str, years: int) -> str:
        """The UTC date a day after a datetime column, `years` years earlier:
        a child born on or before it could be that old that day."""
        years = int(years)
        if self.sqlite:
            return f"date({column}, '+1 day', '-{years} years')"
        return f"CAST(({column} AT TIME ZONE 'UTC') + INTERVAL '1 day' - INTERVAL '{years} years' AS date)"


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector while a large result is held:
    it would otherwise walk the hundreds of thousands of fresh tuples again
    and again (a third of the time for all authorities). Nothing made here
    forms a reference cycle; the previous state is restored."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _report_cursor(connection):
    """A cursor for the report's queries; on PostgreSQL inside a transaction
    with POSTGRES_SETTINGS set for it alone. (Not on SQLite, where Homeward's
    transactions take the write lock.)"""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        names = list(POSTGRES_SETTINGS)
        cursor.execute("SELECT " + ", ".join("current_setting(%s)" for _ in names), names)
        before = cursor.fetchone()
        cursor.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names),
                       [v for item in POSTGRES_SETTINGS.items() for v in item])
        yield cursor
        # (after an error, rolling back the savepoint restores them)
        cursor.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names),
                       [v for item in zip(names, before) for v in item])


def _as_date(value) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def merged_children() -> dict[int, int]:
    """Every merged duplicate record, mapped to the record it finally survives
    as (following chains of merges)."""
    direct = dict(Child.objects.filter(merged_into__isnull=False).order_by().values_list("id", "merged_into_id"))
    roots = {}
    for child_id, root in direct.items():
        seen = {child_id}
        while root in direct and root not in seen:
            seen.add(root)
            root = direct[root]
        roots[child_id] = root
    return roots


# --- the figures ------------------------------------------------------------------


def key_figures(*, authority: Authority | None, start: date, end: date, protocol: dict | None = None) -> dict:
    """The key figures (contract.md) of `authority` (None: all authorities
    together) for the period [start, end), `end` exclusive, with the
    protocol's thresholds (definitions.DEFAULT_PROTOCOL where it says nothing)."""
    proto = resolve_protocol(protocol)
    connection = connections["default"]
    sql = _Sql(connection=connection, authority_id=authority.pk if authority else None)
    merged = merged_children()
    with _collector_paused(), _report_cursor(connection) as cursor:
        counted = _count_episodes(cursor, sql, start, end, proto, merged)
        looked_after = _looked_after(cursor, sql, start, end, merged)
        recorded = _recorded_interviews(cursor, sql, start, end)

    went_missing, own_care = counted["children"]["own_care"], counted["episodes"]["own_care"]
    notes = [INTERVIEWS_NOT_RECORDED_NOTE]
    if authority is None:
        notes.append(ALL_AUTHORITIES_NOTE)
    return {
        "authority": authority.code if authority else "all",
        "from": start.isoformat(),
        "to": end.isoformat(),
        "episodes": {
            "total": counted["episodes"]["total"],
            "from_home": counted["episodes"]["home"],
            "from_care": counted["episodes"]["care"],
            "absent": counted["episodes"]["absent"],
            "open_at_end": counted["episodes"]["open_at_end"],
        },
        "children": {
            "total": counted["children"]["total"],
            "from_home": counted["children"]["home"],
            "from_care": counted["children"]["care"],
        },
        "children_by_episode_count": counted["by_episode_count"],
        "duration_hours": {"median": counted["median"], **counted["buckets"]},
        "episodes_by_month": counted["months"],
        "return_interviews": {
            "required": counted["ended"] - counted["not_required"],
            **{key: recorded[key] for key in INTERVIEW_KEYS},
            "not_required": counted["not_required"],
        },
        "repeat": {
            "three_in_ninety_children": counted["three_in_ninety"],
            "monthly_multiple_children": counted["monthly_multiple"],
        },
        "placements": {
            "placed_in_episodes": counted["episodes"]["placed_in"],
            "placed_in_children": counted["children"]["placed_in"],
            "own_placed_out_episodes": counted["episodes"]["placed_out"],
            "own_placed_out_children": counted["children"]["placed_out"],
        },
        "looked_after": {
            "children": looked_after,
            "went_missing": went_missing,
            "went_missing_percent": rules.rate(went_missing, looked_after, per=100, places=1),
            "episodes": own_care,
            "episodes_per_child": rules.rate(own_care, looked_after, places=2),
        },
        "notes": notes,
        "definitions": definitions_for(proto),
    }


def _episode_rows(cursor, sql: _Sql, start: date, end: date, proto: dict):
    """The one query over the authority's episodes: a tuple per episode that
    started in the period or in the repeat window before it:

    (child id, month of the period (-1 before it), Europe/London day ordinal,
    flag bits, start and return in ms since the epoch (the return only for
    an ended episode of the period), the start of the child's next episode
    (any authority's) in ms where the database looked it up, and, for an
    ended episode of the period where an exclusion other than a new episode
    might apply, 1 and the child's date of birth and date of death).

    The next episode is looked up for every ended episode of an authority's
    period (the child's next episode may be in another area); for all
    authorities every episode up to the period's end is in the rows, so only
    those whose due time reaches past the period's end are looked up.
    """
    E, C = _t(Episode), _t(Child)
    days = int(proto["repeat_missing_meeting"]["days"])
    rhi = proto["return_interview"]
    bound = rules.rhi_due_bound_days(hours=rhi.get("hours"), working_days=rhi.get("working_days"))
    t0, t1 = rules.period_bounds(start, end)
    tw = rules.start_of_day(start - timedelta(days=days - 1))  # the repeat window before the period
    params = {"t0": sql.dt(t0), "t1": sql.dt(t1), "tw": sql.dt(tw), "tb": sql.dt(t1 - timedelta(days=bound))}
    if sql.authority_id is not None:
        params["a"] = sql.authority_id

    flags = {
        "home": "e.missing_from = 'home'",
        "care": "e.missing_from = 'care'",
        "absent": "e.category = 'absent'",
        "open_at_end": "e.returned_at IS NULL OR e.returned_at >= %(t1)s",
        "placed_in": sql.placed_in(),
        "placed_out": sql.placed_out(),
        "own_care": sql.own_care(),
    }
    bits = " + ".join(f"CASE WHEN {flags[name]} THEN {BIT[name]} ELSE 0 END" for name in FLAGS)
    ended = "e.started_at >= %(t0)s AND e.returned_at IS NOT NULL"
    look_up = ended if sql.authority_id is not None else f"{ended} AND e.returned_at >= %(tb)s"
    next_start = (f"(SELECT MIN(x.started_at) FROM {E} x"
                  " WHERE x.child_id = e.child_id AND x.started_at > e.started_at)")
    # a child who died, or could be 18 on the day of the return (returns are never in the future)
    params["dob_bound"] = sql.d(_eighteen_years_before(max(timezone.localdate(), end)))
    could_be_excluded = (f"c.date_of_death IS NOT NULL OR (c.dob <= %(dob_bound)s"
                         f" AND c.dob <= {sql.years_before_next_day('e.returned_at', 18)})")
    if sql.by_lookup:
        child_join = ""
        facts = (f"CASE WHEN {ended} AND EXISTS (SELECT 1 FROM {C} c WHERE c.id = e.child_id"
                 f" AND ({could_be_excluded})) THEN 1 ELSE 0 END")
        dob = f"(SELECT c.dob FROM {C} c WHERE c.id = t.cid)"
        dod = f"(SELECT c.date_of_death FROM {C} c WHERE c.id = t.cid)"
        fact_columns = ""
    else:
        child_join = f" LEFT JOIN {C} c ON c.id = e.child_id AND {ended}"
        facts = f"CASE WHEN {ended} AND ({could_be_excluded}) THEN 1 ELSE 0 END"
        dob, dod = "t.dob", "t.dod"
        fact_columns = ", c.dob AS dob, c.date_of_death AS dod"
    inner = (
        f"SELECT e.child_id AS cid, CASE WHEN e.started_at >= %(t0)s THEN {sql.month_index(start, end, params)}"
        f" ELSE -1 END AS mi, {sql.local_day('e.started_at', tw, t1, params)} AS ld, {bits} AS f,"
        f" {sql.epoch_ms('e.started_at')} AS s_ms, CASE WHEN {ended} THEN {sql.epoch_ms('e.returned_at')} END AS r_ms,"
        f" CASE WHEN {look_up} THEN {sql.epoch_ms(next_start)} END AS next_ms, {facts} AS facts{fact_columns}"
        f" FROM ({sql.episodes('tw', 't1')}) e{sql.placement_join()}{child_join}"
        # computed once per row, not merged into the query below
        + (" LIMIT -1 OFFSET 0" if sql.sqlite else " OFFSET 0")
    )
    query = (
        "SELECT t.cid, t.mi, t.ld, t.f, t.s_ms, t.r_ms, t.next_ms, t.facts,"
        f" CASE WHEN t.facts = 1 THEN {dob} END, CASE WHEN t.facts = 1 THEN {dod} END FROM ({inner}) t"
    )
    cursor.execute(query, params)
    return cursor.fetchall()


def _eighteen_years_before(day: date) -> date:
    """A day after `day`, 18 years earlier: nobody born later is 18 by `day`."""
    day += timedelta(days=1)
    try:
        return day.replace(year=day.year - 18)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 18, day=28)


def _count_episodes(cursor, sql: _Sql, start: date, end: date, proto: dict, merged: dict[int, int]) -> dict:
    """Every figure over the episodes and children, from the tuples of
    _episode_rows, by the rules of rules.py."""
    n = int(proto["repeat_missing_meeting"]["episodes"])
    days = int(proto["repeat_missing_meeting"]["days"])
    monthly = int(proto["monthly_multiple_missing"]["episodes"])
    rhi = proto["return_interview"]
    hours, working_days = rhi.get("hours"), rhi.get("working_days")
    bound_ms = rules.rhi_due_bound_days(hours=hours, working_days=working_days) * 86_400_000
    months = rules.months_of_period(start, end)
    all_authorities = sql.authority_id is None

    # per child: [day ordinals of its episodes (window and period), their
    # starts in ms, episodes in the period, flags of any of those]
    children: dict[int, list] = {}
    bits_count: dict[int, int] = {}  # flag bits -> episodes
    month_count = [0] * len(months)
    durations: list[float] = []
    # the period's ended episodes: (child, child record, flags, start ms, return ms,
    # next start ms if looked up, child facts?, dob, date of death)
    ended: list[tuple] = []
    # the next episode is looked for under the record's own id: with merged
    # records about, their starts are kept apart too
    by_record: dict[int, list[int]] | None = {} if all_authorities and merged else None
    get, count_get = children.get, bits_count.get
    add_duration, add_ended = durations.append, ended.append
    for cid, mi, ld, f, s_ms, r_ms, next_ms, facts, dob, dod in _episode_rows(cursor, sql, start, end, proto):
        child = merged.get(cid, cid) if merged else cid
        if by_record is not None:
            by_record.setdefault(cid, []).append(s_ms)
        record = get(child)
        if record is None:
            record = children[child] = [[ld], [s_ms], 0, 0]
        else:
            record[0].append(ld)
            record[1].append(s_ms)
        if mi < 0:
            continue
        record[2] += 1
        record[3] |= f
        bits_count[f] = count_get(f, 0) + 1
        month_count[mi] += 1
        if r_ms is not None:
            add_duration((r_ms - s_ms) / 3_600_000.0)
            add_ended((child, cid, f, s_ms, r_ms, next_ms, facts, dob, dod))

    # return home interviews: the exclusions, decided by rules.rhi_exclusion
    # wherever one might apply
    placed_in = 0 if all_authorities else BIT["placed_in"]  # (for all authorities, never: someone's interview)
    not_required = 0
    sorted_starts: set[int] = set()
    for child, cid, f, s_ms, r_ms, next_ms, facts, dob, dod in ended:
        if all_authorities and next_ms is None:  # the next start among the rows (all end before the period's)
            later = by_record[cid] if by_record is not None else children[child][1]
            if len(later) > 1:
                if cid not in sorted_starts:
                    later.sort()
                    sorted_starts.add(cid)
                i = bisect_right(later, s_ms)
                next_ms = later[i] if i < len(later) else None
        soon = next_ms is not None and next_ms < r_ms + bound_ms
        if not (soon or facts or f & placed_in):
            continue
        returned_at = _from_ms(r_ms)
        reason = rules.rhi_exclusion(
            returned_at=returned_at,
            due_at=rules.rhi_due(returned_at, hours=hours, working_days=working_days),
            next_started_at=_from_ms(next_ms) if soon else None,
            placed_by_other_authority=bool(f & placed_in),
            dob=_as_date(dob) if facts else None,
            date_of_death=_as_date(dod) if facts else None,
        )
        not_required += reason is not None

    in_period = [(child, record) for child, record in children.items() if record[2]]
    child_bits = [record[3] for _, record in in_period]

    def episodes_with(name: str) -> int:
        return sum(count for f, count in bits_count.items() if f & BIT[name])

    def children_with(name: str) -> int:
        return sum(1 for f in child_bits if f & BIT[name])

    by_count = Counter(record[2] for _, record in in_period)
    # only children with enough episodes can meet a threshold
    repeat_candidates = {k: record[0] for k, record in in_period if len(record[0]) >= n}
    monthly_candidates = {k: record[0] for k, record in in_period if record[2] >= monthly}
    listed = rules.monthly_multiple(monthly_candidates, start, end, n=monthly)
    median, buckets = rules.duration_summary(durations)
    return {
        "episodes": {"total": sum(bits_count.values()), **{name: episodes_with(name) for name in FLAGS}},
        "children": {"total": len(in_period), **{name: children_with(name) for name in FLAGS}},
        "by_episode_count": {"1": by_count[1], "2": by_count[2], "3": by_count[3]}
        | {str(k): by_count[k] for k in sorted(by_count) if k > 3},
        "months": {key: month_count[i] for i, key in enumerate(months)},
        "buckets": buckets,
        "median": None if median is None else round(median, 1),
        "ended": len(durations),
        "not_required": not_required,
        "three_in_ninety": len(rules.three_in_ninety(repeat_candidates, start, end, n=n, days=days)),
        "monthly_multiple": len(set().union(*listed.values())) if listed else 0,
    }


def _from_ms(ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=rules.UTC) + timedelta(milliseconds=int(ms))


def _looked_after(cursor, sql: _Sql, start: date, end: date, merged: dict[int, int]) -> int:
    """Distinct own children with a placement open on at least one day of
    [start, end): it started before the period's end and had not ended by
    its first day (a placement is open up to, not on, its end date, as
    Placement.is_open_on)."""
    params = {"d0": sql.d(start), "d1": sql.d(end)}
    own = ""
    if sql.authority_id is not None:
        own = "p.responsible_authority_id = %(a)s AND "
        params["a"] = sql.authority_id
    cursor.execute(
        f"SELECT p.child_id FROM {_t(Placement)} p"
        f" WHERE {own}p.start_date < %(d1)s AND (p.end_date IS NULL OR p.end_date > %(d0)s)",
        params,
    )
    return len({merged.get(child, child) for (child,) in cursor.fetchall()})


# === EXTEND HERE: recorded return home interviews ====================================
# Interviews are recorded by a later part of Homeward (homeward/interviews). When
# they are, count them here, over the period's episodes that required an
# interview (`sql.episodes('t0', 't1')`, less the exclusions), and drop
# INTERVIEWS_NOT_RECORDED_NOTE from key_figures. This is the one place the five
# counts come from.
def _recorded_interviews(cursor, sql: _Sql, start: date, end: date) -> dict[str, int]:
    return {key: 0 for key in INTERVIEW_KEYS}
