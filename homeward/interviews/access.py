"""Who may see and do what with return home interviews.

Which *children* a person sees is decided by homeward/access/scope.py alone.
Within that scope, an interview's text (the child's words, the findings, the
places and people named) is more sensitive than the rest of the record, so
this module decides how much of an interview a person sees:

- ``FULL``: the council roles that need it (the child's social worker, the
  children missing officer, team and senior managers) of the authority
  responsible for the interview or of the area where the child went missing;
  a social worker allocated to the child; and the return-interview provider
  the interview is allocated to (its workers, the interviewer).
- ``SHARED``: the police: the interview's state (offered, completed, declined)
  and only the findings, places and people the interviewer marked as shared.
- ``STATUS``: everyone else who sees the child (care staff caring for the
  child, a provider that is not doing this interview, another council that
  sees the child): whether an interview is due, offered or done; no text.

Analysts, auditors and administrators see no named records at all (scope.py),
so no interview either. Permission names for interviews live here.
"""

from __future__ import annotations

from django.utils import timezone

from homeward.access.roles import COUNCIL_CASE_ROLES, MANAGER_ROLES, Role
from homeward.access.scope import authority_ids_for

FULL = "full"
SHARED = "shared"
STATUS = "status"

# Council roles that run the service: see the authority's worklist, allocate.
COORDINATING_ROLES = frozenset(MANAGER_ROLES | {Role.MISSING_OFFICER})
# Roles that see the timeliness and outcomes figures (analysts: figures only).
FIGURE_ROLES = frozenset(COORDINATING_ROLES | {Role.ANALYST})


def _role(actor) -> str:
    return getattr(actor, "role", None) or ""


def _org_id(actor):
    org = getattr(actor, "organisation", None)
    return org.pk if org is not None else None


def _allocated_social_worker(actor, interview) -> bool:
    from homeward.people.models import Allocation

    today = timezone.localdate()
    return Allocation.objects.filter(
        child_id=interview.child_id, kind=Allocation.Kind.SOCIAL_WORKER, user=actor, start_date__lte=today,
    ).exclude(end_date__isnull=False, end_date__lte=today).exists()


def interview_access(actor, interview) -> str:
    """FULL, SHARED or STATUS, for a person who already sees the child."""
    role = _role(actor)
    if role in COUNCIL_CASE_ROLES:
        if {interview.lead_authority_id, interview.area_authority_id} & set(authority_ids_for(actor)):
            return FULL
        if role == Role.SOCIAL_WORKER and _allocated_social_worker(actor, interview):
            return FULL
        return STATUS
    if role == Role.RHI_WORKER:
        if (interview.provider_id is not None and interview.provider_id == _org_id(actor)) \
                or actor.pk in (interview.worker_id, interview.interviewer_id):
            return FULL
        return STATUS
    if role == Role.POLICE:
        return SHARED
    return STATUS


def can_record(actor, interview) -> bool:
    """Record the offer, the outcome and the findings: the provider doing the
    interview, or the council responsible or of the area (an in-house
    interview, or what a placing authority told the area)."""
    role = _role(actor)
    if role == Role.RHI_WORKER:
        return interview.provider_id is not None and interview.provider_id == _org_id(actor)
    if role in COUNCIL_CASE_ROLES:
        return bool({interview.lead_authority_id, interview.area_authority_id} & set(authority_ids_for(actor)))
    return False


def can_allocate(actor, interview) -> bool:
    role = _role(actor)
    if role in COORDINATING_ROLES:
        return interview.lead_authority_id in authority_ids_for(actor)
    if role == Role.RHI_WORKER:
        return interview.provider_id is not None and interview.provider_id == _org_id(actor)
    return False


def can_raise_flag(actor, interview) -> bool:
    return can_record(actor, interview)


def can_audit_quality(actor, interview=None) -> bool:
    if _role(actor) not in MANAGER_ROLES:
        return False
    return interview is None or interview.lead_authority_id in authority_ids_for(actor)


def can_see_figures(actor) -> bool:
    org = getattr(actor, "organisation", None)
    return _role(actor) in FIGURE_ROLES and org is not None and org.authority_id is not None


def can_have_worklist(actor) -> bool:
    return _role(actor) == Role.RHI_WORKER or _role(actor) in COUNCIL_CASE_ROLES
