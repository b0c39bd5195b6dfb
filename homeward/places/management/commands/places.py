"""`homeward places`: places and hotspot rows from the episodes and interviews.

    homeward places sync [--authority CODE]

Rebuilds every Place, ChildPlace and hotspot row from the episodes (the
places they started and ended) and the places named in return home
interviews. Idempotent: running it twice changes nothing the second time.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Places: `places sync [--authority CODE]` rebuilds places and hotspot rows from episodes and interviews."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sync = sub.add_parser("sync", help="(re)build places, the children's links to them and the hotspot rows")
        sync.add_argument("--authority", metavar="CODE",
                          help="only this authority's episodes (in its area, of its own children, of its children "
                               "at home)")

    def handle(self, *args, **options):
        from homeward.placements.models import Authority
        from homeward.places.freshness import mark
        from homeward.places.services import places_sync

        authority = None
        code = (options.get("authority") or "").strip()
        if code:
            authority = Authority.objects.filter(code=code).first()
            if authority is None:
                raise CommandError(f"--authority: '{code}' is not a known local authority code "
                                   "(see `homeward authority add`)")
        interactive = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            if interactive:
                self.stderr.write(f"\r{done:,} of {total:,} episodes", ending="")

        from django.utils import timezone

        started = timezone.now()
        summary = places_sync(authority=authority, progress=progress)
        if authority is None:
            mark(started)
        if interactive:
            self.stderr.write("")
        where = f" for {authority.name} ({authority.code})" if authority else ""
        self.stdout.write(f"Places{where}: {summary.episodes:,} episodes, {summary.interviews:,} interviews "
                          f"({summary.links_from_interviews:,} places named), {summary.places:,} places in all.")
