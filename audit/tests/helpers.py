"""What the audit tests share."""

from django.db import connection


def tamper(sql: str, params=()) -> None:
    """What an attacker with direct database access does. On PostgreSQL that attacker must first
    drop the append-only trigger (inside the test's transaction, so it comes back afterwards)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")
