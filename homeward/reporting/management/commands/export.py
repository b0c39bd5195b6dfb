from __future__ import annotations


from django.core.management.base import BaseCommand, CommandError

from homeward.placements.services import authority_get
from homeward.problems import Refused


class Command(BaseCommand):
    help = "Statutory extracts: `export ssda903-missing --authority CODE --year YYYY`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        m = sub.add_parser("ssda903-missing", help="the SSDA903 missing table for the year ending 31 March YYYY")
        m.add_argument("--authority", required=True)
        m.add_argument("--year", required=True, type=int, help="the collection year's end, e.g. 2025 for 2024-25")

    def handle(self, *args, **options):
        from homeward.reporting import ssda903_missing

        try:
            authority = authority_get(options["authority"], "--authority")
        except Refused as exc:
            raise CommandError(exc.problems[0].message) from None
        if not 2000 <= options["year"] <= 2100:
            raise CommandError(f"--year: {options['year']} is not a collection year like 2025")
        text, breaks = ssda903_missing.export(actor=None, authority=authority, year=options["year"])
        if breaks:
            for b in breaks:
                self.stderr.write(str(b))
            raise CommandError(f"the SSDA903 missing table for {authority.code} {options['year']} was not written: "
                               f"{len(breaks)} rule break(s) listed above; correct the records and export again")
        self.stdout.write(text, ending="")
