from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Write a synthetic, realistic data set (notifications, SSDA903 header and episodes files) for an authority."

    def add_arguments(self, parser):
        parser.add_argument("--authority", required=True, help="three-digit DfE code of the area authority")
        parser.add_argument("--children", type=int, required=True, help="distinct children in the data set")
        parser.add_argument("--years", type=int, required=True, help="years of data, ending today (or --end)")
        parser.add_argument("--seed", type=int, required=True)
        parser.add_argument("--out", required=True, help="directory to write into (created if needed)")
        parser.add_argument("--end", help="YYYY-MM-DD, the first day after the data (default: today)")
        parser.add_argument("--neighbours", help="comma-separated codes of authorities placing children in the area")

    def handle(self, *args, **options):
        import datetime as dt

        from homeward.placements.services import reference_authorities
        from homeward.synth import generate

        known = {row["code"]: row for row in reference_authorities()}
        code = options["authority"].strip()
        if code not in known:
            raise CommandError(f"'{code}' is not a known local authority code")
        neighbours = None
        if options.get("neighbours"):
            neighbours = [c.strip() for c in options["neighbours"].split(",") if c.strip()]
            unknown = [c for c in neighbours if c not in known]
            if unknown:
                raise CommandError(f"'{unknown[0]}' is not a known local authority code (--neighbours)")
        end = None
        if options.get("end"):
            try:
                end = dt.date.fromisoformat(options["end"])
            except ValueError:
                raise CommandError(f"--end: '{options['end']}' is not a date as YYYY-MM-DD") from None
        if options["children"] < 1 or options["years"] < 1:
            raise CommandError("--children and --years must be at least 1")
        areas = [a for a in known[code]["postcode_areas"].split(";") if a]
        try:
            summary = generate(
                authority=code, children=options["children"], years=options["years"], seed=options["seed"],
                out_dir=Path(options["out"]), end=end, neighbours=neighbours,
                postcode_areas=None if code in ("886", "210", "891", "312") else (areas or None),
                police_force=known[code]["police_force"] or None,
            )
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(summary, indent=2, default=str))
