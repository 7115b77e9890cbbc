from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from criteria.models import Criterion, Organization, Plan
from tasks.models import Task
from tests.factories import plan_build
from tests.helpers import SEED_FILE, client_for


@pytest.fixture
def staff_client(office: User) -> Client:
    office.is_staff = True
    office.save()
    return client_for(office)


@pytest.mark.parametrize("size", [1, 5])
def test_the_criteria_list_runs_a_fixed_number_of_queries(
    staff_client: Client,
    organization: Organization,
    units: dict,
    size: int,
    django_assert_num_queries: Any,
) -> None:
    plan_build(organization=organization, areas=size, criteria_per_area=size)
    # session, user, the user's and the group's permissions, the plans of the
    # filter, 2 × count (paginator and full count), the page of criteria with their
    # task counts, their plans' organizations, the role groups of the navigation
    with django_assert_num_queries(10):
        response = staff_client.get("/admin/criteria/criterion/")
    assert response.status_code == 200
    assert "Tiêu chí 1.1" in response.content.decode()


@pytest.mark.parametrize("size", [1, 5])
def test_the_task_list_runs_a_fixed_number_of_queries(
    staff_client: Client,
    organization: Organization,
    units: dict,
    size: int,
    django_assert_num_queries: Any,
) -> None:
    plan_build(
        organization=organization, areas=size, criteria_per_area=size, tasks_per_leaf=2
    )
    # session, user, the user's and the group's permissions, the plans and the
    # units of the filters, 2 × count, the page of tasks, their parts, their units,
    # the role groups of the navigation
    with django_assert_num_queries(12):
        response = staff_client.get("/admin/tasks/task/")
    assert response.status_code == 200
    assert "Nhiệm vụ 1.1.1/2" in response.content.decode()


def test_criteria_are_listed_in_code_order_not_text_order(
    staff_client: Client, organization: Organization, units: dict
) -> None:
    plan_build(
        organization=organization, areas=1, criteria_per_area=10, subs_per_criterion=0
    )
    page = staff_client.get("/admin/criteria/criterion/").content.decode()
    assert page.index("Tiêu chí 1.2<") < page.index("Tiêu chí 1.10<")


def test_the_office_imports_the_appendix_through_the_admin_buttons(
    staff_client: Client, organization: Organization, units: dict
) -> None:
    plan = Plan.objects.create(
        organization=organization, year=2023, baseline_year=2022, title="Kế hoạch 2023"
    )
    upload = SimpleUploadedFile(SEED_FILE.name, SEED_FILE.read_bytes())
    response = staff_client.post(
        "/admin/criteria/criterion/import/",
        {"plan": plan.pk, "format": 2, "resource": 0, "import_file": upload},
    )
    assert response.status_code == 200
    assert Criterion.objects.count() == 0  # the preview writes nothing
    confirm = response.context["confirm_form"]
    response = staff_client.post(
        "/admin/criteria/criterion/process_import/", confirm.initial
    )
    assert response.status_code == 302
    assert Criterion.objects.filter(plan=plan).count() == 24
    assert Task.objects.filter(criterion__plan=plan).count() == 13


def test_a_bad_file_in_the_admin_shows_the_row_and_reason_and_writes_nothing(
    staff_client: Client, organization: Organization
) -> None:
    plan = Plan.objects.create(
        organization=organization, year=2023, baseline_year=2022, title="Kế hoạch 2023"
    )
    text = (
        "STT\tLĩnh vực, tiêu chí\tĐiểm chuẩn\tĐiểm 2022 đạt được\tMục tiêu năm 2023\t"
        "Nhiệm vụ, giải pháp\tĐơn vị chủ trì\n"
        "1\tLĩnh vực\t\t\t\t\t\n1.1\tTiêu chí\t1\tmột\t1\tViệc\tVăn phòng Sở\n"
    )
    upload = SimpleUploadedFile("bad.tsv", text.encode())
    response = staff_client.post(
        "/admin/criteria/criterion/import/",
        {"plan": plan.pk, "format": 2, "resource": 0, "import_file": upload},
    )
    body = response.content.decode()
    assert "Dòng 3" in body and "“một” không phải là số" in body
    assert (
        "confirm_form" not in response.context
        or response.context["confirm_form"] is None
    )
    assert Criterion.objects.count() == 0


def test_an_outsider_cannot_open_the_admin(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    response = client.get("/admin/criteria/criterion/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_staff_director_can_read_the_admin_but_not_import_into_it(
    director: User, organization: Organization
) -> None:
    director.is_staff = True
    director.save()
    plan = Plan.objects.create(
        organization=organization, year=2023, baseline_year=2022, title="Kế hoạch 2023"
    )
    client = client_for(director)
    assert client.get("/admin/criteria/criterion/").status_code == 200
    assert client.get("/admin/criteria/criterion/import/").status_code == 403
    upload = SimpleUploadedFile(SEED_FILE.name, SEED_FILE.read_bytes())
    response = client.post(
        "/admin/criteria/criterion/import/",
        {"plan": plan.pk, "format": 2, "resource": 0, "import_file": upload},
    )
    assert response.status_code == 403
    assert Criterion.objects.count() == 0
