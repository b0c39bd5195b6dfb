"""Helpers for the protocol's tests: episodes made through the episode services
(as a feed or a person would), then the protocol evaluated explicitly: the
services publish their events on commit, which the `world` fixture's
transaction never reaches (tests/protocol/test_events_followed.py follows
them with real commits).

The shared `world` (tests/conftest.py): Kent (886) and Southwark (210), Kent's
council, police, return-interview provider and Oakview home; Ellie (at home in
Kent), Callum (Kent's child at Oakview), Jade (Southwark's child at Oakview in
Kent), Sam (at home in Southwark).
"""

from __future__ import annotations

import datetime as dt
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from homeward.episodes.services import notification_apply
from homeward.protocol import engine
from homeward.protocol.models import Task

LONDON = ZoneInfo("Europe/London")
_refs = count(1)


def iso(moment: dt.datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


def report(world, child, *, area=None, last_seen: dt.datetime, returned: dt.datetime | None = None, risk: str = "",
           source: str = "police:kent", ref: str | None = None, flags: str = "", responsible: str = "",
           reported: dt.datetime | None = None, now: dt.datetime | None = None):
    """A notification row about `child`, taken in for the area's feed. Returns the episode."""
    row = {
        "source": source, "source_ref": ref or f"R{next(_refs)}", "first_name": child.first_name,
        "last_name": child.last_name, "dob": child.dob.isoformat(), "last_seen_at": iso(last_seen),
        "reported_at": iso(reported or last_seen + dt.timedelta(minutes=30)), "risk_level": risk,
        "returned_at": iso(returned), "flags": flags, "responsible_authority": responsible,
    }
    outcome = notification_apply(actor=None, area_authority=area or world.kent, row=row, child=child, now=now)
    return outcome.episode


def evaluate(*episodes, at: dt.datetime | None = None):
    return engine.evaluate_episodes([e.pk for e in episodes], now=at)


def tasks(rule: str | None = None, **filters):
    qs = Task.objects.all()
    if rule:
        qs = qs.filter(rule=rule)
    return list(qs.filter(**filters).order_by("pk"))


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def contacts(world):
    world.kent.missing_contact_email = "missing@kent.example"
    world.kent.save(update_fields=["missing_contact_email"])
    world.southwark.missing_contact_email = "missing.children@southwark.example"
    world.southwark.save(update_fields=["missing_contact_email"])
    return world
