"""The `homeward` command.

`homeward <command> ...` runs the Django management command of that name with
Homeward's settings. Before any command that reads or writes records, it
checks that the database is up to date and, if not, refuses with the advice
to run `homeward migrate`. Bad input ends with a message and a non-zero exit
status, never a traceback (set HOMEWARD_DEBUG=1 to see one).
"""

from __future__ import annotations

import os
import sys

# Commands that work without an up-to-date database.
NO_DATABASE_CHECK = {"migrate", "demo", "synth", "help", "--help", "-h", "version", "--version", "makemigrations",
                     "check", "showmigrations", "collectstatic", "test"}

HELP = """usage: homeward <command> [options]

Commands (contract: docs/cli.md):
  demo                 set up the embedded database with synthetic data and serve it
  serve                serve the web app and API
  migrate              create or upgrade the configured database
  authority add        add a local authority (authority list: list them)
  user list|token      list users; create a personal API token
  import notifications import a notification file (CSV or JSON lines)
  import ssda903       import SSDA903 header and episodes files
  report kpis          the key figures for a period (json, csv, html, pdf, xlsx; filters)
  report partnership   the quarterly or annual report for the partnership (html, pdf)
  report hotspots      where the period's episodes ended, by postcode district
  export ssda903-missing  the DfE missing table for a collection year
  export annex-a-missing|ssd-missing  Ofsted Annex A and SSD lists of missing episodes for a period
  protocol run|show|set   evaluate the protocol's time rules; view or change it
  postcodes load       load a postcode directory (ONS Postcode Directory or Code-Point Open layout)
  places sync          bring the places and hotspot rows up to date with the episodes
  tasks                the tasks raised for an authority
  interviews sync      work out the return home interviews due
  synth                write a synthetic, realistic data set
  help <command>       the options of a command

The database comes from DATABASE_URL (default: homeward.db in this directory).
"""


def _database_is_current() -> tuple[bool, str]:
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections["default"]
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # cannot connect, or the file is not a database
        return False, f"cannot open the database ({exc.__class__.__name__}: {exc})"
    if plan:
        return False, f"the database is not up to date ({len(plan)} migrations to apply)"
    return True, ""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    if not argv or argv[0] in {"-h", "--help"}:
        print(HELP)
        return 0
    if argv[0] == "--version":
        from homeward import __version__

        print(__version__)
        return 0

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import execute_from_command_line
    from django.core.management.base import CommandError

    from homeward.problems import Refused

    command = argv[0]
    if command not in NO_DATABASE_CHECK:
        ok, why = _database_is_current()
        if not ok:
            db = settings.DATABASES["default"]
            where = db.get("NAME") if db["ENGINE"].endswith("sqlite3") else f"{db.get('HOST')}/{db.get('NAME')}"
            print(f"homeward: {why} at {where}. Run `homeward migrate` first.", file=sys.stderr)
            return 2
    try:
        execute_from_command_line(["homeward", *argv])
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    except (Refused, CommandError) as exc:
        print(f"homeward: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("homeward: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if settings.DEBUG or os.environ.get("HOMEWARD_DEBUG"):
            raise
        print(f"homeward: failed: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
