"""On SQLite, the default, a long import preview (5,000 rows: the import grew fast
enough that 500 were done before the post) does not hold the write lock: a unit
head's progress report posted meanwhile is saved at once. Measured in a process of its
own on a file-backed database (the tests' in-memory one has no second connection to
wait), with WAL, IMMEDIATE transactions and the preview on a copy of the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="the write lock is SQLite's",
)


def test_a_progress_report_is_saved_at_once_during_a_long_preview(
    tmp_path: Path,
) -> None:
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "IMPORT_STAGING_DIR": str(tmp_path / "staging"),
        "PYTHONPATH": str(ROOT),
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
    )
    probe = subprocess.run(
        [python, "tests/sqlite_preview_probe.py", "20", "250", "0.5"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    timing = json.loads(probe.stdout.strip().splitlines()[-1])
    assert timing["preview_status"] == 200
    # The preview was still working when the report was posted …
    assert timing["preview_running"] == 1.0, timing
    # … and the report did not wait for it (the old code waited for the preview's
    # rollback: seconds; loose for a busy machine).
    assert timing["post"] < 1.0, timing
