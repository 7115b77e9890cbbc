"""The task page's parts: a task of many units renders no form until a part is
opened; the unit head opens only their own unit's part, the office any; the form
opened there saves (or cancels) back to the task page at that part's row."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tasks.models import ProgressUpdate, Task, TaskUnit, Unit
from tests.helpers import client_for, part_of


def _edit_url(part: TaskUnit) -> str:
    return f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/"


def _back(task: Task, part: TaskUnit) -> str:
    return f"/nhiem-vu/{task.pk}/%23part-{part.pk}"


@pytest.fixture
def many_units_task(shared_task: Task, units: dict[str, Unit]) -> Task:
    """The shared task with twelve more units supporting it."""
    for n in range(12):
        unit = Unit.objects.create(
            organization=units["office"].organization,
            name=f"Phòng {n + 1}",
            position=10 + n,
        )
        TaskUnit.objects.create(task=shared_task, unit=unit, role="support")
    return shared_task


def test_a_task_of_many_units_renders_no_form_until_a_part_is_opened(
    office: User, many_units_task: Task
) -> None:
    body = client_for(office).get(many_units_task.get_absolute_url()).content.decode()
    parts = list(many_units_task.parts.all())
    assert len(parts) == 14
    assert 'class="quick-update"' not in body and "<textarea" not in body
    for part in parts:
        link = f'href="{_edit_url(part)}?next={_back(many_units_task, part)}"'
        assert link in body
        assert f'hx-target="#form-{part.pk}"' in body
        assert f'<div id="form-{part.pk}" class="part-form"></div>' in body


def test_a_unit_head_opens_only_their_own_units_part(
    head_center: User, many_units_task: Task, units: dict[str, Unit]
) -> None:
    client = client_for(head_center)
    body = client.get(many_units_task.get_absolute_url()).content.decode()
    own = part_of(many_units_task, units["center"])
    assert body.count('class="part-form"') == 1
    assert f'id="form-{own.pk}"' in body
    for part in many_units_task.parts.exclude(pk=own.pk):
        assert _edit_url(part) not in body
        answer = client.get(_edit_url(part), headers={"HX-Request": "true"})
        assert answer.status_code == 403


def test_the_director_opens_no_part(director: User, many_units_task: Task) -> None:
    body = client_for(director).get(many_units_task.get_absolute_url()).content
    assert b'class="part-form"' not in body and b"/phan-viec/" not in body


def test_the_form_opened_from_the_task_page_saves_back_to_its_row(
    head_center: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    client = client_for(head_center)
    part = part_of(shared_task, units["center"])
    back = f"/nhiem-vu/{shared_task.pk}/#part-{part.pk}"
    fragment = client.get(
        _edit_url(part), {"next": back}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment and 'class="quick-update"' in fragment
    assert f'name="next" value="{back}"' in fragment
    assert f'href="{back}"' in fragment  # “Hủy”: back to the task page, not elsewhere
    response = client.post(
        _edit_url(part),
        {
            "next": back,
            f"p{part.pk}-status": "in_progress",
            f"p{part.pk}-percent": "40",
            f"p{part.pk}-note": "Đã họp triển khai",
            f"p{part.pk}-version": part.version,
        },
    )
    assert response.status_code == 302 and response["Location"] == back
    part.refresh_from_db()
    assert (part.status, part.percent, part.note) == (
        "in_progress",
        40,
        "Đã họp triển khai",
    )
    assert ProgressUpdate.objects.filter(part=part, author=head_center).count() == 1
    page = client.get(back.split("#")[0]).content.decode()
    assert "Đã cập nhật tiến độ" in page and "Đã họp triển khai" in page


def test_a_refused_form_from_the_task_page_keeps_its_way_back(
    office: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    part = part_of(shared_task, units["center"])
    back = f"/nhiem-vu/{shared_task.pk}/#part-{part.pk}"
    response = client_for(office).post(
        _edit_url(part),
        {
            "next": back,
            f"p{part.pk}-status": "in_progress",
            f"p{part.pk}-percent": "140",
            f"p{part.pk}-version": part.version,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f'name="next" value="{back}"' in body and f'href="{back}"' in body
    part.refresh_from_db()
    assert part.percent == 0 and not ProgressUpdate.objects.filter(part=part).exists()
