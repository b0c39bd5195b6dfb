"""Writes to authorities, providers and placements."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from django.db import transaction

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.problems import Problem, Refused

from .models import Authority

REFERENCE = Path(__file__).resolve().parent / "reference" / "authorities.csv"


def reference_authorities() -> list[dict]:
    with REFERENCE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def authorities_load_reference() -> int:
    """Create or refresh the shipped English local authorities. Returns how many were added."""
    added = 0
    for row in reference_authorities():
        _, created = Authority.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "region": row["region"],
                "police_force": row["police_force"],
                "postcode_areas": row["postcode_areas"],
            },
        )
        added += int(created)
    return added


@transaction.atomic
def authority_add(*, actor, code: str, name: str) -> Authority:
    code = code.strip()
    name = name.strip()
    problems = []
    if not re.fullmatch(r"\d{3}", code):
        problems.append(Problem("code", f"'{code}' is not a three-digit DfE authority code"))
    if not name:
        problems.append(Problem("name", "Enter the authority's name"))
    if problems:
        raise Refused(problems)
    if Authority.objects.filter(code=code).exists():
        raise Refused(Problem("code", f"Authority {code} already exists"))
    authority = Authority.objects.create(code=code, name=name)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=authority, summary=f"Added authority {code}")
    return authority


def authority_get(code: str, field: str = "authority") -> Authority:
    """The authority with this code, or a refusal naming the unknown code."""
    authority = Authority.objects.filter(code=str(code).strip()).first()
    if authority is None:
        raise Refused(Problem(field, f"'{code}' is not a known local authority code (see `homeward authority add`)"))
    return authority
