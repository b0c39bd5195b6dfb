from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web app and API (waitress) against the configured database."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, **options):
        serve(options["host"], options["port"], options["threads"], self.stdout)


def serve(host: str, port: int, threads: int, out) -> None:
    from waitress import serve as waitress_serve

    from homeward.wsgi import application

    out.write(f"Homeward is serving on http://{host}:{port}/ (Ctrl+C to stop)")
    out.flush()
    waitress_serve(application, host=host, port=port, threads=threads, ident="Homeward")
