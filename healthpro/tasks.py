"""Background jobs of the roof: the nightly backup and its retention, as the backup timer runs
them (`backup --output-dir` then `backup_prune`, the same commands)."""

from celery import shared_task
from django.conf import settings
from django.core.management import call_command

# A large database takes a while to dump; the broker's visibility timeout is longer still.
BACKUP_TIME_LIMIT_SECONDS = 3600


@shared_task(
    name="healthpro.backup_nightly",
    time_limit=BACKUP_TIME_LIMIT_SECONDS,
    soft_time_limit=BACKUP_TIME_LIMIT_SECONDS - 60,
    # A backup killed half-way is not resumed by another worker: the next night writes a new one.
    acks_late=False,
)
def backup_nightly() -> None:
    settings.BACKUP_DIR.mkdir(parents=True, exist_ok=True)
    call_command("backup", output_dir=settings.BACKUP_DIR)
    call_command("backup_prune", str(settings.BACKUP_DIR), daily=7, weekly=5, monthly=12)
