"""How long the hotspot list and its map data take over 2,500,000 episodes.

Uses the national-scale synthetic database of bench/bigdata.py (1,000,000
children and 2,500,000 episodes over ten years, found postcodes placed with
the synthetic postcode directory; made once and reused), loads the
synthetic postcode directory, builds the places and hotspot rows with
`places sync` (timed: what a first deployment on an existing database
does), then times, each as the median of --repeat runs after one warm-up:

* the hotspot page (`GET /hotspots/`, the ranked lists and the trend
  against the previous period) and its map data (`GET /hotspots/map.json`)
  for the busiest authority, for one statutory year and for three, by
  postcode district and by H3 hexagon, for a missing officer and for an
  analyst (suppressed figures);
* `report hotspots` for every authority together over one year and over
  the whole ten years (every episode in one grouped query);
* the freshness check alone, with nothing changed (what every hotspot
  request pays first).

Each case: median and slowest wall-clock seconds, median CPU seconds of the
benchmark process and, on PostgreSQL, of its server backend (from /proc),
and the load average before and after.

Run from the repository root::

    .venv/bin/python bench/hotspots.py                  # SQLite: /tmp/homeward-bench-hotspots.db
    .venv/bin/python bench/hotspots.py --database-url postgres://postgres@127.0.0.1:5432/homeward_bench_hotspots

The database named is replaced by bench/bigdata.py unless it already holds
its data with the same parameters. ``--children``/``--episodes`` make a
smaller one; ``--json`` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()


def server_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (read from
    /proc: the server runs on the same machine), 0 on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(fn, repeat: int) -> dict:
    """Median and slowest wall-clock seconds of `repeat` runs after one
    warm-up, with the median CPU seconds of this process and (PostgreSQL)
    of its server backend."""
    fn()  # warm-up (caches, the freshness cursor)
    runs, cpu, server = [], [], []
    for _ in range(repeat):
        s, c, t = server_cpu(), time.process_time(), time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        server.append(server_cpu() - s)
    return {"median_s": round(statistics.median(runs), 3), "max_s": round(max(runs), 3),
            "cpu_s": round(statistics.median(cpu), 3), "server_cpu_s": round(statistics.median(server), 3)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/homeward-bench-hotspots.db")
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--episodes", type=int, default=2_500_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from bigdata import ensure_bigdata

    started = time.perf_counter()
    info = ensure_bigdata(args.database_url, args.children, args.episodes, args.seed)
    fill_s = time.perf_counter() - started
    setup_django(args.database_url)

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from homeward.access.models import Membership, Organisation, User
    from homeward.access.roles import OrganisationKind, Role
    from homeward.access.services import user_create
    from homeward.episodes.models import Episode
    from homeward.placements.models import Authority
    from homeward.places.demo import SYNTHETIC_POSTCODES
    from homeward.places.directory import postcodes_load
    from homeward.places.freshness import ensure_fresh, mark
    from homeward.places.hotspots import report_rows
    from homeward.places.models import EpisodePlace, Postcode
    from homeward.places.services import places_sync

    out: dict = {"database": connection.vendor, "episodes": Episode.objects.count(), "fill_s": round(fill_s, 1),
                 "bigdata": {k: info.get(k) for k in ("children", "episodes", "seconds") if k in info}}

    if not Postcode.objects.exists():
        t = time.perf_counter()
        postcodes_load(SYNTHETIC_POSTCODES, relocate=False)
        out["directory_load_s"] = round(time.perf_counter() - t, 2)
    out["load_average_before"] = os.getloadavg()
    if EpisodePlace.objects.count() != out["episodes"]:
        s, c, t = server_cpu(), time.process_time(), time.perf_counter()
        begun = timezone.now()
        summary = places_sync()
        mark(begun)
        seconds = time.perf_counter() - t
        out["places_sync"] = {"seconds": round(seconds, 1), "cpu_s": round(time.process_time() - c, 1),
                              "server_cpu_s": round(server_cpu() - s, 1), "episodes": summary.episodes,
                              "episodes_per_s": round(summary.episodes / seconds),
                              "places": summary.places, "interviews": summary.interviews}
    ensure_fresh()

    # The busiest authority, and people to look at it.
    busiest_id = (Episode.objects.order_by().values("area_authority_id")
                  .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
                  .order_by("-n").values_list("area_authority_id", flat=True).first())
    authority = Authority.objects.get(pk=busiest_id)
    org, _ = Organisation.objects.get_or_create(name=f"Bench council {authority.code}",
                                                defaults={"kind": OrganisationKind.COUNCIL, "authority": authority})
    users = {}
    for role in (Role.MISSING_OFFICER, Role.ANALYST):
        name = f"bench.hotspots.{authority.code}.{role}"
        user = User.objects.filter(username=name).first()
        if user is None or not Membership.objects.filter(user=user).exists():
            user = user_create(actor=None, username=name, password="bench-password-123", organisation=org,
                               role=role)
        users[role] = user
    out["authority"] = {"code": authority.code, "name": authority.name}

    client = Client()
    client.force_login(users[Role.MISSING_OFFICER])
    analyst = Client()
    analyst.force_login(users[Role.ANALYST])
    year = {"authority": authority.code, "from": "2025-04-01", "to": "2026-04-01"}
    three = {**year, "from": "2023-04-01"}

    def get(c, url, params):
        def run():
            r = c.get(url, params)
            assert r.status_code == 200, (url, r.status_code)
            return r
        return run

    timings = {}
    page_year = get(client, "/hotspots/", year)()
    timings["page, 1 year, districts"] = timed(get(client, "/hotspots/", year), args.repeat)
    timings["map data, 1 year, districts"] = timed(get(client, "/hotspots/map.json", year), args.repeat)
    timings["page, 1 year, hexagons"] = timed(get(client, "/hotspots/", {**year, "area": "h3"}), args.repeat)
    timings["map data, 1 year, hexagons"] = timed(get(client, "/hotspots/map.json", {**year, "area": "h3"}),
                                                  args.repeat)
    timings["page, 3 years, districts"] = timed(get(client, "/hotspots/", three), args.repeat)
    timings["map data, 3 years, districts"] = timed(get(client, "/hotspots/map.json", three), args.repeat)
    timings["page, 1 year, analyst"] = timed(get(analyst, "/hotspots/", year), args.repeat)
    timings["API, 1 year, analyst"] = timed(get(analyst, "/api/hotspots/", year), args.repeat)
    import datetime as dt

    timings["report hotspots, all authorities, 1 year"] = timed(
        lambda: report_rows(authority_id=None, start=dt.date(2025, 4, 1), end=dt.date(2026, 4, 1)), args.repeat)
    timings["report hotspots, all authorities, 10 years"] = timed(
        lambda: report_rows(authority_id=None, start=dt.date(2016, 4, 1), end=dt.date(2026, 4, 1)), args.repeat)
    timings["freshness check, nothing changed"] = timed(ensure_fresh, args.repeat)
    out["timings"] = timings
    out["load_average_after"] = os.getloadavg()
    map_year = client.get("/hotspots/map.json", year).json()
    out["sizes"] = {
        "episodes of the authority, 1 year": sum(a["episodes"] for a in map_year["areas"])
        + ((map_year.get("no_place") or {}).get("episodes") or 0),
        "districts, 1 year": len(map_year["areas"]),
        "page bytes": len(page_year.content),
        "all authorities, 10 years": sum(r["episodes"] for r in report_rows(
            authority_id=None, start=dt.date(2016, 4, 1), end=dt.date(2026, 4, 1))),
    }

    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"Hotspots on {out['database']}: {out['episodes']:,} episodes "
          f"(bigdata fill or reuse: {out['fill_s']} s)")
    if "places_sync" in out:
        ps = out["places_sync"]
        print(f"  places sync: {ps['seconds']} s for {ps['episodes']:,} episodes ({ps['episodes_per_s']:,} a second; "
              f"CPU {ps['cpu_s']} s, server {ps['server_cpu_s']} s; {ps['places']:,} places)")
    print(f"  busiest authority: {authority.name} ({authority.code}); sizes: {out['sizes']}")
    print("  load average before: %.2f %.2f %.2f; after: %.2f %.2f %.2f"
          % (*out["load_average_before"], *out["load_average_after"]))
    for name, t in timings.items():
        print(f"  {name:48s} median {t['median_s']:.3f} s   max {t['max_s']:.3f} s   "
              f"CPU {t['cpu_s']:.3f} s   server CPU {t['server_cpu_s']:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
