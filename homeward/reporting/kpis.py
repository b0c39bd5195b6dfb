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

The one statement also reads each ended episode's recorded return home
interview (homeward/interviews) as bits, and, with filters (filters.py),
whether the episode matches them and the child's facts. Small queries
complete it: the merged duplicate children (so that a child counts once,
under the record that survived), the children looked after in the period
(placements), and, with filters on the child, the surviving records' facts.

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
from homeward.interviews import rules as interview_rules
from homeward.interviews.models import Interview
from homeward.people.models import Child
from homeward.placements.models import Authority, Placement

from . import rules
from .definitions import definitions_for, resolve_protocol
from .filters import NO_FILTERS, KpiFilters, with_provider_looked_up

INTERVIEW_KEYS = ("offered", "offered_in_time", "completed", "completed_in_time", "declined")
# The recorded interview of an episode, as bits (see _interview_bits).
INTERVIEW_BIT = {key: 1 << i for i, key in enumerate(INTERVIEW_KEYS)}
LOOKED_AFTER_WITHHELD_NOTE = (
    "The looked-after figures are about the authority's own children who went missing from care: they are "
    "withheld (null) for episodes from home and for children placed in the area by other authorities."
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
    COLUMNS = ("id", "child_id", "area_authority_id", "responsible_authority_id", "placement_id", "provider_id",
               "category", "missing_from", "started_at", "returned_at")

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

    def years_before_next_day(self, column: str, years: int, days: int = 0) -> str:
        """The UTC date a day (and `days` more) after a datetime column,
        `years` years earlier: a child born on or before it could be that old
        by then."""
        years, days = int(years), int(days) + 1
        if self.sqlite:
            return f"date({column}, '+{days} days', '-{years} years')"
        return f"CAST(({column} AT TIME ZONE 'UTC') + INTERVAL '{days} days' - INTERVAL '{years} years' AS date)"


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


def key_figures(*, authority: Authority | None, start: date, end: date, protocol: dict | None = None,
                filters: KpiFilters | None = None) -> dict:
    """The key figures (contract.md) of `authority` (None: all authorities
    together) for the period [start, end), `end` exclusive, with the
    protocol's thresholds (definitions.DEFAULT_PROTOCOL where it says nothing),
    counting only the episodes that match `filters` (filters.py; None or
    empty: every episode, and the output is exactly the contract's)."""
    proto = resolve_protocol(protocol)
    filters = with_provider_looked_up(filters or NO_FILTERS)
    connection = connections["default"]
    sql = _Sql(connection=connection, authority_id=authority.pk if authority else None)
    merged = merged_children()
    facts = _root_facts(merged) if filters.by_child else {}
    with _collector_paused(), _report_cursor(connection) as cursor:
        counted = _count_episodes(cursor, sql, start, end, proto, merged, filters=filters, root_facts=facts)
        looked_after = _looked_after(cursor, sql, start, end, merged, filters=filters, root_facts=facts)

    went_missing, own_care = counted["children"]["own_care"], counted["episodes"]["own_care"]
    notes = []
    if filters:
        notes.append(filters.note())
    if authority is None:
        notes.append(ALL_AUTHORITIES_NOTE)
    recorded = counted["interviews"]
    figures = {
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
    if filters:
        figures["filters"] = filters.given()
        if filters.looked_after_withheld:
            figures["looked_after"] = {key: None for key in figures["looked_after"]}
            notes.append(LOOKED_AFTER_WITHHELD_NOTE)
    return figures


def _root_facts(merged: dict[int, int]) -> dict[int, tuple]:
    """(sex, ethnicity, date of birth) of every record that merged
    duplicates survive as: a child's facts are the surviving record's."""
    roots = sorted(set(merged.values()))
    out: dict[int, tuple] = {}
    for i in range(0, len(roots), 500):
        for pk, sex, ethnicity, dob in Child.objects.filter(pk__in=roots[i:i + 500]).order_by().values_list(
                "pk", "sex", "ethnicity", "dob"):
            out[pk] = (sex, ethnicity, dob)
    return out


def _interview_bits(sql: _Sql) -> str:
    """The recorded interview (homeward/interviews, alias `i`) of an
    episode, as INTERVIEW_BIT bits, by the rules of interviews/rules.py:
    offered (an offer time is recorded), offered in time and completed in
    time (`rules.in_time`: at or before the interview's due time, the
    protocol's timescale in force at the return), completed, declined (by
    the child, or a parent or carer)."""
    offered, due, done = (sql.epoch_ms(f"i.{c}") for c in ("offered_at", "due_at", "completed_at"))
    completed = f"i.progress = '{interview_rules.COMPLETED}'"
    declined = (f"i.progress IN ('{interview_rules.DECLINED_BY_CHILD}', "
                f"'{interview_rules.DECLINED_BY_PARENT_OR_CARER}')")
    bit = INTERVIEW_BIT
    return (f"(CASE WHEN i.offered_at IS NOT NULL THEN {bit['offered']} ELSE 0 END"
            f" + CASE WHEN i.offered_at IS NOT NULL AND {offered} <= {due} THEN {bit['offered_in_time']} ELSE 0 END"
            f" + CASE WHEN {completed} THEN {bit['completed']} ELSE 0 END"
            f" + CASE WHEN {completed} AND i.completed_at IS NOT NULL AND {done} <= {due}"
            f" THEN {bit['completed_in_time']} ELSE 0 END"
            f" + CASE WHEN {declined} THEN {bit['declined']} ELSE 0 END)")


def _filter_sql(sql: _Sql, filters: KpiFilters, params: dict) -> str | None:
    """The filters on the episode itself (where from, whose, placement type,
    provider) as an SQL condition, or None. (Filters on the child are
    applied in Python, to the surviving record's facts.)"""
    conditions = []
    if filters.missing_from:
        params["f_from"] = filters.missing_from
        conditions.append("e.missing_from = %(f_from)s")
    if filters.children:
        placed_in = f"(CASE WHEN {sql.placed_in()} THEN 1 ELSE 0 END)"
        conditions.append(f"{placed_in} = {1 if filters.children == 'placed-in' else 0}")
    if filters.placement_type:
        params["f_place"] = filters.placement_type
        if sql.by_lookup:
            conditions.append(f"EXISTS (SELECT 1 FROM {_t(Placement)} pf WHERE pf.id = e.placement_id"
                              " AND pf.place_code = %(f_place)s)")
        else:
            conditions.append("p.place_code = %(f_place)s")
    if filters.provider:
        params["f_provider"] = filters.provider_id if filters.provider_id is not None else -1
        conditions.append("e.provider_id = %(f_provider)s")
    return " AND ".join(conditions) if conditions else None


def _episode_rows(cursor, sql: _Sql, start: date, end: date, proto: dict, filters: KpiFilters = NO_FILTERS):
    """The one query over the authority's episodes: a tuple per episode that
    started in the period or in the repeat window before it:

    (child id, month of the period (-1 before it), Europe/London day ordinal,
    flag bits, start and return in ms since the epoch (the return only for
    an ended episode of the period), the start of the child's next episode
    (any authority's) in ms where the database looked it up, and, for an
    ended episode of the period where an exclusion other than a new episode
    might apply, 1 and the child's date of birth and date of death; then the
    episode's recorded interview as bits (_interview_bits; 0 for none);
    then, with filters, whether the episode matches the filters on the
    episode itself (1 or 0) and the child record's sex, ethnicity and date of
    birth (without filters: 1 and three nulls)).

    The next episode is looked up for every ended episode of an authority's
    period (the child's next episode may be in another area); for all
    authorities every episode up to the period's end is in the rows, so only
    those whose due time reaches past the period's end are looked up.
    """
    E, C, I = _t(Episode), _t(Child), _t(Interview)
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
    # a child who died, or could be 18 by the time the interview was due
    # (returns are never in the future; the due time is within `bound` days)
    rhi = proto["return_interview"]
    bound = rules.rhi_due_bound_days(hours=rhi.get("hours"), working_days=rhi.get("working_days"))
    params["dob_bound"] = sql.d(_eighteen_years_before(max(timezone.localdate(), end) + timedelta(days=bound)))
    could_be_excluded = (f"c.date_of_death IS NOT NULL OR (c.dob <= %(dob_bound)s"
                         f" AND c.dob <= {sql.years_before_next_day('e.returned_at', 18, bound)})")
    interview = _interview_bits(sql)
    recorded = "i.episode_id = e.id AND i.cancelled_reason = ''"
    joins = sql.placement_join()
    if sql.by_lookup:
        facts = (f"CASE WHEN {ended} AND EXISTS (SELECT 1 FROM {C} c WHERE c.id = e.child_id"
                 f" AND ({could_be_excluded})) THEN 1 ELSE 0 END")
        dob = f"(SELECT c.dob FROM {C} c WHERE c.id = t.cid)"
        dod = f"(SELECT c.date_of_death FROM {C} c WHERE c.id = t.cid)"
        fact_columns = ""
        interview_column = (f"CASE WHEN {ended} THEN COALESCE((SELECT {interview} FROM {I} i WHERE {recorded}), 0)"
                            " ELSE 0 END")
    else:
        joins += f" LEFT JOIN {C} c ON c.id = e.child_id AND {ended}"
        joins += f" LEFT JOIN {I} i ON {recorded} AND {ended}"
        facts = f"CASE WHEN {ended} AND ({could_be_excluded}) THEN 1 ELSE 0 END"
        dob, dod = "t.dob", "t.dod"
        fact_columns = ", c.dob AS dob, c.date_of_death AS dod"
        interview_column = f"CASE WHEN i.id IS NULL THEN 0 ELSE {interview} END"

    filter_columns = ""
    outer_filter_columns = "1, NULL, NULL, NULL"
    if filters:
        condition = _filter_sql(sql, filters, params)
        match = f"CASE WHEN {condition} THEN 1 ELSE 0 END" if condition else "1"
        if not filters.by_child:
            child_facts = "NULL AS csex, NULL AS ceth, NULL AS cdob"
        elif sql.by_lookup:
            child_facts = ", ".join(f"(SELECT cf.{column} FROM {C} cf WHERE cf.id = e.child_id) AS {alias}"
                                    for column, alias in (("sex", "csex"), ("ethnicity", "ceth"), ("dob", "cdob")))
        else:
            joins += f" JOIN {C} cf ON cf.id = e.child_id"
            child_facts = "cf.sex AS csex, cf.ethnicity AS ceth, cf.dob AS cdob"
        filter_columns = f", {match} AS fm, {child_facts}"
        outer_filter_columns = "t.fm, t.csex, t.ceth, t.cdob"
    inner = (
        f"SELECT e.child_id AS cid, CASE WHEN e.started_at >= %(t0)s THEN {sql.month_index(start, end, params)}"
        f" ELSE -1 END AS mi, {sql.local_day('e.started_at', tw, t1, params)} AS ld, {bits} AS f,"
        f" {sql.epoch_ms('e.started_at')} AS s_ms, CASE WHEN {ended} THEN {sql.epoch_ms('e.returned_at')} END AS r_ms,"
        f" CASE WHEN {look_up} THEN {sql.epoch_ms(next_start)} END AS next_ms, {facts} AS facts{fact_columns},"
        f" {interview_column} AS ib{filter_columns}"
        f" FROM ({sql.episodes('tw', 't1')}) e{joins}"
        # computed once per row, not merged into the query below
        + (" LIMIT -1 OFFSET 0" if sql.sqlite else " OFFSET 0")
    )
    query = (
        "SELECT t.cid, t.mi, t.ld, t.f, t.s_ms, t.r_ms, t.next_ms, t.facts,"
        f" CASE WHEN t.facts = 1 THEN {dob} END, CASE WHEN t.facts = 1 THEN {dod} END, t.ib,"
        f" {outer_filter_columns} FROM ({inner}) t"
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


def _count_episodes(cursor, sql: _Sql, start: date, end: date, proto: dict, merged: dict[int, int], *,
                    filters: KpiFilters = NO_FILTERS, root_facts: dict[int, tuple] | None = None) -> dict:
    """Every figure over the episodes and children, from the tuples of
    _episode_rows, by the rules of rules.py; with filters, over the episodes
    that match them (filters.py says what a filtered figure means)."""
    n = int(proto["repeat_missing_meeting"]["episodes"])
    days = int(proto["repeat_missing_meeting"]["days"])
    monthly = int(proto["monthly_multiple_missing"]["episodes"])
    rhi = proto["return_interview"]
    hours, working_days = rhi.get("hours"), rhi.get("working_days")
    bound_ms = rules.rhi_due_bound_days(hours=hours, working_days=working_days) * 86_400_000
    months = rules.months_of_period(start, end)
    all_authorities = sql.authority_id is None
    filtered = bool(filters)
    by_child = filters.by_child
    root_facts = root_facts or {}
    ages: dict[tuple, bool] = {}  # (date of birth, day ordinal) -> in the age band

    # per child: [day ordinals of its episodes (window and period), their
    # starts in ms, episodes in the period (that match), flags of any of
    # those, and with filters their rules.Start entries]
    children: dict[int, list] = {}
    bits_count: dict[int, int] = {}  # flag bits -> episodes
    month_count = [0] * len(months)
    durations: list[float] = []
    # the period's ended episodes: (child, child record, flags, start ms, return ms,
    # next start ms if looked up, child facts?, dob, date of death, interview bits)
    ended: list[tuple] = []
    # the next episode is looked for under the record's own id: with merged
    # records about, the starts of the records of children with merged
    # duplicates are kept apart too (any other record's starts are its
    # child's own)
    by_record: dict[int, list[int]] | None = {} if all_authorities and merged else None
    involved = set(merged).union(merged.values()) if by_record is not None else ()
    get, count_get = children.get, bits_count.get
    add_duration, add_ended = durations.append, ended.append
    for cid, mi, ld, f, s_ms, r_ms, next_ms, facts, dob, dod, ib, fm, csex, ceth, cdob in _episode_rows(
            cursor, sql, start, end, proto, filters):
        child = merged.get(cid, cid) if merged else cid
        if cid in involved:
            by_record.setdefault(cid, []).append(s_ms)
        record = get(child)
        if record is None:
            record = children[child] = [[ld], [s_ms], 0, 0, []]
        else:
            record[0].append(ld)
            record[1].append(s_ms)
        if filtered:
            match = bool(fm)
            if match and by_child:
                if child in root_facts:
                    csex, ceth, cdob = root_facts[child]
                match = filters.child_matches(csex, ceth)
                if match and filters.band is not None:
                    key = (cdob, ld)
                    inside = ages.get(key)
                    if inside is None:
                        inside = ages[key] = filters.age_matches(rules.age_on(_as_date(cdob), date.fromordinal(ld)))
                    match = inside
            record[4].append(rules.Start((ld, s_ms, match)))
            if not match:
                continue
        if mi < 0:
            continue
        record[2] += 1
        record[3] |= f
        bits_count[f] = count_get(f, 0) + 1
        month_count[mi] += 1
        if r_ms is not None:
            add_duration((r_ms - s_ms) / 3_600_000.0)
            add_ended((child, cid, f, s_ms, r_ms, next_ms, facts, dob, dod, ib))

    # the repeat thresholds (before the starts are sorted in place below)
    in_period = [(child, record) for child, record in children.items() if record[2]]
    # only children with enough episodes can meet a threshold
    repeat_candidates = {k: record[4] if filtered else record[0] for k, record in in_period if len(record[0]) >= n}
    if filtered:  # every episode of the month counts, not only those that match
        monthly_candidates = {k: record[4] for k, record in in_period if len(record[0]) >= monthly}
    else:
        monthly_candidates = {k: record[0] for k, record in in_period if record[2] >= monthly}
    three = rules.three_in_ninety(repeat_candidates, start, end, n=n, days=days)
    listed = rules.monthly_multiple(monthly_candidates, start, end, n=monthly)

    # return home interviews: the exclusions, decided by rules.rhi_exclusion
    # wherever one might apply; the recorded interviews of those required
    placed_in = 0 if all_authorities else BIT["placed_in"]  # (for all authorities, never: someone's interview)
    not_required = 0
    interviews: Counter = Counter()  # interview bits -> required episodes
    sorted_starts: set[int] = set()
    for child, cid, f, s_ms, r_ms, next_ms, facts, dob, dod, ib in ended:
        if all_authorities and next_ms is None:  # the next start among the rows (all end before the period's)
            later = by_record[cid] if cid in involved else children[child][1]
            if len(later) > 1:
                if cid not in sorted_starts:
                    later.sort()
                    sorted_starts.add(cid)
                i = bisect_right(later, s_ms)
                next_ms = later[i] if i < len(later) else None
        soon = next_ms is not None and next_ms < r_ms + bound_ms
        if not (soon or facts or f & placed_in):
            interviews[ib] += 1
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
        if reason is None:
            interviews[ib] += 1
        else:
            not_required += 1

    child_bits = [record[3] for _, record in in_period]

    def episodes_with(name: str) -> int:
        return sum(count for f, count in bits_count.items() if f & BIT[name])

    def children_with(name: str) -> int:
        return sum(1 for f in child_bits if f & BIT[name])

    by_count = Counter(record[2] for _, record in in_period)
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
        "interviews": _recorded_interviews(interviews),
        "three_in_ninety": len(three),
        "monthly_multiple": len(set().union(*listed.values())) if listed else 0,
    }


def _from_ms(ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=rules.UTC) + timedelta(milliseconds=int(ms))


def _looked_after(cursor, sql: _Sql, start: date, end: date, merged: dict[int, int], *,
                  filters: KpiFilters = NO_FILTERS, root_facts: dict[int, tuple] | None = None) -> int:
    """Distinct own children with a placement open on at least one day of
    [start, end): it started before the period's end and had not ended by
    its first day (a placement is open up to, not on, its end date, as
    Placement.is_open_on). With filters: placements of that type or
    provider, children of that sex or ethnicity, and in the age band on at
    least one day of the period the placement was open."""
    params = {"d0": sql.d(start), "d1": sql.d(end)}
    where = "p.start_date < %(d1)s AND (p.end_date IS NULL OR p.end_date > %(d0)s)"
    if sql.authority_id is not None:
        where = "p.responsible_authority_id = %(a)s AND " + where
        params["a"] = sql.authority_id
    if filters.placement_type:
        where += " AND p.place_code = %(f_place)s"
        params["f_place"] = filters.placement_type
    if filters.provider:
        where += " AND p.provider_id = %(f_provider)s"
        params["f_provider"] = filters.provider_id if filters.provider_id is not None else -1
    if not filters.by_child:
        cursor.execute(f"SELECT p.child_id FROM {_t(Placement)} p WHERE {where}", params)
        return len({merged.get(child, child) for (child,) in cursor.fetchall()})
    cursor.execute(
        f"SELECT p.child_id, p.start_date, p.end_date, c.sex, c.ethnicity, c.dob FROM {_t(Placement)} p"
        f" JOIN {_t(Child)} c ON c.id = p.child_id WHERE {where}",
        params,
    )
    root_facts = root_facts or {}
    last = end - timedelta(days=1)
    found = set()
    for child_id, p_start, p_end, sex, ethnicity, dob in cursor.fetchall():
        child = merged.get(child_id, child_id)
        if child in root_facts:
            sex, ethnicity, dob = root_facts[child]
        if not filters.child_matches(sex, ethnicity):
            continue
        band = filters.band
        if band is not None:
            first = max(start, _as_date(p_start))
            until = min(last, _as_date(p_end) - timedelta(days=1)) if p_end is not None else last
            if not rules.age_band_met_between(band, _as_date(dob), first, until):
                continue
        found.add(child)
    return len(found)


# --- recorded return home interviews ----------------------------------------------------
# Interviews are recorded by homeward/interviews (one Interview per ended
# episode). The one statement (_episode_rows) reads each ended episode's
# interview as bits (_interview_bits); they are counted here over the
# period's episodes that required an interview (definitions.md: "Percentages
# divide by the episodes that required an RHI"), so that every count is at
# most `required`. Whether an episode required one is decided by the rules
# of rules.py (rhi_exclusion), not by the interview record.
def _recorded_interviews(bits: Counter) -> dict[str, int]:
    """offered, offered_in_time, completed, completed_in_time, declined, from
    a count of required episodes by their interview bits."""
    return {key: sum(count for value, count in bits.items() if value & INTERVIEW_BIT[key])
            for key in INTERVIEW_KEYS}
