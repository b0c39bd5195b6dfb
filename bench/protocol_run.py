"""How long one scheduled protocol evaluation takes over 100,000 open episodes and their tasks.

Builds a database with N children, each missing now (one open episode, last
seen at a random time in the last 30 days, a tenth at high risk, a few
hundred placed in Kent by Southwark so that emails are due), brings it to the
steady state with one full evaluation (which raises the tasks: the highest
escalation step reached by each episode, the strategy discussions, the
notifications), then times the scheduled evaluation as the worker runs it
(`run_schedule`, i.e. `homeward protocol run`):

* steady: 5 minutes later (the worker's interval);
* backlog: an hour later (the escalations of an hour are due);
* busy: an hour later again, with 1,000 episodes changed since the last run
  (a feed's updates that no event announced) and 1,000 children due;
* full: `protocol run --full`, every open or recent episode re-evaluated
  (what the very first run on an existing database does).

Run from the repository root::

    .venv/bin/python bench/protocol_run.py                         # SQLite, a temporary file
    .venv/bin/python bench/protocol_run.py --database-url postgres://postgres@127.0.0.1:5432/homeward_protocol

The PostgreSQL database is emptied first (its protocol, episode and child
tables). ``--children`` changes N; ``--json`` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    os.environ["HOMEWARD_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()


def ensure_postgres_database(url: str) -> None:
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                         password=db["PASSWORD"] or None, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def build(children: int, seed: int, now) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F

    from homeward.access.models import Organisation
    from homeward.episodes.models import Episode
    from homeward.people.models import Child
    from homeward.placements.models import Authority, Placement, Provider
    from homeward.placements.services import authorities_load_reference

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        tables = ["protocol_meeting_tasks", "protocol_meetingaction", "protocol_meetingattendee", "protocol_meeting",
                  "protocol_outboundmessage", "protocol_task", "protocol_protocolwake", "protocol_protocolcursor",
                  "protocol_protocolversion", "episodes_riskchange", "episodes_notification", "episodes_episode",
                  "placements_placement", "people_allocation", "people_childflag", "people_childidentifier",
                  "people_childalias", "people_child"]
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
    authorities_load_reference()
    kent = Authority.objects.get(code="886")
    southwark = Authority.objects.get(code="210")
    southwark.missing_contact_email = "missing@southwark.example"
    southwark.save()
    for name, kind, authority in (("Kent County Council", "council", kent), ("Southwark Council", "council", southwark),
                                  ("Kent Return Interviews", "rhi_provider", None)):
        org, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "authority": authority})
        if kind == "rhi_provider":
            org.areas.add(kent)
    home, _ = Provider.objects.get_or_create(urn="SC900001", defaults={"name": "Bench House", "host_authority": kent})

    rng = random.Random(seed)
    placed = min(300, children // 100)
    made = 0
    batch = 5000
    while made < children:
        n = min(batch, children - made)
        kids = [Child(first_name=f"C{made + i}", last_name="Bench", dob=now.date() - timedelta(days=365 * 14 + i % 900),
                      home_authority=None if made + i < placed else kent,
                      responsible_authority=southwark if made + i < placed else None) for i in range(n)]
        Child.objects.bulk_create(kids, batch_size=1000)
        kids = list(Child.objects.filter(last_name="Bench").order_by("-pk")[:n])[::-1]
        placements = {}
        for c in kids:
            if c.responsible_authority_id:
                placements[c.pk] = Placement(child=c, responsible_authority=southwark, host_authority=kent,
                                             provider=home, start_date=now.date() - timedelta(days=400))
        Placement.objects.bulk_create(placements.values(), batch_size=1000)
        stored = {p.child_id: p.pk for p in Placement.objects.filter(child_id__in=list(placements))}
        episodes = []
        for c in kids:
            start = now - timedelta(minutes=rng.randint(10, 30 * 24 * 60))
            episodes.append(Episode(
                child=c, area_authority=kent, responsible_authority=southwark if c.pk in stored else None,
                placement_id=stored.get(c.pk), provider=home if c.pk in stored else None,
                missing_from="care" if c.pk in stored else "home", started_at=start, last_seen_at=start,
                reported_at=start + timedelta(minutes=30), risk_level="high" if rng.random() < 0.1 else "medium",
                status="open"))
        Episode.objects.bulk_create(episodes, batch_size=1000)
        made += n
    # As if imported a while ago: nothing has changed since.
    Episode.objects.update(updated_at=F("reported_at"), created_at=F("reported_at"))
    Child.objects.update(updated_at=now - timedelta(days=40))
    Placement.objects.update(updated_at=now - timedelta(days=40))
    return {"children": children, "placed_by_southwark": placed}


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum (PostgreSQL) would;
    autovacuum may be off on a test server."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(label: str, function, repeat: int = 1) -> dict:
    from django.db import reset_queries

    times, summary = [], None
    for _ in range(repeat):
        reset_queries()
        start = time.perf_counter()
        summary = function()
        times.append(time.perf_counter() - start)
    return {"scenario": label, "seconds": round(statistics.median(times), 3), "runs": repeat,
            "children_looked_at": summary.children, "tasks_raised": sum(summary.raised.values()),
            "tasks_closed": sum(summary.closed.values()), "messages_sent": summary.sent}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    tmp = None
    url = args.database_url
    if not url:
        tmp = tempfile.TemporaryDirectory(prefix="homeward-bench-")
        url = f"sqlite:///{tmp.name}/bench.db"
    elif url.startswith("postgres"):
        ensure_postgres_database(url)
    setup_django(url)

    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from homeward.episodes.models import Episode
    from homeward.protocol.engine import run_schedule
    from homeward.protocol.models import OutboundMessage, ProtocolWake, Task

    now = timezone.now().replace(microsecond=0)
    t0 = time.perf_counter()
    built = build(args.children, args.seed, now)
    build_seconds = time.perf_counter() - t0

    analyze()
    results = [timed("first full evaluation (raises every task)", lambda: run_schedule(now=now, worker="bench"))]
    analyze()
    state = {"open_episodes": Episode.objects.filter(returned_at__isnull=True).count(),
             "open_tasks": Task.objects.filter(state="open").count(),
             "wakes": ProtocolWake.objects.count(), "messages": OutboundMessage.objects.count()}

    results.append(timed("steady: 5 minutes later", lambda: run_schedule(now=now + timedelta(minutes=5),
                                                                         worker="bench"), repeat=3))
    results.append(timed("backlog: 1 hour later", lambda: run_schedule(now=now + timedelta(hours=1), worker="bench")))

    def busy():
        ids = list(Episode.objects.order_by("?").values_list("pk", flat=True)[:1000])
        Episode.objects.filter(pk__in=ids).update(updated_at=timezone.now(), risk_level="high")
        children = list(ProtocolWake.objects.order_by("?").values_list("child_id", flat=True)[:1000])
        ProtocolWake.objects.filter(child_id__in=children).update(wake_at=now + timedelta(hours=1, minutes=30))
        return lambda: run_schedule(now=now + timedelta(hours=2), worker="bench")

    results.append(timed("busy: 1,000 episodes changed and 1,000 children due", busy()))
    results.append(timed("full: --full, every open or recent episode", lambda: run_schedule(
        now=now + timedelta(hours=2, minutes=5), worker="bench", full=True)))

    figures = {"database": connection.vendor, "children": built["children"], "build_seconds": round(build_seconds, 1),
               "state_after_first_run": state, "results": results}
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"Protocol evaluation on {connection.vendor}: {built['children']:,} children, each with an open episode "
              f"(built in {build_seconds:.0f} s)")
        print(f"  after the first run: {state['open_episodes']:,} open episodes, {state['open_tasks']:,} open tasks, "
              f"{state['wakes']:,} wakes, {state['messages']:,} messages")
        for r in results:
            print(f"  {r['scenario']:<58} {r['seconds']:>8.3f} s  ({r['children_looked_at']:,} children, "
                  f"{r['tasks_raised']:,} raised, {r['tasks_closed']:,} closed, {r['messages_sent']} sent)")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
