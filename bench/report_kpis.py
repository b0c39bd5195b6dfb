"""How long `report kpis` takes for a year: one large authority, one typical
authority, and all authorities together, on SQLite and PostgreSQL.

    .venv/bin/python bench/report_kpis.py            # smoke: 20,000 children, 50,000 episodes
    .venv/bin/python bench/report_kpis.py --full     # the target: 1,000,000 children, 2,500,000 episodes
    .venv/bin/python bench/report_kpis.py --full --databases postgres --repeat 5

The data comes from bench/bigdata.py (`ensure_bigdata`: made once, then
reused while the parameters are the same): a SQLite file (default under
/tmp/homeward-bench/) and a PostgreSQL database (default
postgres://postgres@127.0.0.1:5432/homeward_bigdata_<children>_<episodes>_<seed>;
it is dropped and made again when it does not hold that data).

For each database, in a fresh process with DATABASE_URL set, it times
`homeward.reporting.kpis.key_figures` (what `report kpis` computes; the JSON
rendering and the audit event are not included) for the statutory year
2024-25 (`--from`/`--to` to change it; the data's plateau years are 2017-18
to 2024-25): first for the large authority (the one with the most episodes
in its area in that year), then a typical one (the median), then all
authorities together. Each is run `--repeat` times (default 3); it prints
the first run and the median of the others, as wall-clock seconds and the
benchmark process's CPU seconds (on PostgreSQL the server's work is not in
that CPU figure: it is given apart, as `server`, read from /proc for the
connection's backend when the server runs on the same machine), with the
number of episodes counted and the machine's load average. Target (issue 6): one authority under 1 s, all under 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SMOKE = (20_000, 50_000)
FULL = (1_000_000, 2_500_000)
# run_all.py's smoke run
SMOKE_ARGS: list[str] = []


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def default_urls(children: int, episodes: int, seed: int) -> dict[str, str]:
    tag = f"{children}_{episodes}_{seed}"
    return {"sqlite": f"sqlite:////tmp/homeward-bench/bigdata_{tag}.db",
            "postgres": f"postgres://postgres@127.0.0.1:5432/homeward_bigdata_{tag}"}


def postgres_reachable(url: str) -> bool:
    import dj_database_url
    import psycopg

    s = dj_database_url.parse(url)
    try:
        with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"] or "postgres",
                             password=s["PASSWORD"] or None, dbname="postgres", connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


# --- in the child process: time the figures -------------------------------------------------------


def measure(start: str, end: str, repeat: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()
    from datetime import date

    from django.db import connection

    from homeward.placements.models import Authority
    from homeward.reporting import rules
    from homeward.reporting.kpis import key_figures

    first, last = date.fromisoformat(start), date.fromisoformat(end)
    t0, t1 = rules.period_bounds(first, last)
    with connection.cursor() as cursor:
        cursor.execute("SELECT area_authority_id, COUNT(*) FROM episodes_episode WHERE started_at >= %s"
                       " AND started_at < %s GROUP BY area_authority_id ORDER BY 2 DESC, 1",
                       [connection.ops.adapt_datetimefield_value(t0), connection.ops.adapt_datetimefield_value(t1)])
        sizes = cursor.fetchall()
        cursor.execute("SELECT COUNT(*) FROM episodes_episode")
        stored = cursor.fetchone()[0]
    if not sizes:
        raise SystemExit("no episodes in that period")
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    ticks = os.sysconf("SC_CLK_TCK")

    def server_cpu() -> float:
        """CPU seconds of this connection's PostgreSQL backend so far (same machine only), else 0."""
        if backend is None:
            return 0.0
        try:
            fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks

    large = Authority.objects.get(pk=sizes[0][0])
    typical = Authority.objects.get(pk=sizes[len(sizes) // 2][0])

    def timed(authority):
        runs = []
        figures = None
        for _ in range(repeat):
            w, c, sc = time.perf_counter(), time.process_time(), server_cpu()
            figures = key_figures(authority=authority, start=first, end=last)
            runs.append((time.perf_counter() - w, time.process_time() - c, server_cpu() - sc))
        rest = runs[1:] or runs
        wall = statistics.median(r[0] for r in rest)
        cpu = statistics.median(r[1] for r in rest)
        server = statistics.median(r[2] for r in rest)
        return {
            "authority": authority.code if authority else "all",
            "name": authority.name if authority else "all authorities",
            "episodes_in_year": figures["episodes"]["total"],
            "children_in_year": figures["children"]["total"],
            "first_wall": round(runs[0][0], 3), "first_cpu": round(runs[0][1], 3),
            "wall": round(wall, 3), "cpu": round(cpu, 3), "server_cpu": round(server, 3), "runs": repeat,
            "all_walls": [round(r[0], 3) for r in runs],
        }

    load_before = os.getloadavg()
    results = [dict(timed(large), role="large"), dict(timed(typical), role="typical"),
               dict(timed(None), role="all")]
    return {"database": connection.vendor, "episodes_stored": stored, "from": start, "to": end,
            "load_before": [round(x, 1) for x in load_before], "load_after": [round(x, 1) for x in os.getloadavg()],
            "results": results}


# --- the parent ------------------------------------------------------------------------------------------


def run_one(url: str, args) -> dict:
    from bigdata import ensure_bigdata

    info = ensure_bigdata(url, args.children, args.episodes, args.seed)
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="homeward.settings")
    done = subprocess.run([sys.executable, __file__, "--measure", "--from", args.start, "--to", args.end,
                           "--repeat", str(args.repeat)], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"report_kpis: the measurement failed on {url}:\n{done.stdout}\n{done.stderr}")
    figures = json.loads(done.stdout)
    figures["data"] = info
    return figures


def print_table(all_figures: list[dict], args) -> None:
    print(f"report kpis, {args.start} to {args.end} (exclusive), {args.children:,} children and "
          f"{args.episodes:,} episodes stored; {os.cpu_count()} CPUs; seconds, median of runs 2-{args.repeat} "
          "(first run in brackets)")
    print(f"{'database':<11}{'authority':<34}{'episodes':>9}  {'wall':>7} {'(first)':>9}  {'cpu':>7} "
          f"{'server':>7}  target")
    for figures in all_figures:
        for r in figures["results"]:
            target = 5.0 if r["role"] == "all" else 1.0
            ok = "met" if r["wall"] < target else "NOT met"
            label = f"{r['role']}: {r['name']} ({r['authority']})" if r["role"] != "all" else "all authorities"
            print(f"{figures['database']:<11}{label[:33]:<34}{r['episodes_in_year']:>9,}  {r['wall']:>7.3f} "
                  f"({r['first_wall']:>7.3f})  {r['cpu']:>7.3f} {r['server_cpu']:>7.3f}  < {target:.0f} s {ok}")
        print(f"{'':<11}load average {figures['load_before']} before, {figures['load_after']} after; "
              f"{figures['episodes_stored']:,} episodes stored")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the target's size: 1,000,000 children, 2,500,000 episodes")
    parser.add_argument("--children", type=int, help=f"default {SMOKE[0]:,} ({FULL[0]:,} with --full)")
    parser.add_argument("--episodes", type=int, help=f"default {SMOKE[1]:,} ({FULL[1]:,} with --full)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite, postgres or both (default)")
    parser.add_argument("--sqlite-url", help="default: sqlite:////tmp/homeward-bench/bigdata_<sizes>_<seed>.db")
    parser.add_argument("--postgres-url", help="default: postgres://postgres@127.0.0.1:5432/homeward_bigdata_<sizes>_<seed>")
    parser.add_argument("--from", dest="start", default="2024-04-01")
    parser.add_argument("--to", dest="end", default="2025-04-01")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.start, args.end, max(1, args.repeat))))
        return 0
    size = FULL if args.full else SMOKE
    args.children = args.children or size[0]
    args.episodes = args.episodes or size[1]
    urls = default_urls(args.children, args.episodes, args.seed)
    urls["sqlite"] = args.sqlite_url or urls["sqlite"]
    urls["postgres"] = args.postgres_url or urls["postgres"]
    wanted = [d.strip() for d in args.databases.split(",") if d.strip()]
    out = []
    for name in wanted:
        if name not in urls:
            parser.error(f"--databases: '{name}' is not sqlite or postgres")
        if name == "postgres" and not postgres_reachable(urls[name]):
            _log(f"report_kpis: PostgreSQL at {urls[name]} is not reachable: skipped")
            continue
        out.append(run_one(urls[name], args))
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print_table(out, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
