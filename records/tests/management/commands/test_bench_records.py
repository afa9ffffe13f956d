"""The benchmark command runs end to end on a small size (its figures are printed, not asserted).

It builds and drops a database of its own, so it runs in a separate process, on SQLite under a
temporary folder, whatever database the suite itself uses."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_bench_records_measures_every_hot_path_through_the_api(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthpro.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench-base.sqlite3'}",
        "DOCUMENTS_DIR": str(tmp_path / "documents"),
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "bench_records", "--sizes", "30", "--samples", "3"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for label in ("search name+DOB", "chart read (API)", "list page of 50", "list page of 10"):
        assert label in result.stdout
