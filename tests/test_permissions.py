"""The permission matrix: every role against every page and every form post.

Rights are decided in ``parplan.roles`` alone; these tests hit the URLs, so a page
that forgot to ask would fail here whatever its template shows. A refused post
must leave the database exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.test import Client

from criteria.models import Criterion, Plan
from tasks.models import (
    Evidence,
    Membership,
    PasswordChangeRequired,
    ProgressUpdate,
    Task,
    TaskUnit,
    Unit,
)
from tasks.progress import progress_record
from tests.helpers import PDF_BYTES, client_for, part_of

ROLES = [
    "anonymous",
    "outsider",
    "viewer",
    "director",
    "head_office",
    "head_center",
    "office",
]
WITH_ROLE = {"viewer", "director", "head_office", "head_center", "office"}


@dataclass
class World:
    plan: Plan
    criterion: Criterion
    task: Task
    part_office: TaskUnit
    part_center: TaskUnit
    unit_office: Unit
    unit_center: Unit
    criterion_evidence: Evidence
    center_evidence: Evidence
    users: dict[str, User]


@pytest.fixture
def world(
    seed_plan: Plan,
    shared_task: Task,
    units: dict[str, Unit],
    media_root: object,
    office: User,
    head_office: User,
    head_center: User,
    director: User,
    viewer: User,
    outsider: User,
) -> World:
    criterion = shared_task.criterion
    evidence = Evidence(plan=seed_plan, criterion=criterion, number="12/BC-SKHCN")
    evidence.file.save("bao-cao.pdf", ContentFile(PDF_BYTES), save=False)
    evidence.save()
    part_center = part_of(shared_task, units["center"])
    update = progress_record(
        part=part_center,
        user=head_center,
        status="in_progress",
        percent=20,
        note="Bắt đầu",
        expected_version=part_center.version,
        evidence={"link": "https://example.org/bien-ban"},
    )
    return World(
        plan=seed_plan,
        criterion=criterion,
        task=shared_task,
        part_office=part_of(shared_task, units["office"]),
        part_center=TaskUnit.objects.get(pk=part_center.pk),
        unit_office=units["office"],
        unit_center=units["center"],
        criterion_evidence=evidence,
        center_evidence=update.evidence.get(),
        users={
            "office": office,
            "head_office": head_office,
            "head_center": head_center,
            "director": director,
            "viewer": viewer,
            "outsider": outsider,
        },
    )


def client_as(world: World, role: str) -> Client:
    return Client() if role == "anonymous" else client_for(world.users[role])


def snapshot() -> tuple[Any, ...]:
    """Everything a form post of these pages could change."""
    return (
        list(Criterion.objects.order_by("pk").values()),
        list(Task.objects.order_by("pk").values()),
        list(TaskUnit.objects.order_by("pk").values()),
        list(ProgressUpdate.objects.order_by("pk").values_list("pk", flat=True)),
        list(Evidence.objects.order_by("pk").values_list("pk", flat=True)),
        list(Membership.objects.order_by("pk").values_list("user_id", "unit_id")),
        list(
            User.objects.order_by("pk").values_list(
                "username", "is_active", "password", "first_name", "email"
            )
        ),
        list(
            Group.user_set.through.objects.order_by("pk").values_list(
                "user_id", "group_id"
            )
        ),
        list(Unit.objects.order_by("pk").values_list("name", "is_active")),
        list(
            PasswordChangeRequired.objects.order_by("pk").values_list(
                "user_id", "password"
            )
        ),
    )


# Pages ---------------------------------------------------------------------------

# Who may open each page; everyone else with a role gets 403, the anonymous are sent
# to the sign-in page, a signed-in user without a role gets 403.
PAGES: dict[str, set[str]] = {
    "tasks-list": WITH_ROLE,
    "tasks-unit": WITH_ROLE,
    "tasks-detail": WITH_ROLE,
    "reports-criterion": WITH_ROLE,
    "reports-tree-branch": WITH_ROLE,
    "tasks-evidence-file": WITH_ROLE,
    "tasks-mine": {"head_office", "head_center"},
    "tasks-part-update/center": {"head_center", "office"},
    "tasks-part-update/office": {"head_office", "office"},
    "tasks-create": {"office"},
    "tasks-edit": {"office"},
    "tasks-delete": {"office"},
    "tasks-users": {"office"},
    "tasks-user-units": {"office"},
    "tasks-person-create": {"office"},
    "tasks-person-edit": {"office"},
    "tasks-units": {"office"},
    "tasks-unit-edit": {"office"},
    "criteria-create": {"office"},
    "criteria-edit": {"office"},
    "criteria-delete": {"office"},
    "criteria-self-score": {"office"},
    "tasks-evidence-add": {"office"},
    "reports-next-year": {"office"},
    "reports-year-over-year": WITH_ROLE,
    "parplan-ping": WITH_ROLE,
}


def page_url(world: World, page: str) -> str:
    task, criterion = world.task, world.criterion
    return {
        "tasks-list": "/nhiem-vu/",
        "tasks-unit": f"/nhiem-vu/don-vi/{world.unit_center.pk}/",
        "tasks-detail": f"/nhiem-vu/{task.pk}/",
        "reports-criterion": f"/ke-hoach/tieu-chi/{criterion.pk}/",
        "tasks-evidence-file": f"/ke-hoach/tai-lieu/{world.criterion_evidence.pk}/tep/",
        "tasks-mine": "/nhiem-vu/cua-don-vi/",
        "tasks-part-update/center": f"/nhiem-vu/phan-viec/{world.part_center.pk}/cap-nhat/",
        "tasks-part-update/office": f"/nhiem-vu/phan-viec/{world.part_office.pk}/cap-nhat/",
        "tasks-create": f"/nhiem-vu/moi/?criterion={criterion.pk}",
        "tasks-edit": f"/nhiem-vu/{task.pk}/sua/",
        "tasks-delete": f"/nhiem-vu/{task.pk}/xoa/",
        "tasks-users": "/nhiem-vu/nguoi-dung/",
        "tasks-user-units": f"/nhiem-vu/nguoi-dung/{world.users['head_center'].pk}/don-vi/",
        "tasks-person-create": "/nhiem-vu/nguoi-dung/moi/",
        "tasks-person-edit": f"/nhiem-vu/nguoi-dung/{world.users['head_center'].pk}/sua/",
        "tasks-units": "/nhiem-vu/phong-don-vi/",
        "tasks-unit-edit": f"/nhiem-vu/phong-don-vi/{world.unit_center.pk}/sua/",
        "criteria-create": f"/ke-hoach/tieu-chi/moi/?parent={criterion.parent_id}",
        "criteria-edit": f"/ke-hoach/tieu-chi/{criterion.pk}/sua/",
        "criteria-delete": f"/ke-hoach/tieu-chi/{criterion.pk}/xoa/",
        "criteria-self-score": f"/ke-hoach/tieu-chi/{criterion.pk}/tu-cham/",
        "reports-tree-branch": f"/ke-hoach/cay/{criterion.pk}/",
        "tasks-evidence-add": f"/ke-hoach/tieu-chi/{criterion.pk}/tai-lieu/them/",
        "reports-next-year": f"/ke-hoach/{world.plan.pk}/nam-sau/",
        "reports-year-over-year": "/bao-cao/so-sanh-nam/",
        "parplan-ping": "/ping",
    }[page]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_page_opens_only_for_the_roles_that_may_see_it(
    world: World, page: str, role: str
) -> None:
    response = client_as(world, role).get(page_url(world, page))
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/dang-nhap/?next=")
    elif role in PAGES[page]:
        assert response.status_code == 200
    elif page == "tasks-mine" and role in WITH_ROLE:
        # Roles without a unit of their own are sent to the whole list instead.
        assert response.status_code == 302
        assert response["Location"] == "/nhiem-vu/"
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["viewer", "director", "head_office", "head_center"])
def test_read_only_roles_are_not_offered_edit_buttons(world: World, role: str) -> None:
    client = client_as(world, role)
    task_page = client.get(page_url(world, "tasks-detail")).content.decode()
    criterion_page = client.get(page_url(world, "reports-criterion")).content.decode()
    for body in (task_page, criterion_page):
        assert "Sửa nhiệm vụ" not in body
        assert "Xóa nhiệm vụ" not in body
        assert "Sửa tiêu chí" not in body
        assert "Lưu điểm" not in body
        assert "Thêm tài liệu kiểm chứng" not in body


def test_a_unit_head_is_offered_the_update_form_of_their_own_part_only(
    world: World,
) -> None:
    body = client_as(world, "head_office").get(page_url(world, "tasks-detail"))
    html = body.content.decode()
    assert f"/nhiem-vu/phan-viec/{world.part_office.pk}/cap-nhat/" in html
    assert f"/nhiem-vu/phan-viec/{world.part_center.pk}/cap-nhat/" not in html


# Form posts ----------------------------------------------------------------------


def post_for(world: World, action: str) -> tuple[str, dict[str, Any]]:
    task, criterion, part_center = world.task, world.criterion, world.part_center
    return {
        "tasks-create": (
            f"/nhiem-vu/moi/?criterion={criterion.pk}",
            {
                "criterion": criterion.pk,
                "text": "Nhiệm vụ mới",
                "lead_units": [world.unit_center.pk],
            },
        ),
        "tasks-edit": (
            f"/nhiem-vu/{task.pk}/sua/",
            {
                "criterion": criterion.pk,
                "text": "Sửa lại",
                "lead_units": [world.unit_office.pk, world.unit_center.pk],
                "version": task.version,
            },
        ),
        "tasks-delete": (f"/nhiem-vu/{task.pk}/xoa/", {}),
        "tasks-part-update/center": (
            f"/nhiem-vu/phan-viec/{part_center.pk}/cap-nhat/",
            {
                f"p{part_center.pk}-status": "in_progress",
                f"p{part_center.pk}-percent": "60",
                f"p{part_center.pk}-note": "Đã xong dự thảo",
                f"p{part_center.pk}-version": part_center.version,
            },
        ),
        "tasks-user-units": (
            f"/nhiem-vu/nguoi-dung/{world.users['head_center'].pk}/don-vi/",
            {"units": [world.unit_office.pk]},
        ),
        "tasks-person-create": (
            "/nhiem-vu/nguoi-dung/moi/",
            {
                "username": "nguoi_moi",
                "full_name": "Nguyễn Văn Mới",
                "role": "unit_head",
                "units": [world.unit_center.pk],
            },
        ),
        "tasks-person-edit": (
            f"/nhiem-vu/nguoi-dung/{world.users['head_center'].pk}/sua/",
            {
                "full_name": "Trần Thị Trung Tâm",
                "email": "tt@example.org",
                "role": "unit_head",
                "units": [world.unit_center.pk],
            },
        ),
        "tasks-person-active": (
            f"/nhiem-vu/nguoi-dung/{world.users['head_center'].pk}/kich-hoat/",
            {"active": "0"},
        ),
        "tasks-person-password": (
            f"/nhiem-vu/nguoi-dung/{world.users['head_center'].pk}/mat-khau-tam/",
            {},
        ),
        "tasks-units": (
            "/nhiem-vu/phong-don-vi/",
            {"organization": world.plan.organization_id, "name": "Phòng Mới"},
        ),
        "tasks-unit-edit": (
            f"/nhiem-vu/phong-don-vi/{world.unit_center.pk}/sua/",
            {"name": "Trung tâm mới", "is_active": "on"},
        ),
        "criteria-self-score": (
            f"/ke-hoach/tieu-chi/{criterion.pk}/tu-cham/",
            {
                f"c{criterion.pk}-self_score": "1,5",
                f"c{criterion.pk}-explanation": "Có biên bản",
                f"c{criterion.pk}-version": criterion.version,
            },
        ),
        "reports-tree-self-score": (
            f"/ke-hoach/cay/{criterion.pk}/tu-cham/",
            {
                f"c{criterion.pk}-self_score": "1,5",
                f"c{criterion.pk}-explanation": "Có biên bản",
                f"c{criterion.pk}-version": criterion.version,
            },
        ),
        "criteria-create": (
            "/ke-hoach/tieu-chi/moi/",
            {"plan": world.plan.pk, "code": "9", "title": "Lĩnh vực mới"},
        ),
        "criteria-edit": (
            f"/ke-hoach/tieu-chi/{criterion.pk}/sua/",
            {
                "code": criterion.code,
                "title": "Tiêu đề mới",
                "max_score": "2",
                "baseline_score": "0",
                "target_score": "2",
                "version": criterion.version,
            },
        ),
        "criteria-delete": (f"/ke-hoach/tieu-chi/{criterion.pk}/xoa/", {}),
        "tasks-evidence-add": (
            f"/ke-hoach/tieu-chi/{criterion.pk}/tai-lieu/them/",
            {"number": "05/TB-SKHCN", "summary": "Thông báo kết luận"},
        ),
        "tasks-evidence-delete/criterion": (
            f"/ke-hoach/tai-lieu/{world.criterion_evidence.pk}/xoa/",
            {},
        ),
        "tasks-evidence-delete/center": (
            f"/ke-hoach/tai-lieu/{world.center_evidence.pk}/xoa/",
            {},
        ),
        "reports-next-year": (f"/ke-hoach/{world.plan.pk}/nam-sau/", {}),
    }[action]


POSTS: dict[str, set[str]] = {
    "tasks-create": {"office"},
    "tasks-edit": {"office"},
    "tasks-delete": {"office"},
    "tasks-part-update/center": {"office", "head_center"},
    "tasks-user-units": {"office"},
    "tasks-person-create": {"office"},
    "tasks-person-edit": {"office"},
    "tasks-person-active": {"office"},
    "tasks-person-password": {"office"},
    "tasks-units": {"office"},
    "tasks-unit-edit": {"office"},
    "criteria-self-score": {"office"},
    "reports-tree-self-score": {"office"},
    "criteria-create": {"office"},
    "criteria-edit": {"office"},
    "criteria-delete": {"office"},
    "tasks-evidence-add": {"office"},
    "tasks-evidence-delete/criterion": {"office"},
    "tasks-evidence-delete/center": {"office", "head_center"},
    "reports-next-year": {"office"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(POSTS))
def test_each_form_post_is_accepted_only_from_the_roles_that_may_make_it(
    world: World, action: str, role: str
) -> None:
    url, data = post_for(world, action)
    before = snapshot()
    response = client_as(world, role).post(url, data)
    if role in POSTS[action]:
        # A new temporary password is shown on the answer itself, once.
        # The tree's inline self-score answers htmx with the form and its figures.
        shown = action in {
            "tasks-person-create",
            "tasks-person-password",
            "reports-tree-self-score",
        }
        expected = 200 if shown else 302
        assert response.status_code == expected, response.content.decode()[:2000]
        assert snapshot() != before
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert snapshot() == before


def test_a_unit_head_posting_to_another_units_part_is_refused_and_nothing_changes(
    world: World,
) -> None:
    part = world.part_center
    before = snapshot()
    response = client_as(world, "head_office").post(
        f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/",
        {
            f"p{part.pk}-status": "done",
            f"p{part.pk}-percent": "100",
            f"p{part.pk}-version": part.version,
        },
    )
    assert response.status_code == 403
    assert snapshot() == before
    part.refresh_from_db()
    assert (part.status, part.percent) == ("in_progress", 20)


def test_a_part_that_does_not_exist_answers_404(world: World) -> None:
    response = client_as(world, "head_office").post(
        "/nhiem-vu/phan-viec/999999/cap-nhat/", {}
    )
    assert response.status_code == 404
