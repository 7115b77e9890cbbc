"""Every signed-in user changes their own password (/doi-mat-khau/), staff or not."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tests.helpers import PASSWORD, client_for


@pytest.mark.parametrize("who", ["viewer", "head_center", "outsider", "office"])
def test_a_signed_in_user_changes_their_own_password(
    request: pytest.FixtureRequest, who: str
) -> None:
    user: User = request.getfixturevalue(who)
    assert not user.is_staff
    client = client_for(user)
    page = client.get("/doi-mat-khau/")
    assert page.status_code == 200 and "Đổi mật khẩu" in page.content.decode()
    done = client.post(
        "/doi-mat-khau/",
        {
            "old_password": PASSWORD,
            "new_password1": "mat-khau-moi-dai-42",
            "new_password2": "mat-khau-moi-dai-42",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/doi-mat-khau/xong/"
    user.refresh_from_db()
    assert user.check_password("mat-khau-moi-dai-42")
    assert client.get("/doi-mat-khau/xong/").status_code == 200


def test_a_wrong_old_password_changes_nothing(viewer: User) -> None:
    client = client_for(viewer)
    page = client.post(
        "/doi-mat-khau/",
        {
            "old_password": "sai",
            "new_password1": "mat-khau-moi-dai-42",
            "new_password2": "mat-khau-moi-dai-42",
        },
    )
    assert page.status_code == 200 and 'role="alert"' in page.content.decode()
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)


def test_signed_out_visitors_are_sent_to_sign_in(client: object) -> None:
    response = client.get("/doi-mat-khau/")  # type: ignore[attr-defined]  # Django's test client
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("ab1", "Mật khẩu này quá ngắn: cần ít nhất 8 ký tự."),
        ("12345678901", "Mật khẩu này chỉ gồm chữ số."),
        ("password123", "Mật khẩu này quá phổ biến, dễ bị đoán."),
        ("viewer12", "Mật khẩu này quá giống"),
    ],
)
def test_a_refused_new_password_is_explained_in_vietnamese(
    viewer: User, password: str, reason: str
) -> None:
    page = client_for(viewer).post(
        "/doi-mat-khau/",
        {
            "old_password": PASSWORD,
            "new_password1": password,
            "new_password2": password,
        },
    )
    text = page.content.decode()
    assert page.status_code == 200 and reason in text
    for english in ("too short", "too common", "entirely numeric", "too similar"):
        assert english not in text
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)
