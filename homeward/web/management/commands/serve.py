from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Serve the web app and API (waitress) against the configured database, running the protocol's "
            "schedule every minute in the same process unless --no-scheduler (when a separate worker runs "
            "`homeward protocol run --every 60`).")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-scheduler", action="store_true",
                            help="do not run the protocol's schedule in this process (a separate worker does)")
        parser.add_argument("--every", type=int, default=60, metavar="SECONDS",
                            help="how often the in-process schedule runs (default 60)")

    def handle(self, *args, **options):
        if options["every"] < 5:
            raise CommandError(f"--every: {options['every']} seconds is too often; give 5 or more")
        serve(options["host"], options["port"], options["threads"], self.stdout,
              schedule_every=None if options["no_scheduler"] else options["every"])


def serve(host: str, port: int, threads: int, out, *, schedule_every: int | None = 60) -> None:
    """Serve until stopped. With `schedule_every`, a daemon thread evaluates
    the protocol's time rules that often (homeward/protocol/worker.py), so
    escalations fall due while the server runs with no other process."""
    from waitress import serve as waitress_serve

    from homeward.wsgi import application

    if schedule_every:
        from homeward.protocol.worker import start_background

        start_background(schedule_every)
        out.write(f"The protocol's schedule runs every {schedule_every} seconds in this process.")
    out.write(f"Homeward is serving on http://{host}:{port}/ (Ctrl+C to stop)")
    out.flush()
    waitress_serve(application, host=host, port=port, threads=threads, ident="Homeward")
