"""`flush` would empty every table, the audit trail included: refused, except
on a test database, where the audit triggers are lifted for the flush and put
back afterwards (Django's transactional tests flush between tests)."""

from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections


class Command(DjangoFlush):
    def handle(self, **options):
        connection = connections[options["database"]]
        name = str(connection.settings_dict.get("NAME") or "")
        is_test = name.startswith("test_") or "memory" in name or (
            connection.settings_dict.get("TEST", {}).get("NAME") or ""
        ) == name
        if not is_test:
            raise CommandError("flush would delete the audit trail, which is append-only: refused")
        from homeward.access import db_guard

        db_guard.drop(connection)
        try:
            return super().handle(**options)
        finally:
            db_guard.create(connection)
