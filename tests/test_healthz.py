"""The trivial health view the benchmark compares pages against."""

from __future__ import annotations

from django.test import Client


def test_the_health_view_answers_ok_without_signing_in(
    db: None, django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
