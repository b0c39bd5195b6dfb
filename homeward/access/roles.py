"""The roles people hold in Homeward, and what each role may do.

Permission names live here and nowhere else; views, the API, the command line
and reports ask these functions, never compare role strings themselves.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    MISSING_OFFICER = "missing_officer", "Children missing officer"
    SOCIAL_WORKER = "social_worker", "Social worker"
    EXPLOITATION_OFFICER = "exploitation_officer", "Exploitation team"
    TEAM_MANAGER = "team_manager", "Team manager"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    POLICE = "police", "Police missing team"
    RHI_WORKER = "rhi_worker", "Return interview worker"
    CARE_STAFF = "care_staff", "Care provider staff"
    ANALYST = "analyst", "Analyst (figures only)"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", "Council"
    POLICE = "police", "Police force"
    RHI_PROVIDER = "rhi_provider", "Return interview provider"
    CARE_PROVIDER = "care_provider", "Care provider"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"


# Roles whose scope is the whole of their council's children (responsible,
# living in, placed in, or missing in the authority's area).
COUNCIL_CASE_ROLES = frozenset(
    {Role.MISSING_OFFICER, Role.SOCIAL_WORKER, Role.EXPLOITATION_OFFICER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER}
)
# Roles that may record a child missing or returned.
RECORDING_ROLES = frozenset(COUNCIL_CASE_ROLES | {Role.POLICE, Role.CARE_STAFF})
# Roles that may see named records at all. Analysts see figures only; auditors
# see the audit trail; administrators manage people and configuration.
NAMED_RECORD_ROLES = frozenset(RECORDING_ROLES | {Role.RHI_WORKER})
MANAGER_ROLES = frozenset({Role.TEAM_MANAGER, Role.SENIOR_MANAGER})
# Roles that work on exploitation: they alone see people of concern, the links
# between children, places and people, and the network (every read audited).
EXPLOITATION_ROLES = frozenset(
    {Role.MISSING_OFFICER, Role.EXPLOITATION_OFFICER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER, Role.POLICE}
)


def can_see_named_records(role: str) -> bool:
    return role in NAMED_RECORD_ROLES


def can_record_episodes(role: str) -> bool:
    return role in RECORDING_ROLES


def can_import(role: str) -> bool:
    return role in COUNCIL_CASE_ROLES or role in {Role.POLICE, Role.ADMIN}


def can_search_audit(role: str) -> bool:
    return role == Role.AUDITOR


def can_see_figures(role: str) -> bool:
    return role in COUNCIL_CASE_ROLES or role in {Role.ANALYST, Role.POLICE}


def sees_figures_only(role: str) -> bool:
    """A role that sees figures and no named record (the analyst): small
    numbers are always suppressed in what it is shown (decision 0011)."""
    return can_see_figures(role) and not can_see_named_records(role)


def can_see_people_of_concern(role: str) -> bool:
    return role in EXPLOITATION_ROLES


def can_administer(role: str) -> bool:
    return role == Role.ADMIN
