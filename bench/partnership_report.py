"""How long the partnership report takes: figures, page HTML and PDF, for a quarter and a year.

    .venv/bin/python bench/partnership_report.py                       # SQLite, a temporary file
    .venv/bin/python bench/partnership_report.py --children 20000 \\
        --database-url postgres://postgres@127.0.0.1:5432/hw_bench_periodic

1. A fresh database (a SQLite file in a temporary directory, or the PostgreSQL
   database named, emptied by dropping and creating it), migrated.
2. Synthetic data as the demo makes it (homeward.synth.generator): Kent (886)
   with `--children` children over two years ending 1 April 2026, children
   placed in by Southwark and Bromley; the SSDA903 files, the notification
   feed and the providers imported through Homeward's own import code; the
   synthetic postcode directory loaded (so that distances are known); the
   return home interviews worked out (interviews_sync_all).
3. Timed, `--runs` times each, in this process: the key figures alone (for
   comparison), the report's figures (`periodic.partnership_figures`: the key
   figures for the period and a year earlier, plus the report's own counts),
   the page's HTML (sections and charts), and the PDF (WeasyPrint), for the
   financial year 2025-26 and the quarter 2026-Q1. Prints the median and the
   fastest, wall and CPU seconds, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    os.environ["HOMEWARD_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()


def fresh_postgres_database(url: str) -> None:
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                         password=db["PASSWORD"] or None, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


class Quiet:
    def write(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)


def build(children: int, seed: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from homeward.demo import load_providers
    from homeward.episodes.importing import import_notifications
    from homeward.episodes.models import Episode
    from homeward.interviews.services import interviews_sync_all
    from homeward.placements.models import Authority
    from homeward.placements.services import authorities_load_reference
    from homeward.placements.ssda903 import ssda903_import
    from homeward.synth.generator import generate

    call_command("migrate", verbosity=0)
    authorities_load_reference()
    kent = Authority.objects.get(code="886")
    with tempfile.TemporaryDirectory(prefix="homeward-bench-") as tmp:
        out = Path(tmp) / "886"
        print(f"generating {children:,} children...", file=sys.stderr, flush=True)
        generate(authority="886", children=children, years=2, seed=seed, out_dir=out, end=date(2026, 4, 1),
                 neighbours=["210", "305"], police_force="kent")
        load_providers(out / "providers.csv")
        ssda903_import(actor=None, authority=kent, header_path=out / "ssda903_header.csv",
                       episodes_path=out / "ssda903_episodes.csv")
        for ola in sorted((out / "ola").glob("*")):
            ssda903_import(actor=None, authority=Authority.objects.get(code=ola.name),
                           header_path=ola / "ssda903_header.csv", episodes_path=ola / "ssda903_episodes.csv")
        print("importing the notifications...", file=sys.stderr, flush=True)
        import_notifications(actor=None, authority=kent, path=out / "notifications.csv")
    try:
        from homeward.places.directory import postcodes_load

        postcodes_load(ROOT / "homeward" / "places" / "data" / "synthetic-postcodes.csv")
    except ImportError:  # pragma: no cover
        pass
    print("working out the interviews...", file=sys.stderr, flush=True)
    interviews_sync_all(authority=kent)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"episodes": Episode.objects.count()}


def timed(fn, runs: int) -> tuple[float, float, float]:
    """(median wall, fastest wall, median CPU) seconds."""
    walls, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), min(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--keep", metavar="FILE", help="SQLite: build into FILE, or reuse it if it exists")
    parser.add_argument("--profile", action="store_true", help="print where the year's figures spend their time")
    args = parser.parse_args()

    tmp = None
    url = args.database_url
    reuse = False
    if args.keep:
        reuse = Path(args.keep).exists()
        url = f"sqlite:///{Path(args.keep).resolve()}"
    elif not url:
        tmp = tempfile.TemporaryDirectory(prefix="homeward-bench-db-")
        url = f"sqlite:///{tmp.name}/bench.db"
    elif url.startswith("postgres"):
        fresh_postgres_database(url)
    setup_django(url)

    from django.db import connection

    from homeward.placements.models import Authority
    from homeward.reporting import partnership_report, periodic
    from homeward.reporting.kpis import key_figures

    from homeward.episodes.models import Episode

    t0 = time.perf_counter()
    data = {"episodes": Episode.objects.count()} if reuse else build(args.children, args.seed)
    print(f"built in {time.perf_counter() - t0:.0f} s: {data['episodes']:,} episodes", file=sys.stderr)
    kent = Authority.objects.get(code="886")
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(partnership_report.figures_for, authority=kent, period_code="2025-26", suppress=5)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return
    print(f"database: {connection.vendor}; children: {args.children:,}; episodes stored: {data['episodes']:,}; "
          f"runs: {args.runs}; load average before: {os.getloadavg()[0]:.1f}")
    print(f"{'period':<9} {'step':<34} {'median s':>9} {'fastest s':>10} {'CPU s':>7}")
    for code in ("2025-26", "2026-Q1"):
        period = periodic.parse_period(code)
        fig = partnership_report.figures_for(authority=kent, period_code=code, suppress=5)
        episodes = fig["this"]["key"]["episodes"]["total"]
        steps = [
            ("key figures (one period)", lambda: key_figures(authority=kent, start=period.start, end=period.end)),
            ("report figures (both periods)", lambda: partnership_report.figures_for(
                authority=kent, period_code=code, suppress=5)),
            ("page HTML from the figures", lambda: partnership_report.render_document(fig)),
            ("PDF from the figures", lambda: partnership_report.render_pdf_document(fig)),
        ]
        for name, fn in steps:
            median, fastest, cpu = timed(fn, args.runs)
            print(f"{code:<9} {name:<34} {median:>9.2f} {fastest:>10.2f} {cpu:>7.2f}")
        print(f"{code:<9} (episodes in the period: {episodes})")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
