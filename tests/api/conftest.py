"""Fixtures for the JSON API: a client per persona, signed in with a personal token.

`as_persona("kent_police")` gives an APIClient sending
`Authorization: Bearer <token>` for that persona of the shared `world`.
`episodes` adds the example notifications' episodes for Ellie (Kent, from
home), Callum (Kent's child at Oakview) and Sam (Southwark, from home),
attached to the known children so they need no record matching.
"""

from __future__ import annotations

import csv
import datetime as dt
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from homeward.access.services import token_create
from homeward.episodes.services import notification_apply
from homeward.placements.models import Placement

# The contract's example notification file (Ellie's report and its update; Callum reported
# by his home and by the police, then found).
HEADER = (
    "source,source_ref,child_ref,first_name,last_name,dob,sex,missing_from,category,last_seen_at,reported_at,"
    "risk_level,postcode,provider_urn,responsible_authority,returned_at,found_postcode,flags,notes"
)
ROWS = [
    'police:kent,KNT-000101,,Ellie,Hart,2009-03-14,F,home,missing,2024-07-05T21:10,2024-07-05T23:40,medium,CT2 7NZ,,,,,,"reported by mother; phone switched off"',
    "provider:SC999001,HOME-77,X2001,Callum,Reid,2008-11-02,M,care,missing,2024-07-06T19:00,2024-07-06T19:30,,ME15 6AA,SC999001,886,,,cce;county_lines,",
    "police:kent,KNT-000102,X2001,Callum,Reid,2008-11-02,M,,missing,2024-07-06T19:20,2024-07-06T20:05,high,ME15 6AA,SC999001,886,,,cce,",
    "police:kent,KNT-000101,,Ellie,Hart,2009-03-14,F,home,missing,2024-07-05T21:10,2024-07-05T23:40,low,CT2 7NZ,,,2024-07-06T10:15,CT1 1QU,,found at a friend's address",
    "police:kent,KNT-000102,X2001,Callum,Reid,2008-11-02,M,,missing,2024-07-06T19:20,2024-07-06T20:05,high,ME15 6AA,SC999001,886,2024-07-08T02:30,SE1 7PB,cce,found by transport police",
]


def example_rows() -> list[dict]:
    """The five rows of the contract's example notification file, as dicts of strings."""
    return [dict(row) for row in csv.DictReader([HEADER, *ROWS])]


@pytest.fixture
def rows():
    return example_rows()


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def as_persona(world):
    clients: dict[str, APIClient] = {}

    def make(persona: str) -> APIClient:
        if persona not in clients:
            user = getattr(world, persona)
            _, raw = token_create(actor=user, user=user, name=f"test {persona}")
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
            clients[persona] = client
        return clients[persona]

    return make


@pytest.fixture
def episodes(world, rows):
    """Episodes from the example rows (Ellie returned, Callum returned) and one open one for Sam."""
    # Callum has been at Oakview since January 2023 (the SSDA903 example), so his
    # July 2024 episode is from care.
    Placement.objects.filter(child=world.callum).update(start_date=dt.date(2023, 1, 14))
    actor = world.kent_missing_officer
    ellie = notification_apply(actor=actor, area_authority=world.kent, row=rows[0], child=world.ellie).episode
    notification_apply(actor=actor, area_authority=world.kent, row=rows[3], child=world.ellie)
    callum = notification_apply(actor=actor, area_authority=world.kent, row=rows[1], child=world.callum).episode
    notification_apply(actor=actor, area_authority=world.kent, row=rows[2], child=world.callum)
    notification_apply(actor=actor, area_authority=world.kent, row=rows[4], child=world.callum)
    sam_row = {
        "source": "police:met", "source_ref": "MET-5001", "first_name": "Sam", "last_name": "Price",
        "dob": "2010-05-05", "sex": "M", "missing_from": "home", "last_seen_at": "2024-08-01T00:30",
        "risk_level": "low", "postcode": "SE15 4AA",
    }
    sam = notification_apply(actor=world.met_police, area_authority=world.southwark, row=sam_row, child=world.sam).episode
    for episode in (ellie, callum, sam):
        episode.refresh_from_db()
    return SimpleNamespace(ellie=ellie, callum=callum, sam=sam)
