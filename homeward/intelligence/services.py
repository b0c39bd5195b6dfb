"""Writes to people of concern and their links. Each takes `actor` as a
keyword, validates, saves and audits in one transaction, and raises
`Refused` (field + reason) before storing anything.

- `person_of_concern_create`, `person_of_concern_update`: the record, its
  aliases, phone numbers and vehicles (a detail left out of an update is
  removed, kept in the history, never deleted).
- `person_link_child`, `person_link_place`: a link with its source, the day
  the information is from, a note; who recorded it for which organisation.
- `person_from_named_person`: take up a person a child named in a return
  interview, as a new person of concern or as one already known.
- `person_link_remove`: a link recorded by mistake or no longer believed is
  removed with a reason, and kept.

The audit trail records which record was changed and which fields, never
the names, numbers or notes themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.scope import children_visible_to, episodes_visible_to
from homeward.problems import Problem, Refused

from . import access, formats
from .models import (
    ChildLinkNature, PersonChildLink, PersonDetail, PersonOfConcern, PersonPlaceLink, PlaceLinkNature,
)

MAX_NAME = 200
MAX_DESCRIPTION = 500
MAX_NOTES = 5000
MAX_NOTE = 500
MAX_DETAILS = 30  # of each kind on one record
MIN_REASON = 5
MAX_REASON = 500
EDIT_REMOVAL = "Removed when the record was edited"

UNSET = object()


@dataclass(frozen=True)
class Vehicle:
    registration: str = ""
    description: str = ""


def _require_role(actor) -> None:
    if not access.may_see_intelligence(actor):
        raise Refused(Problem("__all__", "Your role cannot record people of concern"))


def _require_visible_person(actor, person: PersonOfConcern) -> None:
    if not access.people_of_concern_visible_to(actor).filter(pk=person.pk).exists():
        raise Refused(Problem("person", "There is no person of concern with that number that you can see"))


def _today() -> dt.date:
    return timezone.localdate()


def check_noted_on(noted_on, *, field: str = "noted_on", not_before: dt.date | None = None,
                   what: str = "") -> list[Problem]:
    if noted_on is None:
        return [Problem(field, "Enter the date the information is from")]
    if isinstance(noted_on, dt.datetime) or not isinstance(noted_on, dt.date):
        return [Problem(field, "The date the information is from must be a date")]
    if noted_on > _today():
        return [Problem(field, "The date the information is from must be today or in the past")]
    if not_before is not None and noted_on < not_before:
        return [Problem(field, f"The date the information is from must be on or after {what}")]
    return []


# --- details: aliases, phones, vehicles ------------------------------------------------------------


def _clean_details(*, name: str, aliases, phones, vehicles) -> tuple[list[tuple], list[Problem]]:
    """[(kind, value, search_key, description)] from what was typed, and the problems."""
    problems: list[Problem] = []
    rows: list[tuple] = []
    seen: set[tuple] = {(PersonDetail.Kind.ALIAS, formats.name_key(name))}
    for kind, items in ((PersonDetail.Kind.ALIAS, aliases), (PersonDetail.Kind.PHONE, phones),
                        (PersonDetail.Kind.VEHICLE, vehicles)):
        items = list(items or [])
        field = {"alias": "aliases", "phone": "phones", "vehicle": "vehicles"}[kind]
        if len(items) > MAX_DETAILS:
            problems.append(Problem(field, f"Enter at most {MAX_DETAILS} {PersonDetail.Kind(kind).label.lower()}s"))
            continue
        for n, item in enumerate(items, start=1):
            where = f"{PersonDetail.Kind(kind).label} {n}" if len(items) > 1 else PersonDetail.Kind(kind).label
            if kind == PersonDetail.Kind.ALIAS:
                value = " ".join(str(item or "").split())
                if not value:
                    continue
                if len(value) > MAX_NAME:
                    problems.append(Problem(field, f"{where}: a name must be {MAX_NAME} characters or fewer"))
                    continue
                row = (kind, value, formats.name_key(value), "")
            elif kind == PersonDetail.Kind.PHONE:
                if not str(item or "").strip():
                    continue
                try:
                    value = formats.parse_phone(str(item))
                except ValueError as e:
                    problems.append(Problem(field, f"{where}: {e}"))
                    continue
                row = (kind, value, value, "")
            else:
                if isinstance(item, dict):
                    item = Vehicle(str(item.get("registration") or ""), str(item.get("description") or ""))
                elif isinstance(item, (tuple, list)):
                    item = Vehicle(*(str(x or "") for x in item[:2]))
                registration, description = item.registration.strip(), " ".join(item.description.split())
                if not registration and not description:
                    continue
                value = ""
                if registration:
                    try:
                        value = formats.parse_registration(registration)
                    except ValueError as e:
                        problems.append(Problem(field, f"{where}: {e}"))
                        continue
                if len(description) > 200:
                    problems.append(Problem(field, f"{where}: the description must be 200 characters or fewer"))
                    continue
                row = (kind, value, value.replace(" ", ""), description)
            identity = (row[0], row[2]) if row[2] else (row[0], "", formats.name_key(row[3]))
            if identity in seen:
                continue  # the same alias, number or registration twice: once is enough
            seen.add(identity)
            rows.append(row)
    return rows, problems


def _clean_person(*, name, age_from, age_to, description, notes) -> tuple[dict, list[Problem]]:
    problems: list[Problem] = []
    name = " ".join(str(name or "").split())
    if not name:
        problems.append(Problem("name", "Enter the name the person is known by"))
    elif len(name) > MAX_NAME:
        problems.append(Problem("name", f"The name must be {MAX_NAME} characters or fewer"))
    try:
        age_from = None if age_from in (None, "") else int(age_from)
        age_to = None if age_to in (None, "") else int(age_to)
        if age_from is not None and age_to is None:
            age_to = age_from
        formats.check_ages(age_from, age_to)
    except (TypeError, ValueError) as e:
        message = str(e) if isinstance(e, ValueError) and str(e)[:1].isupper() else "An age must be a whole number"
        problems.append(Problem("age", message))
    description = " ".join(str(description or "").split())
    if len(description) > MAX_DESCRIPTION:
        problems.append(Problem("description", f"The description must be {MAX_DESCRIPTION} characters or fewer"))
    notes = str(notes or "").replace("\r\n", "\n").strip()
    if len(notes) > MAX_NOTES:
        problems.append(Problem("notes", f"The notes must be {MAX_NOTES} characters or fewer"))
    return {"name": name, "age_from": age_from, "age_to": age_to, "description": description,
            "notes": notes}, problems


def person_of_concern_problems(*, name, aliases=(), age_from=None, age_to=None, description="", phones=(),
                               vehicles=(), notes="") -> list[Problem]:
    """What is wrong with these values, without storing anything: for a form
    that found a problem of its own and wants every problem at once."""
    values, problems = _clean_person(name=name, age_from=age_from, age_to=age_to, description=description,
                                     notes=notes)
    return problems + _clean_details(name=values["name"], aliases=aliases, phones=phones, vehicles=vehicles)[1]


def _add_details(person: PersonOfConcern, rows, actor) -> None:
    PersonDetail.objects.bulk_create([
        PersonDetail(person=person, kind=kind, value=value, search_key=key, description=description, added_by=actor)
        for kind, value, key, description in rows
    ])


@transaction.atomic
def person_of_concern_create(*, actor, name: str, aliases=(), age_from=None, age_to=None, description: str = "",
                             phones=(), vehicles=(), notes: str = "") -> PersonOfConcern:
    """A new person of concern, recorded for the actor's organisation."""
    _require_role(actor)
    values, problems = _clean_person(name=name, age_from=age_from, age_to=age_to, description=description,
                                     notes=notes)
    rows, more = _clean_details(name=values["name"], aliases=aliases, phones=phones, vehicles=vehicles)
    problems += more
    if problems:
        raise Refused(problems)
    person = PersonOfConcern.objects.create(
        **values, name_key=formats.name_key(values["name"]),
        age_noted_on=_today() if values["age_from"] is not None else None,
        organisation=actor.organisation, recorded_by=actor, updated_by=actor,
    )
    _add_details(person, rows, actor)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=person, summary="Recorded a person of concern",
                 payload={"details": _count(rows)})
    return person


def _count(rows) -> dict:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[0]] = counts.get(row[0], 0) + 1
    return counts


@transaction.atomic
def person_of_concern_update(*, actor, person: PersonOfConcern, name=UNSET, aliases=UNSET, age_from=UNSET,
                             age_to=UNSET, description=UNSET, phones=UNSET, vehicles=UNSET,
                             notes=UNSET) -> PersonOfConcern:
    """Change the record. Only what is given changes; a list given (aliases,
    phones, vehicles) is the whole list: what is no longer in it is removed
    (kept in the history)."""
    _require_role(actor)
    _require_visible_person(actor, person)
    person = PersonOfConcern.objects.select_for_update().get(pk=person.pk)
    current = {"name": person.name, "age_from": person.age_from, "age_to": person.age_to,
               "description": person.description, "notes": person.notes}
    given = {k: v for k, v in {"name": name, "age_from": age_from, "age_to": age_to, "description": description,
                                "notes": notes}.items() if v is not UNSET}
    if "age_from" in given and "age_to" not in given:
        given["age_to"] = None
    values, problems = _clean_person(**{**current, **given})
    active = list(person.details.filter(removed_at__isnull=True))
    wanted = {}
    for kind, items in (("alias", aliases), ("phone", phones), ("vehicle", vehicles)):
        if items is UNSET:
            continue
        lists = {"aliases": (), "phones": (), "vehicles": ()}
        lists[{"alias": "aliases", "phone": "phones", "vehicle": "vehicles"}[kind]] = items
        rows, more = _clean_details(name=values["name"], **lists)
        problems += more
        wanted[kind] = rows
    if problems:
        raise Refused(problems)

    changed = sorted(k for k in values if values[k] != current[k])
    for key in changed:
        setattr(person, key, values[key])
    if "name" in changed:
        person.name_key = formats.name_key(values["name"])
    if {"age_from", "age_to"} & set(changed):
        person.age_noted_on = _today() if values["age_from"] is not None else None

    def identity(kind, value, key, desc):
        return (kind, key) if key else (kind, "", formats.name_key(desc))

    added, removed = [], []
    now = timezone.now()
    for kind, rows in wanted.items():
        have = {}
        for detail in active:
            if detail.kind == kind:
                have.setdefault(identity(detail.kind, detail.value, detail.search_key, detail.description), detail)
        want = {identity(*r): r for r in rows}
        for ident, detail in have.items():
            if ident not in want:
                detail.removed_at, detail.removed_by, detail.removed_reason = now, actor, EDIT_REMOVAL
                detail.save(update_fields=["removed_at", "removed_by", "removed_reason"])
                removed.append(kind)
            elif kind == PersonDetail.Kind.VEHICLE and want[ident][3] != detail.description:
                detail.description = want[ident][3]
                detail.save(update_fields=["description"])
                changed.append("vehicles")
        new = [r for ident, r in want.items() if ident not in have]
        _add_details(person, new, actor)
        added += [r[0] for r in new]
    if not changed and not added and not removed:
        return person
    person.updated_by = actor
    person.save()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=person, summary="Changed a person of concern",
                 payload={"fields": changed, "details_added": sorted(added), "details_removed": sorted(removed)})
    return person


# --- sources -------------------------------------------------------------------------------------


def _check_source(actor, text: str, *, child=None) -> tuple[str, list[Problem], dict]:
    """The canonical source, its problems, and what it points to ({"episode": ...})."""
    try:
        source = formats.parse_source(text)
    except ValueError as e:
        return "", [Problem("source", str(e))], {}
    found: dict = {}
    if source.kind == "rhi":
        from homeward.interviews.models import Interview

        interview = Interview.objects.filter(pk=source.number,
                                             child__in=children_visible_to(actor).values("pk")).first()
        if interview is None:
            return "", [Problem("source", f"There is no return interview {source.ref} that you can see")], {}
        if child is not None and interview.child_id != child.pk:
            return "", [Problem("source", f"Return interview {source.ref} is not about this child")], {}
        found["episode"] = interview.episode
    elif source.kind == "episode":
        episode = episodes_visible_to(actor).filter(pk=source.number).first()
        if episode is None:
            return "", [Problem("source", f"There is no episode {source.ref} that you can see")], {}
        if child is not None and episode.child_id != child.pk:
            return "", [Problem("source", f"Episode {source.ref} is not one of this child’s")], {}
        found["episode"] = episode
    elif source.kind == "meeting":
        from homeward.protocol.models import Meeting

        meeting = Meeting.objects.filter(pk=source.number).first()
        if meeting is None:
            return "", [Problem("source", f"There is no meeting {source.ref}")], {}
        if meeting.child_id is not None and not children_visible_to(actor).filter(pk=meeting.child_id).exists():
            return "", [Problem("source", f"There is no meeting {source.ref}")], {}
        if child is not None and meeting.child_id not in (None, child.pk):
            return "", [Problem("source", f"Meeting {source.ref} is about another child")], {}
    return str(source), [], found


def _clean_note(note: str) -> tuple[str, list[Problem]]:
    note = " ".join(str(note or "").split())
    if len(note) > MAX_NOTE:
        return note, [Problem("note", f"The note must be {MAX_NOTE} characters or fewer")]
    return note, []


# --- links ---------------------------------------------------------------------------------------


@transaction.atomic
def person_link_child(*, actor, person: PersonOfConcern, child, nature: str, source: str, noted_on: dt.date,
                      note: str = "", episode=None, named_person=None) -> PersonChildLink:
    """Link a person of concern to a child the actor can see."""
    _require_role(actor)
    _require_visible_person(actor, person)
    problems: list[Problem] = []
    if child is None or not children_visible_to(actor).filter(pk=child.pk).exists():
        raise Refused(Problem("child", "There is no child with that record number that you can see"))
    if nature not in ChildLinkNature.values:
        problems.append(Problem("nature", "Choose how the person is linked to the child"))
    canonical, more, found = _check_source(actor, source, child=child)
    problems += more
    problems += check_noted_on(noted_on, not_before=child.dob, what="the child’s date of birth")
    note, more = _clean_note(note)
    problems += more
    if episode is not None and (episode.child_id != child.pk
                                or not episodes_visible_to(actor).filter(pk=episode.pk).exists()):
        problems.append(Problem("episode", "That episode is not one of this child’s"))
    if problems:
        raise Refused(problems)
    episode = episode or found.get("episode")
    if PersonChildLink.objects.filter(person=person, child=child, nature=nature, source=canonical,
                                      removed_at__isnull=True).exists():
        raise Refused(Problem("__all__", "This link is already recorded, from the same source"))
    try:
        with transaction.atomic():
            link = PersonChildLink.objects.create(
                person=person, child=child, nature=nature, source=canonical, noted_on=noted_on, note=note,
                episode=episode, named_person=named_person, organisation=actor.organisation, recorded_by=actor,
            )
    except IntegrityError:
        raise Refused(Problem("__all__", "This link is already recorded, from the same source")) from None
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=link, child_id=child.pk,
                 summary="Linked a person of concern to a child",
                 payload={"person": person.pk, "nature": nature, "source": canonical})
    return link


@transaction.atomic
def person_link_place(*, actor, person: PersonOfConcern, nature: str, source: str, noted_on: dt.date,
                      note: str = "", place=None, place_text: str = "", place_postcode: str = "") -> PersonPlaceLink:
    """Link a person of concern to a place: a homeward.places Place, or one
    described by its text and postcode (found or created by the places part)."""
    _require_role(actor)
    _require_visible_person(actor, person)
    from homeward.places import rules as place_rules
    from homeward.places.models import Place

    problems: list[Problem] = []
    if place is not None:
        if not Place.objects.filter(pk=place.pk).exists():
            problems.append(Problem("place", "Choose the place"))
    else:
        place_text = " ".join(str(place_text or "").split())
        parsed = place_rules.parse_postcode(place_postcode)
        if not place_text and parsed.district is None:
            problems.append(Problem("place", "Enter the place, or its postcode"))
        if len(place_text) > 300:
            problems.append(Problem("place", "The place must be 300 characters or fewer"))
        if str(place_postcode or "").strip() and parsed.district is None:
            problems.append(Problem("postcode", "Enter a postcode like CT1 2AB, or its first part like CT1, or "
                                                "leave it blank"))
    if nature not in PlaceLinkNature.values:
        problems.append(Problem("nature", "Choose how the person is linked to the place"))
    canonical, more, _ = _check_source(actor, source)
    problems += more
    problems += check_noted_on(noted_on)
    note, more = _clean_note(note)
    problems += more
    if problems:
        raise Refused(problems)
    if place is None:
        from homeward.places.services import place_for

        place = place_for(place_text, str(place_postcode or ""))
    if PersonPlaceLink.objects.filter(person=person, place=place, nature=nature, source=canonical,
                                      removed_at__isnull=True).exists():
        raise Refused(Problem("__all__", "This link is already recorded, from the same source"))
    try:
        with transaction.atomic():
            link = PersonPlaceLink.objects.create(
                person=person, place=place, nature=nature, source=canonical, noted_on=noted_on, note=note,
                organisation=actor.organisation, recorded_by=actor,
            )
    except IntegrityError:
        raise Refused(Problem("__all__", "This link is already recorded, from the same source")) from None
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=link, summary="Linked a person of concern to a place",
                 payload={"person": person.pk, "place": place.pk, "nature": nature, "source": canonical})
    return link


@transaction.atomic
def person_link_remove(*, actor, link: PersonChildLink | PersonPlaceLink, reason: str):
    """Remove a link, saying why. The link is kept, marked removed: it no
    longer counts anywhere, and the person's record shows it in its history."""
    _require_role(actor)
    _require_visible_person(actor, link.person)
    if isinstance(link, PersonChildLink) and not children_visible_to(actor).filter(pk=link.child_id).exists():
        raise Refused(Problem("__all__", "There is no such link that you can see"))
    if not access.can_remove(actor, link):
        raise Refused(Problem("__all__", "Only the organisation that recorded this link can remove it"))
    reason = " ".join(str(reason or "").split())
    if len(reason) < MIN_REASON:
        raise Refused(Problem("reason", "Say why the link is being removed"))
    if len(reason) > MAX_REASON:
        raise Refused(Problem("reason", f"The reason must be {MAX_REASON} characters or fewer"))
    model = type(link)
    locked = model.objects.select_for_update().get(pk=link.pk)
    if locked.removed_at is not None:
        raise Refused(Problem("__all__", "This link has already been removed"))
    locked.removed_at, locked.removed_by, locked.removed_reason = timezone.now(), actor, reason
    locked.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=locked,
                 child_id=getattr(locked, "child_id", None), summary="Removed a link of a person of concern",
                 payload={"person": locked.person_id})
    return locked


# --- from a return interview ------------------------------------------------------------------------


def named_person_visible(actor, named_person) -> bool:
    """May the actor see this person named in an interview? The child in
    scope, and the interview's text at full access, or shared with the
    police for the police."""
    from homeward.interviews import access as interview_access

    if not children_visible_to(actor).filter(pk=named_person.child_id).exists():
        return False
    level = interview_access.interview_access(actor, named_person.interview)
    return level == interview_access.FULL or (level == interview_access.SHARED and named_person.shared)


@transaction.atomic
def person_from_named_person(*, actor, named_person, person: PersonOfConcern | None = None,
                             nature: str = ChildLinkNature.NAMED_BY_CHILD) -> PersonChildLink:
    """Take up a person the child named in a return interview: a new person
    of concern (from the name, approximate age and description the child
    gave), or `person` if already known (the name becomes an alias if it is
    new). Either way the child is linked, source `rhi:<interview id>`, dated
    the day of the interview."""
    _require_role(actor)
    if not named_person_visible(actor, named_person):
        raise Refused(Problem("__all__", "There is no such person named in an interview that you can see"))
    if PersonChildLink.objects.filter(named_person=named_person, removed_at__isnull=True).exists():
        raise Refused(Problem("__all__", "This person named in the interview is already recorded as a person "
                                         "of concern"))
    if person is None:
        person = person_of_concern_create(
            actor=actor, name=named_person.name, age_from=named_person.approximate_age,
            description=named_person.description[:MAX_DESCRIPTION],
        )
        if named_person.approximate_age is not None:
            PersonOfConcern.objects.filter(pk=person.pk).update(age_noted_on=named_person.noted_on)
            person.age_noted_on = named_person.noted_on
    else:
        _require_visible_person(actor, person)
        known = {formats.name_key(person.name)} | {
            d.search_key for d in person.details.filter(kind=PersonDetail.Kind.ALIAS, removed_at__isnull=True)}
        if formats.name_key(named_person.name) not in known:
            aliases = [d.value for d in person.details.filter(kind=PersonDetail.Kind.ALIAS, removed_at__isnull=True)]
            person_of_concern_update(actor=actor, person=person, aliases=aliases + [named_person.name])
    interview = named_person.interview
    return person_link_child(
        actor=actor, person=person, child=named_person.child, nature=nature, source=f"rhi:{interview.pk}",
        noted_on=min(named_person.noted_on, _today()), episode=interview.episode, named_person=named_person,
    )
