from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.helpers import PASSWORD, browser_login


def test_the_sign_in_page_speaks_vietnamese(client: Client, db: None) -> None:
    response = client.get("/dang-nhap/")
    assert response.status_code == 200
    assert "Đăng nhập PAR Plan" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_vietnamese_message(
    client: Client, outsider: User
) -> None:
    response = client.post("/dang-nhap/", {"username": "outsider", "password": "sai"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_a_user_without_a_role_is_told_to_ask_the_office(
    client: Client, outsider: User
) -> None:
    client.post("/dang-nhap/", {"username": "outsider", "password": PASSWORD})
    response = client.get("/")
    assert response.status_code == 403
    assert "chưa được giao vai trò" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_signs_in_through_a_real_browser(page: object, outsider: User) -> None:
    browser_login(page, "outsider")
    assert "chưa được phân quyền" in page.content()


def test_pages_are_vietnamese_even_for_an_english_browser(
    client: Client, db: None
) -> None:
    response = client.get("/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Đăng nhập PAR Plan" in response.content.decode()
    assert response["Content-Language"] == "vi"


def test_english_is_one_choice_away_in_the_language_menu(
    client: Client, db: None
) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})
    response = client.get("/admin/login/")
    assert response["Content-Language"] == "en"
    assert "Django administration" in response.content.decode()
