"""The database side of a backup, per engine: a consistent snapshot, its figures, and the load.

SQLite: the online backup API copies the live database page by page into a file while the app
keeps running (a reader sees one consistent state). PostgreSQL: a REPEATABLE READ, read-only
transaction exports its snapshot; the row counts and the audit head are read in that transaction
and `pg_dump -Fc --snapshot` dumps exactly the same state. Restore loads the SQLite file through
the same backup API, or `pg_restore --single-transaction`, and keeps an undo point (the target as
it was, empty) so that a restore whose checks fail leaves the target as it found it.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.db import connections

from audit.chain import GENESIS_HASH

# Rows that `migrate` itself writes: a database holding only these is still empty.
MIGRATE_SEEDED_TABLES = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}
)
AUDIT_TABLE = "audit_auditevent"
AUDIT_TRIGGER_FUNCTION = "audit_auditevent_refuse_change"


class DatabaseError(Exception):
    """A snapshot, dump or load failed; the message names the step, never a value."""


@dataclass(frozen=True)
class SnapshotFigures:
    migrations: list[str]
    row_counts: dict[str, int]
    audit_rows: int
    audit_head: str


def engine_of(using: str = "default") -> str:
    vendor = connections[using].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise DatabaseError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count_rows(cursor, table: str, *, any_row: bool = False) -> int:
    """Rows in `table` (0 or 1 with any_row). Table names come from the database's own catalog."""
    limit = " LIMIT 1" if any_row else ""
    # S608: the table name comes from Django's own model registry and is quoted, never from input.
    cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {_quote(table)}{limit}) AS rows")  # noqa: S608
    return cursor.fetchone()[0]


def _figures(cursor, tables: list[str]) -> SnapshotFigures:
    counts = {table: _count_rows(cursor, table) for table in sorted(tables)}
    cursor.execute("SELECT app, name FROM django_migrations")
    migrations = sorted(f"{app}.{name}" for app, name in cursor.fetchall())
    cursor.execute("SELECT row_hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
    head = cursor.fetchone()
    return SnapshotFigures(migrations, counts, counts.get(AUDIT_TABLE, 0), head[0] if head else GENESIS_HASH)


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [row[0] for row in cursor.fetchall()]


def _sqlite_copy(source: sqlite3.Connection, target: sqlite3.Connection, progress) -> None:
    def report(status, remaining, total):
        progress(f"database pages {total - remaining}/{total}")

    # pages=-1: one step under one read lock, so the copy is one consistent state even while
    # other connections write.
    source.backup(target, pages=-1, progress=report)


def _sqlite_raw(using: str) -> sqlite3.Connection:
    connection = connections[using]
    connection.ensure_connection()
    return connection.connection


def pg_connect_params(using: str) -> dict:
    settings = connections[using].settings_dict
    options = settings.get("OPTIONS", {})
    params = {
        "dbname": settings["NAME"],
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
        "host": settings.get("HOST") or None,
        "port": str(settings["PORT"]) if settings.get("PORT") else None,
        "sslmode": options.get("sslmode"),
    }
    return {key: value for key, value in params.items() if value}


def _pg_env(using: str) -> dict:
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"}
    names["sslmode"] = "PGSSLMODE"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update({names[key]: value for key, value in pg_connect_params(using).items()})
    return env


def _pg_run(arguments: list[str], using: str, step: str) -> None:
    if shutil.which(arguments[0]) is None:
        raise DatabaseError(f"{arguments[0]} is not installed (apt-get install postgresql-client).")
    # A fixed argument list, no shell: the only inputs are paths we chose and the snapshot id.
    # S603: pg_dump/pg_restore from PATH with arguments we build; no shell, nothing from a request.
    result = subprocess.run(arguments, env=_pg_env(using), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise DatabaseError(f"{step} failed ({arguments[0]} exit {result.returncode}): {last}")


@contextmanager
def _pg_snapshot_transaction(using: str):
    with psycopg.connect(**pg_connect_params(using)) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            yield cursor, cursor.fetchone()[0]
        conn.rollback()


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [row[0] for row in cursor.fetchall()]


def snapshot_write(path: Path, *, using: str = "default", progress=lambda line: None) -> SnapshotFigures:
    """Write a consistent copy of the database to `path` and return its figures."""
    if engine_of(using) == "sqlite":
        target = sqlite3.connect(path)
        try:
            _sqlite_copy(_sqlite_raw(using), target, progress)
            return _figures(target.cursor(), _sqlite_tables(target.cursor()))
        finally:
            target.close()
    with _pg_snapshot_transaction(using) as (cursor, snapshot):
        figures = _figures(cursor, _pg_tables(cursor))
        progress("database: pg_dump running")
        _pg_run(
            ["pg_dump", "-Fc", f"--snapshot={snapshot}", "--no-owner", "--no-privileges", "-f", str(path)],
            using,
            "pg_dump",
        )
    return figures


def table_names(using: str = "default") -> list[str]:
    connection = connections[using]
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def live_row_counts(using: str = "default") -> dict[str, int]:
    with connections[using].cursor() as cursor:
        return {table: _count_rows(cursor, table) for table in table_names(using)}


def tables_with_data(using: str = "default") -> list[str]:
    """The app's tables that hold rows (those `migrate` fills are not counted)."""
    with connections[using].cursor() as cursor:
        return [
            table
            for table in table_names(using)
            if table not in MIGRATE_SEEDED_TABLES and _count_rows(cursor, table, any_row=True)
        ]


@dataclass(frozen=True)
class UndoPoint:
    path: Path | None


def undo_point_write(work: Path, *, using: str = "default") -> UndoPoint:
    """A copy of the (empty) target before a load, to put back if the restore's checks fail."""
    if engine_of(using) == "sqlite":
        path = work / "target-before.sqlite3"
        target = sqlite3.connect(path)
        try:
            _sqlite_raw(using).backup(target)
        finally:
            target.close()
        return UndoPoint(path)
    if not table_names(using):
        return UndoPoint(None)
    path = work / "target-before.pgdump"
    _pg_run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(path)], using, "pg_dump of the target")
    return UndoPoint(path)


def database_load(path: Path, *, using: str = "default", progress=lambda line: None) -> None:
    """Replace the target database's content with the snapshot at `path`."""
    if engine_of(using) == "sqlite":
        source = sqlite3.connect(path)
        try:
            _sqlite_copy(source, _sqlite_raw(using), progress)
        finally:
            source.close()
        return
    connections[using].close()
    progress("database: pg_restore running")
    _pg_run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            connections[using].settings_dict["NAME"],
            str(path),
        ],
        using,
        "pg_restore",
    )


def undo(point: UndoPoint, *, using: str = "default") -> None:
    """Put the target back as it was before database_load."""
    if engine_of(using) == "sqlite":
        database_load(point.path, using=using)
        return
    tables = table_names(using)
    with connections[using].cursor() as cursor:
        if tables:
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(_quote(table) for table in tables) + " CASCADE")
        cursor.execute(f"DROP FUNCTION IF EXISTS {AUDIT_TRIGGER_FUNCTION}()")
    if point.path is not None:
        database_load(point.path, using=using)
