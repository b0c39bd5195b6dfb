"""Small hand-made worlds for the key figures.

Children and placements are created directly; episodes come in as
notification rows through `notification_apply`, as from a police feed, so
that every figure is counted from episodes made the way Homeward makes them.
Times without an offset are Europe/London local time (contract.md).
"""

from __future__ import annotations

import datetime as dt
import itertools

from homeward.episodes.services import notification_apply
from homeward.people.models import Child
from homeward.placements.models import Placement
from homeward.reporting.kpis import key_figures

_refs = itertools.count(1)


def make_child(*, first="Test", last="Child", dob=dt.date(2009, 5, 1), home=None, responsible=None, **extra) -> Child:
    return Child.objects.create(first_name=first, last_name=last, dob=dob, sex="F", home_authority=home,
                                responsible_authority=responsible, **extra)


def place(child, *, responsible, host, start, end=None) -> Placement:
    return Placement.objects.create(child=child, responsible_authority=responsible, host_authority=host,
                                    place_code="K2", start_date=start, end_date=end)


def report(child, area, last_seen, returned=None, *, source="police:test", ref=None, missing_from="",
           category="missing", responsible=None, reported=None):
    """One notification row about `child` from the feed of `area`."""
    row = {
        "source": source,
        "source_ref": ref or f"REF-{next(_refs)}",
        "child_ref": "",
        "first_name": child.first_name,
        "last_name": child.last_name,
        "dob": child.dob.isoformat(),
        "sex": child.sex,
        "missing_from": missing_from,
        "category": category,
        "last_seen_at": last_seen,
        "reported_at": reported or "",
        "risk_level": "medium",
        "postcode": "",
        "provider_urn": "",
        "responsible_authority": responsible.code if responsible else "",
        "returned_at": returned or "",
        "found_postcode": "",
        "flags": "",
        "notes": "",
    }
    return notification_apply(actor=None, area_authority=area, row=row, child=child).episode


def figures(authority, start, end, **kwargs) -> dict:
    return key_figures(authority=authority, start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end),
                       **kwargs)
