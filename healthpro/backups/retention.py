"""Which nightly archives to keep: the newest N days, M ISO weeks and K months (grandfather-father-son).

An archive is known by its name, `healthpro-<UTC time>.tar.age` (manage.py backup --output-dir);
other files in the folder are never touched. For each of the newest N days that have an archive
the newest archive of that day is kept, likewise for weeks and months; the newest archive is always
kept. Everything else is due for deletion.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ARCHIVE_NAME = re.compile(r"^healthpro-(\d{8}T\d{6}Z)\.tar\.age$")


@dataclass(frozen=True)
class Archive:
    path: Path
    made_at: datetime


def archives_in(folder: Path) -> list[Archive]:
    """The archives `backup --output-dir` wrote in `folder`, newest first."""
    found = []
    for path in folder.iterdir():
        match = ARCHIVE_NAME.match(path.name)
        if match and path.is_file():
            made_at = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            found.append(Archive(path=path, made_at=made_at))
    return sorted(found, key=lambda archive: archive.made_at, reverse=True)


def archives_to_keep(archives: list[Archive], *, daily: int, weekly: int, monthly: int) -> set[Path]:
    keep = {archives[0].path} if archives else set()
    periods = (
        (daily, lambda moment: moment.date()),
        (weekly, lambda moment: moment.isocalendar()[:2]),
        (monthly, lambda moment: (moment.year, moment.month)),
    )
    for count, period_of in periods:
        seen = []
        for archive in archives:  # newest first: the first of each period is its newest
            period = period_of(archive.made_at)
            if period in seen:
                continue
            if len(seen) == count:
                break
            seen.append(period)
            keep.add(archive.path)
    return keep


def archives_prune(*, folder: Path, daily: int, weekly: int, monthly: int, dry_run: bool) -> tuple[list, list]:
    """(kept, deleted) archives; with `dry_run` nothing is deleted and `deleted` says what would be."""
    archives = archives_in(folder)
    keep = archives_to_keep(archives, daily=daily, weekly=weekly, monthly=monthly)
    kept = [archive for archive in archives if archive.path in keep]
    deleted = [archive for archive in archives if archive.path not in keep]
    if not dry_run:
        for archive in deleted:
            archive.path.unlink()
    return kept, deleted
