"""``./dev screenshots`` (bench/screenshots.py): the demo served from a temporary
database, one page shot in Chromium at one width."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.screenshots import demo_server, index_write, screenshots_take

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n"


def test_one_command_shoots_a_roles_page_into_a_png_and_lists_its_width(
    tmp_path: Path,
) -> None:
    with demo_server() as base:
        shots = screenshots_take(
            base=base, out=tmp_path, roles=["unit_head"], pages=["tree"], widths=[390]
        )
    (shot,) = shots
    assert shot.path == tmp_path / "unit_head-tree-390.png"
    assert shot.path.read_bytes().startswith(PNG)
    assert shot.status == 200
    assert shot.page_width >= 390
    index = index_write(shots, tmp_path).read_text(encoding="utf-8")
    assert index.startswith("unit_head-tree-390.png\tHTTP 200\twidth ")
