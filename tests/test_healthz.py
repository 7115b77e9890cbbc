"""The trivial views the benchmark compares pages against: ``/healthz`` (no
sign-in) and ``/ping`` (signed in)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client


def test_the_health_view_answers_ok_without_signing_in(
    db: None, django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_the_signed_in_reference_answers_ok_for_the_session_user_and_roles_only(
    director: User, django_assert_num_queries: object
) -> None:
    client = Client()
    client.force_login(director)
    # the session, the user, the user's groups (the role check)
    with django_assert_num_queries(3):
        response = client.get("/ping")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_the_signed_in_reference_sends_the_anonymous_to_sign_in(db: None) -> None:
    response = Client().get("/ping")
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")
