"""``python -m homeward.synth``: generate a data set and print its figures.

A convenience for development and benchmarking, without Django; the product's
command is ``homeward synth`` (homeward/cli.py), which calls the same
:func:`homeward.synth.generate`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pathlib
import sys
import time

from .generator import generate
from .measure import measure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m homeward.synth", description=__doc__.splitlines()[0])
    parser.add_argument("--authority", required=True, help="three-digit DfE code of the area authority")
    parser.add_argument("--children", type=int, required=True)
    parser.add_argument("--years", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--end", type=dt.date.fromisoformat, help="YYYY-MM-DD, exclusive (default: today)")
    parser.add_argument("--neighbours", help="comma-separated authority codes")
    parser.add_argument("--postcode-areas", help="comma-separated postcode areas")
    parser.add_argument("--police-force", help="police source slug, e.g. kent")
    parser.add_argument("--measure", action="store_true", help="also print the calibration figures")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        summary = generate(
            authority=args.authority, children=args.children, years=args.years, seed=args.seed,
            out_dir=args.out, end=args.end,
            neighbours=args.neighbours.split(",") if args.neighbours is not None else None,
            postcode_areas=args.postcode_areas.split(",") if args.postcode_areas else None,
            police_force=args.police_force,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summary["seconds"] = round(time.perf_counter() - started, 2)
    result = {"summary": summary}
    if args.measure:
        result["measure"] = measure(args.out)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
