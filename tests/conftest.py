"""Shared fixtures: the seed plan, and a user of every role (healthchecks-style).

``office`` (Văn phòng Sở staff), ``head_office`` and ``head_center`` (unit heads of two
different units), ``director``, ``viewer`` and ``outsider`` (signed in, no role).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as settings_module
from django.contrib.auth.models import Group, User
from django.test import Client

from criteria.models import Organization, Plan
from parplan.roles import GROUP_NAMES, Role, role_groups_sync
from tasks.appendix.load import appendix_import
from tasks.models import Membership, Unit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED_FILE = FIXTURES / "ke_hoach_cchc_2023_so_khcn_dak_nong.txt"
PASSWORD = "correct-horse-42"
ORG_NAME = "Sở Khoa học và Công nghệ tỉnh Đắk Nông"


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


def make_user(username: str, role: Role | None, unit: Unit | None = None) -> User:
    role_groups_sync()
    user = User.objects.create_user(
        username, password=PASSWORD, first_name=username.title()
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    if unit is not None:
        Membership.objects.create(user=user, unit=unit)
    return user


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


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


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


def browser_login(page: object, username: str, password: str = PASSWORD) -> None:
    page.goto(page.base_url + "/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


# issue 4: pages of the office and unit heads --------------------------------------

# The smallest real files of each kind (content is checked by its first bytes).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe"
    b"\x02\xfe\xa75\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


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


def part_of(task: object, unit: Unit) -> object:
    return task.parts.get(unit=unit)


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
