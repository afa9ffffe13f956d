"""The nightly backup as a scheduled job: the same `backup --output-dir` and `backup_prune` as
the backup timer runs, into BACKUP_DIR."""

from datetime import timedelta

from django.utils import timezone

from core import background
from healthpro.backups.retention import archives_in


def test_the_backup_job_writes_an_archive_and_prunes_the_old_ones(seeded, backup_settings, tmp_path):
    backup_settings.BACKUP_DIR = tmp_path / "backups"
    backup_settings.BACKUP_DIR.mkdir()
    yesterday = timezone.now() - timedelta(days=1)
    pruned = backup_settings.BACKUP_DIR / f"healthpro-{yesterday.replace(hour=1):%Y%m%dT%H%M%SZ}.tar.age"
    kept = backup_settings.BACKUP_DIR / f"healthpro-{yesterday.replace(hour=2):%Y%m%dT%H%M%SZ}.tar.age"
    pruned.write_bytes(b"older archive of the same day")
    kept.write_bytes(b"newest archive of that day")

    assert background.run_in_process("healthpro.backup_nightly")

    archives = archives_in(backup_settings.BACKUP_DIR)
    assert archives[0].made_at.date() == timezone.now().date() and archives[0].path.stat().st_size > 100
    assert kept.exists() and not pruned.exists()
