"""Helpers that test modules import: the seed file, users of a role, signed-in
clients, the smallest real files, a hypothesis strategy shared by two modules.

Fixtures are in ``conftest.py``; plans of any size in ``factories.py``; workbooks and
whole-database comparisons in ``workbooks.py``.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import Group, User
from django.test import Client
from hypothesis import strategies as st

from parplan.roles import GROUP_NAMES, Role, role_groups_sync
from tasks.models import Membership, Unit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED_FILE = FIXTURES / "ke_hoach_cchc_2023_so_khcn_dak_nong.txt"
PASSWORD = "correct-horse-42"
ORG_NAME = "Sở Khoa học và Công nghệ tỉnh Đắk Nông"

# The smallest real files of each kind (content is checked by its first bytes).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe"
    b"\x02\xfe\xa75\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


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


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def browser_login(page: object, username: str, password: str = PASSWORD) -> None:
    page.goto(page.base_url + "/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def part_of(task: object, unit: Unit) -> object:
    return task.parts.get(unit=unit)


# Indices as the province publishes them, 0–100 with three decimals (test_rules.py,
# test_figures.py).
indices = st.decimals(min_value=0, max_value=100, places=3)


# A Redis cache nobody answers (nothing listens on port 1): the cache down.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }
}
