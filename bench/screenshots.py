"""Screenshots of the main pages for each role: ``./dev screenshots``.

Builds a throw-away SQLite database with the demo loaded (``migrate``, ``load_demo``),
serves it with ``runserver`` on a free port of 127.0.0.1, signs in as each demo user
in Debian's Chromium (Playwright) and saves full-page PNGs of the dashboard, the plan
tree and the unit head's page at 1,366 px and 390 px into ``screenshots/`` (ignored
by git), with ``index.txt`` giving each page's width: a page wider than its viewport
overflows. Nothing is asserted: people look.

    python bench/screenshots.py [--out DIR] [--role office] [--page tree] [--width 390]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "parplan-demo"  # the demo users' (fixtures/demo.json, README.md)

# The demo user of each role (fixtures/demo.json).
ROLES = {
    "office": "vanphong",
    "director": "giamdoc",
    "unit_head": "trungtam",
    "viewer": "xem",
}
# The pages, by the path the demo serves them at; a role the page refuses gets a
# shot of the refusal, which is worth seeing too.
PAGES = {
    "dashboard": "/bao-cao/",
    "tree": "/ke-hoach/",
    "unit_head": "/nhiem-vu/cua-don-vi/",
}
WIDTHS = (1366, 390)


@dataclass(frozen=True)
class Shot:
    path: Path
    role: str
    page: str
    width: int
    status: int
    page_width: int  # document.documentElement.scrollWidth

    @property
    def overflows(self) -> bool:
        return self.page_width > self.width


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@contextmanager
def demo_server() -> Iterator[str]:
    """The demo on a temporary SQLite database, served on a free port; its base URL."""
    with tempfile.TemporaryDirectory(prefix="parplan-shots-") as folder:
        env = os.environ | {
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'db.sqlite3'}",
            "DEBUG": "1",  # runserver serves the static files
            "MEDIA_ROOT": str(Path(folder) / "media"),
            "IMPORT_STAGING_DIR": str(Path(folder) / "staging"),
        }
        _manage(env, "migrate", "--noinput")
        _manage(env, "load_demo")
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--nothreading",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _attempt in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                raise RuntimeError("the demo server did not start")
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)


def screenshots_take(
    *,
    base: str,
    out: Path,
    roles: Sequence[str] = tuple(ROLES),
    pages: Sequence[str] = tuple(PAGES),
    widths: Sequence[int] = WIDTHS,
) -> list[Shot]:
    """Sign in as each role's demo user at ``base`` and save a full-page PNG of each
    page at each width into ``out`` (``<role>-<page>-<width>.png``)."""
    from playwright.sync_api import sync_playwright  # a dev tool, not the app's

    out.mkdir(parents=True, exist_ok=True)
    shots: list[Shot] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            for role in roles:
                for width in widths:
                    context = browser.new_context(
                        viewport={"width": width, "height": 800}
                    )
                    page = context.new_page()
                    page.goto(base + "/dang-nhap/")
                    page.fill("#id_username", ROLES[role])
                    page.fill("#id_password", PASSWORD)
                    page.click("main button[type=submit]")
                    page.wait_for_load_state("domcontentloaded")
                    for name in pages:
                        response = page.goto(base + PAGES[name])
                        page.wait_for_load_state("networkidle")
                        path = out / f"{role}-{name}-{width}.png"
                        page.screenshot(path=str(path), full_page=True)
                        shots.append(
                            Shot(
                                path=path,
                                role=role,
                                page=name,
                                width=width,
                                status=response.status if response else 0,
                                page_width=page.evaluate(
                                    "document.documentElement.scrollWidth"
                                ),
                            )
                        )
                    context.close()
        finally:
            browser.close()
    return shots


def index_write(shots: Sequence[Shot], out: Path) -> Path:
    lines = [
        f"{s.path.name}\tHTTP {s.status}\twidth {s.page_width} px"
        + ("\tOVERFLOWS" if s.overflows else "")
        for s in shots
    ]
    path = out / "index.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--role", action="append", choices=sorted(ROLES))
    parser.add_argument("--page", action="append", choices=sorted(PAGES))
    parser.add_argument("--width", action="append", type=int)
    options = parser.parse_args(argv)
    with demo_server() as base:
        shots = screenshots_take(
            base=base,
            out=options.out,
            roles=options.role or tuple(ROLES),
            pages=options.page or tuple(PAGES),
            widths=options.width or WIDTHS,
        )
    index = index_write(shots, options.out)
    print(index.read_text(encoding="utf-8"), end="")
    print(f"{len(shots)} screenshots in {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
