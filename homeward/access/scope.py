"""Who may see which child: decided here, and only here.

A child is in a person's scope through live relationships:

- council case roles (missing officer, social worker, team and senior
  managers): children their authority is responsible for, children living at
  home in its area, children placed in its area now, and children whose
  episodes happened in its area (the authority holds those records);
- the police missing team: children living, placed now, or gone missing in
  the authorities their force covers (an episode counts for an area when it
  happened there or when a report from that area's feed joined it);
- care provider staff: children placed now with one of their organisation's
  providers;
- anyone: children allocated to them, or to their organisation (for example
  a return-interview provider);
- analysts, auditors and administrators: no named records at all.

Everything that lists or fetches a child, an episode or a notification, in
pages, the API, exports or the command line, starts from these querysets,
so that a record outside the scope answers 404 everywhere alike.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .roles import COUNCIL_CASE_ROLES, Role, can_see_named_records


def _open_placements(today):
    from homeward.placements.models import Placement

    return Placement.objects.filter(child=OuterRef("pk"), start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=today)
    )


def authority_ids_for(actor) -> list[int]:
    """The authorities an actor's organisation belongs to or covers."""
    org = getattr(actor, "organisation", None)
    if org is None:
        return []
    ids = set(org.areas.values_list("id", flat=True))
    if org.authority_id:
        ids.add(org.authority_id)
    return sorted(ids)


def children_visible_to(actor) -> QuerySet:
    from homeward.episodes.models import Episode, Notification
    from homeward.people.models import Allocation, Child

    base = Child.objects.filter(merged_into__isnull=True)
    if actor is None or not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return base.none()
    role = actor.role
    if role is None or not can_see_named_records(role):
        return base.none()
    today = timezone.localdate()
    org = actor.organisation

    allocations = Allocation.objects.filter(child=OuterRef("pk"), start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=today)
    )
    condition = Exists(allocations.filter(Q(user=actor) | Q(organisation=org)))

    if role in COUNCIL_CASE_ROLES or role == Role.POLICE:
        area_ids = authority_ids_for(actor)
        if area_ids:
            condition |= Q(home_authority_id__in=area_ids)
            condition |= Exists(_open_placements(today).filter(host_authority_id__in=area_ids))
            condition |= Exists(Episode.objects.filter(child=OuterRef("pk"), area_authority_id__in=area_ids))
            # A report from this area may have joined an episode recorded by another area.
            condition |= Exists(
                Notification.objects.filter(episode__child=OuterRef("pk"), area_authority_id__in=area_ids)
            )
            if role in COUNCIL_CASE_ROLES:
                condition |= Q(responsible_authority_id__in=area_ids)
    elif role == Role.CARE_STAFF:
        condition |= Exists(_open_placements(today).filter(provider__organisation=org))

    return base.filter(condition)


def episodes_visible_to(actor) -> QuerySet:
    from homeward.episodes.models import Episode

    return Episode.objects.filter(child__in=children_visible_to(actor).values("pk"))


def notifications_visible_to(actor) -> QuerySet:
    from homeward.episodes.models import Notification

    return Notification.objects.filter(episode__in=episodes_visible_to(actor).values("pk"))
