"""Key figures for all authorities together (and one large authority) on an
already filled database (bench/bigdata.py), with the time split between the
one SQL statement and the Python pass, and optionally a cProfile of the pass.

    DATABASE_URL=sqlite:////path/bigdata.db .venv/bin/python bench/kpis_national.py [--repeat 3] [--profile]

Prints wall and CPU seconds (this process), the machine's load average, and a
digest of the figures (to check that a change leaves every figure the same).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--from", dest="start", default="2024-04-01")
    parser.add_argument("--to", dest="end", default="2025-04-01")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--authority", type=int, default=None, help="an authority's code (default: all)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()
    from homeward.placements.models import Authority
    from homeward.reporting import kpis

    start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    authority = Authority.objects.get(code=str(args.authority)) if args.authority else None
    # time the statement alone (rows fetched) as well as the whole
    real_rows = kpis._episode_rows
    fetch = []

    def timed_rows(*a, **k):
        w, c = time.perf_counter(), time.process_time()
        rows = real_rows(*a, **k)
        fetch.append((time.perf_counter() - w, time.process_time() - c, len(rows)))
        return rows

    kpis._episode_rows = timed_rows
    runs = []
    digest = None
    for i in range(args.repeat):
        load = os.getloadavg()
        w, c = time.perf_counter(), time.process_time()
        figures = kpis.key_figures(authority=authority, start=start, end=end)
        runs.append((time.perf_counter() - w, time.process_time() - c, load))
        d = hashlib.sha256(json.dumps(figures, sort_keys=True, default=str).encode()).hexdigest()[:16]
        assert digest in (None, d)
        digest = d
        print(f"run {i + 1}: wall {runs[-1][0]:.3f} s, cpu {runs[-1][1]:.3f} s; statement wall {fetch[-1][0]:.3f} s,"
              f" cpu {fetch[-1][1]:.3f} s, {fetch[-1][2]:,} rows; load {load[0]:.1f}", flush=True)
    later = runs[1:] or runs
    print(f"median: wall {statistics.median(r[0] for r in later):.3f} s, cpu {statistics.median(r[1] for r in later):.3f} s;"
          f" statement wall {statistics.median(f[0] for f in fetch[1:] or fetch):.3f} s;"
          f" episodes {figures['episodes']['total'] if 'episodes' in figures else '?'}; digest {digest}")
    print(json.dumps(figures, sort_keys=True, default=str)[:4000])
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        kpis.key_figures(authority=authority, start=start, end=end)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
