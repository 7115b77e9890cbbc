from __future__ import annotations

from django.contrib.auth.models import User

from criteria.models import Plan
from tests.conftest import client_for


def test_the_office_sees_the_task_list_with_filters(
    office: User, seed_plan: Plan
) -> None:
    response = client_for(office).get("/nhiem-vu/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nhiệm vụ, giải pháp" in body
    assert "Thêm nhiệm vụ" in body
    assert body.count('href="/nhiem-vu/') > 10
