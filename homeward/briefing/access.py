"""Who may keep and who may read a child's Philomena profile and police briefing.

Which *children* a person sees at all is decided by homeward/access/scope.py
alone; every function here starts by asking it. Within that scope:

Keeping the profile (change it, upload the photo): the child's carers.

- care provider staff of the provider where the child is placed now (an open
  placement today with one of their organisation's providers);
- the children missing officer and the social workers of the authority
  responsible for the child (the placing authority), and a social worker
  allocated to the child.

The second part, for an episode (clothing, last seen...): the same people;
and, for a child who is not looked after (missing from home, no placement
and no responsible authority), the children missing officer and the social
workers of the child's home authority, who take the family's account.

Reading the profile, the panel of what is known and the briefing:

- those who keep the profile;
- council case roles (missing officer, social worker, exploitation officer,
  team and senior managers) who see the child;
- the police, while the child is missing in their force's area: an episode
  that is open now and happened in an area the force covers, or that a report
  from such an area joined (as scope.py counts it). A briefing is of one
  episode, so the police read a briefing only while that episode is open.

Nobody else: return-interview workers, analysts, auditors, administrators,
other authorities' users, staff of other homes, a force whose area the child
is not missing in. For them the pages and the API answer 404, exactly as for
a record that does not exist.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from homeward.access.roles import COUNCIL_CASE_ROLES, Role
from homeward.access.scope import authority_ids_for, children_visible_to

# Council roles who keep the profile of a child their authority placed.
KEEPING_COUNCIL_ROLES = frozenset({Role.MISSING_OFFICER, Role.SOCIAL_WORKER})


def _role(actor) -> str:
    return getattr(actor, "role", None) or ""


def _in_scope(actor, child) -> bool:
    if child is None or getattr(child, "pk", None) is None:
        return False
    return children_visible_to(actor).filter(pk=child.pk).exists()


def _open_placements(child):
    from homeward.placements.models import Placement

    today = timezone.localdate()
    return Placement.objects.filter(child_id=child.pk, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=today))


def is_looked_after(child) -> bool:
    """Looked after now: an authority is responsible for the child, or the
    child has a placement open today."""
    return child.responsible_authority_id is not None or _open_placements(child).exists()


def _allocated_social_worker(actor, child) -> bool:
    from homeward.people.models import Allocation

    today = timezone.localdate()
    return Allocation.objects.filter(
        child_id=child.pk, kind=Allocation.Kind.SOCIAL_WORKER, user_id=actor.pk, start_date__lte=today,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gt=today)).exists()


def _keeps(actor, child) -> bool:
    """The carers' rule, without the scope check."""
    role = _role(actor)
    org = getattr(actor, "organisation", None)
    if role == Role.CARE_STAFF:
        return org is not None and _open_placements(child).filter(provider__organisation=org).exists()
    if role in KEEPING_COUNCIL_ROLES:
        if child.responsible_authority_id is not None \
                and child.responsible_authority_id in authority_ids_for(actor):
            return True
        return role == Role.SOCIAL_WORKER and _allocated_social_worker(actor, child)
    return False


def can_keep_profile(actor, child) -> bool:
    """Change the child's profile and photo."""
    return _in_scope(actor, child) and _keeps(actor, child)


def can_record_missing_details(actor, episode) -> bool:
    """Add the second part (clothing, last seen, with whom) for an episode."""
    child = episode.child
    if not _in_scope(actor, child):
        return False
    if _keeps(actor, child):
        return True
    return (_role(actor) in KEEPING_COUNCIL_ROLES and not is_looked_after(child)
            and child.home_authority_id is not None and child.home_authority_id in authority_ids_for(actor))


def _episode_in_area(episode, area_ids: list[int]) -> bool:
    if not area_ids:
        return False
    if episode.area_authority_id in area_ids:
        return True
    return episode.notifications.filter(area_authority_id__in=area_ids).exists()


def police_may_read(actor, episode) -> bool:
    """The police: this episode is open and in their force's area."""
    return (_role(actor) == Role.POLICE and episode.returned_at is None
            and _episode_in_area(episode, authority_ids_for(actor)))


def _reads(actor, child) -> bool:
    role = _role(actor)
    if role in COUNCIL_CASE_ROLES:
        return True
    if role == Role.POLICE:
        from homeward.episodes.models import Episode

        return any(police_may_read(actor, e) for e in Episode.objects.filter(child_id=child.pk,
                                                                              returned_at__isnull=True))
    return _keeps(actor, child)


def can_read_profile(actor, child) -> bool:
    """See the child's profile, its photo and versions, and the panel of what is known."""
    return _in_scope(actor, child) and _reads(actor, child)


def can_read_briefing(actor, episode) -> bool:
    """See (and print) the police briefing of this episode."""
    child = episode.child
    if not _in_scope(actor, child):
        return False
    role = _role(actor)
    if role == Role.POLICE:
        return police_may_read(actor, episode)
    return role in COUNCIL_CASE_ROLES or _keeps(actor, child)
