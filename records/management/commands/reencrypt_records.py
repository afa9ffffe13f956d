"""Re-encrypt every encrypted records column and every document file under the current (first)
key of FIELD_ENCRYPTION_KEYS, so that an old key can then be removed.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), restart,
run this command, then drop the old keys. Works on the stored tokens (MultiFernet.rotate): values
are never turned into Python objects or logged. A token no configured key opens stops the
command with the table and row id (or the document id), and nothing of that batch is changed.

Resumable: a row or file already under the first key is left as it is, so a run that stopped
anywhere is simply run again. A document file is replaced by writing the new file beside it,
flushing it to disk and renaming it over the old one: it is never missing or half written.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from records.fields import FieldDecryptionError, is_encrypted, key_position, rotate_text
from records.key_rotation import DocumentFileError, document_files_reencrypt_batch

BATCH = 500
DOCUMENT_BATCH = 100


class Command(BaseCommand):
    help = "Re-encrypt every encrypted records field and document file under the first FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_app_config("records").get_models():
            columns = [field.column for field in model._meta.concrete_fields if is_encrypted(field)]
            if columns:
                total += self.rotate_table(model._meta.db_table, model._meta.pk.column, columns)
        files = self.rotate_documents()
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {total} rows and {files} document files under the current key.")
        )

    def rotate_table(self, table: str, pk: str, columns: list[str]) -> int:
        quote = connection.ops.quote_name
        selected = ", ".join(quote(column) for column in columns)
        assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
        rows_done, rewritten, last_id = 0, 0, None
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
                    if all(value is None or key_position(value) == 0 for value in values):
                        continue
                    try:
                        rotated = [None if value is None else rotate_text(value) for value in values]
                    except FieldDecryptionError as error:
                        raise CommandError(f"{table} row {row_id}: a value no configured key can decrypt.") from error
                    # S608: table and column names from the model's _meta, quoted; values are parameters.
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s",  # noqa: S608
                        [*rotated, row_id],
                    )
                    rewritten += 1
            if not rows:
                if rows_done:
                    self.stdout.write(f"{table}: {rows_done} rows checked, {rewritten} re-encrypted")
                return rewritten
            rows_done += len(rows)
            last_id = rows[-1][0]

    def rotate_documents(self) -> int:
        checked, rewritten, last_id = 0, 0, 0
        while True:
            try:
                result = document_files_reencrypt_batch(after_id=last_id, size=DOCUMENT_BATCH)
            except DocumentFileError as error:
                raise CommandError(str(error)) from None
            if result.last_id is None:
                return rewritten
            checked, rewritten, last_id = checked + result.rows, rewritten + result.rewritten, result.last_id
            self.stdout.write(f"document files: {checked} checked, {rewritten} re-encrypted, done up to id {last_id}")
