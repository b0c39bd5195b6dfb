"""Who may see what of places and hotspots.

Which children and episodes a person sees is decided by
homeward/access/scope.py alone; this module says which parts of the places
pages a role gets, from the permission functions of access/roles.py:

- the hotspot figures: roles that see figures (council case roles, the
  police missing team, analysts), for the authorities their organisation
  belongs to or covers (`authority_ids_for`);
- the episodes behind an area: those of them who also see named records,
  and then only the episodes in their scope;
- small-number suppression: for roles that see figures only (analysts),
  counts from 1 to threshold - 1 are shown as "<threshold".
"""

from __future__ import annotations

from django.conf import settings

from homeward.access import roles
from homeward.access.roles import can_see_figures, can_see_named_records
from homeward.access.scope import authority_ids_for

from .rules import DEFAULT_SUPPRESSION_THRESHOLD


def _role(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return ""
    return getattr(actor, "role", None) or ""


def can_see_hotspots(actor) -> bool:
    role = _role(actor)
    return bool(role) and can_see_figures(role) and bool(authority_ids_for(actor))


def can_see_episodes_behind(actor) -> bool:
    role = _role(actor)
    return bool(role) and can_see_figures(role) and can_see_named_records(role)


def sees_figures_only(actor) -> bool:
    role = _role(actor)
    return bool(role) and roles.sees_figures_only(role)


def suppression_threshold(actor) -> int | None:
    """The threshold applied to this person's figures, or None (exact figures)."""
    if not sees_figures_only(actor):
        return None
    return int(getattr(settings, "HOMEWARD_SUPPRESSION_THRESHOLD", DEFAULT_SUPPRESSION_THRESHOLD))


def hotspot_authority_ids(actor) -> list[int]:
    """The authorities whose hotspots this person may see."""
    return authority_ids_for(actor) if can_see_hotspots(actor) else []
