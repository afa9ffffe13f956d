"""Re-encrypt every encrypted records column under the current (first) key of
FIELD_ENCRYPTION_KEYS, so that an old key can then be removed.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), restart,
run this command, then drop the old keys. Works on the stored tokens (MultiFernet.rotate): values
are never turned into Python objects or logged. A token no configured key opens stops the
command with the table and row id, and nothing of that batch is changed.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from records.fields import FieldDecryptionError, is_encrypted, rotate_text

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt every encrypted records field under the first FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_app_config("records").get_models():
            columns = [field.column for field in model._meta.concrete_fields if is_encrypted(field)]
            if columns:
                total += self.rotate_table(model._meta.db_table, model._meta.pk.column, columns)
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} rows under the current key."))

    def rotate_table(self, table: str, pk: str, columns: list[str]) -> int:
        quote = connection.ops.quote_name
        selected = ", ".join(quote(column) for column in columns)
        assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
        rows_done, last_id = 0, None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"WHERE {quote(pk)} > %s " if last_id is not None else ""
                cursor.execute(
                    f"SELECT {quote(pk)}, {selected} FROM {quote(table)} {where}"  # noqa: S608 (names from model meta)
                    f"ORDER BY {quote(pk)} LIMIT {BATCH}",
                    [last_id] if last_id is not None else [],
                )
                rows = cursor.fetchall()
                for row_id, *values in rows:
                    try:
                        rotated = [None if value is None else rotate_text(value) for value in values]
                    except FieldDecryptionError as error:
                        raise CommandError(f"{table} row {row_id}: a value no configured key can decrypt.") from error
                    # S608: table and column names from the model's _meta, quoted; values are parameters.
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s",  # noqa: S608
                        [*rotated, row_id],
                    )
            if not rows:
                return rows_done
            rows_done += len(rows)
            last_id = rows[-1][0]
