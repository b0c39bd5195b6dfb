"""Reads of people of concern and of the links between children, places and
people: scoped to the person asking (access.py, which starts from
homeward/access/scope.py) and audited, every one.

- `person_list`, `person_get`: people of concern (search by name, alias,
  phone number or registration).
- `links_for_child(actor, child)`: everything that links a child to others:
  people of concern, children who went missing or were found together
  (rules.py), places and people shared with other children, and the people
  the child named in return interviews that are still to be taken up. Other
  parts call it (the episode page, the police briefing); for a role that does
  not work on exploitation it returns an empty `ChildLinks` with
  ``allowed=False`` and reads nothing.
- `network_for_child`, `network_for_person`: the same as nodes and edges,
  one step further (the other children of the people and places).
- `shortlist`: for the multi-agency exploitation panel.

A child linked to a visible one but outside the person's own scope is never
named: it is counted (``hidden``), so that the worker knows to ask.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.scope import children_visible_to, episodes_visible_to

from . import access, formats, rules
from .models import PersonChildLink, PersonDetail, PersonOfConcern, PersonPlaceLink

LIST_LIMIT = 200
# A network shows at most this many nodes; the table lists every link.
NETWORK_MAX_NODES = 60


def _denied(actor, object_type: str, pk) -> Http404:
    audit_record(actor=actor, action=AuditEvent.Action.DENIED, object_type=object_type, object_id=str(pk)[:64],
                 summary="Record not found or outside scope")
    return Http404("No such record")


def visible_child_ids(actor, ids) -> set[int]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return set()
    return set(children_visible_to(actor).filter(pk__in=ids).order_by().values_list("pk", flat=True))


# --- people of concern ----------------------------------------------------------------------------


@dataclass
class PersonRow:
    person: PersonOfConcern
    aliases: list[str]
    children: int  # children linked, that the reader can see
    last_noted: dt.date | None


def _search(qs, text: str):
    text = (text or "").strip()[:100]
    if not text:
        return qs
    key = formats.name_key(text)
    details = Q(kind=PersonDetail.Kind.ALIAS, search_key__contains=key)
    phone = _phone_or_none(text)
    if phone:
        details |= Q(kind=PersonDetail.Kind.PHONE, search_key=phone)
    compact = "".join(text.upper().split())
    if _could_be_registration(compact):
        details |= Q(kind=PersonDetail.Kind.VEHICLE, search_key__startswith=compact)
    ids = PersonDetail.objects.filter(details, removed_at__isnull=True).values("person_id")
    return qs.filter(Q(name_key__contains=key) | Q(pk__in=ids))


def _phone_or_none(text: str) -> str | None:
    try:
        return formats.parse_phone(text)
    except ValueError:
        return None


def _could_be_registration(compact: str) -> bool:
    return compact.isalnum() and compact.isascii() and any(c.isdigit() for c in compact) and len(compact) >= 2


def person_list(*, actor, search: str = "", limit: int = LIST_LIMIT) -> tuple[list[PersonRow], bool]:
    """People of concern the actor may see, matching the search (name or
    alias, in part; a phone number, however written; a registration, from its
    start). Audited."""
    qs = _search(access.people_of_concern_visible_to(actor), search).order_by("name_key", "pk")
    people = list(qs[:limit + 1])
    more = len(people) > limit
    people = people[:limit]
    rows = _rows(actor, people)
    audit_record(actor=actor, action=AuditEvent.Action.LIST, object_type="personofconcern",
                 summary=f"Listed {len(rows)} people of concern" + (f" (search: {search.strip()[:60]})" if search else ""),
                 payload={"person_ids": [p.pk for p in people]})
    return rows, more


def _rows(actor, people: list[PersonOfConcern]) -> list[PersonRow]:
    ids = [p.pk for p in people]
    aliases = defaultdict(list)
    for d in PersonDetail.objects.filter(person_id__in=ids, kind=PersonDetail.Kind.ALIAS,
                                         removed_at__isnull=True).order_by("pk"):
        aliases[d.person_id].append(d.value)
    links = list(PersonChildLink.objects.filter(person_id__in=ids, removed_at__isnull=True)
                 .values_list("person_id", "child_id", "noted_on"))
    seen = visible_child_ids(actor, {c for _, c, _ in links})
    children, last = defaultdict(set), {}
    for person_id, child_id, noted_on in links:
        if child_id in seen:
            children[person_id].add(child_id)
            last[person_id] = max(last.get(person_id, noted_on), noted_on)
    return [PersonRow(p, aliases[p.pk], len(children[p.pk]), last.get(p.pk)) for p in people]


@dataclass
class PersonRecord:
    person: PersonOfConcern
    aliases: list[PersonDetail]
    phones: list[PersonDetail]
    vehicles: list[PersonDetail]
    removed_details: list[PersonDetail]
    child_links: list[PersonChildLink]  # to children the reader can see
    place_links: list[PersonPlaceLink]
    removed_links: list  # of both kinds, children the reader can see
    hidden_children: int  # other children linked, outside the reader's scope

    @property
    def children(self) -> list:
        return list({link.child_id: link.child for link in self.child_links}.values())


def person_get(*, actor, pk) -> PersonRecord:
    """A person of concern the actor may see, else 404. Audited."""
    try:
        person = access.people_of_concern_visible_to(actor).select_related("organisation", "recorded_by").get(pk=pk)
    except (PersonOfConcern.DoesNotExist, ValueError, TypeError):
        raise _denied(actor, "personofconcern", pk)
    record = read_person(actor, person)
    audit_record(actor=actor, action=AuditEvent.Action.READ, obj=person, summary="Viewed a person of concern",
                 payload={"child_ids": [c.pk for c in record.children][:200]})
    return record


def read_person(actor, person: PersonOfConcern) -> PersonRecord:
    details = list(person.details.select_related("added_by", "removed_by").order_by("kind", "pk"))
    active = [d for d in details if d.removed_at is None]
    child_links = list(person.child_links.select_related("child", "organisation", "recorded_by", "removed_by",
                                                         "episode").order_by("-noted_on", "-pk"))
    seen = visible_child_ids(actor, {link.child_id for link in child_links})
    hidden = {link.child_id for link in child_links if link.removed_at is None and link.child_id not in seen}
    place_links = list(person.place_links.select_related("place", "organisation", "recorded_by", "removed_by")
                       .order_by("-noted_on", "-pk"))
    removed = [link for link in child_links if link.removed_at is not None and link.child_id in seen]
    removed += [link for link in place_links if link.removed_at is not None]
    removed.sort(key=lambda link: link.removed_at, reverse=True)
    return PersonRecord(
        person=person,
        aliases=[d for d in active if d.kind == PersonDetail.Kind.ALIAS],
        phones=[d for d in active if d.kind == PersonDetail.Kind.PHONE],
        vehicles=[d for d in active if d.kind == PersonDetail.Kind.VEHICLE],
        removed_details=[d for d in details if d.removed_at is not None],
        child_links=[link for link in child_links if link.removed_at is None and link.child_id in seen],
        place_links=[link for link in place_links if link.removed_at is None],
        removed_links=removed,
        hidden_children=len(hidden),
    )


def person_for_change(*, actor, pk) -> PersonOfConcern:
    """The person, for a form that changes it or links it. Audited (the form
    shows the person's name)."""
    try:
        person = access.people_of_concern_visible_to(actor).get(pk=pk)
    except (PersonOfConcern.DoesNotExist, ValueError, TypeError):
        raise _denied(actor, "personofconcern", pk)
    audit_record(actor=actor, action=AuditEvent.Action.READ, obj=person,
                 summary="Opened a person of concern to change or link them")
    return person


def link_get(*, actor, kind: str, pk) -> PersonChildLink | PersonPlaceLink:
    """A link of a visible person (to a visible child), for removing it. 404 otherwise."""
    model = {"child": PersonChildLink, "place": PersonPlaceLink}.get(kind)
    if model is None:
        raise _denied(actor, "link", pk)
    try:
        link = model.objects.select_related("person").get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise _denied(actor, model._meta.model_name, pk)
    if not access.people_of_concern_visible_to(actor).filter(pk=link.person_id).exists():
        raise _denied(actor, model._meta.model_name, pk)
    if model is PersonChildLink and link.child_id not in visible_child_ids(actor, [link.child_id]):
        raise _denied(actor, model._meta.model_name, pk)
    audit_record(actor=actor, action=AuditEvent.Action.READ, obj=link, child_id=getattr(link, "child_id", None),
                 summary="Opened a link of a person of concern")
    return link


def named_person_get(*, actor, pk):
    """A person a child named in a return interview, for taking them up: the
    child in the actor's scope, and the interview's text at full access (or
    shared with the police, for the police). Else 404. Audited."""
    from homeward.interviews.models import NamedPerson

    from .services import named_person_visible

    named = NamedPerson.objects.select_related("interview", "child").filter(pk=pk).first() \
        if str(pk).isdigit() else None
    if named is None or not access.may_see_intelligence(actor) or not named_person_visible(actor, named):
        raise _denied(actor, "namedperson", pk)
    audit_record(actor=actor, action=AuditEvent.Action.READ, obj=named, child_id=named.child_id,
                 summary="Opened a person named in a return interview, to take them up")
    return named


# --- the links of one child -----------------------------------------------------------------------


@dataclass
class EpisodeLinkRow:
    """Another child's episode linked to one of this child's by a rule."""

    link: rules.EpisodeLink
    own_episode_id: int
    other_episode_id: int
    other_child: object  # a Child
    where: str  # what the episodes shared: the provider's name, the postcode, the found place

    @property
    def kind(self) -> str:
        return self.link.kind

    @property
    def text(self) -> str:
        return self.link.text

    @property
    def apart(self) -> str:
        return rules.describe_hours(self.link.hours_apart)

    @property
    def own(self) -> rules.EpisodeFacts:
        return self.link.a if self.link.a.episode_id == self.own_episode_id else self.link.b

    @property
    def other(self) -> rules.EpisodeFacts:
        return self.link.a if self.link.a.episode_id == self.other_episode_id else self.link.b


@dataclass
class SharedPerson:
    """A person of concern linked to this child, and the other children they are linked to."""

    person: PersonOfConcern
    links: list[PersonChildLink]  # to this child
    others: list[PersonChildLink]  # to other children the reader can see
    hidden: int = 0  # other children outside the reader's scope


@dataclass
class SharedPlace:
    """A place this child is linked to (found, stayed, taken to, spends time
    at) that other children or people of concern are linked to as well."""

    place: object
    links: list  # this child's ChildPlace rows
    others: list  # other children's ChildPlace rows (children the reader can see)
    people: list[PersonPlaceLink]  # people of concern linked to the place, that the reader can see
    hidden: int = 0  # of the most recent others, those outside the reader's scope
    more: bool = False  # other children are linked to it too (not looked at)


@dataclass
class LinkedChild:
    child: object
    reasons: list[str] = field(default_factory=list)


@dataclass
class ChildLinks:
    child: object
    allowed: bool = False
    people: list[SharedPerson] = field(default_factory=list)
    episodes: list[EpisodeLinkRow] = field(default_factory=list)
    places: list[SharedPlace] = field(default_factory=list)
    children: list[LinkedChild] = field(default_factory=list)  # every other child, with why
    named_people: list = field(default_factory=list)  # NamedPerson still to be taken up
    hidden_children: int = 0  # children linked by their episodes, outside the reader's scope

    @property
    def empty(self) -> bool:
        return not (self.people or self.episodes or self.places or self.named_people)

    @property
    def count(self) -> int:
        """Links of this child: other children, people and shared places."""
        return len(self.children) + len(self.people) + len(self.places)


def _facts(rows) -> list[rules.EpisodeFacts]:
    return [rules.EpisodeFacts(episode_id=r["pk"], child_id=r["child_id"], started_at=r["started_at"],
                               returned_at=r["returned_at"], provider_id=r["provider_id"], postcode=r["postcode"],
                               found_postcode=r["found_postcode"], found_where=r["found_where"]) for r in rows]


FACT_FIELDS = ("pk", "child_id", "started_at", "returned_at", "provider_id", "postcode", "found_postcode",
               "found_where")


def episode_links_for_child(child_id: int, *, now: dt.datetime | None = None) -> list[rules.EpisodeLink]:
    """Every rule link between this child's episodes and other children's
    (whoever can see them: the callers filter). Candidates are fetched by
    origin (the same provider or postcode, starting before the child's
    episode ended and ending after it started, give or take the window) and
    by found postcode (returns within the window of the child's returns),
    through the indexes on those columns (migration 0002)."""
    from homeward.episodes.models import Episode

    now = now or timezone.now()
    own = _facts(Episode.objects.filter(child_id=child_id).order_by().values(*FACT_FIELDS))
    if not own:
        return []
    missing_window = dt.timedelta(hours=rules.MISSING_TOGETHER_HOURS)
    found_window = dt.timedelta(hours=rules.FOUND_TOGETHER_HOURS)
    others = Episode.objects.exclude(child_id=child_id).order_by()
    candidates: dict[int, rules.EpisodeFacts] = {}

    def take(qs) -> None:
        candidates.update((f.episode_id, f) for f in _facts(qs.values(*FACT_FIELDS)))

    earliest = min(e.started_at for e in own) - missing_window
    latest = max((e.returned_at or now) for e in own) + missing_window
    during = Q(started_at__lte=latest) & (Q(returned_at__isnull=True) | Q(returned_at__gte=earliest))
    providers = {e.provider_id for e in own if e.provider_id is not None}
    postcodes = {spelling for e in own for spelling in _postcode_spellings(rules.unit_postcode(e.postcode))}
    if providers:
        take(others.filter(during, provider_id__in=providers))
    if postcodes:
        take(others.filter(during, postcode__in=postcodes))
    near = Q()
    for e in own:
        postcode = rules.unit_postcode(e.found_postcode)
        if e.returned_at is not None and postcode:
            near |= Q(found_postcode__in=_postcode_spellings(postcode),
                      returned_at__range=(e.returned_at - found_window, e.returned_at + found_window))
    if near:
        take(others.filter(near))
    return rules.episode_links([*own, *candidates.values()], now=now, involving={child_id})


def _postcode_spellings(postcode: str) -> list[str]:
    """The ways a unit postcode is stored as feeds send it: canonical
    ("CT1 2AB"), without its space, and (a found postcode is kept as typed)
    in lower case."""
    if not postcode:
        return []
    compact = postcode.replace(" ", "")
    return [postcode, compact, postcode.lower(), compact.lower()]


def _where(link: rules.EpisodeLink, providers: dict[int, str]) -> str:
    if link.basis == rules.BASIS_PROVIDER:
        return providers.get(link.a.provider_id, "the same placement")
    if link.basis == rules.BASIS_ADDRESS:
        return f"the same address ({rules.unit_postcode(link.a.postcode)})"
    where = link.a.found_where or link.b.found_where
    postcode = rules.unit_postcode(link.a.found_postcode)
    return f"{where} ({postcode})" if where else postcode


def _named_people_to_take_up(actor, child) -> list:
    from homeward.interviews import access as interview_access
    from homeward.interviews.models import NamedPerson

    named = list(NamedPerson.objects.filter(child=child).select_related("interview").order_by("-noted_on", "pk"))
    if not named:
        return []
    done = set(PersonChildLink.objects.filter(named_person_id__in=[n.pk for n in named], removed_at__isnull=True)
               .values_list("named_person_id", flat=True))
    levels: dict[int, str] = {}
    found = []
    for n in named:
        if n.pk in done:
            continue
        level = levels.get(n.interview_id)
        if level is None:
            level = levels[n.interview_id] = interview_access.interview_access(actor, n.interview)
        if level == interview_access.FULL or (level == interview_access.SHARED and n.shared):
            found.append(n)
    return found


def links_for_child(actor, child, *, audit: bool = True) -> ChildLinks:
    """Everything that links `child` (a child the actor can see) to others.
    Audited. For a role that does not work on exploitation: an empty
    ChildLinks with allowed=False, nothing read."""
    if not access.may_see_intelligence(actor):
        return ChildLinks(child=child, allowed=False)
    result = _links(actor, child) if child is not None else None
    if result is None:
        raise _denied(actor, "child", getattr(child, "pk", ""))
    if audit:
        audit_record(actor=actor, action=AuditEvent.Action.READ, object_type="links", object_id=child.pk,
                     child_id=child.pk, summary="Viewed the links of a child",
                     payload={"people": [s.person.pk for s in result.people],
                              "children": [c.child.pk for c in result.children][:200],
                              "places": [s.place.pk for s in result.places]})
    return result


def _links(actor, child) -> ChildLinks | None:
    """The links, or None when the actor cannot see the child. Everything
    that could be shown is read first, so that the scope is asked once, for
    all the children involved (it is the costly part of a small read)."""
    from homeward.people.models import Child
    from homeward.placements.models import Provider

    result = ChildLinks(child=child, allowed=True)
    reasons: dict[int, list[str]] = defaultdict(list)

    # Children linked by their episodes.
    episode_links = episode_links_for_child(child.pk)
    other_ids = {link.other(child.pk).child_id for link in episode_links}
    # People of concern linked to this child, and their other children.
    own_links = list(PersonChildLink.objects.filter(child=child, removed_at__isnull=True)
                     .select_related("person", "organisation", "recorded_by", "episode").order_by("-noted_on", "-pk"))
    person_ids = {link.person_id for link in own_links}
    their_links = list(PersonChildLink.objects.filter(person_id__in=person_ids, removed_at__isnull=True)
                       .exclude(child=child).select_related("organisation").order_by("-noted_on", "-pk"))
    # Places this child is linked to in a role that counts, and who else is.
    place_rows, other_place_refs, place_people, place_more = _places(child)
    # People of concern at those places: visible when recorded by the actor's
    # organisation or linked to a child the actor sees (access.py).
    place_person_ids = {link.person_id for link in place_people} - person_ids
    place_person_children = list(PersonChildLink.objects.filter(person_id__in=place_person_ids,
                                                                removed_at__isnull=True)
                                 .values_list("person_id", "child_id")) if place_person_ids else []
    seen = visible_child_ids(actor, {child.pk} | other_ids | {link.child_id for link in their_links}
                             | {c for _, _, c in other_place_refs} | {c for _, c in place_person_children})
    if child.pk not in seen:
        return None
    seen.discard(child.pk)
    names = {c.pk: c for c in Child.objects.filter(pk__in=seen)}

    providers = dict(Provider.objects.filter(pk__in={link.a.provider_id for link in episode_links
                                                     if link.basis == rules.BASIS_PROVIDER})
                     .values_list("pk", "name"))
    hidden = set()
    for link in episode_links:
        other = link.other(child.pk)
        if other.child_id not in seen:
            hidden.add(other.child_id)
            continue
        row = EpisodeLinkRow(link=link, own_episode_id=link.own(child.pk).episode_id,
                             other_episode_id=other.episode_id, other_child=names[other.child_id],
                             where=_where(link, providers))
        result.episodes.append(row)
        when = timezone.localtime(other.returned_at if link.kind == rules.FOUND_TOGETHER else other.started_at)
        reasons[other.child_id].append(f"{link.text} ({row.where}, {when:%-d %b %Y})")
    result.hidden_children = len(hidden)

    by_person: dict[int, SharedPerson] = {}
    for link in own_links:
        entry = by_person.setdefault(link.person_id, SharedPerson(person=link.person, links=[], others=[]))
        entry.links.append(link)
    hidden_by_person: dict[int, set] = defaultdict(set)
    for link in their_links:
        if link.child_id in seen:
            link.child = names[link.child_id]
            by_person[link.person_id].others.append(link)
            reasons[link.child_id].append(f"Both linked to {by_person[link.person_id].person.name} "
                                          f"({link.get_nature_display().lower()}, {link.source_text})")
        else:
            hidden_by_person[link.person_id].add(link.child_id)
    for person_id, entry in by_person.items():
        entry.hidden = len(hidden_by_person[person_id])
    result.people = sorted(by_person.values(), key=lambda s: (-len(s.others), s.person.name_key, s.person.pk))

    org_id = actor.organisation.pk
    visible_people = person_ids | {p.person_id for p in place_people if p.person.organisation_id == org_id} | {
        person_id for person_id, child_id in place_person_children if child_id in seen}
    by_place: dict[int, SharedPlace] = {}
    for row in place_rows:
        entry = by_place.setdefault(row.place_id, SharedPlace(place=row.place, links=[], others=[], people=[]))
        entry.links.append(row)
    hidden_by_place: dict[int, set] = defaultdict(set)
    for _, place_id, child_id in other_place_refs:
        if child_id not in seen:
            hidden_by_place[place_id].add(child_id)
    for row in _place_rows([r for r in other_place_refs if r[2] in seen], place_rows):
        row.child = names[row.child_id]
        by_place[row.place_id].others.append(row)
        reasons[row.child_id].append(f"Both linked to the place {_place_text(row.place)} "
                                     f"({row.get_role_display().lower()})")
    for link in place_people:
        if link.person_id in visible_people:
            by_place[link.place_id].people.append(link)
    for place_id, entry in by_place.items():
        entry.hidden = len(hidden_by_place[place_id])
        entry.more = place_id in place_more
    result.places = sorted(
        (p for p in by_place.values() if p.others or p.people or p.hidden or p.more),
        key=lambda p: (-len({r.child_id for r in p.others}), _place_text(p.place).casefold(), p.place.pk))

    result.children = sorted((LinkedChild(names[cid], list(dict.fromkeys(why))) for cid, why in reasons.items()),
                             key=lambda c: (-len(c.reasons), c.child.last_name, c.child.first_name, c.child.pk))
    result.named_people = _named_people_to_take_up(actor, child)
    return result


# Of a place's other children, this many are looked at (named, or counted as
# outside the reader's scope); that there are more is said.
PLACE_CHILDREN_LIMIT = 10


def _places(child):
    """(this child's place links in the roles that count; other children's
    links to the same places, at most PLACE_CHILDREN_LIMIT children a place;
    people of concern's links to them; the places with more children than
    that). One short query a place."""
    from homeward.places.models import ChildPlace

    roles = sorted(rules.SHARED_PLACE_ROLES)
    own = list(ChildPlace.objects.filter(child=child, role__in=roles).select_related("place")
               .order_by("-date", "pk"))
    place_ids = sorted({row.place_id for row in own})
    if not place_ids:
        return own, [], [], set()
    kept, more = [], set()
    read = PLACE_CHILDREN_LIMIT * 3
    # The same short query for each place, run through the cursor: compiling
    # it through the ORM a few dozen times would cost more than running it.
    table = ChildPlace._meta.db_table
    # No ORDER BY: the first rows the place's index gives are enough, and a
    # place where hundreds of children were found (a station) then costs no
    # more than a quiet one (sorting its rows, or ORDER BY "id" DESC LIMIT,
    # which tempts PostgreSQL to walk the whole primary key, would not).
    sql = (f'SELECT "id", "child_id" FROM "{table}" WHERE "place_id" = %s AND "role" IN '
           f'({", ".join(["%s"] * len(roles))}) AND "child_id" <> %s LIMIT %s')
    with connection.cursor() as cursor:
        for place_id in place_ids:
            cursor.execute(sql, [place_id, *roles, child.pk, read + 1])
            rows = cursor.fetchall()
            children: dict[int, int] = {}
            for pk, child_id in rows[:read]:
                children.setdefault(child_id, pk)
            kept += [(pk, place_id, child_id) for child_id, pk in list(children.items())[:PLACE_CHILDREN_LIMIT]]
            if len(children) > PLACE_CHILDREN_LIMIT or len(rows) > read:
                more.add(place_id)
    people = list(PersonPlaceLink.objects.filter(place_id__in=place_ids, removed_at__isnull=True)
                  .select_related("person", "place").order_by("-noted_on", "pk"))
    return own, kept, people, more


def _place_rows(refs, own_rows) -> list:
    """The ChildPlace rows of (id, place, child) refs, newest first, with their places."""
    from homeward.places.models import ChildPlace

    places = {row.place_id: row.place for row in own_rows}
    rows = list(ChildPlace.objects.filter(pk__in=[pk for pk, _, _ in refs]))
    for row in rows:
        row.place = places[row.place_id]
    return sorted(rows, key=lambda r: (r.date or dt.date.min, r.pk), reverse=True)


def _place_text(place) -> str:
    label = (place.label or "").strip()
    if label and place.postcode and place.postcode not in label.upper():
        return f"{label}, {place.postcode}"
    return label or place.postcode or f"Place {place.pk}"


place_text = _place_text


# --- networks -------------------------------------------------------------------------------------


def _child_label(child) -> str:
    return child.full_name


def _add_links_to_network(net, links: ChildLinks) -> None:
    from .network import CHILD, PERSON, PLACE, Edge, Node

    child = links.child
    me = f"child:{child.pk}"
    for shared_person in links.people:
        person = shared_person.person
        pkey = f"person:{person.pk}"
        net.add_node(Node(pkey, PERSON, person.name))
        for link in shared_person.links:
            net.add_edge(Edge(pkey, me, link.get_nature_display(), link.source_text, link.noted_on))
        for link in shared_person.others:
            net.add_node(Node(f"child:{link.child_id}", CHILD, _child_label(link.child)))
            net.add_edge(Edge(pkey, f"child:{link.child_id}", link.get_nature_display(), link.source_text,
                              link.noted_on))
    for row in links.episodes:
        other = f"child:{row.other_child.pk}"
        net.add_node(Node(other, CHILD, _child_label(row.other_child)))
        when = row.other.returned_at if row.kind == rules.FOUND_TOGETHER else row.other.started_at
        net.add_edge(Edge(me, other, f"{row.text}: {row.where}", f"Episodes {row.own_episode_id} and "
                          f"{row.other_episode_id}", timezone.localtime(when).date(), between_children=True))
    for shared_place in links.places:
        place = shared_place.place
        qkey = f"place:{place.pk}"
        net.add_node(Node(qkey, PLACE, _place_text(place)))
        for row in shared_place.links:
            net.add_edge(Edge(me, qkey, row.get_role_display(), formats.describe_place_source(row.source),
                              row.date))
        for row in shared_place.others:
            net.add_node(Node(f"child:{row.child_id}", CHILD, _child_label(row.child)))
            net.add_edge(Edge(f"child:{row.child_id}", qkey, row.get_role_display(),
                              formats.describe_place_source(row.source), row.date))
        for link in shared_place.people:
            net.add_node(Node(f"person:{link.person_id}", PERSON, link.person.name))
            net.add_edge(Edge(f"person:{link.person_id}", qkey, link.get_nature_display(), link.source_text,
                              link.noted_on))


def _add_person_places(actor, net) -> None:
    """The places linked to the people in the network."""
    from .network import PLACE, Edge, Node

    person_ids = [int(n.key.split(":")[1]) for n in net.nodes if n.kind == "person"]
    for link in (PersonPlaceLink.objects.filter(person_id__in=person_ids, removed_at__isnull=True)
                 .select_related("place").order_by("-noted_on", "pk")):
        qkey = f"place:{link.place_id}"
        net.add_node(Node(qkey, PLACE, _place_text(link.place)))
        net.add_edge(Edge(f"person:{link.person_id}", qkey, link.get_nature_display(), link.source_text,
                          link.noted_on))


def network_for_child(*, actor, child):
    """The network around a child the actor can see: the child, the people of
    concern linked to them and those people's other children, children who
    went missing or were found with them, shared places and the people and
    children linked to those, and the places linked to the people. Audited."""
    from .network import CHILD, Network, Node

    if not access.may_see_intelligence(actor):
        raise _denied(actor, "network", f"child:{getattr(child, 'pk', '')}")
    links = links_for_child(actor, child, audit=False)
    net = Network()
    net.add_node(Node(f"child:{child.pk}", CHILD, _child_label(child), focus=True))
    _add_links_to_network(net, links)
    _add_person_places(actor, net)
    audit_record(actor=actor, action=AuditEvent.Action.READ, object_type="network", object_id=f"child:{child.pk}",
                 child_id=child.pk, summary="Viewed the network of a child",
                 payload={"nodes": [n.key for n in net.nodes][:300]})
    return net


def network_for_person(*, actor, pk):
    """The network around a person of concern: the children (that the actor
    can see) and places linked to them, and the other people of concern linked
    to those children. Audited."""
    from .network import CHILD, PERSON, PLACE, Edge, Network, Node

    try:
        person = access.people_of_concern_visible_to(actor).get(pk=pk)
    except (PersonOfConcern.DoesNotExist, ValueError, TypeError):
        raise _denied(actor, "network", f"person:{pk}")
    record = read_person(actor, person)
    net = Network()
    me = f"person:{person.pk}"
    net.add_node(Node(me, PERSON, person.name, focus=True))
    for link in record.child_links:
        net.add_node(Node(f"child:{link.child_id}", CHILD, _child_label(link.child)))
        net.add_edge(Edge(me, f"child:{link.child_id}", link.get_nature_display(), link.source_text, link.noted_on))
    child_ids = {link.child_id for link in record.child_links}
    visible_people = access.people_of_concern_visible_to(actor).values("pk")
    for link in (PersonChildLink.objects.filter(child_id__in=child_ids, removed_at__isnull=True,
                                                person__in=visible_people)
                 .exclude(person=person).select_related("person").order_by("-noted_on", "pk")):
        net.add_node(Node(f"person:{link.person_id}", PERSON, link.person.name))
        net.add_edge(Edge(f"person:{link.person_id}", f"child:{link.child_id}", link.get_nature_display(),
                          link.source_text, link.noted_on))
    for link in record.place_links:
        net.add_node(Node(f"place:{link.place_id}", PLACE, _place_text(link.place)))
        net.add_edge(Edge(me, f"place:{link.place_id}", link.get_nature_display(), link.source_text, link.noted_on))
    audit_record(actor=actor, action=AuditEvent.Action.READ, object_type="network", object_id=f"person:{person.pk}",
                 summary="Viewed the network of a person of concern",
                 payload={"nodes": [n.key for n in net.nodes][:300]})
    return person, net


# --- the shortlist for the exploitation panel ------------------------------------------------------


@dataclass
class Shortlist:
    since: dt.date
    until: dt.date  # exclusive
    people: list[rules.Ranked]  # key person id; why: PersonChildLink list
    places: list[rules.Ranked]  # key place id; why: ChildPlace list
    children: list[rules.Ranked]  # key child id; why: reason texts
    persons: dict = field(default_factory=dict)  # id -> PersonOfConcern
    place_objects: dict = field(default_factory=dict)  # id -> Place
    child_objects: dict = field(default_factory=dict)  # id -> Child


CHUNK = 2000  # ids per query when a list of them is long


def _chunks(ids, size: int = CHUNK):
    ids = sorted(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _period_episodes(actor, start: dt.datetime, end: dt.datetime) -> list[rules.EpisodeFacts]:
    """The episodes that started in the period, of children the actor sees.
    The scope is asked per episode (EXISTS on the child), so only the
    period's episodes are looked at, never every child the actor sees."""
    from django.db.models import Exists, OuterRef

    from homeward.episodes.models import Episode

    visible = children_visible_to(actor).filter(pk=OuterRef("child_id"))
    qs = (Episode.objects.filter(started_at__gte=start, started_at__lt=end).filter(Exists(visible))
          .order_by().values(*FACT_FIELDS))
    return _facts(qs)


def shortlist(*, actor, since: dt.date, until: dt.date, size: int = rules.SHORTLIST_SIZE) -> Shortlist:
    """For the multi-agency exploitation panel, among the children the actor
    can see who had an episode that started in the period (`until` exclusive):

    - the people of concern linked to most of them (at least
      rules.SHARED_MIN_CHILDREN; every link not removed counts, whatever its
      date: what is known of a person does not expire with the period);
    - the places with most of their episodes (episodes of the period found
      at, stayed at, taken to the place: rules.SHARED_PLACE_ROLES);
    - the children with most links: other children linked by episodes of the
      period, people of concern, and places shared with another of them.

    Each with why: the links that put it there. Audited."""
    from homeward.episodes.rules import start_of_day
    from homeward.people.models import Child
    from homeward.places.models import ChildPlace, Place

    if not access.may_see_intelligence(actor):
        raise _denied(actor, "shortlist", "")
    facts = _period_episodes(actor, start_of_day(since), start_of_day(until))
    period_children = {f.child_id for f in facts}
    episode_ids = [f.episode_id for f in facts]
    roles = sorted(rules.SHARED_PLACE_ROLES)

    # People linked to most of the period's children.
    person_links = []
    for chunk in _chunks(period_children):
        person_links += list(PersonChildLink.objects.filter(removed_at__isnull=True, child_id__in=chunk)
                             .select_related("person").order_by())
    counts = {pid: len(ids) for pid, ids in rules.shared((l.person_id, l.child_id) for l in person_links).items()}
    persons = {l.person_id: l.person for l in person_links}
    people = rules.rank(counts, labels={pk: persons[pk].name_key for pk in counts}, size=size)

    # Places with most of the period's episodes.
    place_rows = []
    for chunk in _chunks(episode_ids):
        place_rows += list(ChildPlace.objects.filter(episode_id__in=chunk, role__in=roles).order_by())
    episodes_at = defaultdict(set)
    for row in place_rows:
        episodes_at[row.place_id].add(row.episode_id)
    place_objects = {p.pk: p for p in Place.objects.filter(pk__in=[k for k, v in episodes_at.items() if v])}
    places = rules.rank({k: len(v) for k, v in episodes_at.items()},
                        labels={k: _place_text(p).casefold() for k, p in place_objects.items()}, size=size)

    # Children with most links.
    reasons: dict[int, dict] = defaultdict(dict)  # child -> {(kind, key): [(what, detail, when)]}
    links = rules.episode_links(facts, now=timezone.now())
    providers = {}
    if links:
        from homeward.placements.models import Provider

        providers = dict(Provider.objects.filter(pk__in={link.a.provider_id for link in links
                                                         if link.a.provider_id is not None})
                         .values_list("pk", "name"))
    for link in links:
        for one, other in ((link.a, link.b), (link.b, link.a)):
            reasons[one.child_id].setdefault(("child", other.child_id), []).append(
                (link.text, _where(link, providers), timezone.localtime(
                    other.returned_at if link.kind == rules.FOUND_TOGETHER else other.started_at).date()))
    for link in person_links:
        reasons[link.child_id].setdefault(("person", link.person_id), []).append(
            (link.get_nature_display(), link.person.name, link.noted_on))
    own_places = []
    for chunk in _chunks(period_children):
        own_places += list(ChildPlace.objects.filter(child_id__in=chunk, role__in=roles).order_by()
                           .values_list("child_id", "place_id", "role", "date"))
    sharers = defaultdict(set)
    for child_id, place_id, _, _ in own_places:
        sharers[place_id].add(child_id)
    shared_place_ids = {p for p, kids in sharers.items() if len(kids) >= rules.SHARED_MIN_CHILDREN}
    shared_places = {p.pk: p for p in Place.objects.filter(pk__in=shared_place_ids)}
    role_names = dict(ChildPlace._meta.get_field("role").choices)
    for child_id, place_id, role, day in own_places:
        if place_id in shared_place_ids:
            reasons[child_id].setdefault(("place", place_id), []).append(
                (f"{role_names.get(role, role)} (with other children)", _place_text(shared_places[place_id]), day))
    children = rules.rank({cid: len(r) for cid, r in reasons.items()}, size=size)

    # Why, for what made the lists.
    chosen_people = {r.key for r in people}
    chosen_places = {r.key for r in places}
    chosen_children = {r.key for r in children}
    named = chosen_children | {l.child_id for l in person_links if l.person_id in chosen_people} | {
        row.child_id for row in place_rows if row.place_id in chosen_places} | {
        k[1] for cid in chosen_children for k in reasons[cid] if k[0] == "child"}
    names = {c.pk: c for c in Child.objects.filter(pk__in=named)}
    by_person = defaultdict(list)
    for link in sorted(person_links, key=lambda l: (l.noted_on, l.pk), reverse=True):
        if link.person_id in chosen_people:
            link.child = names[link.child_id]
            by_person[link.person_id].append(link)
    for r in people:
        r.why, r.label = by_person[r.key], persons[r.key].name
    by_place = defaultdict(list)
    for row in sorted(place_rows, key=lambda r: (r.date or dt.date.min, r.pk), reverse=True):
        if row.place_id in chosen_places:
            row.child = names[row.child_id]
            by_place[row.place_id].append(row)
    for r in places:
        r.why, r.label = by_place[r.key], _place_text(place_objects[r.key])
    for r in children:
        r.label = names[r.key].full_name
        texts = []
        for (kind, key), items in sorted(reasons[r.key].items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
            for what, detail, when in items:
                when_text = f", {when:%-d %b %Y}" if when else ""
                if kind == "child":
                    texts.append(f"{what} with {names[key].full_name} ({detail}{when_text})")
                elif kind == "person":
                    texts.append(f"Linked to {detail}: {what.lower()}{when_text}")
                else:
                    texts.append(f"{what}: {detail}{when_text}")
        r.why = texts

    result = Shortlist(since=since, until=until, people=people, places=places, children=children,
                       persons=persons, place_objects=place_objects, child_objects=names)
    audit_record(actor=actor, action=AuditEvent.Action.LIST, object_type="shortlist",
                 summary=f"Viewed the exploitation panel shortlist ({since:%-d %b %Y} to {until:%-d %b %Y})",
                 payload={"people": [r.key for r in people], "places": [r.key for r in places],
                          "children": [r.key for r in children], "since": since.isoformat(),
                          "until": until.isoformat()})
    return result
