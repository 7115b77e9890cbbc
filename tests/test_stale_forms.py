"""No lost update: the second save of a form loaded before someone else's save is
refused, shows what changed, and writes nothing."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection

from criteria.editing import criterion_self_score_set
from criteria.models import Criterion, Organization, Plan
from parplan.history import StaleEditError
from tasks.appendix.load import appendix_import
from tasks.models import ProgressUpdate, Task, Unit
from tasks.progress import progress_record
from tests.helpers import SEED_FILE, client_for, part_of


def test_a_stale_self_score_form_is_refused_and_shows_what_changed(
    office: User, seed_plan: Plan
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    loaded = criterion.version
    url = f"/ke-hoach/tieu-chi/{criterion.pk}/tu-cham/"
    first = client_for(office).post(
        url,
        {
            f"c{criterion.pk}-self_score": "1,5",
            f"c{criterion.pk}-explanation": "Theo báo cáo quý",
            f"c{criterion.pk}-version": loaded,
        },
    )
    assert first.status_code == 302
    second = client_for(office).post(
        url,
        {
            f"c{criterion.pk}-self_score": "2",
            f"c{criterion.pk}-explanation": "Đủ tài liệu",
            f"c{criterion.pk}-version": loaded,
        },
    )
    assert second.status_code == 409
    body = second.content.decode()
    assert "người khác đã lưu thay đổi" in body
    assert "Điểm tự đánh giá: — → 1,5" in body
    assert "Office" in body  # who made the change
    criterion.refresh_from_db()
    assert criterion.self_score == Decimal("1.5")
    assert criterion.explanation == "Theo báo cáo quý"
    # The re-shown form keeps what the user typed, now at the current version.
    assert 'value="2"' in body
    assert f'value="{criterion.version}"' in body


def test_a_stale_task_form_is_refused_and_the_task_is_unchanged(
    office: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    url = f"/nhiem-vu/{shared_task.pk}/sua/"
    loaded = shared_task.version
    data = {
        "criterion": shared_task.criterion_id,
        "text": "Bản sửa thứ nhất",
        "lead_units": [units["office"].pk],
        "due_date": "2023-06-30",
        "version": loaded,
    }
    assert client_for(office).post(url, data).status_code == 302
    data.update(text="Bản sửa thứ hai", due_date="2023-09-30")
    response = client_for(office).post(url, data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Bản sửa thứ nhất" in body
    assert "Chưa lưu" in body
    shared_task.refresh_from_db()
    assert shared_task.text == "Bản sửa thứ nhất"
    assert str(shared_task.due_date) == "2023-06-30"


def test_a_stale_progress_form_is_refused_and_no_update_is_appended(
    head_center: User, office: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    part = part_of(shared_task, units["center"])
    url = f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/"
    stale = {
        f"p{part.pk}-status": "in_progress",
        f"p{part.pk}-percent": "30",
        f"p{part.pk}-version": part.version,
    }
    progress_record(
        part=part,
        user=office,
        status="blocked",
        percent=10,
        note="Thiếu kinh phí",
        expected_version=part.version,
    )
    response = client_for(head_center).post(url, stale)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Trạng thái: Chưa thực hiện → Gặp vướng mắc" in body
    assert ProgressUpdate.objects.filter(part=part).count() == 1
    part.refresh_from_db()
    assert (part.status, part.percent) == ("blocked", 10)


def test_the_service_refuses_a_stale_version_without_writing(
    office: User, seed_plan: Plan
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    criterion_self_score_set(
        criterion=criterion,
        user=office,
        self_score=Decimal("0.5"),
        explanation="",
        expected_version=1,
    )
    with pytest.raises(StaleEditError) as caught:
        criterion_self_score_set(
            criterion=criterion,
            user=office,
            self_score=Decimal("0.25"),
            explanation="",
            expected_version=1,
        )
    assert caught.value.current.self_score == Decimal("0.5")
    assert [c.new for e in caught.value.entries for c in e.changes] == ["0,5"]
    criterion.refresh_from_db()
    assert (criterion.self_score, criterion.version) == (Decimal("0.5"), 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_on_postgresql_cannot_both_win(
    office: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")
    part = part_of(shared_task, units["center"])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(percent: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            progress_record(
                part=part,
                user=office,
                status="in_progress",
                percent=percent,
                note="",
                expected_version=1,
            )
            outcomes.append("saved")
        except StaleEditError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(p,)) for p in (40, 50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert ProgressUpdate.objects.filter(part=part).count() == 1


def test_a_stale_criterion_form_is_refused_then_saved_deliberately(
    office: User, seed_plan: Plan
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="2.1.1")
    url = f"/ke-hoach/tieu-chi/{criterion.pk}/sua/"
    data = {
        "code": criterion.code,
        "title": "Tên do người thứ nhất sửa",
        "max_score": str(criterion.max_score),
        "baseline_score": str(criterion.baseline_score),
        "target_score": str(criterion.target_score),
        "version": criterion.version,
    }
    assert client_for(office).post(url, data).status_code == 302
    data["title"] = "Tên do người thứ hai sửa"
    refused = client_for(office).post(url, data)
    assert refused.status_code == 409
    assert "Tên do người thứ nhất sửa" in refused.content.decode()
    criterion.refresh_from_db()
    assert criterion.title == "Tên do người thứ nhất sửa"
    # Saving the re-shown form (now at the current version) is a deliberate choice.
    data["version"] = criterion.version
    assert client_for(office).post(url, data).status_code == 302
    criterion.refresh_from_db()
    assert criterion.title == "Tên do người thứ hai sửa"


def test_a_form_opened_before_a_reimport_is_stale_after_it(
    seed_plan: Plan, office: User, organization: Organization
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    opened_version = criterion.version
    text = SEED_FILE.read_text(encoding="utf-8").replace(
        "chỉ đạo của UBND tỉnh, các ngành liên quan.\t0,5\t0,25",
        "chỉ đạo của UBND tỉnh, các ngành liên quan.\t0,5\t0,3",
    )
    appendix_import(
        organization=organization, year=2023, data=text.encode(), filename="s.txt"
    )
    criterion.refresh_from_db()
    assert criterion.version == opened_version + 1
    unchanged = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    assert unchanged.version == 1
