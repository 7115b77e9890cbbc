"""``./dev screenshots`` (bench/screenshots.py): the demo served from a temporary
database, one page shot in Chromium at one width. The command runs in its own
process, as a person runs it: Playwright's sync API refuses to start inside the
event loop the other browser tests leave running."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n"


def test_one_command_shoots_a_roles_page_into_a_png_and_lists_its_width(
    tmp_path: Path, _browser: object
) -> None:
    """``_browser`` skips the test where Chromium is missing, as for every browser
    test (and fails it where CI requires a browser)."""
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "screenshots.py"),
            *("--out", str(tmp_path), "--role", "unit_head"),
            *("--page", "tree", "--width", "390"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    shot = tmp_path / "unit_head-tree-390.png"
    assert shot.read_bytes().startswith(PNG)
    index = (tmp_path / "index.txt").read_text(encoding="utf-8")
    assert index.startswith("unit_head-tree-390.png\tHTTP 200\twidth ")
    assert "1 screenshots in" in done.stdout
