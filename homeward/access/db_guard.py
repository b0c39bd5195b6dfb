"""Database triggers that make the audit table append-only.

Installed by migration access/0002 on SQLite and PostgreSQL alike: any UPDATE
or DELETE (and on PostgreSQL, TRUNCATE) of audit events is refused by the
database itself, whatever code or client tries it.
"""

from __future__ import annotations

TABLE = "access_auditevent"
MESSAGE = "audit events are append-only"


def create(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS homeward_audit_no_{op.lower()} BEFORE {op} ON {TABLE} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
                )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION homeward_audit_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS homeward_audit_no_change ON {TABLE};")
            cursor.execute(
                f"CREATE TRIGGER homeward_audit_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION homeward_audit_append_only();"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS homeward_audit_no_truncate ON {TABLE};")
            cursor.execute(
                f"CREATE TRIGGER homeward_audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
                "FOR EACH STATEMENT EXECUTE FUNCTION homeward_audit_append_only();"
            )


def drop(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS homeward_audit_no_update;")
            cursor.execute("DROP TRIGGER IF EXISTS homeward_audit_no_delete;")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS homeward_audit_no_change ON {TABLE};")
            cursor.execute(f"DROP TRIGGER IF EXISTS homeward_audit_no_truncate ON {TABLE};")
