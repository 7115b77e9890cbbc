"""Every change to criteria, tasks and progress is kept with who and when, and shown
on the criterion and task pages."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User

from criteria.editing import criterion_self_score_set
from criteria.models import Criterion, Plan
from parplan.history import history_entries
from tasks.models import Task, Unit
from tests.helpers import client_for, part_of


def history_section(body: str) -> str:
    return body[body.index("Lịch sử thay đổi") :]


def test_the_criterion_page_shows_who_changed_the_self_score_and_how(
    office: User, viewer: User, seed_plan: Plan
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    client_for(office).post(
        f"/ke-hoach/tieu-chi/{criterion.pk}/tu-cham/",
        {
            f"c{criterion.pk}-self_score": "0,25",
            f"c{criterion.pk}-explanation": "Thiếu một báo cáo",
            f"c{criterion.pk}-version": criterion.version,
        },
    )
    body = client_for(viewer).get(criterion.get_absolute_url()).content.decode()
    history = history_section(body)
    assert "Office" in history
    assert "Điểm tự đánh giá" in history
    assert "<del>—</del> → <ins>0,25</ins>" in history
    assert "Thiếu một báo cáo" in history
    record = criterion.history.latest()
    assert record.history_user == office


def test_the_task_page_shows_edits_units_and_progress_with_who_and_when(
    office: User,
    head_center: User,
    director: User,
    shared_task: Task,
    units: dict[str, Unit],
) -> None:
    client_for(office).post(
        f"/nhiem-vu/{shared_task.pk}/sua/",
        {
            "criterion": shared_task.criterion_id,
            "text": "Tuyên truyền CCHC trên trang thông tin điện tử",
            "lead_units": [units["center"].pk],
            "support_units": [units["office"].pk],
            "due_date": "2023-10-31",
            "version": shared_task.version,
        },
    )
    part = part_of(shared_task, units["center"])
    client_for(head_center).post(
        f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/",
        {
            f"p{part.pk}-status": "in_progress",
            f"p{part.pk}-percent": "45",
            f"p{part.pk}-version": part.version,
        },
    )
    body = client_for(director).get(shared_task.get_absolute_url()).content.decode()
    history = history_section(body)
    assert "Nhiệm vụ · Sửa" in history
    assert "Tuyên truyền CCHC trên trang thông tin điện tử" in history
    assert "31/10/2023" in history
    assert "Phần việc của Văn phòng Sở" in history
    assert "<ins>Phối hợp</ins>" in history
    assert "Phần việc của Trung tâm TTKT&amp; UDKHCN" in history
    assert "<ins>45</ins>" in history
    assert "Head_Center" in history
    # The progress report itself, with old and new values.
    assert "0% →" in body
    assert "45%" in body


def test_a_deleted_task_leaves_its_history(office: User, shared_task: Task) -> None:
    pk = shared_task.pk
    client_for(office).post(f"/nhiem-vu/{pk}/xoa/")
    assert not Task.objects.filter(pk=pk).exists()
    deleted = Task.history.filter(id=pk).latest()
    assert deleted.history_type == "-"
    assert deleted.history_user == office


def test_history_entries_diff_records_in_memory(
    office: User, seed_plan: Plan, django_assert_num_queries: object
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.2")
    for version, score in enumerate(["0.25", "0.5"], start=1):
        criterion = criterion_self_score_set(
            criterion=criterion,
            user=office,
            self_score=Decimal(score),
            explanation="",
            expected_version=version,
        )
    records = list(criterion.history.select_related("history_user"))
    with django_assert_num_queries(0):
        entries = history_entries(records)
    assert [(c.old, c.new) for e in entries for c in e.changes] == [
        ("0,25", "0,5"),
        ("—", "0,25"),
    ]
