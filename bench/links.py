"""How long `links_for_child` takes for one child in a large store (target: under 200 ms).

The store is bench/bigdata.py's (`ensure_bigdata`: by default 1,000,000
children and 2,500,000 episodes over ten years and every English
authority), with, added here through the database driver at a realistic
scale:

- the places part's rows the link rules read: one place per found postcode
  and a `found` link (ChildPlace) for every episode with one, as
  `homeward places sync` would make them (skipped when the places tables
  already hold rows);
- people of concern: `--people` (default 100,000: about 650 per authority
  over ten years), each recorded by the council of an authority, with an
  alias, a phone number and, for half of them, a vehicle; each linked to 1
  to 8 children (most to one or two) who went missing in that authority,
  often from the same provider; a third linked to a place.

Then, as a children missing officer of Kent (the largest authority), it
times `links_for_child(actor, child)` (scope, the rule links from the
episodes, people of concern, shared places, the interview's named people,
and the audit write) for a sample of Kent's children: random ones with an
episode, and the children with most episodes; and `network_for_child` for
the same children. Each timed call is made twice; the second (warm) is
reported, as a page would be served from a warm database.

Run from the repository root::

    .venv/bin/python bench/links.py                                    # SQLite, /tmp/homeward-bench-links.db
    .venv/bin/python bench/links.py --database-url postgres://postgres@127.0.0.1:5432/homeward_links

`--children`, `--episodes` change the store's size (a small one for a smoke
run: `--children 20000 --episodes 50000`); `--json` prints the figures as
JSON. The database named in the URL is replaced when it does not hold the
store asked for: never point it at one you want to keep.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

MARKER = "bench_intel_links"
VERSION = 1


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _marker(params: dict) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (params text NOT NULL)")
        cursor.execute(f"SELECT params FROM {MARKER}")
        row = cursor.fetchone()
    return bool(row) and row[0] == json.dumps(params, sort_keys=True)


def _write_marker(params: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MARKER}")
        cursor.execute(f"INSERT INTO {MARKER} VALUES (%s)", [json.dumps(params, sort_keys=True)])


def fill_places(log) -> dict:
    """One place per distinct found postcode; a `found` ChildPlace per episode with one."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM places_childplace")
        if cursor.fetchone()[0]:
            log("  places: already filled, kept")
            return {"places_filled": False}
    started = time.perf_counter()
    pg = _vendor() == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO places_place (label, key, postcode, district, latitude, longitude, precision, kind, h3_cell,"
            " created_at) SELECT '', '|' || found_postcode, found_postcode,"
            + (" split_part(found_postcode, ' ', 1)," if pg else " substr(found_postcode, 1, instr(found_postcode, ' ') - 1),")
            + " NULL, NULL, 'none', '', '', MIN(returned_at) FROM episodes_episode"
            " WHERE found_postcode <> '' AND returned_at IS NOT NULL GROUP BY found_postcode")
        day = "CAST(e.returned_at AS date)" if pg else "date(e.returned_at)"
        cursor.execute(
            "INSERT INTO places_childplace (child_id, place_id, role, episode_id, source, named_place_id, date,"
            " recorded_by_id, recorded_at)"
            f" SELECT e.child_id, p.id, 'found', e.id, 'episode:' || e.id, NULL, {day}, NULL, e.returned_at"
            " FROM episodes_episode e JOIN places_place p ON p.key = '|' || e.found_postcode"
            " WHERE e.found_postcode <> '' AND e.returned_at IS NOT NULL")
        cursor.execute("SELECT COUNT(*) FROM places_place")
        places = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM places_childplace")
        links = cursor.fetchone()[0]
    log(f"  places: {places:,} places, {links:,} found links in {time.perf_counter() - started:.0f} s")
    return {"places": places, "child_place_links": links}


def fill_people(people: int, seed: int, log) -> dict:
    """People of concern with details and links, through the driver."""
    from django.db import connection, transaction
    from django.utils import timezone

    from homeward.access.models import Organisation
    from homeward.placements.models import Authority

    started = time.perf_counter()
    rng = random.Random(seed)
    orgs = {}
    for authority in Authority.objects.all():
        org, _ = Organisation.objects.get_or_create(name=f"{authority.name} Council (bench)",
                                                    defaults={"kind": "council", "authority": authority})
        orgs[authority.pk] = org.pk
    # Children by area, with the provider and day of one of their episodes (a sample per area).
    with connection.cursor() as cursor:
        cursor.execute("SELECT child_id, area_authority_id, provider_id, started_at FROM episodes_episode"
                       " WHERE id % 3 = 0")
        rows = cursor.fetchall()
    by_area: dict[int, list] = {}
    by_provider: dict[int, list] = {}
    for child_id, area, provider, began in rows:
        by_area.setdefault(area, []).append((child_id, began))
        if provider:
            by_provider.setdefault(provider, []).append((child_id, began))
    areas = sorted(by_area)
    weights = [len(by_area[a]) for a in areas]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM places_place")
        place_ids = [r[0] for r in cursor.fetchall()]
    now = timezone.now()
    pg = _vendor() == "postgresql"

    def ts(value):
        if isinstance(value, str):
            return value
        return value.isoformat(sep=" ")

    persons, details, child_links, place_links = [], [], [], []
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM intelligence_personofconcern")
        first_id = cursor.fetchone()[0] + 1
    for n in range(people):
        pid = first_id + n
        area = rng.choices(areas, weights)[0]
        org = orgs.get(area) or next(iter(orgs.values()))
        name = f"Person {pid}"
        persons.append((pid, name, name.casefold(), 20 + n % 15, 20 + n % 15 + 3, now.date(), "", "", org, None,
                        ts(now), ts(now), None))
        details.append((pid, "alias", f"Alias {pid}", f"alias {pid}", "", ts(now)))
        phone = f"07{rng.randint(100000000, 999999999)}"
        details.append((pid, "phone", phone, phone, "", ts(now)))
        if n % 2:
            reg = f"AB{n % 90 + 10}CDE"
            details.append((pid, "vehicle", f"AB{n % 90 + 10} CDE", reg, "black car", ts(now)))
        # 1 to 8 children, most one or two; a cluster from one provider when the first had one.
        k = min(8, max(1, int(rng.lognormvariate(0.2, 0.7))))
        first = rng.choice(by_area[area])
        pool = by_area[area]
        chosen = {first[0]: first[1]}
        while len(chosen) < k and len(chosen) < len(pool):
            child_id, began = rng.choice(pool)
            chosen.setdefault(child_id, began)
        for child_id, began in chosen.items():
            day = began.date() if hasattr(began, "date") else str(began)[:10]
            child_links.append((pid, child_id, rng.choice(["seen_with", "in_contact", "transported", "stayed_with"]),
                                "officer", day, "", org, ts(now)))
        if place_ids and n % 3 == 0:
            place_links.append((pid, rng.choice(place_ids), "seen_at", "officer", now.date(), "", org, ts(now)))
    with transaction.atomic(), connection.cursor() as cursor:
        mark = "%s"
        cursor.executemany(
            "INSERT INTO intelligence_personofconcern (id, name, name_key, age_from, age_to, age_noted_on, description,"
            " notes, organisation_id, recorded_by_id, created_at, updated_at, updated_by_id) VALUES ("
            + ", ".join([mark] * 13) + ")", persons)
        cursor.executemany(
            "INSERT INTO intelligence_persondetail (person_id, kind, value, search_key, description, added_at,"
            " added_by_id, removed_at, removed_by_id, removed_reason) VALUES (%s, %s, %s, %s, %s, %s, NULL, NULL,"
            " NULL, '')", details)
        cursor.executemany(
            "INSERT INTO intelligence_personchildlink (person_id, child_id, nature, source, noted_on, note,"
            " organisation_id, recorded_at, episode_id, named_person_id, recorded_by_id, removed_at, removed_by_id,"
            " removed_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, NULL, NULL, NULL, NULL, NULL, '')",
            child_links)
        cursor.executemany(
            "INSERT INTO intelligence_personplacelink (person_id, place_id, nature, source, noted_on, note,"
            " organisation_id, recorded_at, recorded_by_id, removed_at, removed_by_id, removed_reason)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, NULL, NULL, NULL, '')", place_links)
        if pg:
            cursor.execute("SELECT setval(pg_get_serial_sequence('intelligence_personofconcern', 'id'),"
                           " (SELECT MAX(id) FROM intelligence_personofconcern))")
    log(f"  people of concern: {people:,} people, {len(details):,} details, {len(child_links):,} child links, "
        f"{len(place_links):,} place links in {time.perf_counter() - started:.0f} s")
    return {"people": people, "details": len(details), "child_links": len(child_links),
            "place_links": len(place_links)}


def actor_for(authority_code: str):
    from homeward.access.models import Membership, Organisation, User
    from homeward.access.roles import Role
    from homeward.placements.models import Authority

    authority = Authority.objects.get(code=authority_code)
    org, _ = Organisation.objects.get_or_create(name=f"{authority.name} County Council (bench officer)",
                                                defaults={"kind": "council", "authority": authority})
    user, created = User.objects.get_or_create(username=f"bench.missing-officer.{authority_code}")
    if created:
        Membership.objects.create(user=user, organisation=org, role=Role.MISSING_OFFICER)
    return User.objects.get(pk=user.pk)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def time_calls(actor, children, fn) -> list[float]:
    out = []
    for child in children:
        fn(actor, child)  # cold: the first touch of this child's pages
        t = time.perf_counter()
        fn(actor, child)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/homeward-bench-links.db")
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--episodes", type=int, default=2_500_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=40, help="random children timed (plus the 10 busiest)")
    parser.add_argument("--authority", default="886", help="the officer's authority (default Kent, 886)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    from bigdata import ensure_bigdata

    info = ensure_bigdata(args.database_url, args.children, args.episodes, args.seed, log=log)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    call_command("migrate", verbosity=0)
    params = {"version": VERSION, "people": args.people, "seed": args.seed, "store": [args.children, args.episodes]}
    filled = {}
    if not _marker(params):
        with connection.cursor() as cursor:
            for table in ("intelligence_personplacelink", "intelligence_personchildlink", "intelligence_persondetail",
                          "intelligence_personofconcern"):
                cursor.execute(f"DELETE FROM {table}")
        filled.update(fill_places(log))
        filled.update(fill_people(args.people, args.seed, log))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        _write_marker(params)
    else:
        log("  people of concern: reusing the ones already filled")

    from homeward.access.scope import children_visible_to
    from homeward.episodes.models import Episode
    from homeward.intelligence.models import PersonChildLink, PersonOfConcern
    from homeward.intelligence.selectors import links_for_child, network_for_child

    actor = actor_for(args.authority)
    rng = random.Random(args.seed)
    area_ids = list(Episode.objects.filter(area_authority__code=args.authority).order_by()
                    .values_list("child_id", flat=True)[:200_000])
    sample_ids = rng.sample(sorted(set(area_ids)), min(args.sample, len(set(area_ids))))
    busiest = [r["child_id"] for r in Episode.objects.filter(area_authority__code=args.authority).order_by()
               .values("child_id").annotate(n=Count("id")).order_by("-n")[:10]]
    children = list(children_visible_to(actor).filter(pk__in=sample_ids + busiest))
    by_pk = {c.pk: c for c in children}
    sample = [by_pk[i] for i in sample_ids if i in by_pk]
    busy = [by_pk[i] for i in busiest if i in by_pk]

    links_sample = time_calls(actor, sample, lambda a, c: links_for_child(a, c))
    links_busy = time_calls(actor, busy, lambda a, c: links_for_child(a, c))
    network_sample = time_calls(actor, sample, lambda a, c: network_for_child(actor=a, child=c))
    found = [links_for_child(actor, c, audit=False) for c in sample + busy]

    figures = {
        "database": connection.vendor,
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "load_average": [round(x, 1) for x in os.getloadavg()],  # other work on the machine meanwhile
        "store": {"children": info.get("children"), "episodes": info.get("episodes"),
                  "people_of_concern": PersonOfConcern.objects.count(),
                  "person_child_links": PersonChildLink.objects.count(), **filled},
        "children_timed": len(sample), "busiest_timed": len(busy),
        "busiest_episodes": [Episode.objects.filter(child=c).count() for c in busy[:3]],
        "links_ms": {"median": round(statistics.median(links_sample), 1), "p95": round(percentile(links_sample, 95), 1),
                     "max": round(max(links_sample), 1)},
        "links_busiest_ms": {"median": round(statistics.median(links_busy), 1) if links_busy else None,
                             "max": round(max(links_busy), 1) if links_busy else None},
        "network_ms": {"median": round(statistics.median(network_sample), 1),
                       "p95": round(percentile(network_sample, 95), 1), "max": round(max(network_sample), 1)},
        "links_found": {"children_with_episode_links": sum(1 for f in found if f.episodes),
                        "children_with_people": sum(1 for f in found if f.people),
                        "children_with_shared_places": sum(1 for f in found if f.places)},
        "target_ms": 200,
    }
    figures["target_met"] = max(links_sample + links_busy) < 200
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>20}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
