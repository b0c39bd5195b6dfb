from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Create (or reuse) the embedded database, load a synthetic data set for two authorities, "
            "create a demo user for every role, print the log-ins, and serve on http://127.0.0.1:8000.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="set up and print the log-ins, but do not serve")
        parser.add_argument("--scale", type=float, default=1.0, help="size of the data set (1.0: about 1,000 children)")

    def handle(self, *args, **options):
        import os
        from pathlib import Path

        from django.conf import settings

        from homeward import demo
        from homeward.web.management.commands.serve import serve

        if not os.environ.get("HOMEWARD_EMAIL_BACKEND"):
            # The demo's messages to other authorities go to files, not the terminal.
            settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
            settings.EMAIL_FILE_PATH = str(Path.cwd() / "homeward-mail")

        call_command("migrate", verbosity=0)
        if demo.demo_loaded():
            self.stdout.write("Reusing the demo data already in the database.")
        else:
            demo.create_people(self.stdout)
            demo.load(self.stdout, scale=options["scale"])
        logins = demo.create_people(self.stdout)
        from homeward.briefing.demo import demo_profiles
        from homeward.intelligence.demo import load_demo as load_intelligence
        from homeward.places.demo import load_demo_places
        from homeward.places.models import Postcode

        if not Postcode.objects.exists():
            load_demo_places(self.stdout)
        load_intelligence(self.stdout)
        demo_profiles(self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Demo log-ins (password for all: {demo.DEMO_PASSWORD}):")
        for name, role, org in logins:
            self.stdout.write(f"  {name:<32} {role:<28} {org}")
        self.stdout.write("")
        self.stdout.write(f"Messages to other authorities are written to {settings.EMAIL_FILE_PATH or 'the console'}.")
        if not options["no_serve"]:
            serve(options["host"], options["port"], 8, self.stdout)
