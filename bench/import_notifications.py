"""Benchmark: importing notification rows, against a plain bulk insert of the same rows.

    .venv/bin/python bench/import_notifications.py --rows 1000000
    .venv/bin/python bench/import_notifications.py --rows 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/homeward_bench

1. Writes a synthetic feed with homeward.synth.generator (authority 886, five
   years, about 2.9 rows per child), or reuses the one in --data.
2. Creates a fresh database: a SQLite file in a temporary directory, or (for a
   postgres:// URL) drops and creates that database; then runs the migrations.
3. Imports the file in a subprocess with import_notifications, the code path of
   `homeward import notifications` (matching, merging and the review queue
   included; the file read, checked and hashed in a second process, as the
   command does for a large file, unless --one-process), and reports rows,
   seconds, rows per second, the CPU seconds of the importing process and of
   its reader process, and the importing process's peak resident memory
   (ru_maxrss of that subprocess only; the reader's is reported apart).
4. "The limit": in another subprocess, reads the same file and inserts each
   row's JSON with its source and source_ref into a table like the
   notification table (same index on source, source_ref) straight through the
   driver: sqlite3 executemany, or psycopg COPY, a transaction per 5,000 rows.
   Prints the import's speed as a share of that.

The machine is shared: the load average before and after each run is printed,
and CPU seconds say what the import costs whatever the contention.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
ROWS_PER_CHILD = 2.92  # measured: generate(children=360000, years=5) gave 1,051,968 rows


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def generate(rows: int, seed: int, out: pathlib.Path) -> pathlib.Path:
    feed = out / "notifications.csv"
    if feed.exists():
        _log(f"reusing {feed}")
        return feed
    from homeward.synth.generator import generate as synth

    children = max(100, round(rows / ROWS_PER_CHILD))
    _log(f"generating ~{rows} rows: children={children} years=5 seed={seed} into {out}")
    t = time.time()
    info = synth(authority="886", children=children, years=5, seed=seed, out_dir=out)
    _log(f"  {info['notification_rows']} rows in {time.time() - t:.0f} s")
    return feed


def fresh_database(url: str | None, tmp: pathlib.Path) -> str:
    if not url or url.startswith("sqlite"):
        db = tmp / "bench.db"
        if db.exists():
            db.unlink()
        return f"sqlite:///{db}"
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def run_child(args: list[str], url: str) -> dict:
    """Run a step in a subprocess; its JSON result, with the machine's load
    average (one minute) before, during (mean and highest, read every 5 s)
    and after. The load counts the step's own processes too (the import and
    its reader: about 2 on their own)."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "homeward.settings", "PYTHONHASHSEED": "0"}
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, __file__, *args], env=env, stdout=out, stderr=err, text=True,
                                cwd=ROOT)
        during = []
        while True:
            try:
                proc.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                during.append(os.getloadavg()[0])
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        sys.stderr.write(stderr)
        raise SystemExit(f"{args[0]} failed")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["load_before"] = round(load, 2)
    if during:
        result["load_during_mean"] = round(sum(during) / len(during), 2)
        result["load_during_max"] = round(max(during), 2)
    result["load_after"] = round(os.getloadavg()[0], 2)
    return result


# --- what the subprocesses do ------------------------------------------------------


def _usage() -> dict:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def child_migrate() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(json.dumps({"ok": True}))


def child_import(feed: str, chunk_rows: int | None, profile: str | None, check_blocking: bool,
                 reader: bool = True) -> None:
    import django

    django.setup()
    from homeward.episodes import intake
    from homeward.episodes.importing import import_notifications
    from homeward.placements.models import Authority

    authority = Authority.objects.get(code="886")
    before = _usage()
    index_stats = {}
    original = intake.ChildIndex.__init__

    def watching(self, *a, **kw):
        original(self, *a, **kw)
        self.check_blocking = check_blocking
        index_stats["index"] = self

    intake.ChildIndex.__init__ = watching
    t = time.perf_counter()
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    summary, _ = import_notifications(actor=None, authority=authority, path=pathlib.Path(feed), chunk_rows=chunk_rows,
                                      reader=reader)
    if profile:
        prof.disable()
        prof.dump_stats(profile)
    seconds = time.perf_counter() - t
    after = _usage()
    reader_usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the reader process, once it has ended
    index = index_stats["index"]
    out = {
        "rows": summary.rows, "seconds": round(seconds, 2), "rows_per_second": round(summary.rows / seconds),
        "cpu_seconds": round(after["cpu_seconds"] - before["cpu_seconds"], 2), "peak_rss_mb": after["peak_rss_mb"],
        "reader_cpu_seconds": round(reader_usage.ru_utime + reader_usage.ru_stime, 2),
        "reader_peak_rss_mb": round(reader_usage.ru_maxrss / 1024, 1),
        "rss_before_import_mb": before["peak_rss_mb"],
        "matching": {"reports_matched": index.resolved, "candidates_blocked": index.blocked,
                     "candidates_compared": index.compared},
        "created": summary.created, "updated": summary.updated, "merged": summary.merged,
        "unchanged": summary.unchanged, "review": summary.review, "rejected": len(summary.rejected),
    }
    from homeward.episodes.models import Episode
    from homeward.people.models import Child, MatchReview

    out.update(episodes=Episode.objects.count(), children=Child.objects.count(), reviews=MatchReview.objects.count())
    if check_blocking:
        out.update(blocking_checked=index.checked, blocking_disagreements=len(index.disagreements),
                   blocking_examples=[list(map(str, d)) for d in index.disagreements[:5]])
    print(json.dumps(out))


def child_limit(feed: str, url: str) -> None:
    """A plain bulk insert of the same rows through the driver."""
    t = time.perf_counter()
    before = _usage()
    rows = 0
    batch: list[tuple[str, str, str]] = []
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        conn.execute("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY AUTOINCREMENT, source varchar(100) NOT NULL, "
                     "source_ref varchar(100) NOT NULL, raw text NOT NULL)")
        conn.execute("CREATE INDEX bench_raw_key ON bench_raw (source, source_ref)")

        def flush():
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO bench_raw (source, source_ref, raw) VALUES (?, ?, ?)", batch)
            conn.execute("COMMIT")
    else:
        import psycopg

        conn = psycopg.connect(url, autocommit=True)
        conn.execute("CREATE TABLE bench_raw (id bigserial PRIMARY KEY, source varchar(100) NOT NULL, "
                     "source_ref varchar(100) NOT NULL, raw jsonb NOT NULL)")
        conn.execute("CREATE INDEX bench_raw_key ON bench_raw (source, source_ref)")

        def flush():
            with conn.transaction(), conn.cursor() as cur:
                with cur.copy("COPY bench_raw (source, source_ref, raw) FROM STDIN") as copy:
                    for record in batch:
                        copy.write_row(record)

    with open(feed, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            batch.append((row["source"], row["source_ref"], json.dumps(row, ensure_ascii=False)))
            rows += 1
            if len(batch) >= 5000:
                flush()
                batch.clear()
    if batch:
        flush()
    seconds = time.perf_counter() - t
    after = _usage()
    print(json.dumps({"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds),
                      "cpu_seconds": round(after["cpu_seconds"] - before["cpu_seconds"], 2),
                      "peak_rss_mb": after["peak_rss_mb"]}))


# --- the benchmark -------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("_migrate", "_import", "_limit"):
        sys.path.insert(0, str(ROOT))
        what = sys.argv[1]
        if what == "_migrate":
            child_migrate()
        elif what == "_import":
            chunk = int(sys.argv[3]) if sys.argv[3] != "-" else None
            child_import(sys.argv[2], chunk, sys.argv[4] if sys.argv[4] != "-" else None, sys.argv[5] == "1",
                         reader=sys.argv[6] == "1")
        else:
            child_limit(sys.argv[2], os.environ["DATABASE_URL"])
        return

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="about how many rows to generate")
    parser.add_argument("--database-url", help="postgres://... (a database of that name is dropped and created); "
                        "default: a SQLite file in a temporary directory")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=pathlib.Path, help="where to write (or find) the generated feed; "
                        "default: a temporary directory")
    parser.add_argument("--chunk-rows", type=int, help="rows per transaction (default: the importer's)")
    parser.add_argument("--profile", help="write a cProfile of the import to this file")
    parser.add_argument("--check-blocking", action="store_true",
                        help="also match every report against every child of a nearly-same date of birth, "
                             "and count the decisions blocking changed (slow)")
    parser.add_argument("--one-process", action="store_true",
                        help="read and check the file in the importing process too (no reader process)")
    parser.add_argument("--runs", type=int, default=1, help="import this many times, each into a fresh database")
    parser.add_argument("--no-limit", action="store_true", help="skip the plain bulk insert")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="homeward-bench-"))
    data = args.data or tmp / "data"
    data.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    feed = generate(args.rows, args.seed, data)
    try:
        imports = []
        for run in range(args.runs):
            url = fresh_database(args.database_url, tmp)
            vendor = "sqlite" if url.startswith("sqlite") else "postgresql"
            _log(f"migrating a fresh {vendor} database")
            run_child(["_migrate"], url)
            _log(f"importing (run {run + 1} of {args.runs})")
            imp = run_child(["_import", str(feed), str(args.chunk_rows or "-"), args.profile or "-",
                             "1" if args.check_blocking else "0", "0" if args.one_process else "1"], url)
            imports.append(imp)
            _log(f"  {imp['rows']} rows in {imp['seconds']} s = {imp['rows_per_second']} rows/s "
                 f"({imp['cpu_seconds']} CPU s, reader {imp['reader_cpu_seconds']} CPU s, "
                 f"peak RSS {imp['peak_rss_mb']} MB; load {imp['load_before']}, during "
                 f"{imp.get('load_during_mean')} (max {imp.get('load_during_max')}), after {imp['load_after']})")
        imp = max(imports, key=lambda i: i["rows_per_second"])
        result = {"database": vendor, "cores": os.cpu_count(), "import": imp, "runs": imports}
        if not args.no_limit:
            _log("plain bulk insert (the limit)")
            limit = run_child(["_limit", str(feed)], url)
            result["limit"] = limit
            result["import_share_of_limit"] = round(imp["rows_per_second"] / limit["rows_per_second"], 4)
        print(json.dumps(result, indent=2))
        _log(
            f"{vendor}: best of {len(imports)}: {imp['rows']} rows in {imp['seconds']} s = "
            f"{imp['rows_per_second']} rows/s ({imp['cpu_seconds']} CPU s, peak RSS {imp['peak_rss_mb']} MB)"
            + (f"; limit {result['limit']['rows_per_second']} rows/s; import = "
               f"{result['import_share_of_limit']:.1%} of it (1:{1 / result['import_share_of_limit']:.0f})"
               if "limit" in result else "")
        )
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
