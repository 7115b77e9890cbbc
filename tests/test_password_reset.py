"""A forgotten password is reset by e-mail, when e-mail is set up
(settings.PASSWORD_RESET_ENABLED; Django's password reset views in parplan/urls.py)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from tasks.people import person_password_reset
from tests.test_settings import manage

NEW = "mat-khau-moi-dai-42"


@pytest.fixture
def email_on(settings: object) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]  # pytest-django's settings
    settings.PASSWORD_RESET_ENABLED = True  # type: ignore[attr-defined]


@pytest.fixture
def with_email(head_center: User) -> User:
    head_center.email = "head@example.org"
    head_center.save()
    return head_center


def test_the_sign_in_page_offers_it_when_email_is_set_up(
    email_on: None, client: Client
) -> None:
    body = client.get("/dang-nhap/").content.decode()
    assert "Quên mật khẩu?" in body and 'href="/quen-mat-khau/"' in body


def test_a_reset_link_by_email_sets_a_new_password(
    email_on: None, with_email: User, client: Client
) -> None:
    person_password_reset(member=with_email, password="tam-thoi-1234")
    response = client.post("/quen-mat-khau/", {"email": "head@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/quen-mat-khau/da-gui/"
    assert "Hãy kiểm tra hộp thư" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["head@example.org"]
    assert message.subject == "Đặt lại mật khẩu PAR Plan"
    link = re.search(r"http://testserver(/quen-mat-khau/\S+/\S+/)", message.body)
    assert link, message.body
    form = client.get(link.group(1), follow=True)
    assert "Đặt mật khẩu mới" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"new_password1": NEW, "new_password2": NEW},
    )
    assert done.status_code == 302 and done["Location"] == "/quen-mat-khau/xong/"
    with_email.refresh_from_db()
    assert with_email.check_password(NEW)
    # The temporary password it replaced no longer forces a change.
    signed_in = Client()
    signed_in.post("/dang-nhap/", {"username": "head_center", "password": NEW})
    assert signed_in.get("/nhiem-vu/").status_code == 200


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    email_on: None, with_email: User, client: Client
) -> None:
    response = client.post("/quen-mat-khau/", {"email": "ai@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_it_is_hidden_and_closed_when_email_is_not_set_up(
    settings: object, with_email: User, client: Client
) -> None:
    settings.PASSWORD_RESET_ENABLED = False  # type: ignore[attr-defined]  # pytest-django's settings
    assert "Quên mật khẩu" not in client.get("/dang-nhap/").content.decode()
    assert client.get("/quen-mat-khau/").status_code == 404
    assert (
        client.post("/quen-mat-khau/", {"email": "head@example.org"}).status_code == 404
    )
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("env", "enabled"),
    [
        ({}, "False"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}, "True"),
        ({"PARPLAN_PASSWORD_RESET": "1"}, "True"),
        (
            {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "PARPLAN_PASSWORD_RESET": "0",
            },
            "False",
        ),
    ],
)
def test_it_is_on_when_mail_really_leaves_the_server_or_when_asked(
    env: dict[str, str], enabled: str
) -> None:
    code = "from django.conf import settings; print(settings.PASSWORD_RESET_ENABLED)"
    blank = {"EMAIL_BACKEND": "", "PARPLAN_PASSWORD_RESET": ""}
    result = manage("shell", "-c", code, **{**blank, **env})
    assert result.stdout.split()[-1] == enabled, result.stderr
