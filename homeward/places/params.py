"""Reading the hotspot filters from a page's query string or an API call.

One reader for the page, its map data and the API, so all three answer the
same question the same way: the authority (one the person may see), the
period (`from` inclusive, `to` exclusive, YYYY-MM-DD; by default the last
twelve whole months and the current month so far), home or care, postcode
districts or H3 hexagons, and where episodes ended or started.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from homeward.problems import Problem

from .hotspots import AREAS, MISSING_FROM, WHERE, HotspotQuery
from .selectors import authority_for, default_authority

MISSING_FROM_CHOICES = [("", "Home and care"), ("home", "Missing from home"), ("care", "Missing from care")]
AREA_CHOICES = [("district", "Postcode districts"), ("h3", "Hexagons (H3 grid, about 5 km² each)")]
WHERE_CHOICES = [("found", "Where episodes ended (the place the child was found)"),
                 ("from", "Where children went missing from")]
LONGEST_PERIOD_DAYS = 3 * 366 + 1


@dataclass
class Filters:
    authority: str
    start: str
    end: str
    missing_from: str
    area: str
    where: str

    def as_query(self) -> dict[str, str]:
        return {"authority": self.authority, "from": self.start, "to": self.end, "missing_from": self.missing_from,
                "area": self.area, "where": self.where}


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The twelve months before this one and this month so far (to: the first
    day of next month, exclusive)."""
    first = today.replace(day=1)
    end = (first + dt.timedelta(days=32)).replace(day=1)
    start = first.replace(year=first.year - 1)
    return start, end


def _day(value: str, name: str, label: str, problems: list[Problem]) -> dt.date | None:
    text = (value or "").strip()
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(name, f"{label} must be a real date, like 2025-04-01"))
        return None


def read_filters(actor, data) -> tuple[HotspotQuery | None, Filters, list[Problem]]:
    """(the query, or None when something is wrong; what was asked, to show
    again; the problems, each naming its field). 404 when the person may not
    see the authority's figures (or any)."""
    problems: list[Problem] = []
    code = (data.get("authority") or "").strip()[:10]
    authority = authority_for(actor, code) if code else default_authority(actor)
    if authority is None:
        raise Http404("No such page")
    start_default, end_default = default_period(timezone.localdate())
    raw_start = (data.get("from") or "").strip()[:20] or start_default.isoformat()
    raw_end = (data.get("to") or "").strip()[:20] or end_default.isoformat()
    start = _day(raw_start, "from", "The start of the period", problems)
    end = _day(raw_end, "to", "The end of the period", problems)
    if start and end:
        if end <= start:
            problems.append(Problem("to", "The end of the period must be after its start (the end is the day "
                                          "after the last day)"))
        elif (end - start).days > LONGEST_PERIOD_DAYS:
            problems.append(Problem("to", "The period can be at most three years long"))
    missing_from = (data.get("missing_from") or "").strip()
    if missing_from not in MISSING_FROM:
        problems.append(Problem("missing_from", "Choose home, care or both"))
        missing_from = ""
    area = (data.get("area") or "district").strip()
    if area not in AREAS:
        problems.append(Problem("area", "Choose postcode districts or hexagons"))
        area = "district"
    where = (data.get("where") or "found").strip()
    if where not in WHERE:
        problems.append(Problem("where", "Choose where episodes ended or where children went missing from"))
        where = "found"
    filters = Filters(authority.code, raw_start, raw_end, missing_from, area, where)
    if problems:
        return None, filters, problems
    return HotspotQuery(authority.pk, start, end, area, where, missing_from), filters, problems


def read_key(data) -> str | None:
    """The area asked for: a district or H3 cell, or None for "no place" (`none`)."""
    key = (data.get("key") or "").strip().upper()[:20]
    if not key:
        raise Http404("No such area")
    if key == "NONE":
        return None
    return key.lower() if len(key) == 15 and all(c in "0123456789ABCDEF" for c in key) else key
