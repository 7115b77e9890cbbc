"""Shared fixtures: the seed plan, and a user of every role (healthchecks-style).

``office`` (Văn phòng Sở staff), ``head_office`` and ``head_center`` (unit heads of two
different units), ``director``, ``viewer`` and ``outsider`` (signed in, no role).
The helpers test modules import (``client_for``, ``make_user`` …) are in
``tests/helpers.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as settings_module
from django.contrib.auth.models import User

from criteria.models import Organization, Plan
from parplan.roles import Role
from tasks.appendix.load import appendix_import
from tasks.models import Unit
from tests.helpers import ORG_NAME, SEED_FILE, make_user


@pytest.fixture
def organization(db: None) -> Organization:
    return Organization.objects.create(name=ORG_NAME, short_name="SKHCN")


@pytest.fixture
def units(organization: Organization) -> dict[str, Unit]:
    office = Unit.objects.create(
        organization=organization, name="Văn phòng Sở", is_office=True, position=1
    )
    center = Unit.objects.create(
        organization=organization, name="Trung tâm TTKT& UDKHCN", position=2
    )
    return {"office": office, "center": center}


@pytest.fixture
def seed_plan(organization: Organization, units: dict[str, Unit]) -> Plan:
    report = appendix_import(
        organization=organization,
        year=2023,
        data=SEED_FILE.read_bytes(),
        filename=SEED_FILE.name,
    )
    return report.plan


@pytest.fixture
def office(units: dict[str, Unit]) -> User:
    return make_user("office", Role.OFFICE, units["office"])


@pytest.fixture
def head_office(units: dict[str, Unit]) -> User:
    return make_user("head_office", Role.UNIT_HEAD, units["office"])


@pytest.fixture
def head_center(units: dict[str, Unit]) -> User:
    return make_user("head_center", Role.UNIT_HEAD, units["center"])


@pytest.fixture
def director(db: None) -> User:
    return make_user("director", Role.DIRECTOR)


@pytest.fixture
def viewer(db: None) -> User:
    return make_user("viewer", Role.VIEWER)


@pytest.fixture
def outsider(db: None) -> User:
    return make_user("outsider", None)


# Browser tests ---------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def _browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("PARPLAN_REQUIRE_BROWSER"):
            pytest.fail(
                f"Chromium is required for browser tests but {CHROMIUM} is missing"
            )
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(_browser: object, live_server: object) -> Iterator[object]:
    """A fresh browser page; ``page.base_url`` is the live server's address."""
    context = _browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(10_000)
    pg = context.new_page()
    pg.base_url = live_server.url
    yield pg
    context.close()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    # PBKDF2 costs ~0,2 s a user; the matrix tests create six users per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def media_root(settings: object, tmp_path: Path) -> Path:
    """Uploaded evidence goes to a temporary folder, outside the static tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def shared_task(seed_plan: Plan) -> object:
    """Task of 1.1.1, led by both Văn phòng Sở and Trung tâm TTKT& UDKHCN."""
    from tasks.models import Task

    return Task.objects.get(criterion__plan=seed_plan, criterion__code="1.1.1")


@pytest.fixture(autouse=True)
def _import_staging_dir(settings: object, tmp_path: Path) -> None:
    """Staged uploads of every test stay in its own temporary folder."""
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")


@pytest.fixture(autouse=True)
def _vietnamese_outside_requests() -> Iterator[None]:
    """Every test starts, and ends, in the default language (Vietnamese)."""
    from django.utils import translation

    with translation.override(settings_module.LANGUAGE_CODE):
        yield
