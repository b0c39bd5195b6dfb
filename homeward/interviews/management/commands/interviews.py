"""`homeward interviews`: derive return interview requirements, and see or set
the quality checklist.

    homeward interviews sync [--authority CODE]
    homeward interviews checklist [--authority CODE]
    homeward interviews checklist --authority CODE --item "voice=Was the child's voice captured?" ...
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from homeward.placements.models import Authority
from homeward.problems import Refused


def _authority(code: str | None):
    if not code:
        return None
    authority = Authority.objects.filter(code=code).first()
    if authority is None:
        raise CommandError(f"'{code}' is not a known local authority code")
    return authority


class Command(BaseCommand):
    help = "Return home interviews: `interviews sync [--authority CODE]`, `interviews checklist`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sync = sub.add_parser("sync", help="create or update the interview requirement of every ended episode")
        sync.add_argument("--authority", metavar="CODE", help="only episodes in this authority's area or of its children")
        sync.add_argument("--format", choices=["text", "json"], default="text")
        checklist = sub.add_parser("checklist", help="show the quality checklist, or set a new version with --item")
        checklist.add_argument("--authority", metavar="CODE", help="the authority (default: Homeward's default)")
        checklist.add_argument("--item", action="append", default=[], metavar="KEY=QUESTION",
                               help="a question of the new version (repeat for each)")

    def handle(self, *args, **options):
        from homeward.interviews.services import checklist_for, checklist_set, interviews_sync_all

        authority = _authority(options.get("authority"))
        if options["action"] == "sync":
            result = interviews_sync_all(authority=authority)
            if options["format"] == "json":
                self.stdout.write(json.dumps({
                    "created": len(result.created), "changed": len(result.changed),
                    "cancelled": len(result.cancelled), "allocated": len(result.allocated),
                    "unchanged": result.unchanged,
                }))
            else:
                where = f" for {authority.name} ({authority.code})" if authority else ""
                self.stdout.write(f"Return interviews{where}: {result}")
            return
        if options["item"]:
            items = []
            for raw in options["item"]:
                key, sep, text = raw.partition("=")
                if not sep:
                    raise CommandError(f"'{raw}': give each item as KEY=QUESTION")
                items.append({"key": key.strip(), "text": text.strip()})
            try:
                checklist = checklist_set(actor=None, authority=authority, items=items)
            except Refused as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"New quality checklist ({len(checklist.items)} questions) in force now")
            return
        checklist = checklist_for(authority.pk if authority else None)
        whose = "Homeward's default" if checklist.authority_id is None else f"{checklist.authority.name}'s"
        self.stdout.write(f"{whose} quality checklist, from {checklist.valid_from:%Y-%m-%d}:")
        for item in checklist.items:
            self.stdout.write(f"  {item['key']}: {item['text']}")
