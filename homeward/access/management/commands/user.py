from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from homeward.access.models import Membership, User
from homeward.access.services import token_create
from homeward.problems import Refused


def user_rows() -> list[dict]:
    rows = []
    for user in User.objects.order_by("username"):
        membership = (
            Membership.objects.select_related("organisation", "organisation__authority")
            .filter(user=user, active=True)
            .first()
        )
        org = membership.organisation if membership else None
        rows.append(
            {
                "username": user.username,
                "organisation": org.name if org else None,
                "authority": org.authority.code if org and org.authority_id else None,
                "role": membership.role if membership else None,
            }
        )
    return rows


class Command(BaseCommand):
    help = "Users: `user list [--format json]`, `user token USERNAME [--name NAME]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="list the users with organisation, authority and role")
        lst.add_argument("--format", choices=["text", "json"], default="text")
        tok = sub.add_parser("token", help="create a personal API token for a user and print it")
        tok.add_argument("username")
        tok.add_argument("--name", default="command line", help="a name to tell the token apart")

    def handle(self, *args, **options):
        if options["action"] == "list":
            rows = user_rows()
            if options["format"] == "json":
                self.stdout.write(json.dumps(rows, indent=2))
            else:
                for r in rows:
                    self.stdout.write(f"{r['username']:<34} {r['role'] or '-':<16} {r['authority'] or '-':<4} {r['organisation'] or '-'}")
            return
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user called '{options['username']}' (see `homeward user list`)")
        try:
            _, raw = token_create(actor=None, user=user, name=options["name"])
        except Refused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(raw)
