"""Taking in notifications: one engine for a file of a million rows, an API
call and a form (docs/decisions/0006-batched-intake.md).

`Intake.apply(items)` takes a chunk of rows (a few thousand from a file, or
one from the API or a form) and does for each row, in order, exactly what
contract.md and definitions.md ask (docs/decisions/0004):

* a row already stored (same source, source_ref and content) is *unchanged*;
* a later row of the same source and source_ref *updates* that reporter's
  account of its episode;
* otherwise the row is about a child found by the responsible authority's own
  identifier, or by the matching rules (homeward/people/matching.py through
  `resolve.decide`), or a new child; a report that overlaps one of the child's
  episodes joins it (*merged*), else it *creates* an episode;
* the episode is recomputed from its current accounts (`derive_episode`, the
  one implementation, also behind `services.recompute`), and episodes that now
  overlap are merged into one;
* the child's identifier, alias and flags are recorded, and uncertain matches
  go to the review queue.

How it stays fast: rows are parsed and validated first (a bad row is refused
on its own and touches nothing); what the chunk needs is then read in a few
queries (stored notifications by source and source_ref, identifiers, the
touched children with their placements and recent episodes); the rules run in
memory, row after row, on that state, so a row sees everything the rows
before it did, in the same chunk or not; and the result is written with bulk
inserts and updates, in one transaction per chunk. If writing fails, the
chunk is rolled back and its rows are taken again one by one, so that one
row that cannot be stored is refused alone.

Matching uses `ChildIndex`: the children held in memory by date of birth (a
bounded cache filled from the database, and kept up to date with the
children and aliases the import adds), so that a report is compared only
with children of the same or a nearly-same date of birth who share a
phonetic name key with it (blocking, see `ChildIndex`).
"""

from __future__ import annotations

import gc
import hashlib
import json
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field
from operator import attrgetter
from datetime import date, datetime
from datetime import timezone as dt_timezone
from typing import Callable, NamedTuple, Sequence

from django.conf import settings
from django.db import DatabaseError, DataError, IntegrityError, connection, transaction
from django.db.models import F, ProtectedError, Q
from django.db.models.fields.json import KT
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.people import matching
from homeward.people.models import Child, ChildAlias, ChildFlag, ChildIdentifier, MatchReview
from homeward.people.resolve import decide, kept_apart, report_record
from homeward.people.services import _check_child_fields
from homeward.placements.models import Authority, Placement, Provider
from homeward.problems import Problem, Refused

from . import rules
from .models import Episode, Notification, RiskChange, Status
from .parsing import RULES_READ, ParsedRow, content_hash, parse_row

CHUNK_ROWS = 10_000  # rows per transaction when importing a file
INDEX_LIMIT = 500_000  # children held in memory for matching (about 400 bytes each)
PROVISIONAL = 10**12  # ids given to children and episodes not stored yet (above any real id)
_LATEST = datetime.max.replace(tzinfo=dt_timezone.utc)
# Publish homeward.events after each chunk commits (episode.started, .updated,
# .returned, a list of episode ids each), unless the chunk is bulk (more than
# events.BULK episodes started or updated): that is left whole to the scheduled
# catch-up (homeward/events.py, "Bulk").
PUBLISH_EVENTS = True
IN_BATCH = 500  # values per IN (...) in one query
EPISODE_FIELDS = [  # what taking in a row may change on an episode
    "started_at", "last_seen_at", "reported_at", "returned_at", "status", "found_postcode", "postcode",
    "category", "missing_from", "placement_id", "responsible_authority_id", "provider_id", "risk_level", "updated_at",
]


def _batches(values: Sequence, size: int = IN_BATCH):
    for start in range(0, len(values), size):
        yield values[start:start + size]


# --- deriving an episode from its notifications (the one implementation) ------------


class Note:
    """One notification as the episode rules see it: a reporter's account,
    with the row as received (`raw`). `order` is the arrival order (the id)."""

    __slots__ = ("order", "source", "source_ref", "last_seen_at", "reported_at", "returned_at", "risk_level", "raw",
                 "episode", "model", "category", "missing_from", "provider_urn", "postcode", "found_postcode")
    RAW = RULES_READ  # what the rules read of `raw`

    def __init__(self, order, source, source_ref, last_seen_at, reported_at, returned_at, risk_level, raw,
                 episode=None, model=None):
        self.order = order
        self.source = source
        self.source_ref = source_ref
        self.last_seen_at = last_seen_at
        self.reported_at = reported_at
        self.returned_at = returned_at
        self.risk_level = risk_level
        self.raw = raw
        self.episode = episode
        self.model = model
        # What the rules read from the row as received.
        self.category = _text(raw, "category").strip().lower()
        self.missing_from = _text(raw, "missing_from").strip().lower()
        self.provider_urn = _text(raw, "provider_urn").strip().upper()
        self.postcode = _text(raw, "postcode")
        self.found_postcode = _text(raw, "found_postcode")

    # A note is its reporter's account as the episode rules read it
    # (rules.Account: source, source_ref, the times, risk_level, order, start).
    @property
    def start(self) -> datetime:
        start = self.last_seen_at or self.reported_at
        if start is None:
            raise ValueError("an account needs a last-seen or a reported time")
        return start

    @property
    def account(self) -> rules.Account:
        return rules.Account(self.source, self.source_ref, self.last_seen_at, self.reported_at, self.returned_at,
                             self.risk_level, self.order)

    @classmethod
    def of(cls, n: Notification) -> "Note":
        return cls(n.pk, n.source, n.source_ref, n.last_seen_at, n.reported_at, n.returned_at, n.risk_level, n.raw)


class PlacementView(NamedTuple):
    pk: int
    start_date: date
    end_date: date | None
    responsible_authority_id: int
    provider_id: int | None


def placements_of(child_ids) -> dict[int, list[PlacementView]]:
    out: dict[int, list[PlacementView]] = {}
    for batch in _batches(list(child_ids)):
        for child_id, *values in Placement.objects.filter(child_id__in=batch).values_list(
            "child_id", "pk", "start_date", "end_date", "responsible_authority_id", "provider_id"
        ):
            out.setdefault(child_id, []).append(PlacementView(*values))
    return out


def placement_open_on(placements: Sequence[PlacementView], day: date) -> PlacementView | None:
    """The placement open on that day (started on or before it, not ended by
    it), the latest started if several."""
    best = None
    for p in placements:
        if p.start_date <= day and (p.end_date is None or p.end_date > day):
            if best is None or p.start_date > best.start_date:
                best = p
    return best


def _text(raw: dict, key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def derive_episode(
    episode: Episode,
    notes: Sequence[Note],
    *,
    placements: Sequence[PlacementView],
    child_responsible_id: int | None,
    provider_id_for_urn: Callable[[str], int | None],
    tz=None,
) -> tuple[str, str] | None:
    """Set the episode's times, status, places, category, origin, placement
    and risk from its notifications (`notes`, in arrival order): the current
    account of each reporter is its latest row (rules.current_accounts).

    Returns (previous, new) risk level when the risk changed, for the history.
    `episode` is an Episode or any object with its fields; `tz` is the local
    time zone (default: the current one).
    """
    if len(notes) == 1:
        current = list(notes)
    else:
        latest: dict[tuple[str, str], Note] = {}
        for n in notes:
            latest[(n.source, n.source_ref)] = n
        current = list(latest.values())
    times = rules.derive_times(current)  # a Note reads as its rules.Account
    episode.started_at = times.started_at
    episode.last_seen_at = times.last_seen_at
    episode.reported_at = times.reported_at
    episode.returned_at = times.returned_at
    if episode.status != Status.CLOSED or times.returned_at is None:
        episode.status = rules.status_for(times.returned_at)
    if times.returned_at is not None:
        first_return = min((n for n in current if n.returned_at is not None), key=lambda n: n.returned_at)
        episode.found_postcode = first_return.found_postcode or episode.found_postcode
    first = min(current, key=lambda n: (n.last_seen_at or n.reported_at, n.order))
    episode.postcode = (first.postcode or episode.postcode or "").strip().upper()[:10]
    categories = {n.category for n in current}
    episode.category = "absent" if "absent" in categories and "missing" not in categories else "missing"

    placement = placement_open_on(
        placements, episode.started_at.astimezone(tz or timezone.get_current_timezone()).date()
    ) if placements else None
    reported_care = any(n.missing_from == "care" for n in current)
    episode.missing_from = rules.missing_from(
        placement_open=placement is not None, has_any_placement=bool(placements),
        reported="care" if reported_care else None,
    )
    episode.placement_id = placement.pk if placement is not None else None
    if placement is not None:
        episode.responsible_authority_id = placement.responsible_authority_id
        episode.provider_id = placement.provider_id
    else:
        episode.responsible_authority_id = child_responsible_id if episode.missing_from == "care" else None
        urn = next((n.provider_urn for n in current if n.provider_urn), "")
        episode.provider_id = provider_id_for_urn(urn) if urn else None

    if times.risk_level and times.risk_level != episode.risk_level:
        previous = episode.risk_level
        episode.risk_level = times.risk_level
        return previous, times.risk_level
    return None


def risk_change(episode_id, previous: str, level: str, *, actor, source: str) -> RiskChange:
    return RiskChange(
        episode_id=episode_id, risk_level=level, previous_level=previous,
        changed_by=actor if getattr(actor, "pk", None) else None,
        source=source, reason="Reported by " + source if source else "",
    )


# --- writing rows straight through the driver ---------------------------------------

class StoredJson(str):
    """A JSON field's value as the text the database stores (json.dumps of
    it, as made by parsing.raw_json in the file reader)."""


_SAME = frozenset({"CharField", "TextField", "SlugField", "EmailField", "IntegerField", "BigIntegerField",
                   "SmallIntegerField", "PositiveIntegerField", "FloatField", "BooleanField", "ForeignKey"})


class _Table:
    """A model's rows as plain objects (one slot per column), inserted and
    updated in bulk with the database driver: Django's bulk_create and
    bulk_update cost more than the database does. Column values are prepared
    as Django prepares them (get_db_prep_save and the backend's adapters)."""

    def __init__(self, model):
        self.model = model
        self.pk = model._meta.pk
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        # A row's class holds the constant defaults; a row holds the rest.
        constant = {self.pk.attname: None}
        self._now: list[str] = []  # default=timezone.now: one reading per row
        self._made: list[tuple[str, Callable]] = []  # other callable defaults (a new list, ...)
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                constant[f.attname] = None  # set when inserted
            elif f.has_default() and f.default is timezone.now:
                self._now.append(f.attname)
            elif f.has_default() and callable(f.default):
                self._made.append((f.attname, f.default))
            else:
                constant[f.attname] = f.get_default()
        self.row = type(model.__name__ + "Row", (), constant)

    def new(self, *, now_: datetime | None = None, **values):
        """A row with the model's defaults, then `values`. Fields defaulting to
        the time get `now_` (the chunk's one reading of the clock) or a reading."""
        obj = self.row()
        d = obj.__dict__
        if self._now:
            now = now_ or timezone.now()
            for name in self._now:
                d[name] = now
        for name, make in self._made:
            d[name] = make()
        d.update(values)
        return obj

    def load(self, queryset) -> list:
        names = [f.attname for f in self.model._meta.concrete_fields]
        out = []
        for values in queryset.values_list(*names):
            obj = self.row()
            obj.__dict__.update(zip(names, values))
            out.append(obj)
        return out

    def _converters(self, fields):
        ops = connection.ops
        out = []
        datetimes = ops.adapt_datetimefield_value
        if connection.vendor == "sqlite" and settings.USE_TZ:
            # What the SQLite backend stores for an aware datetime, without its overhead.
            tz = connection.timezone

            def datetimes(value, tz=tz, slow=ops.adapt_datetimefield_value, known=_DATETIME_TEXT.setdefault(tz, {})):
                if value.__class__ is not datetime or value.tzinfo is None:
                    return slow(value)
                # A chunk writes the same moments several times (a notification's
                # times are its episode's; one clock reading for the rows it makes).
                text = known.get(value)
                if text is None:
                    moment = value if value.tzinfo is tz else value.astimezone(tz)
                    if tz is dt_timezone.utc:
                        text = moment.isoformat(" ")[:-6]  # the same text, without its "+00:00"
                    else:
                        text = str(moment.replace(tzinfo=None))
                    if len(known) > 100_000:
                        known.clear()
                    known[value] = text
                return text
        for f in fields:
            kind = f.get_internal_type()
            if kind in _SAME:
                out.append(None)
            elif kind == "DateTimeField":
                out.append(None if connection.vendor == "postgresql" else datetimes)
            elif kind == "DateField":
                out.append(ops.adapt_datefield_value)
            elif kind == "JSONField":
                def json_value(value, f=f, adapt=ops.adapt_json_value):
                    if value.__class__ is StoredJson:
                        return str(value)  # the JSON text already (COPY and SQLite take it as is)
                    return adapt(f.get_prep_value(value), f.encoder)
                out.append(json_value)
            else:
                out.append(lambda value, f=f: f.get_db_prep_save(value, connection))
        return out

    def _values(self, objs, fields) -> list[list]:
        get = attrgetter(*[f.attname for f in fields])
        convert = [(i, c) for i, c in enumerate(self._converters(fields)) if c is not None]
        rows = []
        for obj in objs:
            row = list(get(obj)) if len(fields) > 1 else [get(obj)]
            for i, c in convert:
                value = row[i]
                if value is not None:
                    row[i] = c(value)
            rows.append(row)
        return rows

    def insert(self, objs: Sequence, *, returning: bool = False) -> None:
        """Insert the rows; with `returning`, give them their ids."""
        if not objs:
            return
        now = timezone.now()
        for f in self.fields:
            if getattr(f, "auto_now", False):
                for obj in objs:
                    setattr(obj, f.attname, now)
        q = connection.ops.quote_name
        table = q(self.model._meta.db_table)
        columns = ", ".join(q(f.column) for f in self.fields)
        one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        rows = self._values(objs, self.fields)
        if connection.vendor == "postgresql":
            self._copy(objs, rows, returning)
            return
        if connection.vendor != "sqlite":
            raise NotImplementedError("the intake writes to SQLite and PostgreSQL")
        with connection.cursor() as cursor:
            if returning:
                # One statement for every row (a statement of thousands of rows
                # would sit in the driver's statement cache, megabytes each),
                # with the ids given here: the chunk's transaction holds
                # SQLite's write lock, so no one else takes ids meanwhile.
                pk = q(self.pk.column)
                cursor.execute(f"SELECT max({pk}) FROM {table}")
                top = cursor.fetchone()[0] or 0
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.model._meta.db_table])
                seq = cursor.fetchone()  # ids are never reused (AUTOINCREMENT)
                top = max(top, seq[0] if seq else 0)
                for i, (obj, row) in enumerate(zip(objs, rows), start=top + 1):
                    setattr(obj, self.pk.attname, i)
                    row.insert(0, i)
                columns = f"{pk}, {columns}"
                one = "(%s, " + one[1:]
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {one}", rows)

    def _copy(self, objs, rows, returning: bool) -> None:
        """PostgreSQL: COPY, with ids taken from the table's sequence first."""
        import psycopg

        q = connection.ops.quote_name
        table = self.model._meta.db_table
        names = [f.column for f in self.fields]
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            if returning:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [table, self.pk.column, len(rows)])
                ids = [r[0] for r in cursor.fetchall()]
                for obj, pk, row in zip(objs, ids, rows):
                    setattr(obj, self.pk.attname, pk)
                    row.insert(0, pk)
                names.insert(0, self.pk.column)
            with cursor.copy(f"COPY {q(table)} ({', '.join(q(n) for n in names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def update(self, objs: Sequence, names: Sequence[str]) -> None:
        if not objs:
            return
        fields = [self.model._meta.get_field(n) for n in names]
        q = connection.ops.quote_name
        sets = ", ".join(f"{q(f.column)} = %s" for f in fields)
        rows = self._values(objs, fields)
        for row, obj in zip(rows, objs):
            row.append(getattr(obj, self.pk.attname))
        sql = f"UPDATE {q(self.model._meta.db_table)} SET {sets} WHERE {q(self.pk.column)} = %s"
        if connection.vendor == "postgresql":
            import psycopg

            connection.ensure_connection()
            with psycopg.Cursor(connection.connection) as cursor:
                cursor.executemany(sql, rows)
            return
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


_TABLES: dict = {}
_DATETIME_TEXT: dict = {}  # the database's time zone -> {an aware moment: the text SQLite stores for it}


def table(model) -> _Table:
    t = _TABLES.get(model)
    if t is None:
        t = _TABLES[model] = _Table(model)
    return t


def merge_stored_episodes(target: Episode, others: Sequence[Episode]) -> None:
    """Fold stored episodes into `target`: their notifications and risk
    history move to it, and they are deleted."""
    for other in others:
        other.notifications.update(episode=target)
        RiskChange.objects.filter(episode=other).update(episode=target)
        other.delete()


# --- finding candidate children quickly ----------------------------------------


class _Rec:
    """One child as matching sees it (names normalised, as compare() does)."""

    __slots__ = ("cid", "dob", "first", "last", "sex", "postcode", "urn", "aliases", "sig")

    def person(self) -> matching.PersonRecord:
        return matching.PersonRecord(
            first_name=self.first, last_name=self.last, dob=self.dob, sex=self.sex or None,
            postcode=self.postcode or None, provider_urn=self.urn or None, aliases=self.aliases,
        )


class ChildIndex:
    """Children by date of birth, for matching many reports without a query
    each, filled from the database a date of birth at a time and holding at
    most `limit` children (the least recently used dates are dropped, and
    read again when needed).

    Blocking: a report is compared with the children who have the same date of
    birth and share a key with it: a phonetic name key (matching.name_keys:
    NYSIIS of a given name or surname, or a nickname group), or, when at most
    WEAK_KEYS_UP_TO children share the date, the initials of the names, the
    postcode district or the provider; and with those whose date of birth is
    a likely slip for it (matching.dob_variants) and who have a surname (or
    an alias's surname) whose phonetic key is one of the report's name keys.
    Matching itself, and the decision, are resolve.decide's.
    """

    SIG_BITS = 512
    WEAK_KEYS_UP_TO = 200  # children of one date of birth

    def __init__(self, limit: int = INDEX_LIMIT):
        self.limit = limit
        self.buckets: OrderedDict[int, list[_Rec]] = OrderedDict()
        self.recs: dict[int, _Rec] = {}
        self.by_surname: dict[str, dict[int, _Rec | list[_Rec]]] = {}  # surname key -> date -> children
        # Dates of birth shared by more than WEAK_KEYS_UP_TO children: name key -> those children.
        self.crowded: dict[int, dict[str, list[_Rec]]] = {}
        self.touched: set[int] = set()
        self._given: dict[str, frozenset] = {}
        self._surname: dict[str, frozenset] = {}
        self._norm: dict[str, str] = {}
        self._bits: dict[str, int] = {}
        self._variants: dict[date, tuple[int, ...]] = {}
        self._intern: dict[str, str] = {}
        self._places: dict[tuple[str, str], str] = {}
        self._next = PROVISIONAL
        self._report_names: dict[tuple[str, str], tuple[frozenset, int]] = {}
        self._given_weights: dict[tuple[str, str], float] = {}
        self._surname_weights: dict[tuple[str, str], float] = {}
        self.checked = 0  # with check_blocking: reports compared both ways
        self.disagreements: list[tuple] = []
        self.check_blocking = False
        self.resolved = 0  # reports matched
        self.blocked = 0  # candidates blocking found for them
        self.compared = 0  # candidates compared with them (after blocking)

    # keys -------------------------------------------------------------------

    def _name(self, value: str) -> str:
        norm = self._norm.get(value)
        if norm is None:
            norm = matching.normalise_name(value)
            norm = self._intern.setdefault(norm, norm)
            if len(self._norm) > 200_000:
                self._norm.clear()
            self._norm[value] = norm
        return norm

    def given_keys(self, first: str) -> frozenset:
        keys = self._given.get(first)
        if keys is None:
            keys = frozenset(matching.name_keys(first, ""))
            if len(self._given) > 200_000:
                self._given.clear()
            self._given[first] = keys
        return keys

    def surname_keys(self, last: str) -> frozenset:
        keys = self._surname.get(last)
        if keys is None:
            keys = frozenset(matching.name_keys("", last))
            if len(self._surname) > 200_000:
                self._surname.clear()
            self._surname[last] = keys
        return keys

    def keys_of(self, rec: _Rec) -> set:
        """Every key of a held child (its names are normalised already)."""
        keys = set(self.given_keys(rec.first))
        keys |= self.surname_keys(rec.last)
        keys |= self.given_keys(rec.last)  # a surname reported as a first name (nicknames)
        keys.add(self._initials(rec.first, rec.last))
        keys.update(self._place(rec.postcode, rec.urn))
        for first, last in rec.aliases:
            keys |= self.given_keys(first)
            keys |= self.surname_keys(last)
            keys |= self.given_keys(last)
            keys.add(self._initials(first, last))
        keys.discard(None)
        return keys

    def _shares(self, rec: _Rec, keys) -> bool:
        """Whether the held child has one of these keys (keys_of, stopping at the first)."""
        given, surname = self._given.get, self._surname.get  # (held children's keys are there already)
        for first, last in ((rec.first, rec.last), *rec.aliases):
            if (not keys.isdisjoint(given(first) or self.given_keys(first))
                    or not keys.isdisjoint(surname(last) or self.surname_keys(last))
                    or not keys.isdisjoint(given(last) or self.given_keys(last))
                    or self._initials(first, last) in keys):
                return True
        return not keys.isdisjoint(self._place(rec.postcode, rec.urn))

    @staticmethod
    def _initials(first: str, last: str) -> str | None:
        if not first or not last:
            return None
        a, b = first[0], last[0]
        return f"in:{a}{b}" if a <= b else f"in:{b}{a}"

    def _place(self, postcode: str, urn: str) -> tuple[str, ...]:
        key = (postcode, urn)
        found = self._places.get(key)
        if found is None:
            district = matching.normalise_postcode(postcode)[1] if postcode else None
            found = tuple(k for k in ("pc:" + district if district else "",
                                      "urn:" + urn.strip().upper() if urn and urn.strip() else "") if k)
            if len(self._places) > 50_000:
                self._places.clear()
            self._places[key] = found
        return found

    def other_keys(self, first: str, last: str, postcode: str = "", urn: str = "") -> set:
        """Keys for the same date of birth only: the initials of the names
        (in either order), the postcode district and the provider: enough for a
        typo in both names, or a weak name agreement that the same place brings
        to the review threshold."""
        keys = set(self._place(postcode or "", urn or ""))
        keys.add(self._initials(self._name(first), self._name(last)))
        keys.discard(None)
        return keys

    def _name_keys(self, first: str, last: str) -> frozenset:
        """The name keys _shares looks for in one name of a held child."""
        return self.given_keys(first) | self.surname_keys(last) | self.given_keys(last)

    def _crowd(self, o: int, bucket: list[_Rec]) -> dict[str, list[_Rec]]:
        crowd: dict[str, list[_Rec]] = {}
        for rec in bucket:
            self._crowd_in(crowd, rec, ((rec.first, rec.last), *rec.aliases))
        self.crowded[o] = crowd
        return crowd

    def _crowd_in(self, crowd: dict[str, list[_Rec]], rec: _Rec, names) -> None:
        for first, last in names:
            for key in self._name_keys(first, last):
                held = crowd.get(key)
                if held is None:
                    crowd[key] = [rec]
                elif held[-1] is not rec:
                    held.append(rec)

    def _surname_keys_of(self, rec: _Rec) -> set:
        keys = set(self.surname_keys(rec.last))
        for _, last in rec.aliases:
            keys |= self.surname_keys(last)
        return keys

    def _sig(self, keys) -> int:
        sig = 0
        bits = self._bits
        for k in keys:
            bit = bits.get(k)
            if bit is None:
                bit = bits[k] = 1 << (int.from_bytes(hashlib.blake2b(k.encode(), digest_size=4).digest(), "big")
                                      % self.SIG_BITS)
            sig |= bit
        return sig

    def variants(self, dob: date) -> array:
        """The dates (ordinals) a date of birth may be a slip for, itself left out."""
        found = self._variants.get(dob)
        if found is None:
            found = array("i", sorted(d.toordinal() for d in matching.dob_variants(dob) if d != dob))
            if len(self._variants) > 100_000:
                self._variants.clear()
            self._variants[dob] = found
        return found

    # contents ------------------------------------------------------------------

    def _file(self, rec: _Rec, keys=None) -> None:
        o = rec.dob.toordinal()
        for key in keys if keys is not None else self._surname_keys_of(rec):
            dates = self.by_surname.get(key)
            if dates is None:
                dates = self.by_surname[key] = {}
            held = dates.get(o)
            if held is None:
                dates[o] = rec
            elif isinstance(held, list):
                held.append(rec)
            else:
                dates[o] = [held, rec]

    def _unfile(self, rec: _Rec) -> None:
        o = rec.dob.toordinal()
        for key in self._surname_keys_of(rec):
            dates = self.by_surname.get(key, {})
            held = dates.get(o)
            if held is rec:
                del dates[o]
            elif isinstance(held, list):
                held = [r for r in held if r is not rec]
                if not held:
                    del dates[o]
                else:
                    dates[o] = held if len(held) > 1 else held[0]
            if not dates:
                self.by_surname.pop(key, None)

    def _make(self, cid, dob, first, last, sex, postcode, urn, aliases) -> _Rec:
        rec = _Rec()
        rec.cid = cid
        rec.dob = dob
        rec.first = self._name(first)
        rec.last = self._name(last)
        rec.sex = sex or ""
        rec.postcode = self._intern.setdefault(postcode or "", postcode or "")
        rec.urn = self._intern.setdefault(urn or "", urn or "")
        main = (rec.first, rec.last)
        names = []
        for a_first, a_last in aliases:
            pair = (self._name(a_first), self._name(a_last))
            if pair != main and pair not in names:
                names.append(pair)
        rec.aliases = tuple(names)
        rec.sig = self._sig(self.keys_of(rec))
        return rec

    def ensure(self, dobs) -> None:
        """Hold the children born on these dates (read those not held)."""
        missing = []
        for d in dobs:
            o = d if isinstance(d, int) else d.toordinal()
            if o in self.buckets:
                self.buckets.move_to_end(o)
            else:
                missing.append(o)
        for batch in _batches(sorted(set(missing))):
            days = [date.fromordinal(o) for o in batch]
            # Merged records are left out here, not in SQL: with "merged_into
            # IS NULL" SQLite would read every child through that index.
            children = list(Child.objects.filter(dob__in=days).order_by("pk").values_list(
                "pk", "dob", "first_name", "last_name", "sex", "home_postcode", "merged_into_id"))
            live = {c[0] for c in children if c[6] is None}
            aliases: dict[int, list] = {}
            for child_id, first, last in ChildAlias.objects.filter(child__dob__in=days).order_by("pk").values_list(
                "child_id", "first_name", "last_name"
            ):
                if child_id in live:
                    aliases.setdefault(child_id, []).append((first, last))
            current: dict[int, tuple] = {}
            for child_id, start, postcode, urn in Placement.objects.filter(child__dob__in=days).values_list(
                "child_id", "start_date", "placement_postcode", "provider__urn"
            ):
                held = current.get(child_id)
                if child_id in live and (held is None or start > held[0]):
                    current[child_id] = (start, postcode, urn)
            for o in batch:
                self.buckets[o] = []
                self.crowded.pop(o, None)
            for pk, dob, first, last, sex, home_postcode, merged_into in children:
                if merged_into is not None:
                    continue
                place = current.get(pk)
                rec = self._make(pk, dob, first, last, sex, place[1] if place else home_postcode,
                                 place[2] if place else None, aliases.get(pk, ()))
                self.buckets[dob.toordinal()].append(rec)
                self.recs[pk] = rec
                self._file(rec)

    def new_id(self) -> int:
        self._next += 1
        return self._next

    def add(self, cid: int, *, dob, first, last, sex, postcode) -> _Rec:
        """A child created by the intake (not stored yet: `cid` is provisional)."""
        o = dob.toordinal()
        if o not in self.buckets:
            self.ensure([o])
        rec = self._make(cid, dob, first, last, sex, postcode, None, ())
        self.buckets[o].append(rec)
        if o in self.crowded:
            self._crowd_in(self.crowded[o], rec, ((rec.first, rec.last),))
        self.recs[cid] = rec
        self._file(rec)
        self.touched.add(o)
        return rec

    def add_alias(self, cid: int, first: str, last: str) -> None:
        rec = self.recs.get(cid)
        if rec is None:
            return
        pair = (self._name(first), self._name(last))
        if pair == (rec.first, rec.last) or pair in rec.aliases:
            return
        before = self._surname_keys_of(rec)
        rec.aliases = rec.aliases + (pair,)
        rec.sig = self._sig(self.keys_of(rec))
        self._file(rec, self.surname_keys(pair[1]) - before)
        o = rec.dob.toordinal()
        if o in self.crowded:
            self._crowd_in(self.crowded[o], rec, (pair,))
        self.touched.add(o)

    def stored(self, provisional: int, pk: int) -> None:
        rec = self.recs.pop(provisional, None)
        if rec is not None:
            rec.cid = pk
            self.recs[pk] = rec

    def commit(self) -> None:
        self.touched.clear()
        self.trim()

    def rollback(self) -> None:
        """Forget what the failed chunk changed: its dates are read again when needed."""
        for o in self.touched:
            self._drop(o)
        self.touched.clear()

    def _drop(self, o: int) -> None:
        self.crowded.pop(o, None)
        for rec in self.buckets.pop(o, ()):
            self._unfile(rec)
            if self.recs.get(rec.cid) is rec:
                del self.recs[rec.cid]

    def trim(self) -> None:
        while len(self.recs) > self.limit and self.buckets:
            self._drop(next(iter(self.buckets)))

    # matching ------------------------------------------------------------------

    def candidates(self, dob: date, first: str, last: str, postcode: str = "", urn: str = "") -> list[_Rec]:
        """The children worth comparing with a report (see the class)."""
        found_names = self._report_names.get((first, last))
        if found_names is None:
            names = self.given_keys(first) | self.surname_keys(last) | self.given_keys(last)
            found_names = (names, self._sig(names))
            if len(self._report_names) > 20_000:
                self._report_names.clear()
            self._report_names[(first, last)] = found_names
        names, sig = found_names
        o = dob.toordinal()
        bucket = self.buckets.get(o, ())
        found: dict[int, _Rec] = {}
        # The weak keys only where few children share the date (not on the
        # 1 January often given to children whose birthday is not known).
        if len(bucket) <= self.WEAK_KEYS_UP_TO:
            weak = self.other_keys(first, last, postcode, urn)
            keys = names | weak
            if not keys:
                return []
            sig |= self._sig(weak)
            for rec in bucket:
                if rec.sig & sig and self._shares(rec, keys):
                    found[rec.cid] = rec
        else:
            # Only name keys there: the children holding one of them (as _shares would find).
            if not names:
                return []
            crowd = self.crowded.get(o)
            if crowd is None:
                crowd = self._crowd(o, bucket)
            for key in names:
                for rec in crowd.get(key, ()):
                    found[rec.cid] = rec
        among = None
        for key in names:
            dates = self.by_surname.get(key)
            if not dates:
                continue
            if among is None:
                among = frozenset(self.variants(dob))
            # The dates this surname key is held for that are slips for the date
            # (a dict's keys & a set look through the smaller side).
            for o in dates.keys() & among:
                held = dates[o]
                if isinstance(held, list):
                    for rec in held:
                        found[rec.cid] = rec
                else:
                    found[held.cid] = held
        return sorted(found.values(), key=lambda r: r.cid)

    def everyone_near(self, dob: date) -> list[_Rec]:
        """Every held child with this or a nearly-same date of birth (no name
        blocking): to measure what blocking misses."""
        out = list(self.buckets.get(dob.toordinal(), ()))
        for o in self.variants(dob):
            out.extend(self.buckets.get(o, ()))
        return sorted(out, key=lambda r: r.cid)

    # The most sex, postcode and provider can add to a score; the best given name.
    MOST_FROM_SEX_AND_PLACE = matching.W_SEX_AGREE + matching.W_POSTCODE_SAME + matching.W_PROVIDER_URN_SAME
    MOST_FROM_GIVEN = max(matching._GIVEN_WEIGHT.values())

    def may_reach_review(self, names: list[tuple[str, str, bool]], dob: date, rec: _Rec) -> bool:
        """False only when matching.compare(report, rec) is sure to score
        below the review threshold (for records without identifiers): then it
        is no_match, and comparing would change nothing (resolve.decide).

        The score is bounded by the date of birth's weight, the best way of
        lining up the names (as compare does: straight or exchanged, main
        names or aliases, with compare_given and compare_surname, remembered
        by pairs of names), and the most sex and place can add.
        """
        need = (matching.REVIEW_THRESHOLD - 1e-6 - self.MOST_FROM_SEX_AND_PLACE
                - matching._DOB_WEIGHT[matching.compare_dob(dob, rec.dob)])
        given, surname, best_given = self._given_weights.get, self._surname_weights.get, self.MOST_FROM_GIVEN
        swap = matching.SWAP_PENALTY
        for fa, la, alias_a in names:
            for fb, lb, alias_b in ((rec.first, rec.last, False), *((f, l, True) for f, l in rec.aliases)):
                cost = matching.ALIAS_PENALTY if alias_a or alias_b else 0.0
                for g_a, g_b, s_a, s_b, penalty in ((fa, fb, la, lb, cost), (la, fb, fa, lb, cost + swap),
                                                    (fa, lb, la, fb, cost + swap)):
                    s_w = surname((s_a, s_b))
                    if s_w is None:
                        s_w = self._surname_weight(s_a, s_b)
                    if s_w + best_given - penalty >= need:
                        g_w = given((g_a, g_b))
                        if g_w is None:
                            g_w = self._given_weight(g_a, g_b)
                        if s_w + g_w - penalty >= need:
                            return True
        return False

    def _given_weight(self, a: str, b: str) -> float:
        weight = self._given_weights.get((a, b))
        if weight is None:
            if len(self._given_weights) > 100_000:
                self._given_weights.clear()
            weight = self._given_weights[(a, b)] = matching._GIVEN_WEIGHT[matching.compare_given(a, b)]
        return weight

    def _surname_weight(self, a: str, b: str) -> float:
        weight = self._surname_weights.get((a, b))
        if weight is None:
            if len(self._surname_weights) > 100_000:
                self._surname_weights.clear()
            weight = self._surname_weights[(a, b)] = matching._SURNAME_WEIGHT[matching.compare_surname(a, b)]
        return weight

    def resolve(self, parsed: ParsedRow, apart=None) -> tuple[int | None, str, list]:
        """(child id or None, decision, review candidates) for a report;
        `apart` as for resolve.decide."""
        report = report_record(parsed)
        recs = self.candidates(parsed.dob, parsed.first_name, parsed.last_name, parsed.postcode, parsed.provider_urn)
        names = [(self._name(parsed.first_name), self._name(parsed.last_name), False)]
        self.blocked += len(recs)
        recs = [r for r in recs if self.may_reach_review(names, parsed.dob, r)]
        self.resolved += 1
        self.compared += len(recs)
        result = decide(report, [(r.cid, r.person()) for r in recs], apart=apart)
        if self.check_blocking:
            self.checked += 1
            full = decide(report, [(r.cid, r.person()) for r in self.everyone_near(parsed.dob)], apart=apart)
            # What the intake acts on: the decision, the child, and (for a review) the candidates.
            listed = [k for k, _, _ in result[2]]
            if full[:2] != result[:2] or (full[1] == "review" and [k for k, _, _ in full[2]] != listed):
                missed = [(k, s, r) for k, s, r in full[2] if k not in {k2 for k2, _, _ in result[2]}]
                self.disagreements.append((parsed.source, parsed.source_ref, result[:2], full[:2], missed))
        return result


# --- the engine ---------------------------------------------------------------


@dataclass
class Item:
    """One row to take in. `child`, `strict` and `extra` are for rows entered
    in Homeward itself (see services.notification_apply). `prepared` is what
    the file reader (importing.ReaderProcess) found already: (ParsedRow,
    content hash, the row's JSON as stored), or the problems that refuse it;
    `row` then holds only the fields the rules read of it (parsing.RULES_READ)."""

    row: dict
    line: int | None = None
    extra: dict | None = None
    child: Child | None = None
    strict: bool = False
    prepared: tuple | list | None = None


@dataclass
class Result:
    kind: str | None = None  # created | updated | merged | unchanged; None when refused
    problems: list[Problem] = field(default_factory=list)
    episode_id: int | None = None
    child_id: int | None = None
    notification_id: int | None = None
    review: bool = False
    new_child: bool = False


class _ChildState:
    __slots__ = ("pk", "cid", "model", "first_name", "last_name", "responsible_authority_id", "placements",
                 "episodes", "horizon", "aliases", "open_flags", "new")

    def __init__(self, pk=None, cid=None, model=None):
        self.pk = pk
        self.cid = cid if cid is not None else pk
        self.model = model  # the row of a child not stored yet
        self.new = model is not None
        self.first_name = model.first_name if model else ""
        self.last_name = model.last_name if model else ""
        self.responsible_authority_id = model.responsible_authority_id if model else None
        self.placements: list[PlacementView] = []
        self.episodes: list[_EpisodeState] = []
        self.horizon: datetime | None = None  # episodes ending after this are all held (None: all of them)
        self.aliases: set[tuple[str, str]] = set()
        self.open_flags: set[str] = set()


_TRACKED = [f for f in EPISODE_FIELDS if f != "updated_at"]
_tracked = attrgetter(*_TRACKED)


class _EpisodeState:
    __slots__ = ("model", "notes", "child", "order", "new", "dirty", "into", "returned_before", "stored")

    def __init__(self, model, child, order, new):
        self.model = model
        self.returned_before = None if new else model.returned_at
        self.stored = None if new else _tracked(model)  # EPISODE_FIELDS as read, to write only what changed
        self.notes: list[Note] = []
        self.child = child
        self.order = order
        self.new = new
        self.dirty = False
        self.into: _EpisodeState | None = None

    def final(self) -> "_EpisodeState":
        ep = self
        while ep.into is not None:
            ep = ep.into
        return ep


class _Row:
    __slots__ = ("index", "item", "parsed", "digest", "stored", "responsible", "prev", "same", "child", "reviews",
                 "new_child", "note", "kind", "identifier")

    def __init__(self, index, item, parsed, digest, stored=None):
        self.index = index
        self.item = item
        self.parsed = parsed
        self.digest = digest
        self.stored = stored  # the row's JSON as it is stored, when the reader made it
        self.responsible = None
        self.prev = None  # the stored episode id, or the earlier row, of the same source and source_ref
        self.same = None  # the same row stored already (an episode id) or earlier in the chunk (a _Row)
        self.child: _ChildState | None = None
        self.reviews: list = []
        self.new_child = False
        self.note: Note | None = None
        self.kind = ""
        self.identifier = None


class _Key:
    __slots__ = ("hashes", "latest")

    def __init__(self):
        self.hashes: dict = {}
        self.latest = None


class _Discard(Exception):
    """A refusal found after the chunk's state was changed (strict rows)."""

    def __init__(self, problems):
        self.problems = problems


def _refusal(problems) -> Result:
    return Result(problems=list(problems))


ROW_ERRORS = (IntegrityError, DataError, ProtectedError, ValueError, TypeError, AttributeError, KeyError, OverflowError)


class Intake:
    """Takes in notification rows for one area authority's feed, a chunk at a
    time (see the module). Keeps, between chunks, only the matching index and
    small caches of authorities and providers."""

    def __init__(self, *, actor, area_authority: Authority, batch=None, audit_rows: bool = False,
                 chunk_rows: int = CHUNK_ROWS, index: ChildIndex | None = None, now: datetime | None = None,
                 collect_garbage: bool = True):
        self.actor = actor
        self.area = area_authority
        self.batch = batch
        self.audit_rows = audit_rows
        self.chunk_rows = chunk_rows
        self.index = index or ChildIndex()
        self.now = now
        self.entered_by = actor if getattr(actor, "pk", None) else None
        self.entered_by_id = self.entered_by.pk if self.entered_by is not None else None
        self.chunks = 0
        # After a chunk of several rows, collect the garbage of the young
        # generations; a caller that keeps the collector off for a whole file
        # (import_notifications) says no: a chunk frees its own objects
        # (_Chunk.release), and a collection would only look again at what
        # the chunk added to the matching index.
        self.collect_garbage = collect_garbage
        self._authorities: dict[str, Authority | None] = {}
        self._providers: dict[str, int | None] = {}

    # small caches ---------------------------------------------------------------

    def _authority(self, code: str) -> Authority | None:
        if code not in self._authorities:
            self._authorities[code] = Authority.objects.filter(code=code).first()
        return self._authorities[code]

    def _provider_id(self, urn: str) -> int | None:
        if urn not in self._providers:
            self._know_providers([urn])
        return self._providers[urn]

    def _know_providers(self, urns) -> None:
        wanted = sorted({u for u in urns if u and u not in self._providers})
        if len(self._providers) + len(wanted) > 50_000:
            self._providers.clear()
        for batch in _batches(wanted):
            found = dict(Provider.objects.filter(urn__in=batch).values_list("urn", "pk"))
            for urn in batch:
                self._providers[urn] = found.get(urn)

    # the chunk ------------------------------------------------------------------

    def apply(self, items: Sequence[Item]) -> list[Result]:
        """Take in a chunk of rows; one Result per item, in order. A refused
        row changes nothing; the others are stored in one transaction."""
        if not items:
            return []
        if len(items) > 1:
            # Python's full garbage collections would scan every child held
            # for matching, again and again, as a chunk's objects age: none
            # while a chunk runs, and its own garbage collected after it.
            collecting = gc.isenabled()
            gc.disable()
            try:
                return self._apply(items)
            finally:
                if self.collect_garbage:
                    gc.collect(1)
                if collecting:
                    gc.enable()
        return self._apply(items)

    def _apply(self, items: Sequence[Item]) -> list[Result]:
        chunk = _Chunk(self, items)
        try:
            with transaction.atomic():
                results = chunk.run()
        except _Discard as refusal:
            self.index.rollback()
            if len(items) == 1:
                return [_refusal(refusal.problems)]
            return self._one_by_one(items)
        except Exception:
            self.index.rollback()
            if len(items) == 1:
                raise
            return self._one_by_one(items)
        finally:
            chunk.release()
        self.index.commit()
        self.chunks += 1
        return results

    def _one_by_one(self, items: Sequence[Item]) -> list[Result]:
        results = []
        for item in items:
            try:
                results.extend(self.apply([item]))
            except ROW_ERRORS as exc:
                message = f"could not be stored ({exc.__class__.__name__}: {str(exc)[:200]})"
                results.append(_refusal([Problem("row", message)]))
        return results


class _Chunk:
    """The work on one chunk (one transaction)."""

    def __init__(self, intake: Intake, items: Sequence[Item]):
        self.intake = intake
        self.index = intake.index
        self.items = items
        self.now = intake.now or timezone.now()
        self.clock = timezone.now()  # the time the chunk's new rows are made (created_at, received_at, ...)
        for known in _DATETIME_TEXT.values():
            known.clear()  # (what the last chunk wrote: this one writes other times)
        self.tz = timezone.get_current_timezone()
        self.results: list[Result | None] = [None] * len(items)
        self.children: dict[int, _ChildState] = {}  # stored children by id
        self.new_children: list[_ChildState] = []
        self.new_by_cid: dict[int, _ChildState] = {}
        self.episodes: dict[int, _EpisodeState] = {}  # stored episodes by id
        self.new_episodes: list[_EpisodeState] = []
        self.new_notes: list[Note] = []
        self.risks: list[tuple[object, _EpisodeState]] = []
        self.identifiers: list[tuple[_ChildState, int, str]] = []
        self.aliases: list[tuple[_ChildState, str, str, str]] = []
        self.flags: list[tuple[_ChildState, str, str, date]] = []
        self.seq = 0
        self._apart: set[int] | None = None

    def release(self) -> None:
        """Undo the chunk's references in circles (children and their episodes,
        episodes and their notes), so that it is freed at once, without
        waiting for a garbage collection."""
        for ep in (*self.episodes.values(), *self.new_episodes):
            ep.notes = []
            ep.child = None
            ep.into = None
        for c in (*self.children.values(), *self.new_children):
            c.episodes = []
        for n in self.new_notes:
            n.episode = None

    # 1. read and check every row --------------------------------------------------

    def run(self) -> list[Result]:
        rows: list[_Row] = []
        for i, item in enumerate(self.items):
            prepared = item.prepared
            if prepared is not None:
                if prepared.__class__ is list:
                    self.results[i] = _refusal(prepared)
                else:
                    rows.append(_Row(i, item, *prepared))
                continue
            try:
                parsed = parse_row(item.row)
            except Refused as exc:
                self.results[i] = _refusal(exc.problems)
                continue
            rows.append(_Row(i, item, parsed, content_hash(item.row)))
        if rows:
            self.intake._know_providers(r.parsed.provider_urn for r in rows)
            self._resolve(rows)
            accepted = [r for r in rows if self.results[r.index] is None and r.same is None]
            if accepted:
                self._load(accepted)
                for row in accepted:
                    self._apply(row)
                self._write(accepted)
            for row in rows:
                if self.results[row.index] is None:
                    self.results[row.index] = self._result(row)
        return self.results  # type: ignore[return-value]

    def _refuse(self, row: _Row, problems) -> None:
        self.results[row.index] = _refusal(problems)

    # 2. which child each row is about ------------------------------------------------

    def _resolve(self, rows: list[_Row]) -> None:
        intake, area = self.intake, self.intake.area
        keys = self._stored_keys({(r.parsed.source, r.parsed.source_ref) for r in rows})
        stored_episode_child = self._episode_children({k.latest for k in keys.values() if k.latest is not None})
        # The responsible authority of each row, and the identifiers the rows give.
        wanted: dict[int, set[str]] = {}
        for r in rows:
            code = r.parsed.responsible_authority
            if code:
                r.responsible = intake._authority(code)
                if r.responsible is None:
                    continue  # refused below, in order
            if r.parsed.child_ref:
                wanted.setdefault((r.responsible or area).pk, set()).add(r.parsed.child_ref)
        idents = self._stored_identifiers(wanted)
        # Dates of birth to hold for matching: rows that may need it.
        matched: set[date] = set()
        for r in rows:
            key = (r.parsed.source, r.parsed.source_ref)
            if key in keys or r.item.child is not None:
                continue
            if r.parsed.child_ref and ((r.responsible or area).pk, r.parsed.child_ref) in idents:
                continue
            matched.add(r.parsed.dob)
        dobs: set[int] = set()
        for dob in matched:
            dobs.add(dob.toordinal())
            dobs.update(self.index.variants(dob))
        if dobs:
            self.index.ensure(dobs)

        today = timezone.localdate()
        for r in rows:
            p = r.parsed
            key = (p.source, p.source_ref)
            known = keys.get(key)
            if known is not None and r.digest in known.hashes:
                r.same = known.hashes[r.digest]
                continue
            if p.responsible_authority and r.responsible is None:
                self._refuse(r, [Problem("responsible_authority",
                                         f"'{p.responsible_authority}' is not a known local authority code")])
                continue
            problems = rules.check_times(last_seen_at=p.last_seen_at, reported_at=p.reported_at,
                                         returned_at=p.returned_at, dob=p.dob, now=self.now)
            if problems:
                self._refuse(r, problems)
                continue
            issuer = r.responsible or area
            if known is not None and known.latest is not None:
                r.prev = known.latest
                if isinstance(r.prev, _Row):
                    r.child = r.prev.child
                else:
                    r.child = self._stored_child(stored_episode_child[r.prev])
            elif r.item.child is not None:
                r.child = self._stored_child(r.item.child.pk)
            else:
                held = idents.get((issuer.pk, p.child_ref)) if p.child_ref else None
                if held is not None:
                    r.child = held if isinstance(held, _ChildState) else self._stored_child(held)
                else:
                    cid, decision, scored = self.index.resolve(p, apart=self._kept_apart)
                    if decision == "match":
                        r.child = self._child_by_cid(cid)
                    elif decision == "review":
                        r.reviews = scored
            if r.child is None:
                # _check_child_fields, asked only when a quick look finds something it would refuse.
                if not (p.dob <= today and p.sex in ("", "M", "F") and p.first_name.strip() and p.last_name.strip()):
                    problems = _check_child_fields(p.first_name, p.last_name, p.dob, p.sex)
                    if problems:
                        self._refuse(r, problems)
                        continue
                r.child = self._new_child(p, r.responsible)
                r.new_child = True
            if known is None:
                known = keys[key] = _Key()
            known.hashes[r.digest] = r
            known.latest = r
            if p.child_ref and (issuer.pk, p.child_ref) not in idents:
                idents[(issuer.pk, p.child_ref)] = r.child
                r.identifier = (issuer.pk, p.child_ref)
            self.index.add_alias(r.child.cid, p.first_name, p.last_name)

    def _kept_apart(self, child_pk: int, others: list[int]) -> set[int]:
        """resolve.kept_apart, asked only when one of these children is in a
        rejected review (read once a chunk: there are few)."""
        if self._apart is None:
            self._apart = set()
            for ids in MatchReview.objects.filter(state=MatchReview.State.REJECTED).values_list(
                "reported_child_id", "reported_child__merged_into_id", "candidate_id", "candidate__merged_into_id"
            ):
                self._apart.update(i for i in ids if i is not None)
        if self._apart.isdisjoint([child_pk, *others]):
            return set()
        return kept_apart(child_pk, others)

    def _stored_keys(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], _Key]:
        """What is stored for these (source, source_ref): content hashes and the
        episode of the latest row."""
        out: dict[tuple[str, str], _Key] = {}
        table = Notification._meta.db_table
        latest: dict[tuple[str, str], int] = {}
        with connection.cursor() as cursor:
            for batch in _batches(sorted(keys)):
                # A join, not "(source, source_ref) IN (VALUES ...)": SQLite
                # scans the whole table for that one.
                values = ",".join(["(%s, %s)"] * len(batch))
                cursor.execute(
                    f"WITH k(s, r) AS (VALUES {values}) "
                    f"SELECT n.source, n.source_ref, n.content_hash, n.episode_id, n.id FROM k "
                    f"JOIN {table} n ON n.source = k.s AND n.source_ref = k.r WHERE n.episode_id IS NOT NULL",
                    [v for pair in batch for v in pair],
                )
                for source, ref, digest, episode_id, pk in cursor.fetchall():
                    key = (source, ref)
                    k = out.get(key)
                    if k is None:
                        k = out[key] = _Key()
                    k.hashes[digest] = episode_id
                    if pk > latest.get(key, 0):
                        latest[key] = pk
                        k.latest = episode_id
        return out

    def _episode_children(self, episode_ids) -> dict[int, int]:
        out = {}
        for batch in _batches(sorted(episode_ids)):
            out.update(Episode.objects.filter(pk__in=batch).values_list("pk", "child_id"))
        return out

    def _stored_identifiers(self, wanted: dict[int, set[str]]) -> dict:
        found: dict[tuple[int, str], int] = {}
        for authority_id, values in wanted.items():
            for batch in _batches(sorted(values)):
                for value, child_id in ChildIdentifier.objects.filter(
                    kind=ChildIdentifier.Kind.LA_CHILD, authority_id=authority_id, value__in=batch
                ).values_list("value", "child_id"):
                    found[(authority_id, value)] = child_id
        # A record merged into another leads to the survivor (resolve.follow_merges).
        into: dict[int, int | None] = {}
        todo = set(found.values())
        while todo:
            rows = {}
            for batch in _batches(sorted(todo)):
                rows.update(Child.objects.filter(pk__in=batch).values_list("pk", "merged_into_id"))
            into.update(rows)
            todo = {m for m in rows.values() if m is not None and m not in into}

        def survivor(pk):
            seen = set()
            while into.get(pk) is not None and pk not in seen:
                seen.add(pk)
                pk = into[pk]
            return pk

        return {key: survivor(pk) for key, pk in found.items()}

    def _stored_child(self, pk: int) -> _ChildState:
        state = self.children.get(pk)
        if state is None:
            state = self.children[pk] = _ChildState(pk=pk)
        return state

    def _child_by_cid(self, cid: int) -> _ChildState:
        if cid >= PROVISIONAL:
            return self.new_by_cid[cid]
        return self._stored_child(cid)

    def _new_child(self, p: ParsedRow, responsible) -> _ChildState:
        area = self.intake.area
        is_care = p.missing_from == "care" or responsible is not None
        model = table(Child).new(
            now_=self.clock, first_name=p.first_name.strip(), last_name=p.last_name.strip(), dob=p.dob, sex=p.sex,
            responsible_authority_id=responsible.pk if is_care and responsible is not None else None,
            home_authority_id=None if is_care else area.pk,
            home_postcode="" if is_care else p.postcode,
        )
        cid = self.index.new_id()
        state = _ChildState(cid=cid, model=model)
        self.new_children.append(state)
        self.new_by_cid[cid] = state
        self.index.add(cid, dob=p.dob, first=model.first_name, last=model.last_name, sex=model.sex,
                       postcode=model.home_postcode)
        return state

    # 3. what the touched children hold -------------------------------------------

    def _load(self, rows: list[_Row]) -> None:
        stored = [c for c in self.children.values()]
        ids = sorted(c.pk for c in stored)
        if not ids:
            return
        for batch in _batches(ids):
            for pk, first, last, responsible_id in Child.objects.filter(pk__in=batch).values_list(
                "pk", "first_name", "last_name", "responsible_authority_id"
            ):
                c = self.children[pk]
                c.first_name, c.last_name, c.responsible_authority_id = first, last, responsible_id
        for child_id, places in placements_of(ids).items():
            self.children[child_id].placements = places
        for batch in _batches(ids):
            for child_id, first, last in ChildAlias.objects.filter(child_id__in=batch).values_list(
                "child_id", "first_name", "last_name"
            ):
                self.children[child_id].aliases.add((first, last))
        with_flags = sorted({r.child.pk for r in rows if r.parsed.flags and not r.child.new})
        for batch in _batches(with_flags):
            for child_id, flag in ChildFlag.objects.filter(child_id__in=batch, end_date__isnull=True).values_list(
                "child_id", "flag"
            ):
                self.children[child_id].open_flags.add(flag)
        # Episodes that can meet this chunk's rows: a child's episodes still
        # open or ended after the earliest time its rows give, and those the
        # rows update. Older ones are read when a changed episode reaches back.
        horizon: dict[int, datetime] = {}
        for r in rows:
            if not r.child.new and (r.child.pk not in horizon or r.parsed.last_seen_at < horizon[r.child.pk]):
                horizon[r.child.pk] = r.parsed.last_seen_at
        wanted = {r.prev for r in rows if isinstance(r.prev, int)} | self._episodes_after(horizon)
        found: list = []
        for batch in _batches(sorted(wanted)):
            found.extend(table(Episode).load(Episode.objects.filter(pk__in=batch)))
        for c in stored:
            c.horizon = horizon.get(c.pk, _LATEST)  # (no row of its own: nothing assumed held)
        self._hold(found)

    def _episodes_after(self, horizon: dict[int, datetime]) -> set[int]:
        """Ids of each child's episodes open or ended after its time."""
        convert = table(Episode)._converters([Episode._meta.get_field("returned_at")])[0] or (lambda v: v)
        ids: set[int] = set()
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            for batch in _batches(sorted(horizon.items())):
                values = ",".join(["(%s, %s)"] * len(batch))
                cursor.execute(
                    f"WITH h(c, t) AS (VALUES {values}) SELECT e.{q('id')} FROM h JOIN {q(Episode._meta.db_table)} e "
                    f"ON e.{q('child_id')} = h.c WHERE e.{q('returned_at')} IS NULL OR e.{q('returned_at')} > h.t",
                    [v for pk, t in batch for v in (pk, convert(t))],
                )
                ids.update(r[0] for r in cursor.fetchall())
        return ids

    def _hold(self, episodes: list) -> None:
        """Keep these stored episodes (rows, not held yet) with their notifications."""
        new = [e for e in episodes if e.id not in self.episodes]
        if not new:
            return
        for e in sorted(new, key=lambda e: e.id):
            state = _EpisodeState(e, self._stored_child(e.child_id), e.id, new=False)
            self.episodes[e.id] = state
            state.child.episodes.append(state)
        # Only the fields of the row as received that the rules read (reading
        # whole rows would decode all their JSON).
        for batch in _batches(sorted(e.id for e in new)):
            for pk, episode_id, source, ref, seen, reported, returned, risk, *raw in Notification.objects.filter(
                episode_id__in=batch
            ).order_by("pk").annotate(**{f"raw_{k}": KT(f"raw__{k}") for k in Note.RAW}).values_list(
                "pk", "episode_id", "source", "source_ref", "last_seen_at", "reported_at", "returned_at",
                "risk_level", *(f"raw_{k}" for k in Note.RAW),
            ):
                ep = self.episodes[episode_id]
                ep.notes.append(Note(pk, source, ref, seen, reported, returned, risk, dict(zip(Note.RAW, raw)),
                                     episode=ep))

    def _reach_back(self, child: _ChildState, start: datetime) -> None:
        """Make sure every stored episode of the child ending after `start` is held."""
        if child.new or (child.horizon is not None and child.horizon <= start):
            return
        held = [e.model.id for e in child.episodes if not e.new]
        found = table(Episode).load(Episode.objects.filter(child_id=child.pk).filter(
            Q(returned_at__isnull=True) | Q(returned_at__gt=start)).exclude(pk__in=held))
        child.horizon = start
        self._hold(found)

    # 4. the rules, row after row -------------------------------------------------

    def _overlapping(self, child: _ChildState, start: datetime, end: datetime | None,
                     exclude: _EpisodeState | None = None) -> list[_EpisodeState]:
        self._reach_back(child, start)
        clash = [e for e in child.episodes
                 if e is not exclude and rules.overlaps(start, end, e.model.started_at, e.model.returned_at)]
        clash.sort(key=lambda e: (e.model.started_at, e.order))
        return clash

    def _merge(self, target: _EpisodeState, others: list[_EpisodeState]) -> None:
        for other in others:
            for n in other.notes:
                n.episode = target
            target.notes.extend(other.notes)
            other.notes = []
            other.into = target
            other.child.episodes.remove(other)
        target.notes.sort(key=lambda n: n.order)

    def _recompute(self, ep: _EpisodeState, source: str) -> None:
        child = ep.child
        change = derive_episode(
            ep.model, ep.notes, placements=child.placements, child_responsible_id=child.responsible_authority_id,
            provider_id_for_urn=self.intake._provider_id, tz=self.tz,
        )
        ep.dirty = True
        if change is not None:
            self.risks.append((table(RiskChange).new(
                now_=self.clock, risk_level=change[1], previous_level=change[0],
                changed_by_id=self.intake.entered_by_id, source=source,
                reason="Reported by " + source if source else "",
            ), ep))

    def _apply(self, row: _Row) -> None:
        p, child, intake = row.parsed, row.child, self.intake
        prev = row.prev
        episode = None
        if prev is not None:
            episode = prev.note.episode if isinstance(prev, _Row) else self.episodes[prev]
            episode = episode.final()
        if row.item.strict and episode is None:
            clash = self._overlapping(child, p.last_seen_at, p.returned_at)
            if clash:
                since = timezone.localtime(clash[0].model.started_at).strftime("%d %B %Y %H:%M")
                raise _Discard([Problem(
                    "last_seen_at",
                    f"This child already has an episode from {since} that overlaps this one: "
                    "record the return on that episode, or correct the times",
                )])
        self.seq += 1
        raw = {**row.item.row, **row.item.extra} if row.item.extra else row.item.row
        note = Note(PROVISIONAL * 1000 + self.seq, p.source, p.source_ref, p.last_seen_at, p.reported_at,
                    p.returned_at, p.risk_level, raw)
        note.model = table(Notification).new(
            now_=self.clock, area_authority_id=intake.area.pk, source=p.source, source_ref=p.source_ref,
            content_hash=row.digest, raw=StoredJson(row.stored) if row.stored is not None else raw,
            line=row.item.line, batch_id=intake.batch.pk if intake.batch is not None else None,
            last_seen_at=p.last_seen_at, reported_at=p.reported_at, returned_at=p.returned_at,
            risk_level=p.risk_level, entered_by_id=intake.entered_by_id,
        )
        row.note = note
        self.new_notes.append(note)
        kind = "updated"
        if episode is None:
            clash = self._overlapping(child, p.last_seen_at, p.returned_at)
            if clash:
                episode = clash[0]
                self._merge(episode, clash[1:])
                kind = "merged"
            else:
                model = table(Episode).new(now_=self.clock, area_authority_id=intake.area.pk,
                                           started_at=p.last_seen_at, missing_from=p.missing_from or "home")
                episode = _EpisodeState(model, child, PROVISIONAL + self.seq, new=True)
                self.new_episodes.append(episode)
                child.episodes.append(episode)
                kind = "created"
        note.episode = episode
        episode.notes.append(note)
        self._recompute(episode, p.source)
        clash = self._overlapping(child, episode.model.started_at, episode.model.returned_at, exclude=episode)
        if clash:
            self._merge(episode, clash)
            self._recompute(episode, p.source)
        row.kind = kind
        # What the row says about the child.
        if row.identifier is not None:
            self.identifiers.append((child, *row.identifier))
        first, last = p.first_name.strip(), p.last_name.strip()
        main_first, main_last = (child.model.first_name, child.model.last_name) if child.new else (
            child.first_name, child.last_name)
        if (first.casefold(), last.casefold()) != (main_first.casefold(), main_last.casefold()) \
                and (first, last) not in child.aliases:
            child.aliases.add((first, last))
            self.aliases.append((child, first, last, p.source))
        for flag in p.flags:
            if flag not in child.open_flags:
                child.open_flags.add(flag)
                self.flags.append((child, flag, p.source, p.last_seen_at.astimezone(self.tz).date()))

    # 5. writing -------------------------------------------------------------------

    def _write(self, rows: list[_Row]) -> None:
        intake = self.intake
        now = timezone.now()
        if self.new_children:
            table(Child).insert([c.model for c in self.new_children], returning=True)
            for c in self.new_children:
                c.pk = c.model.id
        if self.identifiers:
            t = table(ChildIdentifier)
            t.insert([t.new(now_=self.clock, child_id=c.pk, kind=ChildIdentifier.Kind.LA_CHILD,
                            authority_id=authority_id, value=value)
                      for c, authority_id, value in self.identifiers])

        episodes = table(Episode)
        stored = list(self.episodes.values())
        doomed = [e for e in stored if e.into is not None]
        live = [e for e in stored if e.into is None and e.dirty]
        if doomed:
            # Out of the way first: a merged episode may be open, as its target may be.
            Episode.objects.filter(pk__in=[e.model.id for e in doomed]).update(returned_at=F("started_at"))
        for e in live:
            e.model.updated_at = now
        # Episodes that end before those that start again, then the new ones:
        # at no moment two open episodes of one child.
        self._update_episodes([e for e in live if e.model.returned_at is not None])
        created = [e for e in self.new_episodes if e.into is None]
        for e in created:
            e.model.child_id = e.child.pk
        episodes.insert([e.model for e in created], returning=True)
        self._update_episodes([e for e in live if e.model.returned_at is None])
        by_target: dict[int, list[int]] = {}
        for e in doomed:
            by_target.setdefault(e.final().model.id, []).append(e.model.id)
        for target_pk, others in by_target.items():
            merge_stored_episodes(Episode(pk=target_pk), [Episode(pk=pk) for pk in others])

        for n in self.new_notes:
            n.model.episode_id = n.episode.final().model.id
        table(Notification).insert([n.model for n in self.new_notes], returning=True)
        if self.risks:
            for rc, ep in self.risks:
                rc.episode_id = ep.final().model.id
            table(RiskChange).insert([rc for rc, _ in self.risks])
        if self.aliases:
            t = table(ChildAlias)
            t.insert([t.new(now_=self.clock, child_id=c.pk, first_name=first, last_name=last, source=source)
                      for c, first, last, source in self.aliases])
        if self.flags:
            t = table(ChildFlag)
            t.insert([t.new(now_=self.clock, child_id=c.pk, flag=flag, source=source, start_date=start,
                            recorded_by_id=intake.entered_by_id) for c, flag, source, start in self.flags])
        t = table(MatchReview)
        reviews = [
            t.new(now_=self.clock, reported_child_id=r.child.pk, candidate_id=self._child_by_cid(cid).pk,
                  notification_id=r.note.model.id, score=score, reasons=list(reasons))
            for r in rows for cid, score, reasons in r.reviews
        ]
        t.insert(reviews)
        for c in self.new_children:
            self.index.stored(c.cid, c.pk)
        self._audit(rows)
        if PUBLISH_EVENTS:
            from homeward import events

            # A bulk chunk (more episodes started or updated than events.BULK) is
            # left whole to the scheduled catch-up, which finds its episodes by
            # their updated_at: its events would each be skipped as bulk, all but
            # the smaller list of returns, which the followers would then take at
            # once, episode by episode, for a chunk of a file.
            if not events.is_bulk([*created, *live]):
                returned = [e.model.id for e in [*created, *live]
                            if e.model.returned_at is not None and e.returned_before is None]
                for name, ids in (("episode.started", [e.model.id for e in created]),
                                  ("episode.updated", [e.model.id for e in live]), ("episode.returned", returned)):
                    events.publish(name, episode_ids=ids, actor=intake.actor)

    @staticmethod
    def _update_episodes(states: list[_EpisodeState]) -> None:
        """Write the fields of EPISODE_FIELDS that changed since the episode was
        read, and updated_at: an index on a column left out is not touched
        (an episode has a dozen), and most rows change a few fields."""
        groups: dict[tuple[str, ...], list] = {}
        for e in states:
            now = _tracked(e.model)
            changed = tuple(name for name, new, old in zip(_TRACKED, now, e.stored) if new != old)
            groups.setdefault(changed, []).append(e.model)
        episodes = table(Episode)
        for changed, models in groups.items():
            episodes.update(models, [*changed, "updated_at"])

    def _audit(self, rows: list[_Row]) -> None:
        intake = self.intake
        if intake.audit_rows:
            for r in rows:
                audit_record(
                    actor=intake.actor,
                    action=AuditEvent.Action.CREATE if r.kind == "created" else AuditEvent.Action.UPDATE,
                    object_type="episode", object_id=r.note.episode.final().model.id, child_id=r.child.pk,
                    summary=f"Notification {r.kind} an episode",
                    payload={"source": r.parsed.source, "source_ref": r.parsed.source_ref,
                             "notification": r.note.model.id, "new_child": r.new_child, "review": bool(r.reviews)},
                )
            return
        if intake.batch is None:
            return
        counts = {"created": 0, "updated": 0, "merged": 0}
        for r in rows:
            counts[r.kind] += 1
        lines = [r.item.line for r in rows if r.item.line is not None]
        audit_record(
            actor=intake.actor, action=AuditEvent.Action.IMPORT, obj=intake.batch,
            summary=f"Imported notifications from {intake.batch.filename}"
                    + (f", lines {min(lines)}-{max(lines)}" if lines else ""),
            payload={"batch": intake.batch.pk, "chunk": intake.chunks + 1, **counts,
                     "new_children": len(self.new_children), "review": sum(1 for r in rows if r.reviews),
                     "first_line": min(lines) if lines else None, "last_line": max(lines) if lines else None},
        )

    def _result(self, row: _Row) -> Result:
        if row.same is not None:
            same = row.same
            if isinstance(same, _Row):
                episode = same.note.episode.final().model
                return Result(kind="unchanged", episode_id=episode.id, child_id=same.child.pk)
            return Result(kind="unchanged", episode_id=same, child_id=None)
        return Result(kind=row.kind, episode_id=row.note.episode.final().model.id, child_id=row.child.pk,
                      notification_id=row.note.model.id, review=bool(row.reviews), new_child=row.new_child)
