"""Backup retention (manage.py backup_prune): the newest of each kept day, week and month stays."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from healthpro.backups.retention import archives_in, archives_prune


def make_archives(folder, moments) -> None:
    for moment in moments:
        (folder / f"healthpro-{moment:%Y%m%dT%H%M%SZ}.tar.age").write_bytes(b"age")


def names(archives) -> set[str]:
    return {archive.path.name for archive in archives}


def nightly(days: int, *, last=datetime(2026, 12, 1, 2, 0, tzinfo=UTC)):
    return [last - timedelta(days=n) for n in range(days)]


def test_seven_days_five_weeks_and_twelve_months_of_nightly_archives(tmp_path):
    make_archives(tmp_path, nightly(400))
    (tmp_path / "notes.txt").write_text("not an archive")
    kept, deleted = archives_prune(folder=tmp_path, daily=7, weekly=5, monthly=12, dry_run=False)
    days = {archive.made_at.date() for archive in kept}
    # The 7 newest nights, then one archive per older ISO week (5 weeks in all) and per month (12).
    assert {datetime(2026, 12, 1).date() - timedelta(days=n) for n in range(7)} <= days
    assert len({archive.made_at.isocalendar()[:2] for archive in kept}) >= 5
    assert len({(archive.made_at.year, archive.made_at.month) for archive in kept}) == 12
    assert len(kept) + len(deleted) == 400
    assert len(kept) < 7 + 5 + 12
    assert names(archives_in(tmp_path)) == names(kept)
    assert (tmp_path / "notes.txt").exists()


def test_the_newest_of_each_month_is_the_one_kept(tmp_path):
    make_archives(tmp_path, [datetime(2026, 10, day, 2, tzinfo=UTC) for day in (3, 17, 30)])
    kept, _ = archives_prune(folder=tmp_path, daily=0, weekly=0, monthly=1, dry_run=False)
    assert names(kept) == {"healthpro-20261030T020000Z.tar.age"}


def test_the_dry_run_predicts_the_run_and_deletes_nothing(tmp_path):
    make_archives(tmp_path, nightly(60))
    _, would_delete = archives_prune(folder=tmp_path, daily=3, weekly=2, monthly=2, dry_run=True)
    assert len(archives_in(tmp_path)) == 60
    _, deleted = archives_prune(folder=tmp_path, daily=3, weekly=2, monthly=2, dry_run=False)
    assert names(deleted) == names(would_delete)
    assert len(archives_in(tmp_path)) == 60 - len(deleted)


def test_the_command_says_what_it_deleted_and_refuses_a_retention_of_nothing(tmp_path):
    make_archives(tmp_path, nightly(10))
    out = StringIO()
    call_command("backup_prune", str(tmp_path), "--daily", "2", "--weekly", "0", "--monthly", "0", stdout=out)
    assert "2 archive(s) kept, 8 deleted." in out.getvalue()
    with pytest.raises(CommandError, match="one of them more than 0"):
        call_command("backup_prune", str(tmp_path), "--daily", "0", "--weekly", "0", "--monthly", "0")
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("backup_prune", str(tmp_path / "missing"))
