"""Benchmark: the key figures with and without filters, and against the
version before filters and recorded interviews (git HEAD's kpis.py), on the
same data.

    .venv/bin/python bench/kpis_filters.py --children 60000
    .venv/bin/python bench/kpis_filters.py --children 60000 \\
        --database-url postgres://postgres@127.0.0.1:5432/hw_reportsA_bench

Builds a fresh database (a SQLite file in a temporary folder, or the
PostgreSQL database named, dropped and created): three authorities (Kent,
Southwark, Nottinghamshire), N children (40 % looked after, with placements
of mixed types, some placed in another authority's area), about 3.3 episodes
each over two statutory years inserted in chronological order, and a
recorded interview (offered, some completed or declined) for half of the
ended episodes. Then, for Kent and for all authorities, the statutory year's
figures: `before` (HEAD's kpis.py, if git is there), `now` unfiltered, and
`now` with filters; best and median wall seconds of --repeat runs, and the
CPU seconds of the best. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup(database_url: str | None, folder: str) -> None:
    if database_url and database_url.startswith("postgres"):
        import psycopg

        base, name = database_url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(children: int, seed: int) -> dict:
    from homeward.episodes.models import Episode
    from homeward.interviews.models import Interview
    from homeward.people.models import Child
    from homeward.placements.models import Authority, Placement, Provider
    from homeward.placements.services import authorities_load_reference

    authorities_load_reference()
    las = [Authority.objects.get(code=c) for c in ("886", "210", "891")]
    rnd = random.Random(seed)
    providers = [Provider.objects.create(urn=f"SC{800000 + i}", name=f"Home {i}", host_authority=las[i % 3])
                 for i in range(30)]
    kids, placements = [], []
    for i in range(children):
        owner = rnd.choice(las)
        lac = rnd.random() < 0.4
        kids.append(Child(first_name=f"C{i}", last_name="B", dob=dt.date(2006, 1, 1) + dt.timedelta(days=rnd.randint(0, 4000)),
                          sex=rnd.choice("MFMF U"[:6]).strip(), ethnicity=rnd.choice(["WBRI", "WBRI", "BAFR", "MWBC", ""]),
                          home_authority=None if lac else owner, responsible_authority=owner if lac else None))
    Child.objects.bulk_create(kids, batch_size=5000)
    kids = list(Child.objects.order_by("pk"))
    for child in kids:
        if child.responsible_authority_id:
            provider = rnd.choice(providers) if rnd.random() < 0.5 else None
            placements.append(Placement(child=child, responsible_authority_id=child.responsible_authority_id,
                                        host_authority_id=provider.host_authority_id if provider else rnd.choice(las).pk,
                                        provider=provider, place_code=rnd.choice(["K2", "U4", "U6", "H5", "R1"]),
                                        start_date=dt.date(2022, 1, 1) + dt.timedelta(days=rnd.randint(0, 300))))
    Placement.objects.bulk_create(placements, batch_size=5000)
    by_child = {p.child_id: p for p in Placement.objects.all()}
    start = dt.datetime(2023, 4, 1, tzinfo=dt.timezone.utc)
    rows = []
    for child in kids:
        p = by_child.get(child.pk)
        for _ in range(max(1, int(rnd.expovariate(1 / 3.3)))):
            moment = start + dt.timedelta(minutes=rnd.randint(0, 2 * 365 * 1440))
            returned = moment + dt.timedelta(minutes=rnd.randint(10, 5000)) if rnd.random() < 0.98 else None
            rows.append((moment, child, p, returned))
    rows.sort(key=lambda r: r[0])
    seen_open = set()
    episodes = []
    for moment, child, p, returned in rows:
        if returned is None:
            if child.pk in seen_open:
                returned = moment + dt.timedelta(hours=3)
            seen_open.add(child.pk)
        area = p.host_authority_id if p else child.home_authority_id
        episodes.append(Episode(child=child, area_authority_id=area, placement=p,
                                provider_id=p.provider_id if p else None,
                                responsible_authority_id=p.responsible_authority_id if p else None,
                                missing_from="care" if p else "home", started_at=moment, returned_at=returned))
    Episode.objects.bulk_create(episodes, batch_size=5000)
    interviews = []
    for e in Episode.objects.filter(returned_at__isnull=False).iterator(chunk_size=5000):
        if rnd.random() < 0.5:
            continue
        due = e.returned_at + dt.timedelta(hours=72)
        offered = e.returned_at + dt.timedelta(hours=rnd.randint(1, 120))
        progress = rnd.choice(["offered", "completed", "completed", "declined_by_child", ""])
        interviews.append(Interview(
            episode_id=e.pk, episode_number=e.pk, child_id=e.child_id, area_authority_id=e.area_authority_id,
            lead_authority_id=e.responsible_authority_id or e.area_authority_id, missing_from=e.missing_from,
            episode_started_at=e.started_at, returned_at=e.returned_at, due_at=due,
            progress=progress, offered_at=offered if progress else None,
            completed_at=offered + dt.timedelta(hours=5) if progress == "completed" else None))
        if len(interviews) >= 5000:
            Interview.objects.bulk_create(interviews)
            interviews = []
    Interview.objects.bulk_create(interviews)
    return {"children": len(kids), "episodes": len(episodes), "placements": len(placements),
            "interviews": Interview.objects.count()}


def head_kpis():
    """HEAD's kpis.py, loaded beside the current one (None without git)."""
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", "HEAD:homeward/reporting/kpis.py"],
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "kpis_head.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("homeward.reporting.kpis_head", path)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "homeward.reporting"
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def timed(fn, repeat: int) -> tuple[float, float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    best = min(range(repeat), key=lambda i: walls[i])
    return walls[best], statistics.median(walls), cpus[best]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=60000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="hw-bench-kpis-")
    setup(args.database_url, folder)
    t = time.perf_counter()
    sizes = build(args.children, args.seed)
    print(f"built {sizes} in {time.perf_counter() - t:.0f} s; load average {os.getloadavg()[0]:.1f}", file=sys.stderr)

    from homeward.placements.models import Authority
    from homeward.reporting.filters import KpiFilters
    from homeward.reporting.kpis import key_figures

    head = head_kpis()
    year = (dt.date(2024, 4, 1), dt.date(2025, 4, 1))
    kent = Authority.objects.get(code="886")
    cases = [
        ("unfiltered", None),
        ("missing from care", KpiFilters(missing_from="care")),
        ("age 14-15, sex F", KpiFilters(age_band="14-15", sex="F")),
        ("placement K2, placed in", KpiFilters(placement_type="K2", children="placed-in")),
    ]
    vendor = "PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite"
    print(f"| database | authority | figures | code | best s | median s | CPU s (best) | episodes counted |")
    print("|---|---|---|---|---|---|---|---|")
    for authority in (kent, None):
        who = authority.code if authority else "all"
        if head is not None:
            result = {}
            best, med, cpu = timed(lambda: result.update(head.key_figures(authority=authority, start=year[0],
                                                                         end=year[1])), args.repeat)
            print(f"| {vendor} | {who} | unfiltered | before (HEAD) | {best:.3f} | {med:.3f} | {cpu:.3f} | "
                  f"{result['episodes']['total']:,} |")
        for label, filters in cases:
            result = {}
            best, med, cpu = timed(lambda: result.update(key_figures(authority=authority, start=year[0], end=year[1],
                                                                    filters=filters)), args.repeat)
            print(f"| {vendor} | {who} | {label} | now | {best:.3f} | {med:.3f} | {cpu:.3f} | "
                  f"{result['episodes']['total']:,} |")
    print(f"load average after: {os.getloadavg()[0]:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
