"""The office manages the people and units of its own organization in the app
(tasks/people.py, tasks/people_views.py): create a person with a temporary password,
change their role and units, deactivate and reactivate them; create, rename and
deactivate units."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from criteria.models import Criterion, Organization, Plan
from parplan.roles import Role, user_roles
from tasks.models import Membership, PasswordChangeRequired, Task, Unit
from tests.helpers import PASSWORD, client_for, make_user

PEOPLE = "/nhiem-vu/nguoi-dung/"
CREATE = "/nhiem-vu/nguoi-dung/moi/"
UNITS = "/nhiem-vu/phong-don-vi/"


@pytest.fixture
def other_office(db: None) -> User:
    """The office user of another organization, with a unit head of their own."""
    organization = Organization.objects.create(name="Sở Tư pháp tỉnh Đắk Nông")
    unit = Unit.objects.create(organization=organization, name="Văn phòng Sở Tư pháp")
    make_user("head_b", Role.UNIT_HEAD, unit)
    return make_user("office_b", Role.OFFICE, unit)


def _signs_in(username: str, password: str) -> bool:
    response = Client().post(
        "/dang-nhap/", {"username": username, "password": password}
    )
    return response.status_code == 302


def _shown_password(body: str) -> str:
    found = re.search(r"<code>([^<]+)</code>", body)
    assert found, body
    return found.group(1)


@pytest.mark.parametrize(
    "who", ["outsider", "viewer", "director", "head_center", "head_office"]
)
@pytest.mark.parametrize("url", [PEOPLE, CREATE, UNITS])
def test_only_the_office_opens_the_people_and_units_pages(
    request: pytest.FixtureRequest, office: User, who: str, url: str
) -> None:
    assert client_for(request.getfixturevalue(who)).get(url).status_code == 403
    assert client_for(office).get(url).status_code == 200


def test_the_office_creates_a_person_who_signs_in_with_the_temporary_password(
    office: User, units: dict[str, Unit]
) -> None:
    response = client_for(office).post(
        CREATE,
        {
            "username": "nguyen.van.a",
            "full_name": "Nguyễn Văn A",
            "email": "a@example.org",
            "role": Role.UNIT_HEAD,
            "units": [units["center"].pk],
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Đã tạo tài khoản nguyen.van.a" in body
    person = User.objects.get(username="nguyen.van.a")
    assert person.get_full_name() == "Nguyễn Văn A"
    assert person.email == "a@example.org"
    assert user_roles(person) == {Role.UNIT_HEAD}
    assert [m.unit for m in person.memberships.all()] == [units["center"]]
    assert person.check_password(_shown_password(body))
    assert PasswordChangeRequired.objects.filter(user=person).exists()
    assert _signs_in("nguyen.van.a", _shown_password(body))


def test_a_duplicate_username_is_refused_with_a_vietnamese_message(
    office: User, head_center: User
) -> None:
    response = client_for(office).post(
        CREATE,
        {"username": "HEAD_CENTER", "full_name": "Ai đó", "role": Role.VIEWER},
    )
    assert response.status_code == 400
    assert "Tên đăng nhập “HEAD_CENTER” đã có." in response.content.decode()
    assert User.objects.filter(username__iexact="head_center").count() == 1


def test_a_unit_of_another_organization_cannot_be_given(
    office: User, other_office: User
) -> None:
    theirs = Unit.objects.get(name="Văn phòng Sở Tư pháp")
    response = client_for(office).post(
        CREATE,
        {
            "username": "lan",
            "full_name": "Lan",
            "role": Role.VIEWER,
            "units": [theirs.pk],
        },
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="lan").exists()


def test_the_office_changes_a_persons_name_role_and_units(
    office: User, head_center: User, units: dict[str, Unit]
) -> None:
    url = f"/nhiem-vu/nguoi-dung/{head_center.pk}/sua/"
    page = client_for(office).get(url).content.decode()
    assert '<option value="unit_head" selected>' in page
    response = client_for(office).post(
        url,
        {
            "full_name": "Trần Thị B",
            "email": "b@example.org",
            "role": Role.VIEWER,
            "units": [units["office"].pk],
        },
    )
    assert response.status_code == 302
    head_center.refresh_from_db()
    assert head_center.get_full_name() == "Trần Thị B"
    assert head_center.email == "b@example.org"
    assert user_roles(head_center) == {Role.VIEWER}
    assert list(
        Membership.objects.filter(user=head_center).values_list("unit", flat=True)
    ) == [units["office"].pk]


def test_a_deactivated_person_cannot_sign_in_until_reactivated(
    office: User, head_center: User
) -> None:
    client = client_for(office)
    url = f"/nhiem-vu/nguoi-dung/{head_center.pk}/kich-hoat/"
    response = client.post(url, {"active": "0"}, follow=True)
    assert "Đã ngừng kích hoạt tài khoản" in response.content.decode()
    assert "Đã ngừng kích hoạt" in client.get(PEOPLE).content.decode()
    assert not _signs_in("head_center", PASSWORD)
    assert User.objects.filter(pk=head_center.pk).exists()
    client.post(url, {"active": "1"})
    assert _signs_in("head_center", PASSWORD)


def test_the_office_cannot_deactivate_itself(office: User) -> None:
    response = client_for(office).post(
        f"/nhiem-vu/nguoi-dung/{office.pk}/kich-hoat/", {"active": "0"}, follow=True
    )
    assert "Bạn không thể tự ngừng kích hoạt" in response.content.decode()
    office.refresh_from_db()
    assert office.is_active


def test_the_office_cannot_change_its_own_role_and_lock_itself_out(
    office: User, units: dict[str, Unit]
) -> None:
    url = f"/nhiem-vu/nguoi-dung/{office.pk}/sua/"
    posted = {
        "full_name": "Văn phòng (minh họa)",
        "email": "vp@example.org",
        "role": Role.VIEWER,
        "units": [units["office"].pk],
    }
    response = client_for(office).post(url, posted)
    assert response.status_code == 400
    assert "Bạn không thể tự đổi vai trò của mình" in response.content.decode()
    office.refresh_from_db()
    assert user_roles(office) == {Role.OFFICE}
    assert office.email != "vp@example.org"
    # Keeping its role, the office still changes its own name and e-mail.
    posted["role"] = Role.OFFICE
    assert client_for(office).post(url, posted).status_code == 302
    office.refresh_from_db()
    assert office.email == "vp@example.org"


def test_a_new_temporary_password_replaces_the_old_one(
    office: User, head_center: User
) -> None:
    response = client_for(office).post(
        f"/nhiem-vu/nguoi-dung/{head_center.pk}/mat-khau-tam/"
    )
    head_center.refresh_from_db()
    assert head_center.check_password(_shown_password(response.content.decode()))
    assert not head_center.check_password(PASSWORD)
    assert PasswordChangeRequired.objects.filter(user=head_center).exists()


def test_the_get_of_a_post_only_action_changes_nothing(
    office: User, head_center: User
) -> None:
    url = f"/nhiem-vu/nguoi-dung/{head_center.pk}/mat-khau-tam/"
    assert client_for(office).get(url).status_code == 405
    head_center.refresh_from_db()
    assert head_center.check_password(PASSWORD)


@pytest.mark.parametrize(
    "url",
    [
        "/nhiem-vu/nguoi-dung/{pk}/sua/",
        "/nhiem-vu/nguoi-dung/{pk}/kich-hoat/",
        "/nhiem-vu/nguoi-dung/{pk}/mat-khau-tam/",
    ],
)
def test_another_organizations_office_cannot_touch_its_people(
    other_office: User, head_center: User, url: str
) -> None:
    response = client_for(other_office).post(
        url.format(pk=head_center.pk),
        {"active": "0", "full_name": "X", "role": Role.VIEWER},
    )
    assert response.status_code == 404
    head_center.refresh_from_db()
    assert head_center.is_active and head_center.check_password(PASSWORD)
    assert head_center.get_full_name() == "Head_Center"


def test_another_organizations_office_sees_none_of_its_people_or_units(
    office: User, head_center: User, units: dict[str, Unit], other_office: User
) -> None:
    client = client_for(other_office)
    people = client.get(PEOPLE).content.decode()
    assert "head_center" not in people and "head_b" in people
    unit_page = client.get(UNITS).content.decode()
    assert "Trung tâm TTKT" not in unit_page and "Văn phòng Sở Tư pháp" in unit_page
    unit_url = f"/nhiem-vu/phong-don-vi/{units['center'].pk}/sua/"
    assert client.get(unit_url).status_code == 404
    assert client.post(unit_url, {"name": "Đổi"}).status_code == 404


def test_the_office_creates_renames_and_deactivates_a_unit(
    office: User, organization: Organization, units: dict[str, Unit]
) -> None:
    client = client_for(office)
    response = client.post(
        UNITS, {"organization": organization.pk, "name": "Phòng Quản lý chuyên ngành"}
    )
    assert response.status_code == 302
    unit = Unit.objects.get(name="Phòng Quản lý chuyên ngành")
    assert unit.organization == organization and unit.is_active
    url = f"/nhiem-vu/phong-don-vi/{unit.pk}/sua/"
    assert client.post(url, {"name": "Phòng QLCN"}).status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Phòng QLCN" and not unit.is_active
    assert "Ngừng hoạt động" in client.get(UNITS).content.decode()
    # An inactive unit is no longer offered to a new person.
    assert "Phòng QLCN" not in client.get(CREATE).content.decode()


def test_a_duplicate_unit_name_is_refused_with_a_vietnamese_message(
    office: User, organization: Organization, units: dict[str, Unit]
) -> None:
    client = client_for(office)
    response = client.post(
        UNITS, {"organization": organization.pk, "name": "văn phòng  sở"}
    )
    assert response.status_code == 400
    assert "Cơ quan đã có phòng, đơn vị “văn phòng  sở”." in response.content.decode()
    response = client.post(
        f"/nhiem-vu/phong-don-vi/{units['center'].pk}/sua/",
        {"name": "Văn phòng Sở", "is_active": "on"},
    )
    assert response.status_code == 400
    assert "Cơ quan đã có phòng, đơn vị" in response.content.decode()
    assert Unit.objects.filter(organization=organization).count() == 2
    units["center"].refresh_from_db()
    assert units["center"].name == "Trung tâm TTKT& UDKHCN"


def _people_of(count: int, units: dict[str, Unit]) -> None:
    for i in range(count):
        make_user(f"nguoi_{i:03}", Role.UNIT_HEAD, units["center"])


@pytest.mark.parametrize("count", [3, 30])
def test_the_people_page_runs_the_same_queries_at_any_size(
    office: User,
    units: dict[str, Unit],
    count: int,
    django_assert_num_queries: object,
) -> None:
    _people_of(count, units)
    client = client_for(office)
    client.get(PEOPLE)
    # session, user, user's groups; the people; their groups; their memberships;
    # the memberships' units; whether the office sees every organization; the
    # people it may change
    with django_assert_num_queries(9):  # type: ignore[operator]  # pytest-django's fixture
        response = client.get(PEOPLE)
    assert response.content.decode().count("nguoi_") >= count


def test_an_inactive_unit_is_offered_only_to_the_tasks_it_is_part_of(
    office: User, seed_plan: Plan, shared_task: Task, units: dict[str, Unit]
) -> None:
    Unit.objects.filter(pk=units["center"].pk).update(is_active=False)
    client = client_for(office)
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.2")
    create = f"/nhiem-vu/moi/?criterion={criterion.pk}"
    choice = f'name="lead_units" value="{units["center"].pk}"'
    assert choice not in client.get(create).content.decode()
    edit = client.get(f"/nhiem-vu/{shared_task.pk}/sua/")
    assert choice in edit.content.decode()
    response = client.post(
        create,
        {"criterion": criterion.pk, "text": "Việc của mọi đơn vị", "all_units": "on"},
    )
    assert response.status_code == 302
    task = Task.objects.get(text="Việc của mọi đơn vị")
    assert [p.unit for p in task.parts.all()] == [units["office"]]


def test_a_person_of_no_unit_is_not_another_organizations_to_take_over(
    office: User, director: User, other_office: User
) -> None:
    """With several organizations a person of no unit could be anyone's: no office
    changes them or gives them a password (the admin does, or gives them a unit)."""
    for client in (client_for(other_office), client_for(office)):
        url = f"/nhiem-vu/nguoi-dung/{director.pk}/mat-khau-tam/"
        assert client.post(url).status_code == 404
        assert (
            f"/nhiem-vu/nguoi-dung/{director.pk}/sua/"
            not in client.get(PEOPLE).content.decode()
        )
    director.refresh_from_db()
    assert director.check_password(PASSWORD)


def test_a_person_of_no_unit_is_given_no_unit_by_another_organizations_office(
    office: User, director: User, other_office: User, units: dict[str, Unit]
) -> None:
    url = f"/nhiem-vu/nguoi-dung/{director.pk}/don-vi/"
    response = client_for(office).post(url, {"units": [units["office"].pk]})
    assert response.status_code == 404
    assert not Membership.objects.filter(user=director).exists()


def test_with_several_organizations_a_new_person_needs_a_unit(
    office: User, other_office: User
) -> None:
    response = client_for(office).post(
        CREATE, {"username": "lan", "full_name": "Lan", "role": Role.VIEWER}
    )
    assert response.status_code == 400
    assert "Chọn ít nhất một phòng, đơn vị" in response.content.decode()
    assert not User.objects.filter(username="lan").exists()


def test_with_one_organization_the_office_manages_people_of_no_unit(
    office: User, director: User
) -> None:
    response = client_for(office).post(
        f"/nhiem-vu/nguoi-dung/{director.pk}/kich-hoat/", {"active": "0"}
    )
    assert response.status_code == 302
    director.refresh_from_db()
    assert not director.is_active
