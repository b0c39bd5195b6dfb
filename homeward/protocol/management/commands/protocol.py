"""`homeward protocol ...`: run the schedule, and read or change an authority's protocol.

    protocol run [--at ISO-DATETIME] [--full] [--no-send] [--every SECONDS]
    protocol show --authority CODE [--version N]
    protocol set (--authority CODE | --region NAME) --file FILE.json [--note TEXT] [--effective-from ISO-DATETIME]
    protocol history --authority CODE
    protocol schema

Bad input (an unknown authority code, a date that is not one, a file that is
not a valid protocol) ends with a message naming the file and the field, and
a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.problems import Refused

from ...rules import LONDON, when


def parse_moment(value: str, option: str = "--at") -> datetime:
    """An ISO 8601 date-time; without an offset it is UK (Europe/London) time; a date alone is its midnight."""
    text = (value or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: '{value}' is not an ISO 8601 date-time, like 2025-03-05T10:00 or "
                           "2025-03-05T10:00:00+00:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment


def authority_by_code(code: str):
    from homeward.placements.models import Authority

    authority = Authority.objects.filter(code=(code or "").strip()).first()
    if authority is None:
        raise CommandError(f"--authority: '{code}' is not a known local authority code (see `homeward authority add`)")
    return authority


class Command(BaseCommand):
    help = ("The missing protocol: `protocol run [--at ISO-DATETIME]` evaluates the time rules as the scheduler "
            "does; `protocol show|set|history --authority CODE` reads or changes an authority's protocol.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{run,show,set,history,schema}")
        run = sub.add_parser("run", help="evaluate the protocol's time rules as of a moment (default: now) and "
                                         "send the messages that are due")
        run.add_argument("--at", metavar="ISO-DATETIME",
                         help="evaluate as of this moment (without an offset: UK time); default now")
        run.add_argument("--full", action="store_true",
                         help="look at every child with a recent or open episode, not only what is due or changed")
        run.add_argument("--no-send", action="store_true", help="do not send queued messages")
        run.add_argument("--every", type=int, metavar="SECONDS",
                         help="keep running, once every SECONDS (a worker); stop with Ctrl-C")
        show = sub.add_parser("show", help="print an authority's protocol in force as JSON (the file format)")
        show.add_argument("--authority", required=True, metavar="CODE")
        show.add_argument("--version", type=int, metavar="N", help="a given version instead of the one in force")
        setp = sub.add_parser("set", help="make a new version of a protocol from a JSON file")
        target = setp.add_mutually_exclusive_group(required=True)
        target.add_argument("--authority", metavar="CODE")
        target.add_argument("--region", metavar="NAME", help="a regional protocol, e.g. 'East Midlands'")
        setp.add_argument("--file", required=True, metavar="FILE.json")
        setp.add_argument("--note", default="", help="why it changed")
        setp.add_argument("--effective-from", metavar="ISO-DATETIME", help="default: now")
        history = sub.add_parser("history", help="the versions of an authority's protocol")
        history.add_argument("--authority", required=True, metavar="CODE")
        sub.add_parser("schema", help="print the protocol file's JSON Schema")

    def handle(self, *args, **options):
        getattr(self, f"do_{options['action']}")(options)

    # --- run ----------------------------------------------------------------------------------

    def do_run(self, options):
        from ...engine import run_schedule, worker_name

        at = parse_moment(options["at"]) if options.get("at") else None
        every = options.get("every")
        if every is not None and every < 1:
            raise CommandError("--every: give a number of seconds of 1 or more")
        worker = worker_name()
        while True:
            summary = run_schedule(now=at, worker=worker, full=options["full"], send=not options["no_send"])
            for line in summary.lines():
                self.stdout.write(line)
            if every is None:
                return
            try:
                time.sleep(every)
            except KeyboardInterrupt:  # pragma: no cover - interactive
                return

    # --- show, set, history, schema ---------------------------------------------------------------

    def do_show(self, options):
        from ...models import ProtocolVersion
        from ...versions import version_in_force

        authority = authority_by_code(options["authority"])
        if options.get("version"):
            version = ProtocolVersion.objects.filter(authority=authority, number=options["version"]).first()
            if version is None:
                raise CommandError(f"--version: {authority.name} has no protocol version {options['version']} "
                                   f"(see `homeward protocol history --authority {authority.code}`)")
        else:
            version = version_in_force(authority)
        self.stderr.write(f"{version}, in force from {when(version.effective_from)} (UK time)"
                          + (f": {version.note}" if version.note else ""))
        self.stdout.write(json.dumps(version.document(), indent=2, ensure_ascii=False))

    def do_set(self, options):
        from ...versions import version_create

        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})") from None
        authority = authority_by_code(options["authority"]) if options.get("authority") else None
        region = (options.get("region") or "").strip()
        if region:
            from homeward.placements.models import Authority

            if not Authority.objects.filter(region=region).exists():
                raise CommandError(f"--region: '{region}' is not a region of any authority")
        effective = parse_moment(options["effective_from"], "--effective-from") if options.get("effective_from") \
            else None
        try:
            version = version_create(actor=None, document=document, authority=authority, region=region,
                                     note=options["note"], effective_from=effective)
        except Refused as refused:
            raise CommandError(f"{path}: " + "; ".join(f"{p.field}: {p.message}" for p in refused.problems)) from None
        self.stdout.write(f"{version} made, in force from {when(version.effective_from)} (UK time).")

    def do_history(self, options):
        from ...versions import version_in_force, versions_of

        authority = authority_by_code(options["authority"])
        current = version_in_force(authority)
        for v in versions_of(authority):
            mark = "*" if v.pk == current.pk else " "
            by = v.created_by.username if v.created_by_id else "-"
            self.stdout.write(f"{mark} {v.scope_label:<28} v{v.number:<4} from {when(v.effective_from):<20} "
                              f"by {by:<24} {v.note}")

    def do_schema(self, options):
        from ...defaults import json_schema

        self.stdout.write(json.dumps(json_schema(), indent=2))
