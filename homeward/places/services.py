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
from contextlib import contextmanager
from datetime import date, datetime
from datetime import timezone as dt_timezone

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

CHUNK = 2000  # episodes per transaction, for a list of episodes (events, the freshness check)
RANGE = 50000  # episodes per transaction in a full sync (episode_places_refresh_all)
KNOWN_PLACES_KEPT = 1_000_000  # places (and writings of places) a sync remembers between ranges
VACUUM_OVER = 100_000  # hotspot rows a full sync writes from which PostgreSQL's table is vacuumed after
COPY_OVER = 1000  # rows from which PostgreSQL is given them by COPY (_insert)
SYNC_CACHE_KIB = 1_000_000  # SQLite's page cache during a full sync (KiB)
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


def _place_fields(spec: PlaceSpec, located: Located, cache: PlaceCache | None = None) -> dict:
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
        "h3_cell": (cache.cell if cache else _cell)(located.latitude, located.longitude),
    }


@dataclass(frozen=True)
class PlaceRef:
    """What the episodes' rows need of a place."""

    pk: int
    district: str
    h3_cell: str


class PlaceCache:
    """What one run (a refresh of some episodes, a sync of all of them) has
    learnt about places, so that each is worked out and looked up once: the
    key of each writing of a place, the places by key, the directory's
    answers and H3 cells."""

    def __init__(self):
        self.keys: dict[tuple[str, str], str | None] = {}  # (text, postcode text) -> key, None: nothing
        self.refs: dict[str, PlaceRef] = {}
        self.directory: dict = {}
        self.cells: dict[tuple[float, float], str] = {}

    def key(self, label: str, postcode_text: str) -> str | None:
        """The place key of a writing, or None when there is nothing to record."""
        pair = (label, postcode_text)
        try:
            return self.keys[pair]
        except KeyError:
            key = self.keys[pair] = rules.place_key_if_something(label, postcode_text)
            return key

    def cell(self, lat: float | None, lon: float | None) -> str:
        if lat is None or lon is None:
            return ""
        try:
            return self.cells[(lat, lon)]
        except KeyError:
            cell = self.cells[(lat, lon)] = _cell(lat, lon)
            return cell

    def trim(self) -> None:
        """Forget the places learnt so far when there are many (memory)."""
        if len(self.refs) + len(self.keys) > KNOWN_PLACES_KEPT:
            self.refs.clear()
            self.keys.clear()


PLACE_COLUMNS = ("key", "label", "postcode", "district", "latitude", "longitude", "precision", "kind", "h3_cell",
                 "created_at")


def place_refs(specs: Iterable[PlaceSpec], cache: PlaceCache | None = None) -> dict[str, PlaceRef]:
    """The place of each spec (by key), created when new: a few queries for
    any number of specs, no model objects; safe when two processes create
    the same place at once. The first writing of a new place names it."""
    cache = cache or PlaceCache()
    keys: list[str] = []
    new: dict[str, PlaceSpec] = {}
    for spec in specs:
        key = cache.key(spec.label, spec.postcode_text)
        if key is not None:
            keys.append(key)
            if key not in cache.refs and key not in new:
                new[key] = spec
    _resolve(new, cache)
    return {k: cache.refs[k] for k in keys}


def _resolve(new: dict[str, PlaceSpec], cache: PlaceCache) -> None:
    """Find or create the places of these keys (each with its first
    writing) and remember them in the cache."""
    if not new:
        return
    keys = sorted(new)
    held = _place_refs_held(keys)
    missing = [k for k in keys if k not in held]
    if missing:
        located = geocode_many([rules.parse_postcode(new[k].postcode_text) for k in missing], cache.directory)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = []
        for k, loc in zip(missing, located):
            f = _place_fields(new[k], loc, cache)
            rows.append((k, f["label"], f["postcode"], f["district"], f["latitude"], f["longitude"],
                         f["precision"], f["kind"], f["h3_cell"], now))
        with _cursor() as cursor:
            _insert(cursor, Place._meta.db_table, PLACE_COLUMNS, rows, 'ON CONFLICT ("key") DO NOTHING')
        held.update(_place_refs_held(missing))
    cache.refs.update(held)


def _place_refs_held(keys: list[str]) -> dict[str, PlaceRef]:
    out: dict[str, PlaceRef] = {}
    with _cursor() as cursor:
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            cursor.execute(f'SELECT "key", id, district, h3_cell FROM {Place._meta.db_table} '
                           f'WHERE "key" IN ({", ".join(["%s"] * len(part))})', part)
            out.update({k: PlaceRef(pk, d, c) for k, pk, d, c in cursor.fetchall()})
    return out


@contextmanager
def _cursor():
    """A cursor for the plain SQL of this module. On PostgreSQL, one that
    sends the values apart from the statement (server-side binding; the
    connection's own cursors merge them into the text of the statement,
    which costs more than the database's work for thousands of rows) and
    sends many rows of an executemany in one pipeline."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        yield cursor


def _insert(cursor, table: str, columns: tuple[str, ...], rows: list[tuple], suffix: str = "") -> None:
    """INSERT many rows in few round trips (a cursor of _cursor). On SQLite
    a loop in the driver, in process. On PostgreSQL, many rows are copied
    (COPY) into a temporary table of the same columns, then inserted from it
    in one statement (with the same ON CONFLICT clause), rather than one
    statement a row (in a transaction: the temporary table lasts until it
    commits)."""
    if not rows:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor != "postgresql" or len(rows) < COPY_OVER or not connection.in_atomic_block:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))}) {suffix}",
                           rows)
        return
    stage = f"places_stage_{table}"
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "
                   f"SELECT {names} FROM {table} WITH NO DATA")
    with cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} {suffix}")
    cursor.execute(f"TRUNCATE {stage}")


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

# An episode as its rows are derived from it (_episodes_sql): id, child,
# area authority, responsible authority, started_at, returned_at,
# missing_from, postcode, found_postcode, found_where, updated_at, and the
# child's home authority. Moments are copied to the hotspot row as the
# database holds them (on SQLite, read as their text: _read).
EPISODE_FIELDS = ("child", "area_authority", "responsible_authority", "started_at", "returned_at", "missing_from",
                  "postcode", "found_postcode", "found_where", "updated_at")
# The columns of an EpisodePlace row, in the order the rows are built and written.
SUMMARY_COLUMNS = ("episode_id", "child_id", "area_authority_id", "responsible_authority_id", "home_authority_id",
                   "started_at", "missing_from", "from_place_id", "from_district", "from_h3", "found_place_id",
                   "found_district", "found_h3", "updated_at")
SUMMARY_MOMENTS = ("started_at", "updated_at")
LINK_COLUMNS = ("child_id", "place_id", "role", "episode_id", "source", "date", "recorded_at")


def _read(column: str, moment: bool) -> str:
    """A column in a select list. On SQLite a moment or a day is read as the
    text the database holds (the driver would make a naive datetime of it,
    and turn it back into text to write it), so it is copied as it is."""
    if moment and connection.vendor == "sqlite":
        return f"CAST({column} AS TEXT)"
    return column


def _episodes_sql(where: str) -> str:
    from homeward.people.models import Child

    fields = [Episode._meta.get_field(f) for f in EPISODE_FIELDS]
    columns = ", ".join(_read(f"e.{f.column}", f.name in ("started_at", "returned_at", "updated_at"))
                        for f in fields)
    home = Child._meta.get_field("home_authority").column
    return (f"SELECT e.id, {columns}, c.{home} FROM {Episode._meta.db_table} e "
            f"INNER JOIN {Child._meta.db_table} c ON c.id = e.{Episode._meta.get_field('child').column} "
            f"WHERE {where} ORDER BY e.id")


def _fetch(sql: str, params) -> list[tuple]:
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in(column: str, ids: list) -> str:
    return f"{column} IN ({', '.join(['%s'] * len(ids))})"


def _local_day(moment) -> date | None:
    """The Europe/London day of a moment (an aware datetime, or the text
    SQLite holds: UTC)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt_timezone.utc)
    return moment.astimezone(LONDON).date()


class _Days:
    """`_local_day`, remembered by the UTC hour (the London day does not
    change within an hour of UTC: the clocks change on the hour), in the
    form the database writes a day (on SQLite: its text)."""

    def __init__(self):
        self.text = connection.vendor == "sqlite"
        self.by_hour: dict = {}

    def __call__(self, moment):
        if isinstance(moment, str) and len(moment) in (19, 26) and moment[10] == " ":
            hour = moment[:13]  # "2025-03-01 20": UTC text as SQLite holds it
        elif isinstance(moment, datetime) and moment.utcoffset() is not None:
            moment = moment.astimezone(dt_timezone.utc)
            hour = (moment.toordinal(), moment.hour)
        else:
            day = _local_day(moment)
            return day.isoformat() if self.text else day
        day = self.by_hour.get(hour)
        if day is None:
            day = _local_day(moment)
            day = self.by_hour[hour] = day.isoformat() if self.text else day
        return day


def _same_postcode(a: str, b: str) -> bool:
    pa, pb = rules.parse_postcode(a), rules.parse_postcode(b)
    if pa.district is None:
        return " ".join(a.split()).upper() == " ".join(b.split()).upper()
    return pa == pb


def _sources(episode_ids: list[int] | None = None, *, lo: int | None = None, hi: int | None = None
             ) -> dict[int, list[tuple[int, str, str]]]:
    """Each episode's notifications (id, postcode, found postcode as sent),
    oldest first: of these episodes, or of the episodes with ids lo to hi."""
    from django.db.models.fields.json import KT

    out: dict[int, list[tuple[int, str, str]]] = {}
    columns = ("episode_id", "pk", KT("raw__postcode"), KT("raw__found_postcode"))
    if episode_ids is None:
        parts = [Notification.objects.filter(episode_id__gte=lo, episode_id__lte=hi)]
    else:
        parts = [Notification.objects.filter(episode_id__in=episode_ids[i:i + 500])
                 for i in range(0, len(episode_ids), 500)]
    for qs in parts:
        for episode_id, pk, postcode, found in qs.order_by("episode_id", "pk").values_list(*columns):
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
    cache = PlaceCache()
    for i in range(0, len(ids), CHUNK):
        with transaction.atomic():
            chunk = ids[i:i + CHUNK]
            episodes = []
            for j in range(0, len(chunk), 500):
                part = chunk[j:j + 500]
                episodes += _fetch(_episodes_sql(_in("e.id", part)), part)
            # An episode deleted (folded into another) took its rows with it (CASCADE).
            if episodes:
                _refresh_episodes(episodes, cache)
            done += len(episodes)
    return done


def episode_places_refresh_all(*, progress: Callable[[int, int], None] | None = None) -> int:
    """`episode_places_refresh` of every episode, for a full or first sync:
    the episodes are read in order of id, RANGE at a time (a transaction
    each), and their notifications, hotspot rows and links are read by that
    range of ids rather than by lists of ids; only rows that differ from
    what is held are written. The rows are the same as those of
    `episode_places_refresh` of every episode (tests/places). Returns the
    number of episodes done."""
    total = Episode.objects.count() if progress else 0
    cache = PlaceCache()
    done, last, written = 0, 0, 0
    with _bulk_session():
        while True:
            with transaction.atomic():
                episodes = _fetch(_episodes_sql("e.id > %s") + f" LIMIT {int(RANGE)}", [last])
                if not episodes:
                    break
                last = episodes[-1][0]
                written += _refresh_episodes(episodes, cache, lo=episodes[0][0], hi=last)
            done += len(episodes)
            cache.trim()
            if progress:
                progress(done, max(total, done))
    if written > VACUUM_OVER and connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The counts read the hotspot rows' indexes only, which PostgreSQL can
        # do once the table's pages are marked all-visible: now, rather than
        # when autovacuum comes round to it.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {EpisodePlace._meta.db_table}")
    return done


@contextmanager
def _bulk_session():
    """On SQLite, for this connection and the time of a full sync:

    - a page cache large enough to hold the indexes the sync writes to (the
      default is sized for requests);
    - no foreign key checks on the rows it writes, which would otherwise
      probe the tables of children, episodes, authorities and places for
      every one of millions of rows. The rows refer only to what the same
      transaction has just read, and a transaction on SQLite holds the
      write lock from its start (settings: IMMEDIATE), so nothing it refers
      to can be deleted before it commits. (Only outside a transaction can
      the checks be switched off; `PRAGMA foreign_keys` is ignored inside
      one, so in a caller's transaction they stay on.)
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        cursor.execute("PRAGMA foreign_keys")
        foreign_keys = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SYNC_CACHE_KIB:d}")
        cursor.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size):d}")
            cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")


def _refresh_episodes(episodes: list[tuple], cache: PlaceCache, *, lo: int | None = None,
                      hi: int | None = None) -> int:
    """Derive the rows of these episodes (rows of _episodes_sql, in order of
    id) and write what differs from what is held. With lo and hi, the
    episodes are every episode with an id from lo to hi (a full sync) and
    what is held is read by that range. Plain SQL and tuples (no model
    objects): a sync of millions of episodes is bound by the database.
    Returns the number of hotspot rows written."""
    ckey, refs = cache.key, cache.refs
    keys, new = [], {}
    for e in episodes:  # in order: the first writing of a new place names it
        frm_key, fnd_key = ckey("", e[7] or ""), ckey(e[9] or "", e[8] or "")
        keys.append((frm_key, fnd_key))
        if frm_key is not None and frm_key not in refs and frm_key not in new:
            new[frm_key] = PlaceSpec("", e[7] or "")
        if fnd_key is not None and fnd_key not in refs and fnd_key not in new:
            new[fnd_key] = PlaceSpec(e[9] or "", e[8] or "")
    _resolve(new, cache)
    present = [e[0] for e in episodes]
    notes = _sources([e[0] for e in episodes if e[7] or e[8]]) if lo is None else _sources(lo=lo, hi=hi)
    no_notes = ()
    day_of = _Days()

    summaries: dict[int, tuple] = {}
    wanted: dict[tuple, tuple] = {}
    for (pk, child_id, area_id, resp_id, started, returned, mf, postcode, found_postcode, found_where,
         updated, home_id), (frm_key, fnd_key) in zip(episodes, keys):
        frm = refs[frm_key] if frm_key is not None else None
        fnd = refs[fnd_key] if fnd_key is not None else None
        summaries[pk] = (
            pk, child_id, area_id, resp_id, home_id if mf == "home" else None, started, mf,
            frm.pk if frm else None, frm.district if frm else "", frm.h3_cell if frm else "",
            fnd.pk if fnd else None, fnd.district if fnd else "", fnd.h3_cell if fnd else "", updated)
        if frm is not None:
            source = (_source_for(pk, 1, postcode, notes.get(pk, no_notes)) if postcode and pk in notes
                      else f"episode:{pk}")
            day = day_of(started)
            wanted[(child_id, "missing_from", frm.pk, pk, source, day)] = (
                child_id, frm.pk, "missing_from", pk, source, day)
        if fnd is not None:
            source = (_source_for(pk, 2, found_postcode, notes[pk]) if found_postcode and pk in notes
                      else f"episode:{pk}")
            day = day_of(returned or started)
            wanted[(child_id, "found", fnd.pk, pk, source, day)] = (child_id, fnd.pk, "found", pk, source, day)

    # What is held.
    EP, CP = EpisodePlace._meta.db_table, ChildPlace._meta.db_table
    held_sql = (f"SELECT {', '.join(_read(c, c in SUMMARY_MOMENTS) for c in SUMMARY_COLUMNS)} FROM {EP} WHERE ")
    links_sql = (f"SELECT id, child_id, role, place_id, episode_id, source, {_read('date', True)} FROM {CP} WHERE "
                 "(source LIKE 'notification:%%' OR source LIKE 'episode:%%') AND ")
    if lo is None:
        held_rows, held_links = [], []
        for i in range(0, len(present), 500):
            part = present[i:i + 500]
            held_rows += _fetch(held_sql + _in("episode_id", part), part)
            held_links += _fetch(links_sql + _in("episode_id", part), part)
    else:
        held_rows = _fetch(held_sql + "episode_id >= %s AND episode_id <= %s", [lo, hi])
        held_links = _fetch(links_sql + "episode_id >= %s AND episode_id <= %s", [lo, hi])
    for row in held_rows:
        if summaries.get(row[0]) == row:
            del summaries[row[0]]
    stale = []
    for pk, *key in held_links:
        key = tuple(key)
        if key in wanted:
            del wanted[key]
        else:
            stale.append(pk)

    update = ", ".join(f"{c} = excluded.{c}" for c in SUMMARY_COLUMNS[1:])
    with _cursor() as cursor:
        _insert(cursor, EP, SUMMARY_COLUMNS, list(summaries.values()),
                f"ON CONFLICT (episode_id) DO UPDATE SET {update}")
        for i in range(0, len(stale), 500):
            part = stale[i:i + 500]
            cursor.execute(f"DELETE FROM {CP} WHERE {_in('id', part)}", part)
        recorded = connection.ops.adapt_datetimefield_value(timezone.now())
        _insert(cursor, CP, LINK_COLUMNS, [(*w, recorded) for w in wanted.values()], "ON CONFLICT DO NOTHING")
    return len(summaries)


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
    if authority_id is None:
        summary.episodes = episode_places_refresh_all(progress=progress)
    else:
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
