"""Many organizations: a person sees and changes only their own organization's plans.

Organization A is the permission matrix's world (``tests.test_permissions``); B is a
second department with its own office user and unit head. Every URL of the site is
walked with B's people against A's objects: an object of A answers 404 (a unit head
may get the 403 of their role first), a list shows nothing of A, and a refused post
leaves the database as it was. The rule is ``criteria.managers.organization_visible``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from criteria.models import Criterion, Organization, Plan
from parplan.roles import Role
from tasks.models import QuarterlyReview, Unit
from tests import test_permissions
from tests.helpers import client_for, make_user
from tests.test_permissions import POSTS, World, page_url, post_for, snapshot

world = test_permissions.world  # the permission matrix's fixture: organization A


@dataclass
class OtherOrganization:
    organization: Organization
    plan: Plan
    unit: Unit
    office: User
    head: User


@pytest.fixture
def other(world: World) -> OtherOrganization:
    organization = Organization.objects.create(
        name="Sở Tư pháp tỉnh Đắk Nông", short_name="STP"
    )
    office_unit = Unit.objects.create(
        organization=organization, name="Văn phòng Sở Tư pháp", is_office=True
    )
    unit = Unit.objects.create(
        organization=organization, name="Phòng Hành chính tư pháp"
    )
    plan = Plan.objects.create(
        organization=organization,
        year=2023,
        baseline_year=2022,
        title="Kế hoạch của Sở Tư pháp",
    )
    return OtherOrganization(
        organization=organization,
        plan=plan,
        unit=unit,
        office=make_user("office_b", Role.OFFICE, office_unit),
        head=make_user("head_b", Role.UNIT_HEAD, unit),
    )


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin"):
                continue
            names += _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif pattern.name:
            names.append(pattern.name)
    return names


# Every URL name of the site, by what it shows of an organization.
OBJECT_PAGES = {  # an object of A in the URL: 404 for B (a post only: see POSTS)
    "tasks-unit",
    "tasks-detail",
    "reports-criterion",
    "reports-tree-branch",
    "reports-tree-self-score",
    "tasks-evidence-file",
    "tasks-part-update",
    "tasks-create",
    "tasks-edit",
    "tasks-delete",
    "tasks-user-units",
    "tasks-person-edit",
    "tasks-person-active",
    "tasks-person-password",
    "tasks-unit-edit",
    "criteria-edit",
    "criteria-delete",
    "criteria-self-score",
    "criteria-layers",
    "criteria-scoring",
    "tasks-evidence-add",
    "tasks-evidence-delete",
    "reports-export-self-assessment",
    "reports-export-self-assessment-pdf",
    "reports-export-plan",
    "reports-self-assessment",
    "reports-self-assessment-state",
    "criteria-appeal",
    "criteria-plan-calendar",
    "criteria-plan-settings",
    "tasks-evidence-edit",
    "tasks-review-list-plan",
    "tasks-review-create",
    "tasks-review-edit",
    "tasks-review-delete",
    "reports-next-year",
}
POST_ONLY = {
    "reports-tree-self-score",
    "tasks-evidence-delete",
    "tasks-person-active",
    "tasks-person-password",
}
LIST_PAGES = {  # the user's own organization only
    "home",
    "tasks-list",
    "tasks-mine",
    "tasks-users",
    "tasks-person-create",
    "tasks-units",
    "reports-tree",
    "reports-dashboard",
    "reports-exports",
    "criteria-create",
    "criteria-appraisal-import",
    "criteria-set-import",
    "tasks-import",
    "reports-ranking",
    "criteria-appeals",
    "tasks-review-list",
    "reports-year-over-year",
}
# The province's ranking table is public and shared by its organizations; staged
# imports belong to the session that uploaded them; the rest holds no plan data.
NO_ORGANIZATION_DATA = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "healthz",
    "favicon",
    "parplan-ping",
    "criteria-appraisal-import-confirm",
    "criteria-appraisal-import-cancel",
    "criteria-set-import-confirm",
    "criteria-set-import-cancel",
    "tasks-import-confirm",
    "tasks-import-cancel",
    "reports-ranking-import",
    "reports-ranking-import-confirm",
    "reports-ranking-import-cancel",
    "reports-ranking-import-reread",
}


def test_every_url_of_the_site_is_classified_here() -> None:
    names = set(_walk(get_resolver().url_patterns))
    assert names == OBJECT_PAGES | LIST_PAGES | NO_ORGANIZATION_DATA


@pytest.fixture(autouse=True)
def appraised_and_reviewed(world: World) -> QuarterlyReview:
    """A's criterion has an appraised score (its appeal page opens) and A's plan a
    quarterly review."""
    Criterion.objects.filter(pk=world.criterion.pk).update(appraised_score=0)
    return QuarterlyReview.objects.create(
        plan=world.plan,
        held_on=datetime.date(2023, 3, 30),
        quarter=1,
        conclusions="Kết luận giao ban quý I",
    )


def _object_url(world: World, name: str) -> str:
    plan = world.plan.pk
    criterion = world.criterion.pk
    review = QuarterlyReview.objects.get(plan=world.plan).pk
    return {
        "reports-export-self-assessment-pdf": f"/ke-hoach/xuat/{plan}/tu-danh-gia.pdf",
        "reports-self-assessment": f"/ke-hoach/xuat/{plan}/tu-danh-gia/",
        "reports-self-assessment-state": f"/ke-hoach/{plan}/tu-danh-gia/phe-duyet/",
        "reports-next-year": f"/ke-hoach/{plan}/nam-sau/",
        "criteria-appeal": f"/ke-hoach/tieu-chi/{criterion}/giai-trinh/",
        "criteria-plan-calendar": f"/ke-hoach/{plan}/lich/",
        "criteria-plan-settings": f"/ke-hoach/{plan}/thiet-lap-tu-danh-gia/",
        "tasks-evidence-edit": f"/ke-hoach/tai-lieu/{world.criterion_evidence.pk}/sua/",
        "tasks-review-list-plan": f"/giao-ban/ke-hoach/{plan}/",
        "tasks-review-create": f"/giao-ban/ke-hoach/{plan}/moi/",
        "tasks-review-edit": f"/giao-ban/{review}/sua/",
        "tasks-review-delete": f"/giao-ban/{review}/xoa/",
        "tasks-part-update": page_url(world, "tasks-part-update/center"),
        "criteria-layers": f"/ke-hoach/tieu-chi/{criterion}/tham-dinh/",
        "criteria-scoring": f"/ke-hoach/tieu-chi/{criterion}/cach-cham/",
        "reports-export-self-assessment": f"/ke-hoach/xuat/{plan}/tu-danh-gia.xlsx",
        "reports-export-plan": f"/ke-hoach/xuat/{plan}/ke-hoach.xlsx",
    }.get(name) or page_url(world, name)


@pytest.mark.parametrize("name", sorted(OBJECT_PAGES - POST_ONLY))
def test_another_organizations_office_user_gets_404_for_each_of_its_objects(
    world: World, other: OtherOrganization, name: str
) -> None:
    response = client_for(other.office).get(_object_url(world, name))
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(OBJECT_PAGES - POST_ONLY))
def test_another_organizations_unit_head_never_opens_its_objects(
    world: World, other: OtherOrganization, name: str
) -> None:
    response = client_for(other.head).get(_object_url(world, name))
    assert response.status_code in {403, 404}


@pytest.mark.parametrize("name", sorted(OBJECT_PAGES - POST_ONLY))
def test_its_own_office_still_opens_each_of_them(
    world: World, other: OtherOrganization, name: str
) -> None:
    response = client_for(world.users["office"]).get(_object_url(world, name))
    assert response.status_code == 200


@pytest.mark.parametrize("action", sorted(POSTS))
def test_no_form_post_of_another_organization_changes_anything(
    world: World, other: OtherOrganization, action: str
) -> None:
    url, data = post_for(world, action)
    before = snapshot()
    for user in (other.office, other.head):
        response = client_for(user).post(url, data)
        assert response.status_code in {400, 403, 404}, (action, user)
    assert snapshot() == before


LIST_URLS = {
    "home": "/",
    "tasks-list": "/nhiem-vu/",
    "tasks-mine": "/nhiem-vu/cua-don-vi/",
    "tasks-users": "/nhiem-vu/nguoi-dung/",
    "tasks-person-create": "/nhiem-vu/nguoi-dung/moi/",
    "tasks-units": "/nhiem-vu/phong-don-vi/",
    "reports-tree": "/ke-hoach/",
    "reports-dashboard": "/bao-cao/",
    "reports-exports": "/ke-hoach/xuat/",
    "criteria-create": "/ke-hoach/tieu-chi/moi/",
    "criteria-appraisal-import": "/ke-hoach/tham-dinh/nhap/",
    "criteria-set-import": "/ke-hoach/bo-tieu-chi/nhap/",
    "tasks-import": "/ke-hoach/nhap/",
    "reports-ranking": "/bao-cao/xep-hang/",
    "criteria-appeals": "/ke-hoach/giai-trinh/",
    "tasks-review-list": "/giao-ban/",
    "reports-year-over-year": "/bao-cao/so-sanh-nam/",
}


def test_the_list_urls_cover_every_list_page() -> None:
    assert set(LIST_URLS) == LIST_PAGES


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
@pytest.mark.parametrize("who", ["office", "head"])
def test_a_list_page_shows_nothing_of_another_organization(
    world: World, other: OtherOrganization, name: str, who: str
) -> None:
    client: Client = client_for(getattr(other, who))
    response = client.get(LIST_URLS[name], follow=True)
    assert response.status_code in {200, 403}
    body = response.content.decode()
    assert world.plan.title not in body
    assert world.task.text[:40] not in body
    assert f"/ke-hoach/xuat/{world.plan.pk}/" not in body
    assert world.plan.organization.name not in body
    assert "head_center" not in body
    assert "Trung tâm TTKT&amp; UDKHCN" not in body


def test_an_office_user_sees_its_own_plan_on_the_lists(
    world: World, other: OtherOrganization
) -> None:
    client = client_for(other.office)
    assert other.plan.title in client.get("/ke-hoach/xuat/").content.decode()
    people = client.get("/nhiem-vu/nguoi-dung/").content.decode()
    assert "head_b" in people
    assert "head_center" not in people


def test_an_appraisal_upload_for_another_organizations_plan_is_refused(
    world: World, other: OtherOrganization
) -> None:
    response = client_for(other.office).post(
        "/ke-hoach/tham-dinh/nhap/", {"plan": world.plan.pk}
    )
    assert response.status_code == 400
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()


def test_a_superuser_sees_every_organization(
    world: World, other: OtherOrganization
) -> None:
    root = User.objects.create_superuser("root", password="x")
    assert set(Plan.objects.visible_to(root)) == {world.plan, other.plan}
    client = client_for(root)
    assert client.get(_object_url(world, "tasks-detail")).status_code == 200
    body = client.get("/ke-hoach/xuat/").content.decode()
    assert world.plan.title in body
    assert other.plan.title in body


def test_a_role_without_a_unit_sees_every_organization(
    world: World, other: OtherOrganization
) -> None:
    director = world.users["director"]
    assert set(Plan.objects.visible_to(director)) == {world.plan, other.plan}


def test_the_scope_costs_no_query_of_its_own(
    world: World, other: OtherOrganization, django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert list(Plan.objects.visible_to(other.office)) == [other.plan]
