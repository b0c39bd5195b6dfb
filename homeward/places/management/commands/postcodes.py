"""`homeward postcodes`: the offline postcode directory.

    homeward postcodes load FILE      # ONS Postcode Directory or Code-Point Open CSV
    homeward postcodes lookup TEXT    # where a full or partial postcode is

See docs/places.md ("Geocoding") for the layouts.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = "The postcode directory: `postcodes load FILE` (ONSPD or Code-Point Open), `postcodes lookup TEXT`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load a postcode-to-coordinates file (ONS Postcode Directory layout: "
                                           "pcds, lat, long; or Code-Point Open: postcode, quality, eastings, "
                                           "northings); loading again updates")
        load.add_argument("file", metavar="FILE")
        lookup = sub.add_parser("lookup", help="where a full or partial postcode is")
        lookup.add_argument("text", metavar="TEXT")

    def handle(self, *args, **options):
        if options["action"] == "lookup":
            from homeward.places.directory import geocode

            loc = geocode(options["text"])
            if loc.district == "":
                raise CommandError(f"'{options['text']}' is not a postcode")
            where = (f"{loc.latitude:.6f}, {loc.longitude:.6f}" if loc.latitude is not None
                     else "not in the postcode directory")
            self.stdout.write(f"{loc.postcode or loc.district}: district {loc.district}, {where} "
                              f"(precision: {loc.precision})")
            return
        from homeward.places.directory import LayoutError, postcodes_load

        path = options["file"]
        interactive = sys.stderr.isatty()

        def progress(rows: int) -> None:
            if interactive:
                self.stderr.write(f"\r{rows:,} rows read", ending="")

        try:
            summary = postcodes_load(path, progress=progress)
        except LayoutError as exc:
            raise CommandError(str(exc)) from None
        if interactive:
            self.stderr.write("")
        self.stdout.write(
            f"{summary.filename} ({'ONS Postcode Directory' if summary.layout == 'onspd' else 'Code-Point Open'} "
            f"layout): {summary.rows:,} rows; {summary.loaded:,} postcodes loaded or updated; "
            f"{summary.no_coordinates:,} without coordinates skipped; {summary.bad:,} rejected; "
            f"{summary.districts:,} districts; {summary.places_located:,} recorded places located again.")
        for problem in summary.problems[:SHOWN_PROBLEMS]:
            self.stdout.write(f"  rejected: {summary.filename}: {problem}")
        if summary.bad > SHOWN_PROBLEMS:
            self.stdout.write(f"  ... and {summary.bad - SHOWN_PROBLEMS:,} more rejected rows")
        if summary.loaded == 0:
            raise CommandError(f"{summary.filename}: no postcode could be loaded")
