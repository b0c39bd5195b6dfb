"""The database's reading of Europe/London days and months (kpis.py) agrees
with the time zone database at the exact instants of the clock changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from homeward.episodes.models import Episode
from homeward.reporting import kpis, rules
from homeward.reporting.definitions import resolve_protocol

from .helpers import make_child

UTC = dt.timezone.utc
INSTANTS = [
    # the March change, 2025-03-30 01:00 UTC, and the October one, 2025-10-26 01:00 UTC
    "2025-03-30T00:59:59", "2025-03-30T01:00:00", "2025-03-30T23:00:00", "2025-03-30T22:59:59.999000",
    "2025-10-25T22:59:59", "2025-10-25T23:00:00", "2025-10-26T00:59:59", "2025-10-26T01:00:00",
    "2025-10-26T23:59:59", "2025-10-27T00:00:00",
    # month ends in summer and winter time
    "2025-06-30T22:59:59", "2025-06-30T23:00:00", "2025-12-31T23:59:59", "2026-01-01T00:00:00",
    "2025-04-30T23:00:00", "2025-04-30T22:59:59",
]


@pytest.mark.parametrize("authority", ["kent", None])
def test_database_days_and_months_match_zoneinfo_at_the_clock_changes(la, authority):
    kent = la.kent
    moments = [dt.datetime.fromisoformat(text).replace(tzinfo=UTC) for text in INSTANTS]
    for i, moment in enumerate(moments):
        child = make_child(first=f"C{i}", home=kent)
        Episode.objects.create(child=child, area_authority=kent, missing_from="home", started_at=moment,
                               returned_at=moment + dt.timedelta(hours=2))
    start, end = dt.date(2025, 3, 1), dt.date(2026, 2, 1)
    sql = kpis._Sql(connection=connection, authority_id=kent.pk if authority else None)
    with connection.cursor() as cursor:
        rows = kpis._episode_rows(cursor, sql, start, end, resolve_protocol(None))
    months = rules.months_of_period(start, end)
    got = sorted((s_ms, ld, mi) for _cid, mi, ld, _f, s_ms, *_rest in rows)
    expected = sorted(
        (round(m.timestamp() * 1000), rules.local_date(m).toordinal(), months.index(rules.month_key(rules.local_date(m))))
        for m in moments
    )
    assert got == expected
