"""Recompute every patient's blind indexes under the first key of BLIND_INDEX_KEYS, so that an old
key can then be removed.

Rotation: put the new key first in BLIND_INDEX_KEYS (keep the old one after it), restart, run
this command, then drop the old key. Search looks terms up under every key meanwhile, so it keeps
working throughout. Batched and resumable: each batch commits on its own and prints the last
patient id done; `--after-id` starts after it, and a run from the start rewrites nothing twice.
"""

from django.core.management.base import BaseCommand

from records.key_rotation import blind_indexes_reindex_batch, blind_indexes_reindex_record


class Command(BaseCommand):
    help = "Recompute every blind index under the first BLIND_INDEX_KEYS key (batched, resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Patients per transaction (default 500).")
        parser.add_argument("--after-id", type=int, default=0, help="Resume after this patient id.")

    def handle(self, *args, batch_size: int, after_id: int, **options):
        rows = rewritten = 0
        while True:
            result = blind_indexes_reindex_batch(after_id=after_id, size=batch_size)
            if result.last_id is None:
                break
            rows, rewritten, after_id = rows + result.rows, rewritten + result.rewritten, result.last_id
            self.stdout.write(f"patients: {rows} checked, {rewritten} rewritten, done up to id {after_id}")
        blind_indexes_reindex_record(rows=rows, rewritten=rewritten)
        self.stdout.write(self.style.SUCCESS(f"Blind indexes: {rows} patients checked, {rewritten} rewritten."))
