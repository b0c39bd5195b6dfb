"""Protocol versions: which one is in force, and making a new one.

For an authority at a moment: its own latest version in force (effective
from on or before that moment), else its region's, else Homeward's defaults
(defaults.py), stored as the authority's version 1 the first time they are
needed, so that every task can name the version that raised it.

A change is always a new version; a version that has raised a task is never
changed (ProtocolVersion.save refuses), so history is never rewritten.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.problems import Problem, Refused

from . import defaults
from .models import ProtocolVersion
from .rules import Protocol

# Homeward's defaults apply from long before any data it could hold.
DEFAULTS_EFFECTIVE_FROM = datetime(2000, 1, 1, tzinfo=timezone.get_fixed_timezone(0))


def version_in_force(authority, at: datetime | None = None, *, create: bool = True) -> ProtocolVersion | None:
    at = at or timezone.now()
    own = (ProtocolVersion.objects.filter(authority=authority, effective_from__lte=at)
           .order_by("-effective_from", "-number").first())
    if own is not None:
        return own
    if authority.region:
        regional = (ProtocolVersion.objects.filter(authority__isnull=True, region=authority.region,
                                                   effective_from__lte=at)
                    .order_by("-effective_from", "-number").first())
        if regional is not None:
            return regional
    if not create:
        return None
    return _defaults_version(authority)


DEFAULTS_NOTE = "Homeward's defaults (protocol.md)"


def _defaults_version(authority) -> ProtocolVersion:
    """Version 1 of the authority's protocol: the defaults (made once; a
    second worker making it at the same time finds the first's)."""
    existing = ProtocolVersion.objects.filter(authority=authority, number=1).first()
    if existing is not None:
        return existing
    doc = defaults.default_document()
    try:
        with transaction.atomic():
            return ProtocolVersion.objects.create(
                authority=authority, number=1, rules=doc["rules"], look_back_days=doc["look_back_days"],
                note=DEFAULTS_NOTE, effective_from=DEFAULTS_EFFECTIVE_FROM,
            )
    except IntegrityError:
        return ProtocolVersion.objects.get(authority=authority, number=1)


def as_protocol(version: ProtocolVersion) -> Protocol:
    return Protocol(version_id=version.pk, number=version.number, rules=version.rules,
                    look_back_days=version.look_back_days, label=f"{version.scope_label} protocol")


def version_create(*, actor, document, authority=None, region: str = "", note: str = "",
                   effective_from: datetime | None = None) -> ProtocolVersion:
    """A new version for an authority (or a region) from a protocol document.
    Refused, naming each problem, when the document is not a valid protocol."""
    if (authority is None) == (not region):
        raise Refused(Problem("authority", "Give an authority or a region, not both"))
    try:
        doc = defaults.validate(document)
    except defaults.InvalidProtocol as invalid:
        raise Refused([Problem(path, message) for path, message in invalid.problems]) from None
    effective_from = effective_from or timezone.now()
    scope = Q(authority=authority) if authority is not None else Q(authority__isnull=True, region=region)
    for _ in range(5):
        try:
            with transaction.atomic():
                if authority is not None and not ProtocolVersion.objects.filter(scope).exists() and not (
                        authority.region and ProtocolVersion.objects.filter(authority__isnull=True,
                                                                            region=authority.region).exists()):
                    # Keep the defaults that applied until now as version 1.
                    _defaults_version(authority)
                number = (ProtocolVersion.objects.filter(scope).aggregate(n=Max("number"))["n"] or 0) + 1
                version = ProtocolVersion.objects.create(
                    authority=authority, region=region if authority is None else "", number=number,
                    name=doc.get("name", ""), rules=doc["rules"], look_back_days=doc["look_back_days"],
                    note=note.strip()[:500], effective_from=effective_from,
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
                audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=version,
                             summary=f"New protocol version {number} for "
                                     f"{authority.code if authority is not None else region}",
                             payload={"number": number, "note": note[:200],
                                      "effective_from": effective_from.isoformat()})
                return version
        except IntegrityError:
            continue  # somebody else took that number: take the next
    raise Refused(Problem("__all__", "Could not number the new version: try again"))


def versions_of(authority) -> list[ProtocolVersion]:
    """The authority's own versions and its region's, newest first."""
    q = Q(authority=authority)
    if authority.region:
        q |= Q(authority__isnull=True, region=authority.region)
    return list(ProtocolVersion.objects.filter(q).select_related("authority", "created_by")
                .order_by("-effective_from", "-number"))
