"""Hotspot figures: where an authority's episodes of a period ended (or
started), counted by postcode district or H3 hexagon.

"The period's episodes" of an authority follow definitions.md ("Whose
episode", "Periods") exactly as the key figures do (reporting/kpis.py): the
episodes that started in [from, to) (Europe/London days, `to` exclusive)
and are in its area, or of its own looked-after children, or of its
children at home, each once. With no authority, every episode once.

How it is computed: one grouped SQL statement over EpisodePlace, the
per-episode table the places part keeps (services.episode_places_refresh),
which already holds each episode's district and H3 cell and the counting
fields. The authority's episodes are three disjoint index range scans
(in its area, of its own looked-after children, of its children at home:
EpisodePlace.home_authority, the child's home authority for an episode from
home) in a UNION ALL, grouped by the area: no episode is loaded into Python.
Each index also holds the district and the child, so the default count
reads the indexes only. Every authority together, by district, over a long
period, reads the index ordered by district and child instead
(_whole_country_index), which needs no sort. Before counting,
freshness.ensure_fresh() brings rows of episodes changed since the last look
up to date.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from datetime import timezone as dt_timezone

from django.db import connection, transaction

from homeward.episodes.rules import start_of_day

from . import rules
from .models import EpisodePlace

AREAS = ("district", "h3")
WHERE = ("found", "from")
MISSING_FROM = ("", "home", "care")

COLUMN = {("district", "found"): "found_district", ("district", "from"): "from_district",
          ("h3", "found"): "found_h3", ("h3", "from"): "from_h3"}


@dataclass(frozen=True)
class HotspotQuery:
    authority_id: int | None
    start: date
    end: date  # exclusive
    area: str = "district"
    where: str = "found"
    missing_from: str = ""  # "", "home" or "care"

    def __post_init__(self):
        if self.area not in AREAS or self.where not in WHERE or self.missing_from not in MISSING_FROM:
            raise ValueError("unknown area, where or missing_from")
        if self.end <= self.start:
            raise ValueError("the end must be after the start")

    @property
    def column(self) -> str:
        return COLUMN[(self.area, self.where)]

    def previous(self) -> HotspotQuery:
        start, end = rules.previous_period(self.start, self.end)
        return HotspotQuery(self.authority_id, start, end, self.area, self.where, self.missing_from)


def _moment(day: date):
    """A Europe/London midnight as the database stores moments (SQLite: UTC text)."""
    return connection.ops.adapt_datetimefield_value(start_of_day(day))


def _episodes_sql(q: HotspotQuery, columns: str, extra: str = "", *, first_day: date | None = None
                  ) -> tuple[str, dict]:
    """The authority's episodes of the period (alias x), as a UNION ALL of
    disjoint branches, selecting `columns`. `first_day` widens the period
    back to that day (the previous period too, in the same scan)."""
    E = EpisodePlace._meta.db_table
    params = {"lo": _moment(first_day or q.start), "hi": _moment(q.end)}
    cond = "x.started_at >= %(lo)s AND x.started_at < %(hi)s"
    if q.missing_from:
        cond += " AND x.missing_from = %(mf)s"
        params["mf"] = q.missing_from
    cond += extra
    if q.authority_id is None:
        hint = _whole_country_index(q, first_day or q.start)
        return f"SELECT {columns} FROM {E} x{hint} WHERE {cond}", params
    params["a"] = q.authority_id
    elsewhere = "x.area_authority_id <> %(a)s"
    not_own = "(x.responsible_authority_id IS NULL OR x.responsible_authority_id <> %(a)s)"
    in_area = f"SELECT {columns} FROM {E} x WHERE x.area_authority_id = %(a)s AND {cond}"
    own = f"SELECT {columns} FROM {E} x WHERE x.responsible_authority_id = %(a)s AND {elsewhere} AND {cond}"
    # (home_authority is set for episodes from home only.)
    at_home = (f"SELECT {columns} FROM {E} x WHERE x.home_authority_id = %(a)s AND {elsewhere} AND {not_own}"
               f" AND {cond}")
    return f"{in_area} UNION ALL {own} UNION ALL {at_home}", params


# The share of the data's span of time a period must cover for every
# authority's count by district to read the index in district order
# (places_ep_district_cover) rather than the period's range of start times.
WHOLE_INDEX_FROM = 0.2


def _whole_country_index(q: HotspotQuery, first_day: date) -> str:
    """For every authority together, by district of the place found, on
    SQLite: over a long period, read places_ep_district_cover from end to
    end: its rows come grouped by district and, within one, by child, so
    the episodes and distinct children are counted with no sort of
    millions of rows. (SQLite cannot tell how many rows a range of start
    times holds, and would otherwise read that range and sort it.) Over a
    short period the range of start times is read, as before: fewer rows.
    PostgreSQL chooses from its statistics."""
    if connection.vendor != "sqlite" or q.column != "found_district" or q.missing_from:
        return ""
    E = EpisodePlace._meta.db_table
    with connection.cursor() as cursor:  # two probes of places_ep_start_cover
        cursor.execute(f"SELECT MIN(started_at) FROM {E}")
        first = cursor.fetchone()[0]
        cursor.execute(f"SELECT MAX(started_at) FROM {E}")
        last = cursor.fetchone()[0]
    if first is None or last is None or last <= first:
        return ""
    first, last = (datetime.fromisoformat(v) if isinstance(v, str) else v for v in (first, last))  # UTC text
    first, last = (v if v.tzinfo else v.replace(tzinfo=dt_timezone.utc) for v in (first, last))
    lo, hi = max(start_of_day(first_day), first), min(start_of_day(q.end), last)
    share = max((hi - lo).total_seconds(), 0) / (last - first).total_seconds()
    return " INDEXED BY places_ep_district_cover" if share >= WHOLE_INDEX_FROM else ""


@contextmanager
def _cursor():
    """A cursor for the grouped queries; on PostgreSQL in a transaction of
    its own with JIT compilation off (it costs more than it saves here) and
    room to hash in memory (as reporting/kpis.py does)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)")
        yield cursor


def area_counts(q: HotspotQuery, *, fresh: bool = True) -> list[rules.AreaCount]:
    """Episodes and distinct children per area (None: no place found, or a
    place that is not located at that level), in rules.hotspot_order."""
    if fresh:
        from .freshness import ensure_fresh

        ensure_fresh()
    sql, params = _episodes_sql(q, f"x.{q.column} AS k, x.child_id AS c")
    with _cursor() as cursor:
        cursor.execute(f"SELECT k, COUNT(*), COUNT(DISTINCT c) FROM ({sql}) t GROUP BY k", params)
        rows = cursor.fetchall()
    return rules.hotspot_order([rules.AreaCount(k or None, n, c) for k, n, c in rows])


def area_counts_with_previous(q: HotspotQuery, *, fresh: bool = True
                              ) -> tuple[list[rules.AreaCount], list[rules.AreaCount]]:
    """`area_counts` of the period and of the previous period of the same
    length, in one scan of the two periods together."""
    if fresh:
        from .freshness import ensure_fresh

        ensure_fresh()
    previous = q.previous()
    sql, params = _episodes_sql(
        q, f"CASE WHEN x.started_at >= %(cut)s THEN 1 ELSE 0 END AS p, x.{q.column} AS k, x.child_id AS c",
        first_day=previous.start)
    params["cut"] = _moment(q.start)
    with _cursor() as cursor:
        cursor.execute(f"SELECT p, k, COUNT(*), COUNT(DISTINCT c) FROM ({sql}) t GROUP BY p, k", params)
        rows = cursor.fetchall()
    current = [rules.AreaCount(k or None, n, c) for p, k, n, c in rows if p == 1]
    before = [rules.AreaCount(k or None, n, c) for p, k, n, c in rows if p == 0]
    return rules.hotspot_order(current), rules.hotspot_order(before)


def totals(rows: list[rules.AreaCount]) -> int:
    return sum(r.episodes for r in rows)


def episode_ids_in_area(q: HotspotQuery, key: str | None, *, limit: int = 5000) -> list[int]:
    """The ids of the period's episodes counted under one area (key None:
    the episodes with no place found), newest first."""
    extra = f" AND x.{q.column} = %(key)s"
    sql, params = _episodes_sql(q, "x.episode_id AS id, x.started_at AS s", extra)
    params["key"] = key or ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM ({sql}) t ORDER BY s DESC, id DESC LIMIT {int(limit)}", params)
        return [r[0] for r in cursor.fetchall()]


def children_in_period(q: HotspotQuery) -> int:
    """Distinct children of the period's episodes (for the totals line)."""
    sql, params = _episodes_sql(q, "x.child_id AS c")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(DISTINCT c) FROM ({sql}) t", params)
        return cursor.fetchone()[0]


def report_rows(*, authority_id: int | None, start: date, end: date) -> list[dict]:
    """`report hotspots` (contract.md): one entry per district of the place
    found, most episodes first, the episodes with no place found under
    district None."""
    rows = area_counts(HotspotQuery(authority_id, start, end, "district", "found"))
    return [{"district": r.key, "episodes": r.episodes, "children": r.children} for r in rows]
