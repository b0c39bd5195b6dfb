"""Who may see and change people of concern, and the links between children,
places and people.

Which *children* a person sees is decided by homeward/access/scope.py alone.
People of concern are more sensitive than a child's record: they are
allegations about adults (and sometimes other children) that are not proven.
So:

1. **Role.** Only the roles that work on exploitation see any of it:
   ``homeward.access.roles.can_see_people_of_concern`` (the children missing
   officer, the exploitation team, team and senior managers, the police).
   Social workers, return-interview workers, care staff, analysts, auditors
   and administrators see none: no person, no link, no network, no
   shortlist. (A social worker who needs it asks the exploitation team; an
   interviewer records the people the child names in the interview, which
   the exploitation team then takes up.)
2. **Scope.** ``people_of_concern_visible_to(actor)`` is the one definition:
   a person of concern is visible to a user of such a role when

   - they are linked (by a link not removed) to at least one child the user
     can see (``children_visible_to``), or
   - they were recorded by the user's organisation.

   Within a visible person's record, the links to children are shown only
   for children the user can see; the others are counted, never named.
3. **Changes.** Anyone who sees a person may add details and links (to
   children they can see); a link or detail is removed (with a reason, kept
   in the history) only by the organisation that recorded it.

A person or child outside the scope answers 404, as if it did not exist.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from homeward.access.roles import can_see_people_of_concern
from homeward.access.scope import children_visible_to


def _role(actor) -> str:
    return getattr(actor, "role", None) or ""


def _active(actor) -> bool:
    return (actor is not None and getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False))


def may_see_intelligence(actor) -> bool:
    """The role works on exploitation (and the person is signed in, in an organisation)."""
    return (_active(actor) and can_see_people_of_concern(_role(actor))
            and getattr(actor, "organisation", None) is not None)


def people_of_concern_visible_to(actor) -> QuerySet:
    """THE definition of which people of concern a person may see (see above)."""
    from .models import PersonChildLink, PersonOfConcern

    if not may_see_intelligence(actor):
        return PersonOfConcern.objects.none()
    linked = PersonChildLink.objects.filter(
        person=OuterRef("pk"), removed_at__isnull=True, child__in=children_visible_to(actor).values("pk"),
    )
    return PersonOfConcern.objects.filter(Q(organisation=actor.organisation) | Exists(linked))


def can_change_person(actor, person) -> bool:
    """Edit the record or add links: anyone who sees the person (the caller
    has fetched it through the scope)."""
    return may_see_intelligence(actor)


def can_remove(actor, record) -> bool:
    """Remove a link or detail: the organisation that recorded it."""
    if not may_see_intelligence(actor):
        return False
    org_id = getattr(record, "organisation_id", None)
    if org_id is None and hasattr(record, "person"):
        org_id = record.person.organisation_id
    return org_id == actor.organisation.pk
