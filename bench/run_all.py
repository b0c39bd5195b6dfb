"""Run every benchmark in bench/ at a small smoke size and print its figures
(`make bench`).

    .venv/bin/python bench/run_all.py                 # all of them, one after another
    .venv/bin/python bench/run_all.py --only report_kpis,protocol_run
    .venv/bin/python bench/run_all.py --list          # what would run, with which arguments

Each script runs in its own process from the repository root, with the
smoke arguments it declares itself (a module-level list `SMOKE_ARGS = [...]`,
read without importing the script; `{tmp}` in an argument is replaced by a
temporary folder that is removed afterwards) or, for the scripts written
before that convention, those in SMOKE below. A script with neither is
listed as skipped, not run at its full (possibly hours-long) size: give it a
SMOKE_ARGS. A script that works on a database made beforehand gets a small
one made first (PREPARE and SMOKE_ENV below). The smoke sizes check that
every benchmark still runs; their figures are not the ones
docs/performance.md quotes (each script's own docstring says how to run it
at full size).

Exit status: 0 when every script that ran succeeded, 1 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"

# Scripts that are libraries, not benchmarks of their own.
NOT_BENCHMARKS = {"run_all.py", "__init__.py", "conftest.py"}

# Smoke arguments of the scripts that do not declare SMOKE_ARGS.
SMOKE: dict[str, list[str]] = {
    "import_notifications.py": ["--rows", "5000", "--data", "{tmp}/feed"],
    "matching_quality.py": ["--children", "300", "--years", "1"],
    "protocol_run.py": ["--children", "2000"],
    "briefing.py": ["--episodes", "10", "--runs", "3"],
    "bigdata.py": ["--database-url", "sqlite:///{tmp}/bigdata.db", "--children", "2000", "--episodes", "5000"],
    "hotspots.py": ["--database-url", "sqlite:///{tmp}/hotspots.db", "--children", "5000", "--episodes", "12500",
                    "--repeat", "2"],
    "kpis_filters.py": ["--children", "3000", "--repeat", "2"],
    "links.py": ["--database-url", "sqlite:///{tmp}/links.db", "--children", "5000", "--episodes", "12500",
                 "--people", "500", "--sample", "5"],
    "partnership_report.py": ["--children", "600", "--runs", "1"],
    "kpis_national.py": ["--repeat", "2"],
}
# Environment and a command to run first, for scripts that work on a database made beforehand.
SMALL_BIGDATA = ["bench/bigdata.py", "--database-url", "sqlite:///{tmp}/bigdata.db", "--children", "2000",
                 "--episodes", "5000"]
SMOKE_ENV: dict[str, dict[str, str]] = {"kpis_national.py": {"DATABASE_URL": "sqlite:///{tmp}/bigdata.db"}}
PREPARE: dict[str, list[str]] = {"kpis_national.py": SMALL_BIGDATA}


def declared_smoke_args(path: Path) -> list[str] | None:
    """The script's own `SMOKE_ARGS = [...]` (a list of strings), if it has one."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError):
        return None
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if any(isinstance(t, ast.Name) and t.id == "SMOKE_ARGS" for t in targets):
            try:
                args = ast.literal_eval(value)
            except ValueError:
                return None
            if isinstance(args, (list, tuple)) and all(isinstance(a, str) for a in args):
                return list(args)
    return None


def plan(only: set[str] | None = None) -> list[tuple[Path, list[str] | None]]:
    scripts = []
    for path in sorted(BENCH.glob("*.py")):
        if path.name in NOT_BENCHMARKS or path.name.startswith("_"):
            continue
        if only and path.stem not in only and path.name not in only:
            continue
        args = declared_smoke_args(path)
        if args is None:
            args = SMOKE.get(path.name)
        scripts.append((path, args))
    return scripts


def run(path: Path, args: list[str], timeout: float) -> tuple[int, float, str, str]:
    tmp = tempfile.mkdtemp(prefix=f"homeward-bench-{path.stem}-")
    argv = [a.replace("{tmp}", tmp) for a in args]
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # each script chooses its own database
    env.update({k: v.replace("{tmp}", tmp) for k, v in SMOKE_ENV.get(path.name, {}).items()})
    start = time.perf_counter()
    try:
        prepare = PREPARE.get(path.name)
        if prepare:
            before = subprocess.run([sys.executable, *[a.replace("{tmp}", tmp) for a in prepare]], cwd=ROOT,
                                    env={k: v for k, v in env.items() if k != "DATABASE_URL"},
                                    capture_output=True, text=True, timeout=timeout)
            if before.returncode != 0:
                return before.returncode, time.perf_counter() - start, before.stdout, before.stderr
        done = subprocess.run([sys.executable, str(path), *argv], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        code = -1
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = f"timed out after {timeout:.0f} s"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return code, time.perf_counter() - start, out, err


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated script names (with or without .py)")
    parser.add_argument("--list", action="store_true", help="list the scripts and their smoke arguments, run nothing")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed to each script (default 1800)")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()} if args.only else None
    scripts = plan(only)
    if not scripts:
        print("run_all: no benchmark scripts found" + (f" named {', '.join(sorted(only))}" if only else ""))
        return 1
    if args.list:
        for path, smoke in scripts:
            print(f"{path.name}: " + (" ".join(smoke) if smoke is not None else "skipped (no SMOKE_ARGS)"))
        return 0
    failed, summary = [], []
    print(f"Benchmarks at smoke size ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})", flush=True)
    for path, smoke in scripts:
        if smoke is None:
            summary.append((path.name, "skipped: declares no SMOKE_ARGS", 0.0))
            print(f"\n== {path.name}: skipped (it declares no SMOKE_ARGS and has no entry in run_all.SMOKE)",
                  flush=True)
            continue
        print(f"\n== {path.name} {' '.join(smoke)}", flush=True)
        code, seconds, out, err = run(path, smoke, args.timeout)
        print(out.rstrip() or "(no output)", flush=True)
        if code != 0:
            failed.append(path.name)
            tail = "\n".join(err.rstrip().splitlines()[-20:])
            print(f"-- FAILED (exit status {code}) after {seconds:.0f} s; the end of its standard error:\n{tail}",
                  flush=True)
        summary.append((path.name, "ok" if code == 0 else f"FAILED ({code})", seconds))
    print("\n== summary")
    for name, state, seconds in summary:
        print(f"{name:<28} {state:<36} {seconds:>7.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
