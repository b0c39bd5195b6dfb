"""Writing places: the only code that creates or changes Place, ChildPlace
and EpisodePlace rows.

Everything here is derived from other records, so every function is
idempotent: running it again with nothing changed changes nothing.

- `episode_places_refresh(episode_ids)`: for each episode, the place it
  went missing from (`Episode.postcode`) and the place it ended
  (`found_where` and `found_postcode`), as Place rows, the child's links to
  them (ChildPlace, roles `missing_from` and `found`, source
  `notification:<id>` of the first notification that gave that postcode, or
  `episode:<id>` when the place came from a person's entry), and the
  episode's EpisodePlace row that hotspots are counted from. Called on every
  episode event (handlers.py) and by `places_sync`.
- `named_places_refresh(interview_ids)`: the places children named in their
  return home interviews (interviews.NamedPlace), as ChildPlace rows with
  source `rhi:<interview id>` (role `stayed` for an address or a hotel,
  otherwise `frequented`).
- `places_sync(authority=None)`: all of it again, for one authority's
  episodes or every episode (`homeward places sync`).
- `places_geocode()`: locate every place again after a postcode directory
  was loaded.
- `child_place_record(...)`: a person records a place on a child's profile
  (source `profile`), validated and audited.

Nothing here logs a child's details or a place's text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import h3
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.episodes.models import Episode, Notification
from homeward.episodes.rules import LONDON
from homeward.problems import Problem, Refused

from . import rules
from .directory import Located, geocode_many
from .models import ChildPlace, EpisodePlace, Place, Precision, Role

log = logging.getLogger("homeward.places")

CHUNK = 2000  # episodes per transaction in a sync
DERIVED_SOURCES = ("notification:", "episode:")  # ChildPlace sources written from episodes


# --- places ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceSpec:
    """A place as written: text (may be blank) and a postcode (full, partial, blank or junk)."""

    label: str
    postcode_text: str
    kind: str = ""

    @property
    def key(self) -> str:
        return rules.place_key(self.label, self.postcode_text)

    @property
    def is_something(self) -> bool:
        """Something to record: a text, or a postcode (full or partial)."""
        return bool(rules.normalise_label(self.label)) or rules.parse_postcode(self.postcode_text).district is not None


def _cell(lat: float | None, lon: float | None) -> str:
    if lat is None or lon is None:
        return ""
    return h3.latlng_to_cell(lat, lon, rules.H3_RESOLUTION)


def _place_fields(spec: PlaceSpec, located: Located) -> dict:
    label = " ".join(str(spec.label or "").split())[:300]
    if not label:
        label = located.postcode or located.district or " ".join(str(spec.postcode_text or "").split()).upper()[:300]
    return {
        "label": label,
        "postcode": located.postcode,
        "district": located.district,
        "latitude": located.latitude,
        "longitude": located.longitude,
        "precision": located.precision,
        "kind": spec.kind[:20],
        "h3_cell": _cell(located.latitude, located.longitude),
    }


@dataclass(frozen=True)
class PlaceRef:
    """What the episodes' rows need of a place."""

    pk: int
    district: str
    h3_cell: str


def place_refs(specs: Iterable[PlaceSpec]) -> dict[str, PlaceRef]:
    """The place of each spec (by key), created when new: a few queries for
    any number of specs, no model objects for the places already known;
    safe when two processes create the same place at once."""
    wanted: dict[str, PlaceSpec] = {}
    for spec in specs:  # the first writing of a place names it
        if spec.key not in wanted and spec.is_something:
            wanted[spec.key] = spec
    if not wanted:
        return {}
    found: dict[str, PlaceRef] = {}
    keys = sorted(wanted)
    for i in range(0, len(keys), 500):
        found.update({k: PlaceRef(pk, d, c) for k, pk, d, c in Place.objects.filter(key__in=keys[i:i + 500])
                      .values_list("key", "pk", "district", "h3_cell")})
    missing = [wanted[k] for k in keys if k not in found]
    if missing:
        located = geocode_many([rules.parse_postcode(s.postcode_text) for s in missing])
        now = timezone.now()
        Place.objects.bulk_create([Place(key=s.key, created_at=now, **_place_fields(s, loc))
                                   for s, loc in zip(missing, located)], batch_size=500, ignore_conflicts=True)
        new_keys = [s.key for s in missing]
        for i in range(0, len(new_keys), 500):
            found.update({k: PlaceRef(pk, d, c) for k, pk, d, c in Place.objects.filter(key__in=new_keys[i:i + 500])
                          .values_list("key", "pk", "district", "h3_cell")})
    return found


def places_for_specs(specs: Iterable[PlaceSpec]) -> dict[str, Place]:
    """The Place of each spec (by key), created when new."""
    refs = place_refs(specs)
    by_pk = Place.objects.in_bulk([r.pk for r in refs.values()])
    return {k: by_pk[r.pk] for k, r in refs.items()}


def place_for(label: str, postcode_text: str, kind: str = "") -> Place | None:
    """One place, created when new; None when there is nothing to record."""
    spec = PlaceSpec(label or "", postcode_text or "", kind)
    return places_for_specs([spec]).get(spec.key)


def places_geocode(*, chunk: int = 2000) -> int:
    """Locate every place again from the postcode directory (after a load);
    the episodes' H3 cells follow. Returns how many places changed."""
    changed_ids: list[int] = []
    last = 0
    while True:
        batch = list(Place.objects.filter(pk__gt=last).order_by("pk")[:chunk])
        if not batch:
            break
        last = batch[-1].pk
        located = geocode_many([rules.parse_postcode(p.postcode or p.district) for p in batch])
        dirty = []
        for place, loc in zip(batch, located):
            if not place.district and not place.postcode:
                continue  # a place known by its text only: nothing to locate
            cell = _cell(loc.latitude, loc.longitude)
            if (place.latitude, place.longitude, place.precision, place.h3_cell) != (
                    loc.latitude, loc.longitude, loc.precision, cell):
                place.latitude, place.longitude, place.precision, place.h3_cell = (
                    loc.latitude, loc.longitude, loc.precision, cell)
                dirty.append(place)
        if dirty:
            with transaction.atomic():
                Place.objects.bulk_update(dirty, ["latitude", "longitude", "precision", "h3_cell"], batch_size=500)
                ids = [p.pk for p in dirty]
                cell_of = Place.objects.filter(pk=OuterRef("found_place_id")).values("h3_cell")[:1]
                EpisodePlace.objects.filter(found_place_id__in=ids).update(found_h3=Subquery(cell_of))
                cell_of = Place.objects.filter(pk=OuterRef("from_place_id")).values("h3_cell")[:1]
                EpisodePlace.objects.filter(from_place_id__in=ids).update(from_h3=Subquery(cell_of))
            changed_ids += [p.pk for p in dirty]
    return len(changed_ids)


# --- episodes ---------------------------------------------------------------------------------

EPISODE_COLUMNS = ("pk", "child_id", "area_authority_id", "responsible_authority_id", "started_at", "returned_at",
                   "missing_from", "postcode", "found_postcode", "found_where", "updated_at",
                   "child__home_authority_id")


def _local_day(moment) -> date | None:
    return moment.astimezone(LONDON).date() if moment is not None else None


def _same_postcode(a: str, b: str) -> bool:
    pa, pb = rules.parse_postcode(a), rules.parse_postcode(b)
    if pa.district is None:
        return " ".join(a.split()).upper() == " ".join(b.split()).upper()
    return pa == pb


def _sources(episode_ids: list[int]) -> dict[int, list[tuple[int, str, str]]]:
    """Each episode's notifications (id, postcode, found postcode as sent), oldest first."""
    from django.db.models.fields.json import KT

    out: dict[int, list[tuple[int, str, str]]] = {}
    for i in range(0, len(episode_ids), 500):
        rows = (Notification.objects.filter(episode_id__in=episode_ids[i:i + 500]).order_by("episode_id", "pk")
                .values_list("episode_id", "pk", KT("raw__postcode"), KT("raw__found_postcode")))
        for episode_id, pk, postcode, found in rows:
            out.setdefault(episode_id, []).append((pk, postcode if isinstance(postcode, str) else "",
                                                   found if isinstance(found, str) else ""))
    return out


def _source_for(episode_id: int, which: int, value: str, notes: list[tuple[int, str, str]]) -> str:
    """`notification:<id>` of the first notification that sent this postcode
    (which: 1 the postcode missing from, 2 the found postcode)."""
    for note in notes:
        given = note[which]
        if given and given.strip() and _same_postcode(given, value):
            return f"notification:{note[0]}"
    return f"episode:{episode_id}"


def episode_places_refresh(episode_ids: Iterable[int]) -> int:
    """Bring the places, links and hotspot row of these episodes up to date
    (see the module's docstring). Returns the number of episodes done.
    Runs in the caller's transaction, or one of its own per chunk."""
    ids = sorted({int(i) for i in episode_ids})
    done = 0
    for i in range(0, len(ids), CHUNK):
        with transaction.atomic():
            done += _refresh_chunk(ids[i:i + CHUNK])
    return done


def _refresh_chunk(ids: list[int]) -> int:
    """One chunk, written with plain SQL (upserts, no model objects): a
    sync of millions of episodes is bound by the database, not by Python."""
    episodes = list(Episode.objects.filter(pk__in=ids).order_by("pk").values_list(*EPISODE_COLUMNS))
    if not episodes:
        return 0
    # An episode deleted (folded into another) took its rows with it (CASCADE).
    specs: list[PlaceSpec] = []
    for e in episodes:
        specs.append(PlaceSpec("", e[7] or ""))
        specs.append(PlaceSpec(e[9] or "", e[8] or ""))
    places = place_refs(specs)
    notes = _sources([e[0] for e in episodes if e[7] or e[8]])
    ops = connection.ops
    dt_ = ops.adapt_datetimefield_value
    now = dt_(timezone.now())

    summaries = []
    wanted: dict[tuple, tuple] = {}
    for (pk, child_id, area_id, resp_id, started, returned, mf, postcode, found_postcode, found_where,
         updated, home_id) in episodes:
        frm = places.get(PlaceSpec("", postcode or "").key)
        fnd = places.get(PlaceSpec(found_where or "", found_postcode or "").key)
        summaries.append((
            pk, child_id, area_id, resp_id, home_id if mf == "home" else None, dt_(started), mf,
            frm.pk if frm else None, frm.district if frm else "", frm.h3_cell if frm else "",
            fnd.pk if fnd else None, fnd.district if fnd else "", fnd.h3_cell if fnd else "", dt_(updated)))
        for role, ref, which, value, day in (
                (Role.MISSING_FROM.value, frm, 1, postcode or "", _local_day(started)),
                (Role.FOUND.value, fnd, 2, found_postcode or "", _local_day(returned or started))):
            if ref is None:
                continue
            source = _source_for(pk, which, value, notes.get(pk, ())) if value else f"episode:{pk}"
            wanted[(child_id, role, ref.pk, pk, source, day)] = (
                child_id, ref.pk, role, pk, source, ops.adapt_datefield_value(day), now)

    EP, CP = EpisodePlace._meta.db_table, ChildPlace._meta.db_table
    columns = ("episode_id", "child_id", "area_authority_id", "responsible_authority_id", "home_authority_id",
               "started_at",
               "missing_from", "from_place_id", "from_district", "from_h3", "found_place_id", "found_district",
               "found_h3", "updated_at")
    update = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {EP} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT (episode_id) DO UPDATE SET {update}", summaries)
        present = [e[0] for e in episodes]
        cursor.execute(
            f"SELECT id, child_id, role, place_id, episode_id, source, date FROM {CP} "
            f"WHERE episode_id IN ({', '.join(['%s'] * len(present))}) "
            "AND (source LIKE 'notification:%%' OR source LIKE 'episode:%%')", present)
        stale = []
        for pk, child_id, role, place_id, episode_id, source, day in cursor.fetchall():
            if isinstance(day, str):
                day = date.fromisoformat(day)
            key = (child_id, role, place_id, episode_id, source, day)
            if key in wanted:
                del wanted[key]
            else:
                stale.append(pk)
        for i in range(0, len(stale), 500):
            part = stale[i:i + 500]
            cursor.execute(f"DELETE FROM {CP} WHERE id IN ({', '.join(['%s'] * len(part))})", part)
        if wanted:
            cursor.executemany(
                f"INSERT INTO {CP} (child_id, place_id, role, episode_id, source, date, recorded_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING", list(wanted.values()))
    return len(episodes)


# --- return home interviews -----------------------------------------------------------------


def named_places_refresh(interview_ids: Iterable[int]) -> int:
    """Bring the links made from these interviews' named places up to date.
    Returns the number of links the interviews now hold."""
    from homeward.interviews.models import NamedPlace

    ids = sorted({int(i) for i in interview_ids})
    total = 0
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        with transaction.atomic():
            named = list(NamedPlace.objects.filter(interview_id__in=chunk).select_related("interview")
                         .order_by("pk"))
            places = places_for_specs([PlaceSpec(n.text, n.postcode, n.kind) for n in named])
            wanted: dict[tuple, ChildPlace] = {}
            for n in named:
                place = places.get(PlaceSpec(n.text, n.postcode, n.kind).key)
                if place is None:
                    continue
                role = rules.role_for_named_place(n.kind)
                source = f"rhi:{n.interview_id}"
                # One link per place, role and interview: the first naming of it.
                if any(k[1:4] == (role, place.pk, source) for k in wanted):
                    continue
                key = (n.child_id, role, place.pk, source, n.pk, n.interview.episode_id, n.noted_on)
                wanted[key] = ChildPlace(child_id=n.child_id, place=place, role=role, source=source,
                                         named_place=n, episode_id=n.interview.episode_id, date=n.noted_on,
                                         recorded_by_id=n.recorded_by_id, recorded_at=n.recorded_at)
            existing = list(ChildPlace.objects.filter(source__in=[f"rhi:{x}" for x in chunk])
                            .values_list("pk", "child_id", "role", "place_id", "source", "named_place_id",
                                         "episode_id", "date"))
            stale = []
            for pk, *key in existing:
                if tuple(key) in wanted:
                    del wanted[tuple(key)]
                else:
                    stale.append(pk)
            if stale:
                ChildPlace.objects.filter(pk__in=stale).delete()
            if wanted:
                ChildPlace.objects.bulk_create(list(wanted.values()), batch_size=1000, ignore_conflicts=True)
            total += ChildPlace.objects.filter(source__in=[f"rhi:{x}" for x in chunk]).count()
    return total


# --- a person's entry ----------------------------------------------------------------------------

PROFILE_ROLES = (Role.STAYED, Role.TAKEN_TO, Role.FREQUENTED)


@transaction.atomic
def child_place_record(*, actor, child, text: str, postcode: str = "", role: str = Role.FREQUENTED,
                       day: date | None = None) -> ChildPlace:
    """A person records a place on the child's profile (source `profile`):
    somewhere the child stays, was taken to or spends time at."""
    from homeward.access.roles import can_see_named_records

    if actor is None or not can_see_named_records(getattr(actor, "role", None) or ""):
        raise Refused(Problem("__all__", "Your role cannot record places on a child's record"))
    text = " ".join((text or "").split())
    problems = []
    parsed = rules.parse_postcode(postcode)
    if not text and parsed.district is None:
        problems.append(Problem("text", "Enter the place, or its postcode"))
    if len(text) > 300:
        problems.append(Problem("text", "The place must be 300 characters or fewer"))
    if (postcode or "").strip() and parsed.district is None:
        problems.append(Problem("postcode", "Enter a postcode like CT1 2AB, or its first part like CT1, or leave "
                                            "it blank"))
    if role not in PROFILE_ROLES:
        problems.append(Problem("role", "Choose how the place matters to the child"))
    if day is not None and day > timezone.localdate():
        problems.append(Problem("date", "The date cannot be in the future"))
    if problems:
        raise Refused(problems)
    place = place_for(text, postcode or "")
    link, _ = ChildPlace.objects.get_or_create(
        source=f"profile:{child.pk}", role=role, place=place,
        defaults={"child": child, "date": day or timezone.localdate(), "recorded_by": actor})
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=link, child_id=child.pk,
                 summary="Recorded a place on a child's record", payload={"role": role, "place": place.pk})
    return link


# --- everything again ----------------------------------------------------------------------------


@dataclass
class SyncSummary:
    episodes: int = 0
    interviews: int = 0
    links_from_interviews: int = 0
    places: int = 0


def authority_episode_ids(authority_id: int | None):
    """The ids of an authority's episodes (definitions.md, "Whose episode"), or of all."""
    qs = Episode.objects.order_by()
    if authority_id is not None:
        qs = qs.filter(Q(area_authority_id=authority_id) | Q(responsible_authority_id=authority_id)
                       | Q(missing_from="home", child__home_authority_id=authority_id))
    return qs.values_list("pk", flat=True)


def places_sync(*, authority=None, progress: Callable[[int, int], None] | None = None) -> SyncSummary:
    """(Re)build every place, link and hotspot row from the episodes and the
    return home interviews, for one authority's episodes or all of them.
    Idempotent."""
    from homeward.interviews.models import Interview

    authority_id = authority.pk if authority is not None else None
    summary = SyncSummary()
    ids = sorted(authority_episode_ids(authority_id).iterator(chunk_size=20000))
    for i in range(0, len(ids), CHUNK):
        summary.episodes += episode_places_refresh(ids[i:i + CHUNK])
        if progress:
            progress(min(i + CHUNK, len(ids)), len(ids))
    interviews = Interview.objects.order_by().filter(places__isnull=False)
    if authority_id is not None:
        interviews = interviews.filter(Q(area_authority_id=authority_id) | Q(lead_authority_id=authority_id))
    interview_ids = sorted(set(interviews.values_list("pk", flat=True)))
    # Links from interviews whose places were all removed.
    orphan = set(int(s.split(":", 1)[1]) for s in ChildPlace.objects.filter(source__startswith="rhi:")
                 .values_list("source", flat=True).distinct() if s.split(":", 1)[1].isdigit())
    if authority_id is not None:
        orphan &= set(Interview.objects.filter(Q(area_authority_id=authority_id) | Q(lead_authority_id=authority_id))
                      .values_list("pk", flat=True))
    interview_ids = sorted(set(interview_ids) | orphan)
    summary.interviews = len(interview_ids)
    summary.links_from_interviews = named_places_refresh(interview_ids)
    summary.places = Place.objects.count()
    return summary


def precision_label(precision: str) -> str:
    return Precision(precision).label if precision in Precision.values else ""
