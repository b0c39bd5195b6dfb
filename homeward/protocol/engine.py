"""The protocol engine: from stored facts to tasks and messages, idempotently.

For a set of children, `evaluate_children` reads what the rules need in a
few queries per batch (children, episodes, risk history, flags, the tasks
raised before, completed interviews), asks the pure rules
(`rules.evaluate_child`) what should exist as of `now`, and then:

* inserts the tasks (and messages) whose cause key is not stored yet, with
  INSERT ... ON CONFLICT DO NOTHING (`bulk_create(ignore_conflicts=True)`):
  the UNIQUE cause key makes a second insert of the same cause, by this
  worker or another at the same moment, a no-op;
* closes open tasks that events have made pointless (cancelled) or done,
  with a conditional UPDATE (`... WHERE state = 'open'`);
* stores when each child next needs looking at by the clock alone
  (`ProtocolWake`).

Events (`homeward.events`: episode started, updated, returned, risk
changed) evaluate the children of those episodes at once. The schedule
(`run_schedule`, behind `homeward protocol run`) evaluates the children whose
wake is due, catches up on changes no event announced (episodes, flags,
placements changed since the last run), and sends queued messages.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from django.db import OperationalError, connection, transaction
from django.db import models
from django.db.models import Q
from django.utils import timezone

from homeward.access.context import current_origin
from homeward.access.models import AuditEvent, Organisation
from homeward.access.roles import COUNCIL_CASE_ROLES
from homeward.episodes.models import Episode, RiskChange
from homeward.people.models import Allocation, Child, ChildFlag, ChildIdentifier
from homeward.placements.models import Authority, Placement

from . import rules
from .hooks import interviews_completed
from .models import OutboundMessage, ProtocolCursor, ProtocolWake, Task, TaskState
from .versions import as_protocol, version_in_force

log = logging.getLogger("homeward.protocol")

# Children evaluated per transaction (and per query of the batch): big enough
# that each statement's fixed cost is shared, small enough that a transaction
# holds its locks for a fraction of a second.
BATCH = 2000
# Changes committed this long before a run started may not have been visible
# to the previous run: look at them again (evaluating twice is harmless).
CATCH_UP_MARGIN = timedelta(minutes=10)
# A full evaluation looks at children with an episode open, or started or
# ended within this many days (the longest look-back, plus the longest
# interview timescale).
FULL_HORIZON_DAYS = 365 + 100
# Rules whose tasks are about one episode (the monthly listing is about a child).
EPISODE_RULES = frozenset({
    "notify_responsible_authority", "notify_host_authority", "strategy_discussion", "duration_escalation",
    "police_national_circulation", "placement_review", "return_interview", "return_interview_overdue",
    "repeat_missing_meeting", "family_group_conference",
})
NOTIFY_RULES = frozenset({"notify_responsible_authority", "notify_host_authority"})


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Summary:
    at: datetime | None = None
    children: int = 0
    raised: Counter = field(default_factory=Counter)
    closed: Counter = field(default_factory=Counter)
    messages_queued: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def merge(self, other: "Summary") -> None:
        self.children += other.children
        self.raised.update(other.raised)
        self.closed.update(other.closed)
        self.messages_queued += other.messages_queued

    def lines(self) -> list[str]:
        from .rules import when

        raised = ", ".join(f"{rule} {n}" for rule, n in sorted(self.raised.items())) or "none"
        closed = ", ".join(f"{rule} {n}" for rule, n in sorted(self.closed.items())) or "none"
        return [
            f"Protocol evaluated as of {when(self.at)} (UK time): {self.children} children looked at.",
            f"Tasks raised: {sum(self.raised.values())} ({raised}).",
            f"Tasks closed: {sum(self.closed.values())} ({closed}).",
            f"Messages: {self.messages_queued} queued, {self.sent} sent, {self.retrying} to retry, "
            f"{self.failed} failed.",
        ]


# --- who is who: authorities, their protocols, and the organisations that own tasks ---------


class Directory:
    """What the evaluation needs to know about authorities and organisations,
    read once per run."""

    def __init__(self, now: datetime):
        self.now = now
        self.council: dict[int, int] = {}
        for org_id, authority_id in (Organisation.objects.filter(kind="council", authority__isnull=False)
                                     .order_by("pk").values_list("pk", "authority_id")):
            self.council.setdefault(authority_id, org_id)
        self.serving: dict[str, dict[int, int]] = {"rhi_provider": {}, "police": {}}
        through = Organisation.areas.through
        for org_id, authority_id, kind in (through.objects.filter(organisation__kind__in=["rhi_provider", "police"])
                                           .order_by("organisation_id")
                                           .values_list("organisation_id", "authority_id", "organisation__kind")):
            self.serving[kind].setdefault(authority_id, org_id)
        self.rhi_orgs = set(Organisation.objects.filter(kind="rhi_provider").values_list("pk", flat=True))
        self._protocols: dict[int, rules.Protocol | None] = {}
        self._authorities: dict[int, dict] = {}

    def authorities(self, ids: Iterable[int]) -> dict[int, dict]:
        missing = [i for i in set(ids) if i is not None and i not in self._authorities]
        if missing:
            for row in Authority.objects.filter(pk__in=missing).values("pk", "code", "name", "region",
                                                                       "missing_contact_email"):
                self._authorities[row["pk"]] = row
        return self._authorities

    def protocols(self, ids: Iterable[int]) -> dict[int, rules.Protocol]:
        """The protocol in force for each authority that uses Homeward (has a council organisation)."""
        wanted = {i for i in ids if i is not None}
        for authority_id in wanted - set(self._protocols):
            if authority_id not in self.council:
                self._protocols[authority_id] = None
                continue
            authority = Authority.objects.get(pk=authority_id)
            self._protocols[authority_id] = as_protocol(version_in_force(authority, self.now))
        return {i: self._protocols[i] for i in wanted if self._protocols.get(i) is not None}

    def names(self) -> dict[int, str]:
        return {pk: row["name"] for pk, row in self._authorities.items()}

    def owner(self, intent: rules.Intent, allocations: list[tuple]) -> tuple[int | None, str, int | None]:
        """(organisation, role, user) for a new task. Council roles go to the
        authority's council; the interview to the provider the child is
        allocated to, else the one serving the authority; police tasks to the
        force for the area. Where there is nobody of that kind in Homeward,
        the council's children missing officer."""
        role = intent.owner_role
        council = self.council.get(intent.authority_id)
        org = None
        if role in COUNCIL_CASE_ROLES:
            org = council
        elif role == "rhi_worker":
            org = next((o for kind, user, o in allocations if kind == "rhi" and o in self.rhi_orgs), None) \
                or self.serving["rhi_provider"].get(intent.authority_id)
        elif role == "police":
            org = self.serving["police"].get(intent.area_authority_id or intent.authority_id)
        if org is None:
            org, role = council, "missing_officer"
        user = None
        if role == "social_worker":
            user = next((u for kind, u, _ in allocations if kind == "social_worker" and u is not None), None)
        return org, role, user


# --- reading the facts -------------------------------------------------------------------


def _chunks(values: list, size: int = BATCH):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _aware(value):
    """A datetime from a raw query: SQLite gives naive UTC, PostgreSQL aware."""
    if value is None or getattr(value, "tzinfo", None) is not None:
        return value
    return value.replace(tzinfo=rules.UTC)


def _ids(values) -> str:
    """Integers for an IN (...) list, written into the SQL (they are ints, so nothing to escape)."""
    return ",".join(str(int(v)) for v in values) or "NULL"


def _select(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _select_params(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _adapter(field):
    """How to pass this field's values to the database driver."""
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda v: None if v is None else adapt(v)
    if isinstance(field, models.JSONField):
        adapt, encoder = connection.ops.adapt_json_value, field.encoder
        return lambda v: None if v is None else adapt(v, encoder)
    return None


def insert_rows(model, rows: list[dict], *, ignore_clashes: bool = True) -> None:
    """INSERT these rows ({attname: value}; a field left out takes its default)
    in one executemany, with ON CONFLICT DO NOTHING: what
    bulk_create(ignore_conflicts=True) does, without the ORM building each
    value's SQL (the scheduler's hot path)."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.fields.AutoFieldMixin)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    plan = [(f.attname, _adapter(f), f) for f in fields]
    clash = " ON CONFLICT DO NOTHING" if ignore_clashes else ""

    def values_of(row):
        out = []
        for name, adapt, f in plan:
            v = row[name] if name in row else f.get_default()
            out.append(adapt(v) if adapt is not None else v)
        return out

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, one array per column: INSERT ... SELECT FROM unnest(...).
            matrix = [values_of(row) for row in rows]
            arrays, casts = [], []
            for i, f in enumerate(fields):
                column = [r[i] for r in matrix]
                db_type = f.db_type(connection)
                if isinstance(f, models.JSONField):
                    column = [None if v is None else json.dumps(v.obj, cls=f.encoder) for v in column]
                    casts.append("%s::text[]::jsonb[]")
                else:
                    casts.append(f"%s::{db_type}[]")
                arrays.append(column)
            cursor.execute(f"INSERT INTO {_table(model)} ({columns}) SELECT * FROM unnest({', '.join(casts)})"
                           f"{clash}", arrays)
            return
        # SQLite: multi-row VALUES, well inside its limit of bound values per statement.
        for chunk in _chunks(rows, max(1, 900 // len(fields))):
            values = [v for row in chunk for v in values_of(row)]
            cursor.execute(f"INSERT INTO {_table(model)} ({columns}) VALUES {', '.join([one] * len(chunk))}{clash}",
                           values)


class _Batch:
    """What the rules need about a batch of children, read in a few plain
    queries (the hot path of the scheduler: no ORM query building per row)."""

    def __init__(self, child_ids: list[int], now: datetime):
        self.now = now
        ids = _ids(child_ids)
        self.children = {
            pk: {"pk": pk, "dob": dob, "date_of_death": died, "home_authority_id": home,
                 "responsible_authority_id": responsible, "merged_into_id": merged}
            for pk, dob, died, home, responsible, merged in _select(
                f"SELECT id, dob, date_of_death, home_authority_id, responsible_authority_id, merged_into_id "
                f"FROM {_table(Child)} WHERE id IN ({ids})")
        }
        self.episodes: dict[int, list[dict]] = defaultdict(list)
        episode_rows = []
        for (pk, child_id, started, returned, reported, risk, area, responsible, missing_from,
             host) in _select(
                f"SELECT e.id, e.child_id, e.started_at, e.returned_at, e.reported_at, e.risk_level, "
                f"e.area_authority_id, e.responsible_authority_id, e.missing_from, p.host_authority_id "
                f"FROM {_table(Episode)} e LEFT JOIN {_table(Placement)} p ON p.id = e.placement_id "
                f"WHERE e.child_id IN ({ids})"):
            row = {"pk": pk, "child_id": child_id, "started_at": _aware(started), "returned_at": _aware(returned),
                   "reported_at": _aware(reported), "risk_level": risk, "area_authority_id": area,
                   "responsible_authority_id": responsible, "placement__host_authority_id": host,
                   "missing_from": missing_from}
            episode_rows.append(row)
            self.episodes[child_id].append(row)
        self.episode_child = {row["pk"]: row["child_id"] for row in episode_rows}
        horizon = now - timedelta(days=FULL_HORIZON_DAYS)
        with_risk = [r["pk"] for r in episode_rows
                     if r["risk_level"] and (r["returned_at"] is None or r["returned_at"] >= horizon)]
        self.risk_changed_at: dict[int, datetime | None] = {}
        changes = defaultdict(list)
        for chunk in _chunks(with_risk, 2000):
            for episode_id, level, previous, at in _select(
                    f"SELECT episode_id, risk_level, previous_level, changed_at FROM {_table(RiskChange)} "
                    f"WHERE episode_id IN ({_ids(chunk)}) ORDER BY changed_at, id"):
                changes[episode_id].append((level, previous, _aware(at)))
        current = {r["pk"]: r["risk_level"] for r in episode_rows}
        for episode_id, history in changes.items():
            to_current = [(prev, at) for level, prev, at in history if level == current[episode_id] and at <= now]
            if to_current and to_current[-1][0]:
                self.risk_changed_at[episode_id] = to_current[-1][1]
        self.flags: dict[int, list[rules.FlagFact]] = defaultdict(list)
        for child_id, flag, start, end, created in _select(
                f"SELECT child_id, flag, start_date, end_date, created_at FROM {_table(ChildFlag)} "
                f"WHERE child_id IN ({ids})"):
            self.flags[child_id].append(rules.FlagFact(flag, start, end, _aware(created)))
        # The tasks raised before: the children's, and those of their episodes
        # still held under another child's record (an episode moved by a merge).
        self.tasks: dict[str, dict] = {}
        self.tasks_of: dict[int, list[dict]] = defaultdict(list)
        columns = "id, child_id, rule, cause_key, cause_at, state, episode_id, episode_ref"
        rows = _select(f"SELECT {columns} FROM {_table(Task)} WHERE child_id IN ({ids}) "
                       f"OR episode_id IN ({_ids(self.episode_child)})")
        for pk, child_id, rule, key, cause_at, state, episode_id, episode_ref in rows:
            if key in self.tasks:
                continue
            row = {"pk": pk, "child_id": child_id, "rule": rule, "cause_key": key, "cause_at": _aware(cause_at),
                   "state": state, "episode_id": episode_id, "episode_ref": episode_ref}
            self.tasks[key] = row
            self.tasks_of[self.episode_child.get(episode_id, child_id)].append(row)
        self._allocations: dict[int, list[tuple]] | None = None
        returned = [r["pk"] for r in episode_rows if r["returned_at"] is not None and r["returned_at"] >= horizon]
        self.completed = interviews_completed(returned) if returned else {}

    @property
    def allocations(self) -> dict[int, list[tuple]]:
        """Who each child is allocated to (read only when a new task needs an owner)."""
        if self._allocations is None:
            self._allocations = defaultdict(list)
            today = timezone.localdate()
            for child_id, kind, user_id, org_id in (
                    Allocation.objects.filter(child_id__in=list(self.children), start_date__lte=today)
                    .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
                    .values_list("child_id", "kind", "user_id", "organisation_id")):
                self._allocations[child_id].append((kind, user_id, org_id))
        return self._allocations

    def authority_ids(self) -> set[int]:
        ids = set()
        for row in self.children.values():
            ids.add(row["home_authority_id"])
            ids.add(row["responsible_authority_id"])
        for rows in self.episodes.values():
            for r in rows:
                ids.update((r["area_authority_id"], r["responsible_authority_id"], r["placement__host_authority_id"]))
        ids.discard(None)
        return ids

    def facts(self, child_id: int) -> tuple[rules.ChildFact, list[rules.EpisodeFact]]:
        c = self.children[child_id]
        child = rules.ChildFact(
            id=child_id, dob=c["dob"], date_of_death=c["date_of_death"], home_authority_id=c["home_authority_id"],
            responsible_authority_id=c["responsible_authority_id"], flags=tuple(self.flags.get(child_id, ())),
        )
        episodes = [
            rules.EpisodeFact(
                id=r["pk"], started_at=r["started_at"], returned_at=r["returned_at"], reported_at=r["reported_at"],
                risk_level=r["risk_level"], risk_changed_at=self.risk_changed_at.get(r["pk"]),
                area_authority_id=r["area_authority_id"], responsible_authority_id=r["responsible_authority_id"],
                host_authority_id=r["placement__host_authority_id"], missing_from=r["missing_from"],
            )
            for r in self.episodes.get(child_id, ())
        ]
        return child, episodes

    def prior(self, child_id: int) -> list[rules.Prior]:
        return [rules.Prior(r["rule"], r["cause_key"], r["cause_at"], r["state"]) for r in self.tasks_of.get(child_id, ())]


# --- the evaluation -------------------------------------------------------------------------


def evaluate_children(child_ids: Iterable[int], *, now: datetime | None = None, actor=None,
                      directory: Directory | None = None, worker: str | None = None) -> Summary:
    """Evaluate every rule for these children as of `now` and store the result."""
    now = now or timezone.now()
    directory = directory or Directory(now)
    worker = worker or worker_name()
    summary = Summary(at=now)
    ids = sorted({i for i in child_ids if i is not None})
    for batch in _chunks(ids, BATCH):
        for attempt in range(4):
            try:
                summary.merge(_evaluate_batch(batch, now, directory, worker, actor))
                break
            except OperationalError as exc:  # a deadlock or a lock timeout with another worker: try again
                if attempt == 3:
                    raise
                log.warning("protocol batch retried after %s", exc.__class__.__name__)
    return summary


def evaluate_episodes(episode_ids: Iterable[int], *, now: datetime | None = None, actor=None) -> Summary:
    """Evaluate the children of these episodes (what an event handler does)."""
    ids = [i for i in episode_ids if i is not None]
    child_ids: set[int] = set()
    for chunk in _chunks(ids):
        child_ids.update(Episode.objects.filter(pk__in=chunk).values_list("child_id", flat=True))
    return evaluate_children(child_ids, now=now, actor=actor)


def on_episode_event(*, episode_ids, actor=None) -> None:
    """Handler for the episode events (subscribed in ProtocolConfig.ready).
    A bulk batch (a chunk of a file import) is left to the scheduled run,
    whose scan of changed episodes takes it within its interval."""
    from homeward import events

    if events.is_bulk(episode_ids):
        return
    evaluate_episodes(list(episode_ids), actor=actor)


def _evaluate_batch(batch: list[int], now: datetime, directory: Directory, worker: str, actor) -> Summary:
    summary = Summary(at=now)
    facts = _Batch(batch, now)
    protocols = directory.protocols(facts.authority_ids())
    authorities = directory.authorities(facts.authority_ids())
    names = directory.names()
    new: dict[str, rules.Intent] = {}
    closures: dict[str, rules.Closure] = {}
    wakes: dict[int, datetime] = {}
    orphans: list[str] = []
    for child_id, row in facts.children.items():
        if row["merged_into_id"] is not None:
            continue  # a duplicate record: its episodes are the survivor's now
        summary.children += 1
        child, episodes = facts.facts(child_id)
        result = rules.evaluate_child(child, episodes, now=now, protocols=protocols, prior=facts.prior(child_id),
                                      interviews_completed=facts.completed, names=names)
        for intent in result.intents:
            if intent.cause_key not in facts.tasks and intent.cause_key not in new:
                new[intent.cause_key] = intent
        for closure in result.closures:
            stored = facts.tasks.get(closure.cause_key)
            if stored is not None and stored["state"] == TaskState.OPEN:
                closures.setdefault(closure.cause_key, closure)
        if result.wake_at is not None:
            wakes[child_id] = result.wake_at
        for stored in facts.tasks_of.get(child_id, ()):
            if (stored["state"] == TaskState.OPEN and stored["episode_id"] is None and stored["episode_ref"]
                    and stored["rule"] in EPISODE_RULES):
                orphans.append(stored["cause_key"])

    today = timezone.localdate()
    with transaction.atomic():
        created = _insert(new, facts, directory, authorities, worker, now, summary, today)
        by_reason: dict[tuple[str, str], list[str]] = defaultdict(list)
        for closure in closures.values():
            by_reason[(closure.state, closure.reason)].append(closure.cause_key)
        if orphans:
            by_reason[(TaskState.CANCELLED, "The episode was merged with another record of the same episode; "
                                            "anything still needed is raised for that episode")] += orphans
        for (state, reason), keys in sorted(by_reason.items()):
            closed = Task.objects.filter(cause_key__in=sorted(keys), state=TaskState.OPEN).update(
                state=state, closed_at=now, closed_reason=reason[:500])
            if closed:
                for key in keys:
                    summary.closed[facts.tasks[key]["rule"]] += 1
        _store_wakes(batch, wakes)
        _audit(created, closures, orphans, facts, actor)
    return summary


def _store_wakes(batch: list[int], wakes: dict[int, datetime]) -> None:
    """One wake per child that has one: remove the others, upsert these."""
    table = _table(ProtocolWake)
    with connection.cursor() as cursor:
        keep = f" AND child_id NOT IN ({_ids(wakes)})" if wakes else ""  # NOT IN (NULL) would match nothing
        cursor.execute(f"DELETE FROM {table} WHERE child_id IN ({_ids(batch)}){keep}")
        adapt = connection.ops.adapt_datetimefield_value
        upsert = "ON CONFLICT (child_id) DO UPDATE SET wake_at = excluded.wake_at"
        if connection.vendor == "postgresql":
            items = sorted(wakes.items())
            cursor.execute(f"INSERT INTO {table} (child_id, wake_at) SELECT * FROM "
                           f"unnest(%s::bigint[], %s::timestamp with time zone[]) {upsert}",
                           [[c for c, _ in items], [at for _, at in items]])
            return
        for chunk in _chunks(sorted(wakes.items()), 400):
            values = [v for child_id, at in chunk for v in (child_id, adapt(at))]
            cursor.execute(f"INSERT INTO {table} (child_id, wake_at) VALUES {', '.join(['(%s, %s)'] * len(chunk))} "
                           f"{upsert}", values)


def _insert(new: dict[str, rules.Intent], facts: _Batch, directory: Directory, authorities: dict, worker: str,
            now: datetime, summary: Summary, today) -> list[dict]:
    """Insert the new tasks (and their messages), sorted by cause key so that
    two workers take the unique index's locks in the same order. Returns the
    tasks this worker inserted (a concurrent worker's are not ours)."""
    from .delivery import compose

    if not new:
        return []
    tasks, messages, allocations = [], [], []
    identifiers = _identifiers([i.child_id for i in new.values() if i.rule in NOTIFY_RULES])
    raised_by = worker[:100]
    for key in sorted(new):
        intent = new[key]
        org, role, user = directory.owner(intent, facts.allocations.get(intent.child_id, []))
        reason = intent.reason
        if intent.rule in NOTIFY_RULES:
            to = authorities.get(intent.notify_authority_id) or {}
            if to.get("missing_contact_email"):
                subject, body = compose(intent, authorities, identifiers.get(intent.child_id, {}),
                                        facts.children[intent.child_id])
                messages.append(dict(
                    authority_id=intent.authority_id, to_authority_id=intent.notify_authority_id,
                    to_email=to["missing_contact_email"], rule=intent.rule, cause_key=key,
                    protocol_version_id=intent.protocol_version_id, child_id=intent.child_id,
                    episode_id=intent.episode_id, subject=subject, body=body, next_attempt_at=now, created_at=now,
                ))
                reason += f" Homeward emails {to['name']}'s named contact ({to['missing_contact_email']}); " \
                          "this task closes itself when the email is sent."
            else:
                reason += f" No named contact email is recorded for {to.get('name', 'that authority')}: tell them " \
                          "another way, then mark this task done."
        if intent.rule == "return_interview" and org in directory.rhi_orgs and not any(
                kind == "rhi" and o == org for kind, _, o in facts.allocations.get(intent.child_id, [])):
            allocations.append(Allocation(child_id=intent.child_id, kind=Allocation.Kind.RHI, organisation_id=org,
                                          start_date=today))
            facts.allocations[intent.child_id].append(("rhi", None, org))
        tasks.append(dict(
            authority_id=intent.authority_id, protocol_version_id=intent.protocol_version_id, rule=intent.rule,
            cause_key=key, cause_at=intent.cause_at, title=intent.title[:200], reason=reason,
            details=dict(intent.details), raised_by=raised_by, due_at=intent.due_at, owner_organisation_id=org,
            owner_role=role, owner_user_id=user, child_id=intent.child_id, episode_id=intent.episode_id,
            episode_ref=intent.episode_id, created_at=now, state=TaskState.OPEN,
        ))
    insert_rows(Task, tasks)
    insert_rows(OutboundMessage, messages)
    wanted = {t["cause_key"] for t in tasks}
    ours = [
        {"pk": pk, "cause_key": key, "rule": rule, "child_id": child_id}
        for pk, key, rule, child_id in _select_params(
            f"SELECT id, cause_key, rule, child_id FROM {_table(Task)} WHERE raised_by = %s "
            f"AND child_id IN ({_ids({t['child_id'] for t in tasks})})", [raised_by])
        if key in wanted
    ]
    mine = {t["cause_key"] for t in ours}
    for task in ours:
        summary.raised[task["rule"]] += 1
    summary.messages_queued += sum(1 for m in messages if m["cause_key"] in mine)
    if allocations:
        mine_children = {t["child_id"] for t in ours if t["rule"] == "return_interview"}
        Allocation.objects.bulk_create([a for a in allocations if a.child_id in mine_children])
    return ours


def _identifiers(child_ids: list[int]) -> dict[int, dict[int, str]]:
    out: dict[int, dict[int, str]] = defaultdict(dict)
    for ids in _chunks(sorted(set(child_ids))):
        for child_id, authority_id, value in ChildIdentifier.objects.filter(
                child_id__in=ids, kind="la_child").values_list("child_id", "authority_id", "value"):
            out[child_id][authority_id] = value
    return out


def _audit(created: list[dict], closures: dict, orphans: list[str], facts: _Batch, actor) -> None:
    """One audit event per task raised or closed by the protocol (one insert)."""
    origin = current_origin()
    membership = getattr(actor, "membership", None) if actor is not None else None
    at = timezone.now()
    base = dict(
        at=at, actor_id=getattr(actor, "pk", None), actor_username=getattr(actor, "username", "") or "",
        actor_role=membership.role if membership else "",
        actor_organisation=membership.organisation.name if membership else "",
        via=origin.via, ip=origin.ip, user_agent=origin.user_agent, path=origin.path, object_type="task",
    )
    events = [dict(base, action=AuditEvent.Action.CREATE, object_id=str(t["pk"]), child_id=t["child_id"],
                   summary=f"The protocol raised a {t['rule']} task", payload={"cause_key": t["cause_key"]})
              for t in created]
    for key in list(closures) + orphans:
        stored = facts.tasks[key]
        events.append(dict(base, action=AuditEvent.Action.UPDATE, object_id=str(stored["pk"]),
                           child_id=stored["child_id"], summary=f"The protocol closed a {stored['rule']} task",
                           payload={"cause_key": key}))
    insert_rows(AuditEvent, events, ignore_clashes=False)


# --- the schedule ----------------------------------------------------------------------------


def changed_children(since: datetime) -> set[int]:
    """Children whose facts changed since then without (necessarily) an event."""
    ids = set(Episode.objects.filter(updated_at__gte=since).values_list("child_id", flat=True))
    ids.update(ChildFlag.objects.filter(created_at__gte=since).values_list("child_id", flat=True))
    ids.update(Child.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    ids.update(Placement.objects.filter(updated_at__gte=since).values_list("child_id", flat=True))
    return ids


def relevant_children(now: datetime) -> set[int]:
    """Every child the rules could raise something for: an episode open, or
    started or ended within the longest look-back."""
    horizon = now - timedelta(days=FULL_HORIZON_DAYS)
    return set(Episode.objects.filter(Q(returned_at__isnull=True) | Q(started_at__gte=horizon)
                                      | Q(returned_at__gte=horizon)).values_list("child_id", flat=True).distinct())


CURSOR = "changes"


def run_schedule(*, now: datetime | None = None, worker: str | None = None, full: bool = False,
                 send: bool = True) -> Summary:
    """One scheduled evaluation as of `now` (default: the current time): the
    children whose wake is due, the children changed since the last run
    (all relevant children on the first run, or with `full`), then sending
    the messages that are due."""
    from .delivery import send_due

    started = timezone.now()
    now = now or started
    worker = worker or worker_name()
    cursor = ProtocolCursor.objects.filter(name=CURSOR).first()
    changed_episodes: list[int] = []
    if cursor is None or full:
        child_ids = relevant_children(now)
    else:
        since = cursor.at - CATCH_UP_MARGIN
        child_ids = changed_children(since)
        changed_episodes = list(Episode.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    child_ids.update(ProtocolWake.objects.filter(wake_at__lte=now).values_list("child_id", flat=True))
    summary = evaluate_children(child_ids, now=now, worker=worker)
    # Move the cursor forward only (another worker may have started later).
    updated = ProtocolCursor.objects.filter(name=CURSOR, at__lt=started).update(at=started)
    if not updated and cursor is None:
        ProtocolCursor.objects.bulk_create([ProtocolCursor(name=CURSOR, at=started)], ignore_conflicts=True)
    if changed_episodes:
        # The other followers of episodes (return interviews) catch up too.
        from homeward import events

        events.publish_now("episode.caught_up", episode_ids=changed_episodes)
    if send:
        sent, retrying, failed = send_due(now=now, worker=worker)
        summary.sent, summary.retrying, summary.failed = sent, retrying, failed
    return summary
