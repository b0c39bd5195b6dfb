from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from homeward.placements.models import Authority
from homeward.placements.services import authority_add
from homeward.problems import Refused


class Command(BaseCommand):
    help = "Local authorities: `authority add CODE NAME`, `authority list`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a local authority")
        add.add_argument("code", help="three-digit DfE code")
        add.add_argument("name")
        lst = sub.add_parser("list", help="list the authorities")
        lst.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        if options["action"] == "add":
            try:
                authority = authority_add(actor=None, code=options["code"], name=options["name"])
            except Refused as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"Added {authority.name} ({authority.code})")
            return
        rows = list(Authority.objects.order_by("code").values("code", "name", "region", "police_force"))
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
        else:
            for row in rows:
                self.stdout.write(f"{row['code']}  {row['name']}")
