"""Sign-in throttling (django-axes): per account and per address, a Vietnamese page
with the waiting time, and the office's way to unlock."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client

from tests.helpers import PASSWORD, client_for

SIGN_IN = "/dang-nhap/"


def _sign_in(username: str, password: str, address: str = "10.0.0.1") -> object:
    return Client(REMOTE_ADDR=address).post(
        SIGN_IN, {"username": username, "password": password}
    )


def test_an_account_is_locked_after_five_wrong_passwords_even_for_the_right_one(
    viewer: User,
) -> None:
    for attempt in range(4):
        response = _sign_in("viewer", "sai", address=f"10.0.1.{attempt}")
        assert response.status_code == 200  # type: ignore[attr-defined]
    # The fifth wrong password is answered with the lock.
    assert _sign_in("viewer", "sai", address="10.0.1.9").status_code == 429  # type: ignore[attr-defined]
    # From another address, with the right password: still refused.
    response = _sign_in("viewer", PASSWORD, address="10.0.2.1")
    assert response.status_code == 429  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "Đã đăng nhập sai 5 lần" in page
    assert "Hãy đợi 15 phút rồi thử lại" in page
    assert "Văn phòng Sở mở khoá" in page
    assert "sessionid" not in response.cookies  # type: ignore[attr-defined]


def test_an_address_is_locked_after_five_wrong_passwords_on_any_accounts(
    viewer: User,
) -> None:
    for name in ["a", "b", "c", "d", "e"]:
        _sign_in(name, "sai", address="10.0.3.3")
    assert _sign_in("viewer", PASSWORD, address="10.0.3.3").status_code == 429  # type: ignore[attr-defined]
    # The account itself is not locked: from elsewhere it signs in.
    assert _sign_in("viewer", PASSWORD, address="10.0.4.4").status_code == 302  # type: ignore[attr-defined]


def test_a_right_password_before_the_limit_signs_in(viewer: User) -> None:
    for _ in range(4):
        _sign_in("viewer", "sai")
    assert _sign_in("viewer", PASSWORD).status_code == 302  # type: ignore[attr-defined]


def test_the_office_unlocks_an_account_in_the_admin(viewer: User, office: User) -> None:
    for attempt in range(5):
        _sign_in("viewer", "sai", address=f"10.0.5.{attempt}")
    assert _sign_in("viewer", PASSWORD, address="10.0.6.1").status_code == 429  # type: ignore[attr-defined]
    office.is_staff = True
    office.save()
    admin = client_for(office)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "viewer" in listing.content.decode()
    for attempt in AccessAttempt.objects.filter(username="viewer"):
        response = admin.post(
            f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
    assert _sign_in("viewer", PASSWORD, address="10.0.6.1").status_code == 302  # type: ignore[attr-defined]


def test_only_the_office_sees_the_sign_in_attempts(director: User) -> None:
    director.is_staff = True
    director.save()
    assert client_for(director).get("/admin/axes/accessattempt/").status_code == 403


def _behind_proxy(username: str, password: str, forwarded: str) -> object:
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).post(
        SIGN_IN, {"username": username, "password": password}
    )


def test_behind_the_proxy_one_clients_wrong_passwords_do_not_lock_out_the_others(
    viewer: User, settings: object
) -> None:
    settings.PROXY_COUNT = 1  # type: ignore[attr-defined]
    for name in ["a", "b", "c", "d", "e"]:
        _behind_proxy(name, "sai", forwarded="203.0.113.7")
    assert _behind_proxy("viewer", PASSWORD, "203.0.113.7").status_code == 429  # type: ignore[attr-defined]
    # Another client behind the same proxy signs in.
    assert _behind_proxy("viewer", PASSWORD, "198.51.100.2").status_code == 302  # type: ignore[attr-defined]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
        "203.0.113.7"
    }


def test_an_address_the_client_wrote_into_x_forwarded_for_is_not_believed(
    viewer: User, settings: object
) -> None:
    settings.PROXY_COUNT = 1  # type: ignore[attr-defined]
    # nginx appends the address it saw; what the client sent before it is its claim
    for claim in ["10.9.9.1", "10.9.9.2", "10.9.9.3", "10.9.9.4", "10.9.9.5"]:
        _behind_proxy(f"x{claim}", "sai", forwarded=f"{claim}, 203.0.113.8")
    assert (
        _behind_proxy("viewer", PASSWORD, "10.0.0.99, 203.0.113.8").status_code == 429
    )  # type: ignore[attr-defined]
