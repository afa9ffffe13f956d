"""The export benchmark runs end to end on a small record (its figures are printed, not asserted).

It builds and drops a database of its own, so it runs in a separate process, on SQLite under a
temporary folder, whatever database the suite itself uses."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_bench_export_prints_time_size_and_memory(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthpro.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench-base.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "bench_export", "--records", "40", "--documents", "1", "--runs", "1"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for label in ("export_build", "archive", "data.json", "fhir-bundle.json", "FHIR resources", "peak Python memory"):
        assert label in result.stdout
