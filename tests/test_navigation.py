"""The menu (parplan/context_processors.py): one item highlighted, the page's own."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from criteria.models import Plan
from tests.helpers import client_for


def _highlighted(body: str) -> list[str]:
    nav = body[body.index('<ul class="nav">') : body.index("</nav>")]
    return re.findall(r'<a href="([^"]+)" aria-current="page">', nav)


@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("/nhiem-vu/", "/nhiem-vu/"),
        ("/nhiem-vu/nguoi-dung/", "/nhiem-vu/nguoi-dung/"),
        ("/bao-cao/", "/bao-cao/"),
        ("/bao-cao/xep-hang/", "/bao-cao/xep-hang/"),
        ("/ke-hoach/", "/ke-hoach/"),
        ("/ke-hoach/xuat/", "/ke-hoach/xuat/"),
    ],
)
def test_the_office_sees_one_menu_item_highlighted(
    office: User, seed_plan: Plan, path: str, item: str
) -> None:
    response = client_for(office).get(path)
    assert response.status_code == 200
    assert _highlighted(response.content.decode()) == [item]


def test_a_unit_heads_own_page_highlights_only_its_item(
    head_center: User, seed_plan: Plan
) -> None:
    body = client_for(head_center).get("/nhiem-vu/cua-don-vi/").content.decode()
    assert _highlighted(body) == ["/nhiem-vu/cua-don-vi/"]
