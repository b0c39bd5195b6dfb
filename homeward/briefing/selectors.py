"""Reads of the Philomena profile, the panel of what is known, and the police
briefing: scoped to the person asking, cut down to what they may see, audited.

Every read starts from `children_visible_to(actor)` (homeward/access/scope.py):
a child outside a person's scope answers 404, exactly like one that does not
exist. Within the scope, homeward/briefing/access.py decides who may read
(404 for anyone else too) and who may keep the profile. Every read of a
profile, a photo, the panel and a briefing writes an audit event.

The panel ("what is known", `known_about`) gathers, when a child goes
missing, what helps find them: where they were found before, the places they
go, the people they are linked to, their flags, and the findings of their
last return interview. Interview text follows the interviews part's own
rules (homeward/interviews/access.py): the panel and the briefing show only
the findings, places and people the interviewer marked as shared with the
police, and nothing of an interview to a person who may see only its
status. The briefing is made for the police, so it never holds more than
they may see, whoever prints it.

The panel is a list of sections made by the functions in `SECTION_BUILDERS`,
each `(Gathering) -> KnownSection | None`, including the places part's
`places_for_child(actor, child)` and, for the roles that work on
exploitation, the intelligence part's `links_for_child(actor, child)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.roles import Role
from homeward.access.scope import children_visible_to, episodes_visible_to
from homeward.episodes.models import Episode

from . import access, rules
from .models import MissingDetails, PhilomenaPhoto, PhilomenaProfile, PhilomenaProfileVersion

DENIED = "Record not found or outside scope"


def _denied(actor, object_type: str, object_id) -> Http404:
    audit_record(actor=actor, action=AuditEvent.Action.DENIED, object_type=object_type,
                 object_id=str(object_id)[:64], summary=DENIED)
    return Http404("No such record")


def _child(actor, pk, object_type: str):
    from homeward.people.models import Child

    try:
        return children_visible_to(actor).select_related("responsible_authority", "home_authority").get(pk=pk)
    except (Child.DoesNotExist, ValueError, TypeError):
        raise _denied(actor, object_type, f"child:{pk}") from None


def _episode(actor, pk, object_type: str) -> Episode:
    try:
        return (episodes_visible_to(actor)
                .select_related("child", "child__responsible_authority", "child__home_authority", "area_authority",
                                "responsible_authority", "provider", "placement", "placement__provider")
                .get(pk=pk))
    except (Episode.DoesNotExist, ValueError, TypeError):
        raise _denied(actor, object_type, f"episode:{pk}") from None


def _other_episodes(actor, child, exclude: Episode | None = None) -> list[Episode]:
    qs = episodes_visible_to(actor).filter(child_id=child.pk).order_by("-started_at", "-pk")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs.select_related("area_authority"))


def _profile_of(child) -> PhilomenaProfile | None:
    profile = PhilomenaProfile.objects.filter(child_id=child.pk).select_related("photo", "updated_by").first()
    return profile if profile is not None and profile.version > 0 else None


# --- the profile --------------------------------------------------------------------------------


@dataclass
class ProfileRead:
    child: object
    profile: PhilomenaProfile | None
    looked_after: bool
    can_keep: bool
    episodes: list[Episode] = field(default_factory=list)  # previous missing episodes, newest first
    versions: list[PhilomenaProfileVersion] = field(default_factory=list)

    @property
    def version(self) -> int:
        return self.profile.version if self.profile is not None else 0

    @property
    def photo(self) -> PhilomenaPhoto | None:
        return self.profile.photo if self.profile is not None else None


def _profile_read(actor, child, *, with_versions: bool = True) -> ProfileRead:
    profile = _profile_of(child)
    versions = []
    if with_versions and profile is not None:
        versions = list(profile.versions.defer("data").order_by("-version")[:200])
    return ProfileRead(child=child, profile=profile, looked_after=access.is_looked_after(child),
                       can_keep=access.can_keep_profile(actor, child), episodes=_other_episodes(actor, child),
                       versions=versions)


def profile_get(*, actor, child_pk) -> ProfileRead:
    """The child's profile (or None if none is kept yet), with its versions
    and the child's missing episodes, for a person who may read it; else 404.
    Audited."""
    child = _child(actor, child_pk, "philomenaprofile")
    if not access.can_read_profile(actor, child):
        raise _denied(actor, "philomenaprofile", f"child:{child.pk}")
    read = _profile_read(actor, child)
    audit_record(actor=actor, action=AuditEvent.Action.READ, object_type="philomenaprofile",
                 object_id=read.profile.pk if read.profile else "", child_id=child.pk,
                 summary="Viewed the Philomena profile", payload={"version": read.version})
    return read


def profile_for_change(*, actor, child_pk) -> ProfileRead:
    """The profile, to change it: 404 for a person who may not read it, 403
    for one who may read but not keep it. Audited."""
    child = _child(actor, child_pk, "philomenaprofile")
    if not access.can_read_profile(actor, child):
        raise _denied(actor, "philomenaprofile", f"child:{child.pk}")
    if not access.can_keep_profile(actor, child):
        raise PermissionDenied("Only the child's carers can change the profile")
    read = _profile_read(actor, child, with_versions=False)
    audit_record(actor=actor, action=AuditEvent.Action.READ, object_type="philomenaprofile",
                 object_id=read.profile.pk if read.profile else "", child_id=child.pk,
                 summary="Opened the Philomena profile to change it", payload={"version": read.version})
    return read


def profile_version_get(*, actor, child_pk, version) -> tuple[ProfileRead, PhilomenaProfileVersion]:
    """One earlier version of the profile, whole. Audited."""
    child = _child(actor, child_pk, "philomenaprofile")
    if not access.can_read_profile(actor, child):
        raise _denied(actor, "philomenaprofile", f"child:{child.pk}")
    profile = _profile_of(child)
    found = None
    if profile is not None:
        try:
            found = profile.versions.select_related("photo").filter(version=int(version)).first()
        except (TypeError, ValueError):
            found = None
    if found is None:
        raise _denied(actor, "philomenaprofileversion", f"child:{child.pk}:{version}")
    read = _profile_read(actor, child, with_versions=False)
    audit_record(actor=actor, action=AuditEvent.Action.READ, obj=found, child_id=child.pk,
                 summary="Viewed an earlier version of the Philomena profile", payload={"version": found.version})
    return read, found


def photo_get(*, actor, child_pk, photo_pk) -> PhilomenaPhoto:
    """A photo of the child (the current one or one an earlier version
    showed), for a person who may read the profile; else 404. Audited."""
    child = _child(actor, child_pk, "philomenaphoto")
    if not access.can_read_profile(actor, child):
        raise _denied(actor, "philomenaphoto", f"child:{child.pk}:{photo_pk}")
    try:
        photo = PhilomenaPhoto.objects.get(pk=int(photo_pk), child_id=child.pk)
    except (PhilomenaPhoto.DoesNotExist, ValueError, TypeError):
        raise _denied(actor, "philomenaphoto", f"child:{child.pk}:{photo_pk}") from None
    audit_record(actor=actor, action=AuditEvent.Action.READ, obj=photo, child_id=child.pk,
                 summary="Viewed the photo on the Philomena profile")
    return photo


# --- what is known: the panel --------------------------------------------------------------------


@dataclass
class KnownItem:
    text: str
    detail: str = ""
    source: str = ""
    postcode: str = ""

    @property
    def postcode_shown(self) -> str:
        """The postcode, unless the text already says it."""
        squeezed = self.text.upper().replace(" ", "")
        return self.postcode if self.postcode and self.postcode.replace(" ", "") not in squeezed else ""


@dataclass
class KnownSection:
    key: str
    title: str
    items: list[KnownItem] = field(default_factory=list)
    empty: str = "Nothing is recorded."
    note: str = ""
    # Whether the section goes into the printed briefing for the police.
    in_briefing: bool = True


@dataclass
class Gathering:
    """What the section builders work from, read once."""

    actor: object
    child: object
    episode: Episode | None
    profile: PhilomenaProfile | None
    episodes: list[Episode]  # the child's other episodes, newest first
    # Return interviews, cut down by the interviews part's rules
    # (homeward/interviews/access.py) and then to what is shared with the police:
    interviews: int  # how many the child has had
    hidden: bool  # the person may see none of their text
    places: list  # NamedPlace marked shared, of interviews whose text the person sees
    people: list  # NamedPerson marked shared, likewise
    last: object | None  # InterviewRead of the last completed interview

    @property
    def interview_text_hidden(self) -> bool:
        return self.interviews > 0 and self.hidden


@dataclass
class KnownAbout:
    child: object
    episode: Episode | None
    sections: list[KnownSection]

    def section(self, key: str) -> KnownSection | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def for_briefing(self) -> list[KnownSection]:
        return [s for s in self.sections if s.in_briefing]

    def counts(self) -> dict[str, int]:
        return {s.key: len(s.items) for s in self.sections}


def _day(value) -> str:
    from homeward.web.templatetags.homeward import london

    if isinstance(value, datetime):
        return london(value, "j M Y")
    return value.strftime("%-d %b %Y") if value else ""


def _interview_source(interview) -> str:
    return f"Return interview after the episode that ended {_day(interview.returned_at)}"


# The most places "found before" listed; the rest are counted in a note.
FOUND_BEFORE_SHOWN = 15
# The most previous episodes the briefing lists (the newest); the rest are counted.
PREVIOUS_SHOWN = 20


def _found_before(g: Gathering) -> KnownSection:
    found = rules.places_found([e for e in g.episodes if e.returned_at is not None])
    more = len(found) - FOUND_BEFORE_SHOWN
    items = []
    for f in found[:FOUND_BEFORE_SHOWN]:
        times = "once" if f.times == 1 else ("twice" if f.times == 2 else f"{f.times} times")
        items.append(KnownItem(text=f.where or f.postcode, postcode=f.postcode if f.where else "",
                               detail=f"Found here {times}" + (f", last on {_day(f.last)}" if f.last else ""),
                               source="Missing episodes"))
    note = (f"{more} other place{'s' if more != 1 else ''} where the child was found "
            f"{'is' if more == 1 else 'are'} not listed: see the previous episodes.") if more > 0 else ""
    return KnownSection("found_before", "Found before", items, note=note,
                        empty="No earlier episode records where the child was found.")


def _places(g: Gathering) -> KnownSection:
    items = []
    if g.profile is not None:
        for line in g.profile.addresses:
            items.append(KnownItem(text=line, postcode=rules.postcode_in(line), source="Address (Philomena profile)"))
        for line in g.profile.places_frequented:
            items.append(KnownItem(text=line, postcode=rules.postcode_in(line),
                                   source="Place frequented (Philomena profile)"))
    for place in g.places:
        items.append(KnownItem(text=place.text, postcode=place.postcode, detail=place.get_kind_display(),
                               source=_interview_source(place.interview)))
    note = "Return interview places are not shown to your role." if g.interview_text_hidden else ""
    return KnownSection("places", "Places they go", items, note=note,
                        empty="No addresses or places are recorded.")


def _people(g: Gathering) -> KnownSection:
    items = []
    if g.profile is not None:
        for line in g.profile.friends_and_associates:
            items.append(KnownItem(text=line, source="Friends and associates (Philomena profile)"))
    for person in g.people:
        age = f"about {person.approximate_age}" if person.approximate_age is not None else ""
        items.append(KnownItem(text=person.name, detail=", ".join(p for p in (age, person.description) if p),
                               source=_interview_source(person.interview)))
    note = "People named in return interviews are not shown to your role." if g.interview_text_hidden else ""
    return KnownSection("people", "People linked to them", items, note=note,
                        empty="No friends, associates or other people are recorded.")


def _flags(g: Gathering) -> KnownSection:
    today = timezone.localdate()
    flags = [f for f in g.child.flags.all().order_by("flag", "start_date")
             if f.start_date <= today and (f.end_date is None or f.end_date > today)]
    items = [KnownItem(text=f.get_flag_display(), detail=f.note, source=f"{f.source}, since {_day(f.start_date)}")
             for f in flags]
    return KnownSection("flags", "Flags", items, empty="No flags are open on the child's record.")


def _last_interview(g: Gathering) -> KnownSection:
    from homeward.interviews.models import CODES_FOR_KIND, FindingKind

    read = g.last
    if read is None:
        return KnownSection("interview", "Last return interview", [],
                            empty="No return interview has been completed.")
    title = f"Last return interview ({_day(read.interview.completed_at)})"
    if not read.sees_text:
        return KnownSection("interview", title, [], empty="The findings are not shown to your role.")
    items = []
    for finding in ([read.words] if read.words is not None else []) + read.findings:
        if not finding.shared:
            continue
        choices = CODES_FOR_KIND.get(finding.kind)
        codes = [choices(c.code).label if choices is not None and c.code in choices.values else c.code
                 for c in finding.codes.all()]
        items.append(KnownItem(text=FindingKind(finding.kind).label,
                               detail=" ".join(p for p in ("; ".join(codes) + ("." if codes else ""),
                                                           finding.text.strip()) if p),
                               source="Shared with the police by the interviewer"))
    return KnownSection("interview", title, items,
                        empty="The interviewer shared none of the findings with the police.",
                        note="Only findings the interviewer marked as shared with the police are shown here."
                        if read.full else "")


def _places_part(g: Gathering) -> KnownSection | None:
    """The places part's record of where the child was found, stayed, was
    taken to or spends time (homeward/places, `places_for_child`: scoped,
    audited, interview places only as the reader may see them); the place
    the child went missing from is left out, as it is on the episode."""
    from homeward.places.models import Role as PlaceRole
    from homeward.places.selectors import places_for_child

    roles = (PlaceRole.FOUND, PlaceRole.STAYED, PlaceRole.TAKEN_TO, PlaceRole.FREQUENTED)
    found = places_for_child(g.actor, g.child, roles=roles)
    labels = dict(PlaceRole.choices)
    items = []
    for summary in found[:15]:
        how = "; ".join(f"{labels.get(role, role).lower()} {n} time{'s' if n != 1 else ''}"
                        for role, n in sorted(summary.roles.items()))
        last = f", last {summary.last_date:%-d %B %Y}" if summary.last_date else ""
        items.append(KnownItem(text=summary.label, postcode=summary.place.postcode or summary.place.district,
                               detail=how + last, source=", ".join(summary.sources[:3])))
    note = f"{len(found) - 15} more places are recorded." if len(found) > 15 else ""
    return KnownSection("places_part", "Places on record", items,
                        empty="No places are recorded for this child yet.", note=note)


def _links_part(g: Gathering) -> KnownSection | None:
    """People of concern linked to the child, and the other children linked
    with them (homeward/intelligence, `links_for_child`), for the roles that
    work on exploitation only: for anyone else no section at all."""
    from homeward.access.roles import can_see_people_of_concern
    from homeward.intelligence.selectors import links_for_child

    membership = getattr(g.actor, "membership", None)
    if membership is None or not can_see_people_of_concern(membership.role):
        return None
    links = links_for_child(g.actor, g.child)
    if not links.allowed:
        return None
    items = []
    for shared in links.people[:15]:
        person = shared.person
        others = len(shared.others) + shared.hidden
        detail = person.description
        if others:
            detail = (detail + "; " if detail else "") + \
                f"also linked to {others} other child{'ren' if others != 1 else ''}"
        sources = sorted({link.source for link in shared.links})
        items.append(KnownItem(text=person.name, detail=detail, source=", ".join(sources[:3])))
    for linked in links.children[:10]:
        name = f"{linked.child.first_name} {linked.child.last_name}"
        items.append(KnownItem(text=name, detail="; ".join(linked.reasons[:3]), source="linked child"))
    return KnownSection("links", "People of concern and linked children", items,
                        empty="No people of concern or linked children are recorded.")


# The panel's sections, in the order shown. Each builder gets the same
# Gathering and returns a KnownSection (or None to show nothing).
SECTION_BUILDERS: list[Callable[[Gathering], KnownSection | None]] = [
    _found_before,
    _places,
    _places_part,  # homeward/places: places_for_child(actor, child)
    _people,
    _links_part,  # homeward/intelligence: links_for_child(actor, child)
    _flags,
    _last_interview,
]


def _interviews(actor, child) -> dict:
    """The child's return interviews as the person may see them: the level
    of each from the interviews part (FULL, SHARED or STATUS), then only the
    places and people marked as shared, of interviews whose text the person
    sees; and the last completed interview, read through that part's
    `read_interview` (its findings cut down the same way)."""
    from homeward.interviews import access as interview_access
    from homeward.interviews import rules as interview_rules
    from homeward.interviews.models import Interview, NamedPerson, NamedPlace
    from homeward.interviews.selectors import read_interview

    interviews = list(Interview.objects.filter(child_id=child.pk, cancelled_reason="")
                      .select_related("child").order_by("-returned_at", "-pk"))
    sees = {i.pk for i in interviews
            if interview_access.interview_access(actor, i) in (interview_access.FULL, interview_access.SHARED)}
    places = list(NamedPlace.objects.filter(interview_id__in=sees, shared=True).select_related("interview")
                  .order_by("-interview__returned_at", "pk")) if sees else []
    people = list(NamedPerson.objects.filter(interview_id__in=sees, shared=True).select_related("interview")
                  .order_by("-interview__returned_at", "pk")) if sees else []
    completed = next((i for i in interviews if i.progress == interview_rules.COMPLETED), None)
    last = read_interview(actor, completed, with_links=False) if completed is not None else None
    return {"interviews": len(interviews), "hidden": not sees, "places": places, "people": people, "last": last}


def _gather(actor, child, episode: Episode | None) -> KnownAbout:
    g = Gathering(actor=actor, child=child, episode=episode, profile=_profile_of(child),
                  episodes=_other_episodes(actor, child, exclude=episode), **_interviews(actor, child))
    sections = [s for s in (build(g) for build in SECTION_BUILDERS) if s is not None]
    return KnownAbout(child=child, episode=episode, sections=sections)


def known_about(actor, child, *, episode: Episode | None = None) -> KnownAbout:
    """What is known that helps find the child, for a person who may read the
    child's profile; else 404. Audited."""
    if child is None or not children_visible_to(actor).filter(pk=child.pk).exists():
        raise _denied(actor, "briefing_panel", f"child:{getattr(child, 'pk', '')}")
    if not access.can_read_profile(actor, child):
        raise _denied(actor, "briefing_panel", f"child:{child.pk}")
    known = _gather(actor, child, episode)
    audit_record(actor=actor, action=AuditEvent.Action.READ, object_type="briefing_panel",
                 object_id=episode.pk if episode is not None else "", child_id=child.pk,
                 summary="Viewed what is known about a missing child", payload={"sections": known.counts()})
    return known


@dataclass
class EpisodeSection:
    """The briefing's part of an episode page: what the person may do, and
    the panel while the episode is open."""

    episode: Episode
    can_read: bool
    can_record_details: bool
    known: KnownAbout | None
    details: MissingDetails | None
    profile_link: bool = False


def episode_section(*, actor, episode: Episode) -> EpisodeSection | None:
    """For the episode page (which has already checked the scope and audited
    the episode): None for a person who may neither read the briefing nor add
    the missing details; the panel (audited) while the episode is open."""
    can_read = access.can_read_briefing(actor, episode)
    can_record = access.can_record_missing_details(actor, episode)
    if not can_read and not can_record:
        return None
    known = None
    if can_read and episode.returned_at is None and access.can_read_profile(actor, episode.child):
        known = known_about(actor, episode.child, episode=episode)
    details = missing_details_of(episode) if can_read else None
    if details is not None:
        audit_record(actor=actor, action=AuditEvent.Action.READ, obj=details, child_id=episode.child_id,
                     summary="Viewed the details of a missing episode (Philomena part 2)",
                     payload={"episode": episode.pk, "revision": details.revision})
    return EpisodeSection(episode=episode, can_read=can_read, can_record_details=can_record, known=known,
                          details=details,
                          profile_link=can_read and access.can_read_profile(actor, episode.child)
                          and _has_profile_page(episode.child))


def _has_profile_page(child) -> bool:
    """A profile is kept, or could be: the child is looked after."""
    return access.is_looked_after(child) or PhilomenaProfile.objects.filter(child_id=child.pk, version__gt=0).exists()


def child_actions(*, actor, child, open_episode: Episode | None) -> dict:
    """What the child's page offers from this part (no read of the profile
    itself, so nothing to audit): links to the profile and the briefing."""
    return {
        "profile": access.can_read_profile(actor, child) and _has_profile_page(child),
        "briefing": open_episode is not None and access.can_read_briefing(actor, open_episode),
        "open_episode": open_episode,
        "child": child,
    }


# --- the missing details --------------------------------------------------------------------------


def missing_details_of(episode: Episode) -> MissingDetails | None:
    """The latest details recorded for the episode (including those recorded
    on an episode since merged into this one)."""
    window = Q(episode__isnull=True, episode_started_at__gte=episode.started_at)
    if episode.returned_at is not None:
        window &= Q(episode_started_at__lt=episode.returned_at)
    return (MissingDetails.objects.filter(child_id=episode.child_id).filter(Q(episode_id=episode.pk) | window)
            .select_related("recorded_by").order_by("-recorded_at", "-pk").first())


def missing_details_for_change(*, actor, episode_pk) -> tuple[Episode, MissingDetails | None]:
    """The episode and its latest details, to add to them: 404 outside the
    scope or for a person who may not read the briefing, 403 for one who may
    read but not record. Audited."""
    episode = _episode(actor, episode_pk, "missingdetails")
    if not access.can_record_missing_details(actor, episode):
        if not access.can_read_briefing(actor, episode):
            raise _denied(actor, "missingdetails", f"episode:{episode.pk}")
        raise PermissionDenied("Only the child's carers can add the details of this episode")
    details = missing_details_of(episode)
    audit_record(actor=actor, action=AuditEvent.Action.READ, object_type="missingdetails",
                 object_id=details.pk if details else "", child_id=episode.child_id,
                 summary="Opened the details of a missing episode to add to them", payload={"episode": episode.pk})
    return episode, details


# --- the briefing --------------------------------------------------------------------------------


@dataclass
class Briefing:
    episode: Episode
    child: object
    profile: PhilomenaProfile | None
    looked_after: bool
    details: MissingDetails | None
    previous: list[Episode]  # the newest PREVIOUS_SHOWN
    previous_count: int
    known: KnownAbout
    made_at: datetime
    made_by: str
    contact: str = ""
    age: int | None = None

    @property
    def photo(self) -> PhilomenaPhoto | None:
        return self.profile.photo if self.profile is not None else None


def _made_by(actor) -> str:
    membership = getattr(actor, "membership", None)
    name = actor.get_full_name() or actor.username
    if membership is None:
        return name
    return f"{name} ({Role(membership.role).label}, {membership.organisation.name})"


def _contact(episode: Episode) -> str:
    authority = episode.responsible_authority or episode.child.responsible_authority
    if authority is None:
        return ""
    email = authority.missing_contact_email
    return f"{authority.name}" + (f": {email}" if email else "")


def briefing_get(*, actor, episode_pk, export: bool = False) -> Briefing:
    """The police briefing of an episode: the child's profile, the missing
    details of this episode, the previous episodes and what is known; for a
    person who may read it (else 404). Audited as a read, or as an export
    when it is printed to a PDF."""
    episode = _episode(actor, episode_pk, "briefing")
    if not access.can_read_briefing(actor, episode):
        raise _denied(actor, "briefing", f"episode:{episode.pk}")
    child = episode.child
    now = timezone.now()
    known = _gather(actor, child, episode)
    previous = known_previous(actor, child, episode)
    briefing = Briefing(
        episode=episode, child=child, profile=_profile_of(child), looked_after=access.is_looked_after(child),
        details=missing_details_of(episode), previous=previous[:PREVIOUS_SHOWN], previous_count=len(previous),
        known=known,
        made_at=now, made_by=_made_by(actor), contact=_contact(episode), age=child.age_on(timezone.localdate()),
    )
    audit_record(actor=actor, action=AuditEvent.Action.EXPORT if export else AuditEvent.Action.READ,
                 object_type="briefing", object_id=episode.pk, child_id=child.pk,
                 summary="Printed the police briefing (PDF)" if export else "Viewed the police briefing",
                 payload={"episode": episode.pk, "profile_version": briefing.profile.version if briefing.profile
                          else 0, "missing_details": briefing.details.pk if briefing.details else None,
                          "sections": known.counts()})
    return briefing


def known_previous(actor, child, episode: Episode) -> list[Episode]:
    """The child's missing episodes before this one, newest first."""
    return [e for e in _other_episodes(actor, child, exclude=episode) if e.started_at < episode.started_at]
