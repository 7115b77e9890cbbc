"""A person given a temporary password by the office must change it at first
sign-in (parplan.middleware.password_change_required, tasks.people)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tasks.models import PasswordChangeRequired
from tasks.people import person_password_reset
from tests.helpers import PASSWORD

TEMPORARY = "tam-thoi-1234"
NEW = "mat-khau-moi-dai-42"


@pytest.fixture
def marked(head_center: User) -> User:
    person_password_reset(member=head_center, password=TEMPORARY)
    return head_center


def _signed_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/dang-nhap/", {"username": username, "password": password})
    assert response.status_code == 302
    return client


def test_every_page_sends_them_to_change_the_password_first(marked: User) -> None:
    client = _signed_in("head_center", TEMPORARY)
    for url in ("/", "/nhiem-vu/", "/nhiem-vu/cua-don-vi/", "/bao-cao/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/doi-mat-khau/"
    page = client.get("/nhiem-vu/", follow=True).content.decode()
    assert "Bạn đang dùng mật khẩu tạm thời" in page
    assert "Đổi mật khẩu" in page


def test_the_password_page_sign_out_and_health_check_stay_open(marked: User) -> None:
    client = _signed_in("head_center", TEMPORARY)
    assert client.get("/doi-mat-khau/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.post("/dang-xuat/").status_code == 302


def test_once_changed_the_pages_open_and_the_mark_is_gone(marked: User) -> None:
    client = _signed_in("head_center", TEMPORARY)
    done = client.post(
        "/doi-mat-khau/",
        {"old_password": TEMPORARY, "new_password1": NEW, "new_password2": NEW},
    )
    assert done.status_code == 302 and done["Location"] == "/doi-mat-khau/xong/"
    assert client.get("/nhiem-vu/").status_code == 200
    # Signing in again with the new password is not stopped either.
    assert _signed_in("head_center", NEW).get("/nhiem-vu/").status_code == 200
    assert not PasswordChangeRequired.objects.filter(user=marked).exists()


def test_a_password_changed_elsewhere_clears_the_mark(marked: User) -> None:
    marked.set_password(NEW)
    marked.save()
    client = _signed_in("head_center", NEW)
    assert client.get("/nhiem-vu/").status_code == 200
    assert not PasswordChangeRequired.objects.filter(user=marked).exists()


def test_people_without_a_temporary_password_are_not_stopped(
    head_center: User,
) -> None:
    client = _signed_in("head_center", PASSWORD)
    assert client.get("/nhiem-vu/").status_code == 200


def test_in_the_browser_the_first_sign_in_asks_for_a_new_password(
    page: object, marked: User, seed_plan: object
) -> None:
    from tests.helpers import browser_login

    browser_login(page, "head_center", TEMPORARY)
    assert page.url.endswith("/doi-mat-khau/")  # type: ignore[attr-defined]  # Playwright's page
    assert "Bạn đang dùng mật khẩu tạm thời" in page.content()  # type: ignore[attr-defined]
    page.fill("#id_old_password", TEMPORARY)  # type: ignore[attr-defined]
    page.fill("#id_new_password1", NEW)  # type: ignore[attr-defined]
    page.fill("#id_new_password2", NEW)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state("domcontentloaded")  # type: ignore[attr-defined]
    assert page.url.endswith("/doi-mat-khau/xong/")  # type: ignore[attr-defined]
    page.goto(page.base_url + "/nhiem-vu/cua-don-vi/")  # type: ignore[attr-defined]
    assert page.url.endswith("/nhiem-vu/cua-don-vi/")  # type: ignore[attr-defined]
